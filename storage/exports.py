"""Canonical values as flat rows, for export and for time series."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from reportformat.legacy import legacy_counterpart
from storage.filters import ReportFilter, current_extraction_id, filtered_reports
from storage.models import Agency, ExtractedValue, Extraction, Report, Snapshot, Unit
from storage.queries import _session

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from storage.archive import Archive

VALUE_COLUMNS = (
    "report_id",
    "agency",
    "district",
    "kind",
    "year",
    "template",
    "key",
    "value",
    "raw",
    "url",
    "snapshot_sha256",
)


@dataclass(frozen=True)
class ValueRow:
    """One canonical value of one report (of the latest extraction of its current snapshot)."""

    report_id: int
    agency: str
    district: str
    kind: str
    year: int
    template: str | None
    key: str
    value: float | None
    raw: str | None
    url: str
    snapshot_sha256: str


def value_rows(
    source: Archive | Session, report_filter: ReportFilter | None = None, keys: list[str] | None = None
) -> Iterator[ValueRow]:
    """Rows ordered by year, district, agency and key; only ``keys`` when given."""
    query = (
        filtered_reports(
            report_filter or ReportFilter(),
            Report.id,
            Agency.name,
            Unit.name,
            Report.kind,
            Report.year,
            Extraction.template,
            ExtractedValue.key,
            ExtractedValue.value,
            ExtractedValue.raw,
            Report.url,
            Snapshot.sha256,
        )
        .join(Snapshot, Snapshot.id == Report.current_snapshot_id)
        .join(Extraction, Extraction.id == current_extraction_id())
        .join(ExtractedValue, ExtractedValue.extraction_id == Extraction.id)
        .order_by(Report.year, Unit.name, Agency.name, Report.id, ExtractedValue.key)
    )
    if keys:
        query = query.where(ExtractedValue.key.in_(keys))
    with _session(source) as session:
        for row in session.execute(query.execution_options(yield_per=5000)):
            yield ValueRow(*row)


def series_rows(
    source: Archive | Session, report_filter: ReportFilter, key: str
) -> tuple[list[ValueRow], str | None]:
    """The rows of one canonical key and, where a legacy key (2008 regulation) means the same,
    that key's pre-2019 rows, which fill the earlier years; and the legacy key (or None)."""
    legacy_key = legacy_counterpart(key)
    rows = list(value_rows(source, report_filter, [key]))
    if legacy_key:
        rows += [row for row in value_rows(source, report_filter, [legacy_key]) if row.template == "pre2019"]
    return rows, legacy_key
