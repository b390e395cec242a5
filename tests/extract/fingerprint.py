"""The extraction output fingerprint: a digest of what extraction gives on a fixed corpus.

The corpus is every real-report fixture under files/ and every report page of the small
replica (seed 2026). ``EXTRACTOR_VERSION`` must change whenever this digest changes, so that a
re-crawl refreshes extractions made by an older extractor; extractor_versions.json records the
digest of every released version.

    python -m tests.extract.fingerprint           # print the current version and digest
    python -m tests.extract.fingerprint --record  # record them (refuses to rewrite a version)
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from extract.report import EXTRACTOR_VERSION, extract_report
from replica.world import build_world
from tests.extract.real_reports import fixtures

RECORD = Path(__file__).with_name("extractor_versions.json")

log = logging.getLogger(__name__)


def _corpus() -> Iterator[tuple[str, bytes, int | None]]:
    for item in fixtures():
        yield f"fixture:{item.name}", item.document, None
    world = build_world("small", 2026)
    for report in world.reports:
        yield report["url"], world.page(report["url"]), report["year"]


def _canonical(value: Any) -> Any:
    """Extraction output as plain JSON, without the version stamp itself."""
    plain = dataclasses.asdict(value)
    plain.pop("extractor_version", None)
    return plain


def current_digest() -> str:
    digest = hashlib.sha256()
    for name, document, year in _corpus():
        output = _canonical(extract_report(document, year=year) if year else extract_report(document))
        digest.update(name.encode())
        digest.update(json.dumps(output, ensure_ascii=False, sort_keys=True, default=str).encode())
    return digest.hexdigest()


def recorded() -> dict[str, str]:
    return json.loads(RECORD.read_text(encoding="utf-8")) if RECORD.exists() else {}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--record", action="store_true", help="record the digest under EXTRACTOR_VERSION")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    digest = current_digest()
    log.info("extractor %s: %s", EXTRACTOR_VERSION, digest)
    if not args.record:
        return
    versions = recorded()
    if versions.get(EXTRACTOR_VERSION, digest) != digest:
        raise SystemExit(
            f"version {EXTRACTOR_VERSION} is already recorded with another output; bump EXTRACTOR_VERSION"
        )
    versions[EXTRACTOR_VERSION] = digest
    RECORD.write_text(json.dumps(versions, indent=1, sort_keys=True) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
