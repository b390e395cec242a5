"""Filters on reports shared by search, export and series: district, years, kind, agency, template."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select, true
from sqlalchemy.orm import aliased

from storage.models import Agency, Extraction, Report, Unit


@dataclass(frozen=True)
class ReportFilter:
    """Which reports to consider. ``district`` matches a unit's name, the start of it, or its code;
    ``years`` is an inclusive range; ``agency`` is a substring of the publishing body's name."""

    district: str | None = None
    years: tuple[int, int] | None = None
    kind: str | None = None
    agency: str | None = None
    template: str | None = None


def parse_years(text: str) -> tuple[int, int]:
    """``2020`` -> (2020, 2020); ``2019-2024`` -> (2019, 2024)."""
    first, _, last = text.strip().partition("-")
    try:
        low, high = int(first), int(last or first)
    except ValueError:
        raise ValueError(f"years must look like 2020 or 2019-2024, not {text!r}") from None
    return (min(low, high), max(low, high))


def where_clauses(report_filter: ReportFilter) -> list[ColumnElement[bool]]:
    """Conditions on ``Report``, ``Unit`` and ``Agency`` (the caller joins the last two)."""
    clauses: list[ColumnElement[bool]] = []
    if report_filter.district:
        district = report_filter.district
        clauses.append(
            or_(Unit.name == district, Unit.name.startswith(district, autoescape=True), Unit.code == district)
        )
    if report_filter.years is not None:
        low, high = report_filter.years
        clauses.append(Report.year.between(low, high))
    if report_filter.kind:
        clauses.append(Report.kind == report_filter.kind)
    if report_filter.agency:
        clauses.append(Agency.name.contains(report_filter.agency, autoescape=True))
    if report_filter.template:
        clauses.append(Report.template == report_filter.template)
    return clauses


def filtered_reports(report_filter: ReportFilter, *columns: Any) -> Select[Any]:
    """``SELECT columns FROM reports JOIN units JOIN agencies WHERE <filter>``."""
    return (
        select(*columns)
        .select_from(Report)
        .join(Unit, Unit.id == Report.unit_id)
        .join(Agency, Agency.id == Report.agency_id)
        .where(and_(true(), *where_clauses(report_filter)))
    )


def current_extraction_id() -> Any:
    """Correlated scalar subquery: the latest extraction of the report's current snapshot."""
    latest = aliased(Extraction)
    return (
        select(func.max(latest.id))
        .where(latest.report_id == Report.id, latest.snapshot_id == Report.current_snapshot_id)
        .correlate(Report)
        .scalar_subquery()
    )
