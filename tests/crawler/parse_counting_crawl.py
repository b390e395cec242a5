"""``reports`` with every PDF and DOCX parse logged to $REPORTS_TEST_PARSE_LOG (file hash, process).

Run as a script: extraction workers start with ``spawn`` and load the main script again, so
the wrapped readers are in every process of the crawl, workers included.
"""

from __future__ import annotations

import hashlib
import os
import sys
from collections.abc import Callable
from typing import Any

from extract import attachments


def _logged(read: Callable[..., Any]) -> Callable[..., Any]:
    def logged(document: bytes, *args: Any, **kwargs: Any) -> Any:
        with open(os.environ["REPORTS_TEST_PARSE_LOG"], "a", encoding="ascii") as log:
            log.write(f"{hashlib.sha256(document).hexdigest()} {os.getpid()}\n")
        return read(document, *args, **kwargs)

    return logged


attachments.read_pdf = _logged(attachments.read_pdf)  # type: ignore[assignment]
attachments.read_docx = _logged(attachments.read_docx)  # type: ignore[assignment]

if __name__ == "__main__":
    from cli.main import main

    sys.exit(main())
