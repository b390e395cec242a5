"""The JSON forms of archive query results, shared by the CLI's --json and the web API."""

from __future__ import annotations

from dataclasses import asdict, is_dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from storage.exports import ValueRow
    from storage.search import SearchHit

SeriesTable = dict[tuple[str, str], dict[int, float | None]]


def iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value else None


def report_json(report: Any) -> dict[str, Any]:
    """The stable JSON form of one report in listings (documented in the README)."""
    return {
        "id": report.id,
        "url": report.url,
        "title": report.title,
        "agency": report.agency,
        "district": report.district,
        "unit_code": report.unit_code,
        "kind": report.kind,
        "year": report.year,
        "published": iso(report.published),
        "template": report.template,
        "status": report.status,
        "failed_checks": report.failed_checks,
        "snapshot_sha256": report.snapshot_sha256,
    }


def detail_json(detail: Any) -> dict[str, Any]:
    return asdict(detail) if is_dataclass(detail) and not isinstance(detail, type) else dict(detail)


def hit_json(hit: SearchHit) -> dict[str, Any]:
    """``reports list --json`` fields plus ``snippet``, ``highlights`` ([start, end) offsets) and ``where``."""
    return {
        **report_json(hit.report),
        "snippet": hit.snippet,
        "highlights": [list(span) for span in hit.highlights],
        "where": hit.where,
    }


def series_table(rows: list[ValueRow]) -> SeriesTable:
    """(district, agency) -> {year: value}, from value rows of one key."""
    table: SeriesTable = {}
    for row in rows:
        table.setdefault((row.district, row.agency), {})[row.year] = row.value
    return table


def series_json(
    table: SeriesTable, legacy_key: str | None = None, legacy_years: list[int] | None = None
) -> list[dict[str, Any]]:
    """``reports series --json``: per body its values by year, and which years come from the legacy key."""
    legacy = set(legacy_years or ())
    return [
        {
            "district": district,
            "agency": agency,
            "values": {str(year): value for year, value in sorted(values.items())},
            "legacy_years": [year for year in sorted(values) if year in legacy],
            "legacy_key": legacy_key,
        }
        for (district, agency), values in table.items()
    ]
