"""Coverage: for each unit, agency and reporting year, whether the archive holds the report.

A cell is ``archived``, ``failed`` (archived, but its current extraction failed), ``withdrawn``
(archived, then taken down by the site) or ``missing``. An agency's report for a year is missing
when the year lies between its first and last recorded report, or after its last one up to the
latest reporting year whose deadline has passed: the 条例 (art. 50) wants the annual report by
31 January of the following year. The deadline and the day it is judged on are parameters, so
the answer does not depend on the clock.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import and_, select, true

from storage.archive import Archive
from storage.filters import ReportFilter, current_extraction_id, where_clauses
from storage.models import Agency, Extraction, Report, Unit
from storage.retry import retry_transient

ARCHIVED = "archived"
FAILED = "failed"
WITHDRAWN = "withdrawn"
MISSING = "missing"
STATES = (ARCHIVED, FAILED, WITHDRAWN, MISSING)
# When two reports fill one cell (one agency under two spellings of its name), the better one shows.
_RANK = {ARCHIVED: 0, FAILED: 1, WITHDRAWN: 2}
KIND_ORDER = ("district", "office", "department", "town")

# Titles name the same body with or without the municipality: 重庆市丰都县 / 丰都县,
# 重庆两江新区 / 重庆市两江新区. Within one unit these are one agency.
_MUNICIPALITY = re.compile(r"^重庆(?:市)?")


@dataclass(frozen=True)
class Deadline:
    """The day of the following year by which a year's report is due (default: 31 January)."""

    month: int = 1
    day: int = 31

    def __post_init__(self) -> None:
        date(2001, self.month, self.day)  # raises ValueError for 02-30 and the like

    @classmethod
    def parse(cls, text: str) -> Deadline:
        """``01-31`` -> Deadline(1, 31)."""
        month, sep, day = text.strip().partition("-")
        try:
            if not sep:
                raise ValueError
            return cls(int(month), int(day))
        except ValueError:
            raise ValueError(f"the deadline must look like 01-31 (month-day), not {text!r}") from None

    def due_on(self, year: int) -> date:
        """The day the report for ``year`` is due."""
        return date(year + 1, self.month, self.day)

    def latest_due_year(self, as_of: date) -> int:
        """The latest reporting year whose report is overdue on ``as_of`` (due strictly before it)."""
        year = as_of.year - 1
        return year if as_of > self.due_on(year) else year - 1

    def __str__(self) -> str:
        return f"{self.month:02d}-{self.day:02d}"


def agency_key(name: str) -> str:
    """The agency's identity within its unit: its name without whitespace and the municipality."""
    compact = "".join(name.split())
    return _MUNICIPALITY.sub("", compact) or compact


def year_states(recorded: Mapping[int, str], latest_due_year: int) -> dict[int, str]:
    """Every year from an agency's first recorded report on, with its state.

    ``recorded`` maps years to ``archived``/``failed``/``withdrawn``. The years it lacks between
    its first and last year, and after its last year up to ``latest_due_year``, are ``missing``.
    """
    if not recorded:
        return {}
    first = min(recorded)
    last = max(max(recorded), latest_due_year)
    return {year: recorded.get(year, MISSING) for year in range(first, last + 1)}


@dataclass(frozen=True)
class Cell:
    """One agency and year: its state and, unless missing, the report(s) behind it (best first)."""

    year: int
    state: str
    report_ids: tuple[int, ...] = ()
    url: str | None = None
    extraction: str | None = None  # the current extraction's status; None if not extracted

    def to_json(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "state": self.state,
            "report_ids": list(self.report_ids),
            "url": self.url,
            "extraction": self.extraction,
        }


def _count(states: Iterable[str]) -> dict[str, int]:
    counted = Counter(states)
    return {state: counted.get(state, 0) for state in STATES}


@dataclass(frozen=True)
class AgencyCoverage:
    """One agency of a unit and its years. ``agency`` is the name on its latest report."""

    unit_code: str
    district: str
    agency: str
    kind: str
    names: tuple[str, ...]
    cells: tuple[Cell, ...]

    @property
    def first_year(self) -> int:
        return self.cells[0].year

    @property
    def last_year(self) -> int:
        return self.cells[-1].year

    def cell(self, year: int) -> Cell | None:
        return next((cell for cell in self.cells if cell.year == year), None)

    def counts(self) -> dict[str, int]:
        return _count(cell.state for cell in self.cells)

    def to_json(self) -> dict[str, Any]:
        return {
            "unit_code": self.unit_code,
            "district": self.district,
            "agency": self.agency,
            "kind": self.kind,
            "names": list(self.names),
            "first_year": self.first_year,
            "last_year": self.last_year,
            "counts": self.counts(),
            "cells": [cell.to_json() for cell in self.cells],
        }


@dataclass(frozen=True)
class Coverage:
    """The matrix of agencies (grouped by unit) and reporting years, judged on ``as_of``."""

    as_of: date
    deadline: Deadline
    rows: tuple[AgencyCoverage, ...] = field(default_factory=tuple)

    @property
    def latest_due_year(self) -> int:
        return self.deadline.latest_due_year(self.as_of)

    @property
    def years(self) -> list[int]:
        if not self.rows:
            return []
        return list(range(min(r.first_year for r in self.rows), max(r.last_year for r in self.rows) + 1))

    def counts(self) -> dict[str, int]:
        return _count(cell.state for row in self.rows for cell in row.cells)

    def to_json(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "deadline": str(self.deadline),
            "latest_due_year": self.latest_due_year,
            "years": self.years,
            "counts": self.counts(),
            "rows": [row.to_json() for row in self.rows],
        }


@dataclass(frozen=True)
class RecordedReport:
    report_id: int
    year: int
    state: str
    url: str
    extraction: str | None
    agency: str
    kind: str


def _state(report_status: str, extraction_status: str | None) -> str:
    if report_status == WITHDRAWN:
        return WITHDRAWN
    return FAILED if extraction_status == "failed" else ARCHIVED


def _cell(year: int, state: str, reports: list[RecordedReport]) -> Cell:
    if not reports:
        return Cell(year, state)
    ordered = sorted(reports, key=lambda r: (_RANK[r.state], -r.report_id))
    best = ordered[0]
    return Cell(year, best.state, tuple(r.report_id for r in ordered), best.url, best.extraction)


def build_row(
    unit_code: str, district: str, reports: list[RecordedReport], latest_due_year: int
) -> AgencyCoverage:
    by_year: dict[int, list[RecordedReport]] = defaultdict(list)
    for report in reports:
        by_year[report.year].append(report)
    recorded = {year: min((r.state for r in items), key=_RANK.__getitem__) for year, items in by_year.items()}
    states = year_states(recorded, latest_due_year)
    latest = max(reports, key=lambda r: (r.year, r.report_id))
    names = tuple(sorted({r.agency for r in reports}))
    cells = tuple(_cell(year, state, by_year.get(year, [])) for year, state in states.items())
    return AgencyCoverage(unit_code, district, latest.agency, latest.kind, names, cells)


def _row_order(row: AgencyCoverage) -> tuple[Any, ...]:
    kind = KIND_ORDER.index(row.kind) if row.kind in KIND_ORDER else len(KIND_ORDER)
    return (row.district, row.unit_code, kind, row.agency)


@retry_transient
def coverage(
    archive: Archive,
    *,
    as_of: date,
    deadline: Deadline | None = None,
    unit_code: str | None = None,
    district: str | None = None,
    kind: str | None = None,
) -> Coverage:
    """The coverage of the archive's reports, optionally of one unit (code), district or kind."""
    deadline = deadline or Deadline()
    wanted = ReportFilter(district=district, kind=kind)
    clauses = where_clauses(wanted)
    if unit_code:
        clauses.append(Unit.code == unit_code)
    query = (
        select(
            Report.id,
            Report.year,
            Report.status,
            Report.url,
            Report.kind,
            Agency.name,
            Unit.code,
            Unit.name,
            Extraction.status,
        )
        .select_from(Report)
        .join(Unit, Unit.id == Report.unit_id)
        .join(Agency, Agency.id == Report.agency_id)
        .outerjoin(Extraction, Extraction.id == current_extraction_id())
        .where(and_(true(), *clauses))
    )
    groups: dict[tuple[str, str], list[RecordedReport]] = defaultdict(list)
    districts: dict[str, str] = {}
    with archive.Session() as session:
        for report_id, year, status, url, report_kind, agency, code, name, extraction in session.execute(
            query
        ):
            districts[code] = name
            recorded = RecordedReport(
                report_id, year, _state(status, extraction), url, extraction, agency, report_kind
            )
            groups[(code, agency_key(agency))].append(recorded)
    due = deadline.latest_due_year(as_of)
    rows = [build_row(code, districts[code], reports, due) for (code, _), reports in groups.items()]
    return Coverage(as_of, deadline, tuple(sorted(rows, key=_row_order)))
