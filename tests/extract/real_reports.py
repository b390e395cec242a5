"""The real report fixtures under files/: their documents and hand-read expectations."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from extract.report import ReportExtraction, extract_report

FILES = Path(__file__).with_name("files")


@dataclass(frozen=True)
class Fixture:
    name: str
    expected: dict[str, Any]

    @property
    def document(self) -> bytes:
        return (FILES / self.name / self.expected["document"]).read_bytes()


@cache
def fixtures() -> tuple[Fixture, ...]:
    found = []
    for path in sorted(FILES.glob("*/expected.json")):
        found.append(Fixture(path.parent.name, json.loads(path.read_text(encoding="utf-8"))))
    return tuple(found)


def fixture(name: str) -> Fixture:
    return next(item for item in fixtures() if item.name == name)


@cache
def extraction(name: str) -> ReportExtraction:
    """Extracted without the reporting year: the document alone must say which template it follows."""
    return extract_report(fixture(name).document)
