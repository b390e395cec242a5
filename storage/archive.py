"""The archive's write API: what the crawler and the extractor record, in one place."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from sqlalchemy import Engine, delete, insert, or_, select
from sqlalchemy.orm import Session, sessionmaker

from storage.crossyear import refresh_carry_over
from storage.db import make_engine, resolve_db_url
from storage.db import migrate as migrate_schema
from storage.models import (
    Agency,
    Base,
    CheckResultRow,
    CrawlRun,
    ExtractedValue,
    Extraction,
    Fetch,
    PageError,
    RelatedPage,
    Report,
    ReportChange,
    ReportSection,
    ReportSnapshot,
    ReportTable,
    Snapshot,
    Unit,
    utcnow,
)
from storage.records import (
    EXTRACTION_STATUSES,
    RUN_OUTCOMES,
    ExtractionRecord,
    FetchRecord,
    NamingPage,
    RelatedPageRecord,
    ReportRecord,
    ReportRef,
    ReportUpsert,
    SnapshotInfo,
)
from storage.retry import retry_insert_race, retry_transient
from storage.search_index import refresh_search_documents
from storage.snapshots import FileSnapshotStore, SnapshotStore

__all__ = [
    "Archive",
    "ExtractionRecord",
    "FetchRecord",
    "RelatedPageRecord",
    "ReportRecord",
    "ReportUpsert",
    "SnapshotInfo",
    "UnknownUnit",
]

_VALIDATOR_HEADERS = ("ETag", "Last-Modified")
# The relation of the article that publishes a report's file (see RelatedPage).
ARTICLE = "article"


class UnknownUnit(LookupError):
    """A report names a unit code that ``ensure_unit`` never registered."""


def _as_utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _snapshot_info(snapshot: Snapshot) -> SnapshotInfo:
    return SnapshotInfo(
        snapshot.id,
        snapshot.url,
        snapshot.sha256,
        snapshot.size,
        snapshot.first_seen_at,
        snapshot.last_seen_at,
    )


def _bump(snapshot: Snapshot, seen_at: datetime) -> None:
    snapshot.last_seen_at = max(snapshot.last_seen_at, seen_at)


def _header(headers: dict[str, Any], name: str) -> str | None:
    for key, value in headers.items():
        if key.lower() == name.lower():
            return str(value)
    return None


def _latest_snapshot(session: Session, canonical_url: str) -> Snapshot | None:
    return session.scalar(
        select(Snapshot)
        .where(Snapshot.url == canonical_url)
        .order_by(Snapshot.last_seen_at.desc(), Snapshot.id.desc())
        .limit(1)
    )


class Archive:
    """The database plus the snapshot store. Write methods each run in their own transaction."""

    def __init__(self, engine: Engine, store: SnapshotStore) -> None:
        self.engine = engine
        self.store = store
        self.Session = sessionmaker(engine, expire_on_commit=False)

    @classmethod
    def open(
        cls,
        db_url: str | None = None,
        snapshot_dir: str | Path | None = None,
        migrate: bool = True,
    ) -> Archive:
        """Open (and by default migrate) the archive at ``db_url`` or ``$REPORTS_DB``."""
        engine = make_engine(resolve_db_url(db_url))
        if migrate:
            migrate_schema(engine)
        return cls(engine, FileSnapshotStore(snapshot_dir))

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    # -- crawl runs ---------------------------------------------------------------------------

    @retry_transient
    def start_run(self, sites: list[str]) -> int:
        with self.Session.begin() as session:
            run = CrawlRun(started_at=utcnow(), outcome="running", sites=list(sites), stats={})
            session.add(run)
            session.flush()
            return run.id

    @retry_transient
    def finish_run(self, run_id: int, outcome: str, stats: dict[str, Any]) -> None:
        if outcome not in RUN_OUTCOMES:
            raise ValueError(f"unknown run outcome {outcome!r}; expected one of {RUN_OUTCOMES}")
        with self.Session.begin() as session:
            run = session.get_one(CrawlRun, run_id)
            run.finished_at = utcnow()
            run.outcome = outcome
            run.stats = dict(stats)

    # -- fetches and snapshots ----------------------------------------------------------------

    def record_fetch(
        self,
        *,
        run_id: int | None,
        url: str,
        canonical_url: str,
        status: int,
        headers: dict[str, str],
        body: bytes | None,
        fetched_at: datetime,
        content_type: str | None = None,
        request_headers: dict[str, str] | None = None,
        protocol: str | None = None,
    ) -> FetchRecord:
        """Record one response. A 200 body becomes (or re-confirms) a snapshot; a 304 re-confirms the latest.

        The body of any other answer (a 404 page) is kept in the store too, but is no snapshot.
        """
        sha256 = self.store.put(body) if status == 200 and body is not None else None
        error_body = self.store.put(body) if status not in (200, 304) and body is not None else None
        if content_type is None:
            content_type = _header(headers, "Content-Type")
        return self._record_fetch_row(
            run_id=run_id,
            url=url,
            canonical_url=canonical_url,
            status=status,
            headers=dict(headers),
            sha256=sha256,
            size=len(body) if body is not None else 0,
            fetched_at=_as_utc(fetched_at),
            content_type=content_type,
            exchange={
                "request_headers": dict(request_headers) if request_headers is not None else None,
                "protocol": protocol,
                "error_body_sha256": error_body,
            },
        )

    @retry_transient
    @retry_insert_race
    def _record_fetch_row(
        self,
        *,
        run_id: int | None,
        url: str,
        canonical_url: str,
        status: int,
        headers: dict[str, str],
        sha256: str | None,
        size: int,
        fetched_at: datetime,
        content_type: str | None,
        exchange: dict[str, Any],
    ) -> FetchRecord:
        with self.Session.begin() as session:
            snapshot: Snapshot | None = None
            new_snapshot = False
            if sha256 is not None:
                snapshot = session.scalar(
                    select(Snapshot).where(Snapshot.url == canonical_url, Snapshot.sha256 == sha256)
                )
                if snapshot is None:
                    snapshot = Snapshot(
                        url=canonical_url,
                        sha256=sha256,
                        size=size,
                        content_type=content_type,
                        first_seen_at=fetched_at,
                        last_seen_at=fetched_at,
                    )
                    session.add(snapshot)
                    new_snapshot = True
                else:
                    _bump(snapshot, fetched_at)
            elif status == 304:
                snapshot = _latest_snapshot(session, canonical_url)
                if snapshot is not None:
                    _bump(snapshot, fetched_at)
            session.flush()
            fetch = Fetch(
                run_id=run_id,
                url=url,
                canonical_url=canonical_url,
                fetched_at=fetched_at,
                status=status,
                headers=headers,
                sha256=snapshot.sha256 if snapshot is not None else None,
                snapshot_id=snapshot.id if snapshot is not None else None,
                **exchange,
            )
            session.add(fetch)
            session.flush()
            return FetchRecord(
                fetch.id,
                snapshot.id if snapshot is not None else None,
                snapshot.sha256 if snapshot is not None else None,
                new_snapshot,
            )

    def latest_snapshot(self, canonical_url: str) -> SnapshotInfo | None:
        """The body most recently seen at ``canonical_url``."""
        with self.Session() as session:
            snapshot = _latest_snapshot(session, canonical_url)
            return _snapshot_info(snapshot) if snapshot is not None else None

    def snapshot_body(self, sha256: str) -> bytes:
        return self.store.get(sha256)

    def validators(self, canonical_url: str) -> dict[str, str]:
        """``ETag`` / ``Last-Modified`` of the latest 200 response, for a conditional request."""
        with self.Session() as session:
            headers = session.scalar(
                select(Fetch.headers)
                .where(Fetch.canonical_url == canonical_url, Fetch.status == 200)
                .order_by(Fetch.fetched_at.desc(), Fetch.id.desc())
                .limit(1)
            )
        found: dict[str, str] = {}
        for name in _VALIDATOR_HEADERS:
            value = _header(headers or {}, name)
            if value:
                found[name] = value
        return found

    # -- units, agencies, reports -------------------------------------------------------------

    @retry_transient
    @retry_insert_race
    def ensure_unit(self, code: str, name: str, hosts: list[str]) -> int:
        """Create the unit or bring its name and hosts up to date; return its id."""
        with self.Session.begin() as session:
            unit = session.scalar(select(Unit).where(Unit.code == code))
            if unit is None:
                unit = Unit(code=code, name=name, hosts=list(hosts))
                session.add(unit)
            else:
                unit.name = name
                unit.hosts = list(hosts)
            session.flush()
            return unit.id

    @retry_transient
    @retry_insert_race
    def upsert_report(self, record: ReportRecord, run_id: int | None = None) -> ReportUpsert:
        """Create or update the report of ``(agency, year)`` and link the snapshot to its history.

        A new report, a new current snapshot or a withdrawn report seen again is recorded as a
        ``ReportChange`` of ``run_id`` in the same transaction.
        """
        with self.Session.begin() as session:
            unit_id = session.scalar(select(Unit.id).where(Unit.code == record.unit_code))
            if unit_id is None:
                raise UnknownUnit(f"unit {record.unit_code!r} is not in the archive; call ensure_unit first")
            snapshot = session.get_one(Snapshot, record.snapshot_id)
            seen_at = snapshot.last_seen_at
            agency = self._ensure_agency(session, unit_id, record.agency, record.kind)
            report = session.scalar(
                select(Report).where(Report.agency_id == agency.id, Report.year == record.year)
            )
            created = report is None
            restored = False
            if report is None:
                report = Report(
                    agency_id=agency.id,
                    unit_id=unit_id,
                    year=record.year,
                    first_seen_at=seen_at,
                    last_seen_at=seen_at,
                    status="active",
                )
                session.add(report)
                new_snapshot = True
            else:
                new_snapshot = report.current_snapshot_id != record.snapshot_id
                report.last_seen_at = max(report.last_seen_at, seen_at)
                if report.status != "active":
                    report.status = "active"
                    report.withdrawn_at = None
                    restored = True
            report.unlisted_runs = 0
            report.kind = record.kind
            report.url = record.url
            report.title = record.title
            report.published = record.published
            report.template = record.template
            report.current_snapshot_id = record.snapshot_id
            session.flush()
            linked = session.scalar(
                select(ReportSnapshot.id).where(
                    ReportSnapshot.report_id == report.id, ReportSnapshot.snapshot_id == record.snapshot_id
                )
            )
            if linked is None:
                session.add(
                    ReportSnapshot(report_id=report.id, snapshot_id=record.snapshot_id, linked_at=seen_at)
                )
            if created or new_snapshot or restored:
                change = "new" if created else "revised" if new_snapshot else "restored"
                session.add(
                    ReportChange(
                        run_id=run_id,
                        report_id=report.id,
                        change=change,
                        snapshot_id=record.snapshot_id,
                        changed_at=seen_at,
                    )
                )
            session.flush()
            refresh_search_documents(session, [report.id])
            return ReportUpsert(report.id, created, new_snapshot)

    @staticmethod
    def _ensure_agency(session: Session, unit_id: int, name: str, kind: str) -> Agency:
        agency = session.scalar(select(Agency).where(Agency.unit_id == unit_id, Agency.name == name))
        if agency is None:
            agency = Agency(unit_id=unit_id, name=name, kind=kind)
            session.add(agency)
            session.flush()
        elif agency.kind != kind:
            agency.kind = kind
        return agency

    # -- documents and related pages ---------------------------------------------------------

    @retry_transient
    @retry_insert_race
    def store_document(self, url: str, body: bytes, seen_at: datetime, content_type: str | None) -> int:
        """Keep a document the crawler composed (a split article joined) as a snapshot at ``url``.

        ``url`` is not a fetched URL (e.g. ``…/t20240120_1.html#pages``): the fetched pages keep
        their own snapshots; this one is what the report's extraction reads.
        """
        sha256 = self.store.put(body)
        seen_at = _as_utc(seen_at)
        with self.Session.begin() as session:
            snapshot = session.scalar(select(Snapshot).where(Snapshot.url == url, Snapshot.sha256 == sha256))
            if snapshot is None:
                snapshot = Snapshot(
                    url=url,
                    sha256=sha256,
                    size=len(body),
                    content_type=content_type,
                    first_seen_at=seen_at,
                    last_seen_at=seen_at,
                )
                session.add(snapshot)
            else:
                _bump(snapshot, seen_at)
            session.flush()
            return snapshot.id

    @retry_transient
    @retry_insert_race
    def record_related_page(self, record: RelatedPageRecord) -> int:
        """Create or update the related page at ``record.url``. An existing link is kept if unmatched
        now, and the article publishing a report's file stays that (another file of it may be no report)."""
        with self.Session.begin() as session:
            unit_id = session.scalar(select(Unit.id).where(Unit.code == record.unit_code))
            if unit_id is None:
                raise UnknownUnit(f"unit {record.unit_code!r} is not in the archive; call ensure_unit first")
            snapshot = session.get(Snapshot, record.snapshot_id) if record.snapshot_id is not None else None
            seen_at = snapshot.last_seen_at if snapshot is not None else utcnow()
            page = session.scalar(select(RelatedPage).where(RelatedPage.url == record.url))
            if page is None:
                page = RelatedPage(url=record.url, first_seen_at=seen_at, last_seen_at=seen_at)
                session.add(page)
            page.unit_id = unit_id
            page.snapshot_id = record.snapshot_id
            if page.relation != ARTICLE or record.relation == ARTICLE:
                page.relation = record.relation
            page.title = record.title[:500]
            page.mentioned_title = record.mentioned_title[:500] if record.mentioned_title else None
            page.mentioned_agency = record.mentioned_agency[:300] if record.mentioned_agency else None
            page.year = record.year
            page.links = list(record.links)
            page.last_seen_at = max(page.last_seen_at, seen_at)
            if record.report_id is not None:
                page.report_id = record.report_id
            session.flush()
            return page.id

    def report_refs(
        self, unit_code: str, *, year: int | None = None, urls: tuple[str, ...] = ()
    ) -> list[ReportRef]:
        """The archived reports of a unit (of ``year``, or at one of ``urls``, when given), as related
        pages are matched against them."""
        query = (
            select(Report.id, Report.url, Report.title, Agency.name, Report.year, Snapshot.url)
            .join(Agency, Agency.id == Report.agency_id)
            .join(Snapshot, Snapshot.id == Report.current_snapshot_id)
            .join(Unit, Unit.id == Report.unit_id)
            .where(Unit.code == unit_code)
            .order_by(Report.id)
        )
        if year is not None or urls:
            query = query.where(or_(Report.year == year, Report.url.in_(urls)))
        with self.Session() as session:
            return [ReportRef(*row) for row in session.execute(query)]

    def naming_years(self, unit_code: str) -> set[int]:
        """The years whose reports the related pages of a unit name."""
        with self.Session() as session:
            years = session.scalars(
                select(RelatedPage.year)
                .join(Unit, Unit.id == RelatedPage.unit_id)
                .where(Unit.code == unit_code, RelatedPage.year.is_not(None), RelatedPage.relation != ARTICLE)
                .distinct()
            )
            return {year for year in years if year is not None}

    def pages_naming(self, unit_code: str, year: int) -> list[NamingPage]:
        """Related pages of a unit that name a report of ``year`` (not the articles publishing a file)."""
        with self.Session() as session:
            pages = session.scalars(
                select(RelatedPage)
                .join(Unit, Unit.id == RelatedPage.unit_id)
                .where(Unit.code == unit_code, RelatedPage.year == year, RelatedPage.relation != ARTICLE)
                .order_by(RelatedPage.id)
            )
            return [
                NamingPage(
                    page.id,
                    page.url,
                    page.report_id,
                    page.mentioned_title,
                    page.mentioned_agency,
                    page.year,
                    tuple(page.links),
                )
                for page in pages
            ]

    @retry_transient
    def link_related_page(self, page_id: int, report_id: int) -> None:
        with self.Session.begin() as session:
            session.get_one(RelatedPage, page_id).report_id = report_id

    # -- problems and extraction results ------------------------------------------------------

    @retry_transient
    def record_page_error(
        self,
        *,
        run_id: int | None,
        url: str,
        snapshot_id: int | None,
        kind: str,
        message: str,
    ) -> None:
        with self.Session.begin() as session:
            session.add(
                PageError(
                    run_id=run_id,
                    url=url,
                    snapshot_id=snapshot_id,
                    kind=kind,
                    message=message,
                    created_at=utcnow(),
                )
            )

    @retry_transient
    def refresh_carry_over(self, report_id: int) -> int:
        """Re-evaluate the cross-year carry-over check around a report (see storage.crossyear)."""
        with self.Session.begin() as session:
            return refresh_carry_over(session, report_id)

    @retry_transient
    def has_extraction(self, snapshot_id: int, extractor_version: str) -> bool:
        """True if ``snapshot_id`` was extracted by this extractor version (a resumed crawl checks)."""
        with self.Session() as session:
            return (
                session.scalar(
                    select(Extraction.id).where(
                        Extraction.snapshot_id == snapshot_id,
                        Extraction.extractor_version == extractor_version,
                    )
                )
                is not None
            )

    @retry_transient
    @retry_insert_race
    def save_extraction(self, report_id: int, snapshot_id: int, result: ExtractionRecord) -> int:
        """Store one extraction, replacing any earlier one of the same snapshot and extractor version."""
        if result.status not in EXTRACTION_STATUSES:
            raise ValueError(
                f"unknown extraction status {result.status!r}; expected one of {EXTRACTION_STATUSES}"
            )
        with self.Session.begin() as session:
            old_id = session.scalar(
                select(Extraction.id).where(
                    Extraction.snapshot_id == snapshot_id,
                    Extraction.extractor_version == result.extractor_version,
                )
            )
            if old_id is not None:
                for child in (ExtractedValue, ReportSection, ReportTable, CheckResultRow):
                    session.execute(delete(child).where(child.extraction_id == old_id))
                session.execute(delete(Extraction).where(Extraction.id == old_id))
            extraction = Extraction(
                report_id=report_id,
                snapshot_id=snapshot_id,
                extractor_version=result.extractor_version,
                status=result.status,
                template=result.template,
                missing=list(result.missing),
                reason=result.reason,
                created_at=utcnow(),
            )
            session.add(extraction)
            session.flush()
            # Executemany inserts: a report has ~200 values, and the ORM's unit of work is slow at that.
            for model, rows in _extraction_rows(extraction.id, result).items():
                if rows:
                    session.execute(insert(model), rows)
            refresh_search_documents(session, [report_id])
            return extraction.id


def _extraction_rows(extraction_id: int, result: ExtractionRecord) -> dict[type[Base], list[dict[str, Any]]]:
    """The child rows of one extraction, as column dicts per table."""
    values = [
        {
            "extraction_id": extraction_id,
            "key": key,
            "value": float(value) if (value := result.values.get(key)) is not None else None,
            "raw": result.raw.get(key),
        }
        for key in sorted(result.values.keys() | result.raw.keys())
    ]
    sections = [
        {"extraction_id": extraction_id, "number": number, "heading": heading, "text": text}
        for number, heading, text in result.sections
    ]
    tables = [
        {"extraction_id": extraction_id, "position": position, "grid": grid}
        for position, grid in enumerate(result.tables)
    ]
    checks = [
        {
            "extraction_id": extraction_id,
            "check_id": check_id,
            "where": where,
            "ok": bool(ok),
            "expected": float(expected) if expected is not None else None,
            "actual": float(actual) if actual is not None else None,
            "source": source[0] if source else None,
        }
        for check_id, where, ok, expected, actual, *source in result.checks
    ]
    return {ExtractedValue: values, ReportSection: sections, ReportTable: tables, CheckResultRow: checks}
