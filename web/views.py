"""What the pages show, shaped from the library's query results: tables with labels, coverage, runs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from reportformat.layout import check_cells, template_tables
from storage.archive import Archive
from storage.coverage import coverage
from storage.health import AlertView
from storage.serialize import iso


@dataclass(frozen=True)
class ShownCell:
    key: str | None
    value: float | None
    present: bool
    failed: tuple[str, ...]  # ids of the failed checks that concern this cell


@dataclass(frozen=True)
class ShownTable:
    title: str
    columns: tuple[str, ...]
    rows: list[tuple[str, list[ShownCell]]]


def report_tables(detail: Any) -> list[ShownTable]:
    """Tables 二, 三, 四 of the report's template with its values; failed checks marked on their cells."""
    extraction = detail.extraction
    if extraction is None or not extraction.values:
        return []
    failed: dict[str, list[str]] = {}
    for check in extraction.checks:
        if not check.ok:
            for key in check_cells(check.check_id, check.where, extraction.template):
                failed.setdefault(key, []).append(f"{check.check_id} ({check.where})")
    values = extraction.values
    return [
        ShownTable(
            layout.title,
            layout.columns,
            [
                (
                    row.label,
                    [
                        ShownCell(
                            key,
                            values.get(key) if key else None,
                            key in values,
                            tuple(failed.get(key or "", ())),
                        )
                        for key in row.keys
                    ],
                )
                for row in layout.rows
            ],
        )
        for layout in template_tables(extraction.template)
    ]


def coverage_grid(archive: Archive, as_of: datetime | None = None) -> dict[str, Any]:
    """Districts × years of the units' own summary reports (every agency: ``reports coverage``)."""
    today = (as_of or datetime.now(UTC)).date()
    return coverage(archive, as_of=today, kind="district").to_json()


def run_json(run: Any, alerts: list[AlertView]) -> dict[str, Any]:
    """A crawl run as the API gives it: its figures and the alerts raised by its health checks."""
    return {
        "id": run.id,
        "started_at": iso(run.started_at),
        "finished_at": iso(run.finished_at),
        "outcome": run.outcome,
        "sites": list(run.sites),
        "stats": run.stats or {},
        "alerts": [alert.as_json() for alert in alerts if alert.run_id == run.id],
    }
