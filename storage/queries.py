"""Read-only questions about the archive, shared by the CLI and any UI."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, Select, and_, false, func, or_, select
from sqlalchemy.orm import Session

from storage.models import (
    Agency,
    CheckResultRow,
    CrawlRun,
    ExtractedValue,
    Extraction,
    Fetch,
    PageError,
    RelatedPage,
    Report,
    ReportSection,
    ReportSnapshot,
    ReportTable,
    Snapshot,
    Unit,
)
from storage.records import SnapshotInfo

if TYPE_CHECKING:
    from storage.archive import Archive

NOT_EXTRACTED = "not extracted"


@dataclass(frozen=True)
class ReportView:
    """One row of the report list. ``status`` is that of the latest extraction of the current snapshot."""

    id: int
    url: str
    title: str
    agency: str
    district: str
    unit_code: str
    kind: str
    year: int
    published: date | None
    template: str | None
    status: str
    failed_checks: int
    snapshot_sha256: str


@dataclass(frozen=True)
class CheckView:
    check_id: str
    where: str
    ok: bool
    expected: float | None
    actual: float | None
    source: str | None = None


@dataclass(frozen=True)
class ExtractionView:
    id: int
    snapshot_id: int
    extractor_version: str
    status: str
    template: str | None
    missing: list[str]
    reason: str | None
    created_at: datetime
    values: dict[str, float | None]
    raw: dict[str, str]
    sections: list[tuple[int, str, str]]
    tables: list[list[list[str]]]
    checks: list[CheckView]


@dataclass(frozen=True)
class RelatedPageView:
    """A page about a report: ``relation`` is news, interpretation, graphic, qa, notice, mention, or
    article (the page that publishes the report's file)."""

    url: str
    relation: str
    title: str
    snapshot_sha256: str | None
    first_seen_at: datetime
    last_seen_at: datetime


@dataclass(frozen=True)
class ReportDetail:
    """A report, its snapshot history (oldest first), the latest extraction of its current snapshot
    and the pages related to it."""

    view: ReportView
    report_status: str
    first_seen_at: datetime
    last_seen_at: datetime
    snapshots: list[SnapshotInfo]
    extraction: ExtractionView | None
    related: list[RelatedPageView] = field(default_factory=list)

    @property
    def values(self) -> dict[str, float | None]:
        return self.extraction.values if self.extraction else {}

    @property
    def raw(self) -> dict[str, str]:
        return self.extraction.raw if self.extraction else {}

    @property
    def sections(self) -> list[tuple[int, str, str]]:
        return self.extraction.sections if self.extraction else []

    @property
    def checks(self) -> list[CheckView]:
        return self.extraction.checks if self.extraction else []


@dataclass(frozen=True)
class RunView:
    id: int
    started_at: datetime
    finished_at: datetime | None
    outcome: str
    sites: list[str]
    stats: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class PageErrorView:
    id: int
    run_id: int | None
    url: str
    snapshot_id: int | None
    kind: str
    message: str
    created_at: datetime


@contextmanager
def _session(source: Archive | Session) -> Iterator[Session]:
    if isinstance(source, Session):
        yield source
        return
    with source.Session() as session:
        yield session


def _report_views_query(*only: ColumnElement[bool]) -> Select[Report, str, str, str, str, str, Any]:
    """Report rows with their names, current snapshot, extraction status and failed-check count.

    ``only`` (conditions on ``Report``) restricts the grouped subqueries too, so that reading one
    report does not group the extractions and checks of the whole archive.
    """
    current_extraction = (
        select(Extraction.report_id, func.max(Extraction.id).label("extraction_id"))
        .join(
            Report,
            and_(Report.id == Extraction.report_id, Report.current_snapshot_id == Extraction.snapshot_id),
        )
        .where(*only)
        .group_by(Extraction.report_id)
        .subquery()
    )
    failed = select(CheckResultRow.extraction_id, func.count().label("failed")).where(
        CheckResultRow.ok == false()
    )
    if only:
        failed = failed.where(CheckResultRow.extraction_id.in_(select(current_extraction.c.extraction_id)))
    failed_counts = failed.group_by(CheckResultRow.extraction_id).subquery()
    query = (
        select(
            Report,
            Agency.name,
            Unit.name,
            Unit.code,
            Snapshot.sha256,
            Extraction.status,
            func.coalesce(failed_counts.c.failed, 0),
        )
        .join(Agency, Agency.id == Report.agency_id)
        .join(Unit, Unit.id == Report.unit_id)
        .join(Snapshot, Snapshot.id == Report.current_snapshot_id)
        .outerjoin(current_extraction, current_extraction.c.report_id == Report.id)
        .outerjoin(Extraction, Extraction.id == current_extraction.c.extraction_id)
        .outerjoin(failed_counts, failed_counts.c.extraction_id == Extraction.id)
    )
    return query.where(*only)


def _view(row: Any) -> ReportView:
    report, agency, district, unit_code, sha256, status, failed = row
    return ReportView(
        id=report.id,
        url=report.url,
        title=report.title,
        agency=agency,
        district=district,
        unit_code=unit_code,
        kind=report.kind,
        year=report.year,
        published=report.published,
        template=report.template,
        status=status or NOT_EXTRACTED,
        failed_checks=int(failed),
        snapshot_sha256=sha256,
    )


def list_reports(
    source: Archive | Session,
    *,
    district: str | None = None,
    year: int | None = None,
    kind: str | None = None,
    unit_code: str | None = None,
) -> list[ReportView]:
    """Reports, newest year first, then by district and agency (code-point order on every backend).

    ``district`` matches a unit's name (``万州区``), the start of it (``万州``) or its code (``wz``).
    """
    query = _report_views_query()
    if district is not None:
        query = query.where(
            or_(Unit.name == district, Unit.name.startswith(district, autoescape=True), Unit.code == district)
        )
    if year is not None:
        query = query.where(Report.year == year)
    if kind is not None:
        query = query.where(Report.kind == kind)
    if unit_code is not None:
        query = query.where(Unit.code == unit_code)
    with _session(source) as session:
        views = [_view(row) for row in session.execute(query)]
    return sorted(views, key=lambda view: (-view.year, view.district, view.agency, view.id))


def get_report(source: Archive | Session, ref: int | str) -> ReportDetail | None:
    """A report by id (an int or a string of digits) or by canonical URL."""
    if isinstance(ref, int) or ref.isdigit():
        query = _report_views_query(Report.id == int(ref))
    else:
        query = _report_views_query(Report.url == ref).order_by(Report.year.desc(), Report.id)
    with _session(source) as session:
        row = session.execute(query.limit(1)).first()
        if row is None:
            return None
        report: Report = row[0]
        snapshots = session.scalars(
            select(Snapshot)
            .join(ReportSnapshot, ReportSnapshot.snapshot_id == Snapshot.id)
            .where(ReportSnapshot.report_id == report.id)
            .order_by(Snapshot.first_seen_at, Snapshot.id)
        ).all()
        extraction_id = session.scalar(
            select(func.max(Extraction.id)).where(
                Extraction.report_id == report.id, Extraction.snapshot_id == report.current_snapshot_id
            )
        )
        return ReportDetail(
            view=_view(row),
            report_status=report.status,
            first_seen_at=report.first_seen_at,
            last_seen_at=report.last_seen_at,
            snapshots=[
                SnapshotInfo(s.id, s.url, s.sha256, s.size, s.first_seen_at, s.last_seen_at)
                for s in snapshots
            ],
            extraction=_extraction_view(session, extraction_id) if extraction_id is not None else None,
            related=related_pages(session, report.id),
        )


def related_pages(source: Archive | Session, report_id: int) -> list[RelatedPageView]:
    """The pages related to a report, by relation and URL."""
    query = (
        select(RelatedPage, Snapshot.sha256)
        .outerjoin(Snapshot, Snapshot.id == RelatedPage.snapshot_id)
        .where(RelatedPage.report_id == report_id)
        .order_by(RelatedPage.relation, RelatedPage.url)
    )
    with _session(source) as session:
        return [
            RelatedPageView(
                page.url, page.relation, page.title, sha256, page.first_seen_at, page.last_seen_at
            )
            for page, sha256 in session.execute(query)
        ]


def _extraction_view(session: Session, extraction_id: int) -> ExtractionView:
    extraction = session.get_one(Extraction, extraction_id)
    values = session.scalars(
        select(ExtractedValue)
        .where(ExtractedValue.extraction_id == extraction_id)
        .order_by(ExtractedValue.key)
    ).all()
    sections = session.scalars(
        select(ReportSection)
        .where(ReportSection.extraction_id == extraction_id)
        .order_by(ReportSection.number, ReportSection.id)
    ).all()
    tables = session.scalars(
        select(ReportTable).where(ReportTable.extraction_id == extraction_id).order_by(ReportTable.position)
    ).all()
    checks = session.scalars(
        select(CheckResultRow)
        .where(CheckResultRow.extraction_id == extraction_id)
        .order_by(CheckResultRow.id)
    ).all()
    return ExtractionView(
        id=extraction.id,
        snapshot_id=extraction.snapshot_id,
        extractor_version=extraction.extractor_version,
        status=extraction.status,
        template=extraction.template,
        missing=list(extraction.missing),
        reason=extraction.reason,
        created_at=extraction.created_at,
        values={v.key: v.value for v in values},
        raw={v.key: v.raw for v in values if v.raw is not None},
        sections=[(s.number, s.heading, s.text) for s in sections],
        tables=[t.grid for t in tables],
        checks=[CheckView(c.check_id, c.where, c.ok, c.expected, c.actual, c.source) for c in checks],
    )


_COUNTED = {
    "units": Unit,
    "agencies": Agency,
    "reports": Report,
    "snapshots": Snapshot,
    "fetches": Fetch,
    "page_errors": PageError,
    "runs": CrawlRun,
    "extractions": Extraction,
}


def archive_counts(source: Archive | Session) -> dict[str, int]:
    """Row counts of the main tables, keyed by a plain name."""
    with _session(source) as session:
        return {
            name: int(session.scalar(select(func.count()).select_from(model)) or 0)
            for name, model in _COUNTED.items()
        }


def list_runs(source: Archive | Session) -> list[RunView]:
    """Crawl runs, newest first."""
    with _session(source) as session:
        runs = session.scalars(select(CrawlRun).order_by(CrawlRun.id.desc())).all()
        return [
            RunView(r.id, r.started_at, r.finished_at, r.outcome, list(r.sites), dict(r.stats)) for r in runs
        ]


def page_errors(source: Archive | Session, run_id: int | None = None) -> list[PageErrorView]:
    """Page errors in the order they were recorded, optionally of one run only."""
    query = select(PageError).order_by(PageError.id)
    if run_id is not None:
        query = query.where(PageError.run_id == run_id)
    with _session(source) as session:
        return [
            PageErrorView(e.id, e.run_id, e.url, e.snapshot_id, e.kind, e.message, e.created_at)
            for e in session.scalars(query)
        ]
