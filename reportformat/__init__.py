"""The national report template: canonical keys, labels and identities.

This module is the single source of truth for the template. It reads
``keys.yaml`` (a copy of the project contract) once and exposes typed views
of it to the extractor, the replica and the archive.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

KEYS_FILE = Path(__file__).with_name("keys.yaml")

TEMPLATES = ("pre2019", "v2019", "v2021")

# Rows of table 三 that exist only in one generation of the template.
_V2019_ONLY_REQUEST_ROWS = ("other",)
_V2021_ONLY_REQUEST_ROWS = ("other.no_correction", "other.unpaid_fee", "other.other")


@dataclass(frozen=True)
class DisclosureRow:
    """One row of table 二 (主动公开) for one template generation."""

    name: str
    label: str
    block: str
    columns: tuple[str, ...]

    def keys(self) -> list[str]:
        return [f"disclosure.{self.name}.{column}" for column in self.columns]


@cache
def _raw() -> dict[str, Any]:
    with KEYS_FILE.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def section_headings() -> dict[int, str]:
    """The six section headings, numbered 1..6, as printed in the template."""
    return {int(number): heading for number, heading in _raw()["sections"].items()}


def template_fingerprints(template: str) -> list[str]:
    return list(_raw()["templates"][template].get("fingerprints", []))


def disclosure_rows(template: str) -> list[DisclosureRow]:
    """Rows of table 二 in printed order."""
    spec = _raw()["disclosure"].get(template, {})
    return [
        DisclosureRow(name=name, label=row["label"], block=row["block"], columns=tuple(row["columns"]))
        for name, row in spec.items()
    ]


def disclosure_column_labels() -> dict[str, str]:
    return dict(_raw()["disclosure"]["columns"])


def request_columns() -> dict[str, str]:
    """Applicant columns of table 三 in printed order: key -> label."""
    return dict(_raw()["requests"]["columns"])


def request_rows(template: str) -> dict[str, str]:
    """Rows of table 三 for a template generation, in printed order: key -> label."""
    rows = dict(_raw()["requests"]["rows"])
    excluded = _V2021_ONLY_REQUEST_ROWS if template == "v2019" else _V2019_ONLY_REQUEST_ROWS
    return {key: label for key, label in rows.items() if key not in excluded}


def request_outcome_rows(template: str) -> list[str]:
    """Outcome rows (granted .. other*) whose sum is total_processed."""
    rows = list(request_rows(template))
    return rows[rows.index("granted") : rows.index("total_processed")]


def appeal_groups() -> dict[str, str]:
    return dict(_raw()["appeals"]["groups"])


def appeal_columns() -> dict[str, str]:
    return dict(_raw()["appeals"]["columns"])


def canonical_keys(template: str) -> list[str]:
    """Every canonical key of a template generation, in printed order.

    ``pre2019`` reports have no canonical keys: their tables are kept as grids.
    """
    if template not in ("v2019", "v2021"):
        return []
    keys: list[str] = []
    for disclosure_row in disclosure_rows(template):
        keys.extend(disclosure_row.keys())
    for row in request_rows(template):
        keys.extend(f"requests.{row}.{column}" for column in request_columns())
    for group in appeal_groups():
        keys.extend(f"appeals.{group}.{column}" for column in appeal_columns())
    return keys


def identities() -> list[dict[str, str]]:
    return list(_raw()["identities"])


def template_for_year(year: int) -> str:
    """The template generation a report for ``year`` is expected to follow."""
    if year >= 2021:
        return "v2021"
    if year >= 2019:
        return "v2019"
    return "pre2019"


def detect_template(text: str) -> str | None:
    """Detect the template generation from a report's text by its fingerprints.

    Returns None when neither tabular template is recognisable; the caller
    decides whether that means a pre-2019 report (by year) or a finding.
    """
    compact = "".join(text.split()).replace("(", "（").replace(")", "）")
    scores = {
        template: sum(1 for mark in template_fingerprints(template) if mark in compact)
        for template in ("v2019", "v2021")
    }
    best = max(scores, key=lambda template: scores[template])
    if scores[best] == 0 or scores["v2019"] == scores["v2021"]:
        return None
    return best
