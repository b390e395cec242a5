"""A WARC file packaged as WACZ (the ``wacz`` package): the WARC, its CDX index and a pages list,
the form ReplayWeb.page opens directly."""

from __future__ import annotations

import contextlib
import io
import json
import logging
import tempfile
from collections.abc import Iterable
from pathlib import Path

from wacz.main import main as wacz_main

from storage.warc import WarcPage

logger = logging.getLogger(__name__)


class WaczError(RuntimeError):
    """The wacz tool refused to package or validate a file; its own output is the message."""


def _run(args: list[str]) -> str:
    """Run the ``wacz`` command in-process and return what it printed (it prints, we log)."""
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        status = wacz_main(args)
    for line in printed.getvalue().splitlines():
        logger.debug("wacz: %s", line)
    if status not in (0, None):
        raise WaczError(
            printed.getvalue().strip().splitlines()[-1]
            if printed.getvalue().strip()
            else f"wacz {args[0]} failed"
        )
    return printed.getvalue()


def pages_jsonl(pages: Iterable[WarcPage]) -> str:
    """The WACZ pages list: a header line, then one ``{"url", "ts", "title"}`` per report page."""
    lines = [json.dumps({"format": "json-pages-1.0", "id": "pages", "title": "Reports"})]
    lines += [json.dumps({"url": p.url, "ts": p.ts, "title": p.title}, ensure_ascii=False) for p in pages]
    return "\n".join(lines) + "\n"


def write_wacz(warc: Path, wacz: Path, pages: list[WarcPage], *, title: str, description: str) -> None:
    """Package ``warc`` as ``wacz`` with ``pages`` as its pages list."""
    with tempfile.TemporaryDirectory() as folder:
        listed = Path(folder) / "pages.jsonl"
        listed.write_text(pages_jsonl(pages), encoding="utf-8")
        printed = _run(
            ["create", "-o", str(wacz), str(warc), "-p", str(listed), "--title", title, "--desc", description]
        )
    unmatched = [line for line in printed.splitlines() if line.startswith("Invalid passed page")]
    if unmatched:
        raise WaczError(f"{len(unmatched)} page(s) match no record of the WARC: {unmatched[0]}")


def validate_wacz(wacz: Path) -> str:
    """``wacz validate``: raises WaczError unless the file is a valid WACZ; returns its report."""
    printed = _run(["validate", "-f", str(wacz)])
    if "Validation succeeded" not in printed:
        raise WaczError(printed.strip().splitlines()[-1] if printed.strip() else "validation failed")
    return printed
