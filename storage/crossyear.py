"""Cross-year checks: one agency's report for year N against its report for year N-1.

``requests.carry_over`` (keys.yaml ``cross_year``): what a report carried over
from last year must equal what last year's report carried forward. The check
is stored on the later report's current extraction, and re-evaluated whenever
either side is extracted again, whatever order the crawl met them in.
"""

from __future__ import annotations

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from reportformat.checks import check_carry_over
from storage.models import CheckResultRow, ExtractedValue, Extraction, Report

CARRY_OVER = "requests.carry_over"


def _current_extraction_id(session: Session, report: Report) -> int | None:
    return session.scalar(
        select(func.max(Extraction.id)).where(
            Extraction.report_id == report.id, Extraction.snapshot_id == report.current_snapshot_id
        )
    )


def _values(session: Session, extraction_id: int) -> dict[str, float | None]:
    rows = session.execute(
        select(ExtractedValue.key, ExtractedValue.value).where(ExtractedValue.extraction_id == extraction_id)
    )
    return {key: value for key, value in rows}


def _neighbour(session: Session, report: Report, year: int) -> Report | None:
    return session.scalar(select(Report).where(Report.agency_id == report.agency_id, Report.year == year))


def _store_carry_over(session: Session, previous: Report, current: Report) -> int:
    previous_id = _current_extraction_id(session, previous)
    current_id = _current_extraction_id(session, current)
    if previous_id is None or current_id is None:
        return 0
    session.execute(
        delete(CheckResultRow).where(
            CheckResultRow.extraction_id == current_id, CheckResultRow.check_id == CARRY_OVER
        )
    )
    results = check_carry_over(_values(session, previous_id), _values(session, current_id))
    session.add_all(
        CheckResultRow(
            extraction_id=current_id,
            check_id=result.id,
            where=result.where,
            ok=result.ok,
            expected=float(result.expected),
            actual=float(result.actual),
        )
        for result in results
    )
    return len(results)


def refresh_carry_over(session: Session, report_id: int) -> int:
    """Re-evaluate carry-over between a report and its agency's previous and next years.

    Returns the number of check rows written.
    """
    report = session.get(Report, report_id)
    if report is None:
        return 0
    written = 0
    previous = _neighbour(session, report, report.year - 1)
    if previous is not None:
        written += _store_carry_over(session, previous, report)
    following = _neighbour(session, report, report.year + 1)
    if following is not None:
        written += _store_carry_over(session, report, following)
    return written
