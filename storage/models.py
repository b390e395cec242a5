"""The archive's tables. Natural keys are unique, so a re-crawl updates rows instead of adding them."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Stored as naive UTC on every backend; read back as aware UTC. Naive input is taken as UTC."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return value.replace(tzinfo=UTC) if value is not None else None


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSON(),
        list[Any]: JSON(),
    }


class Unit(Base):
    """A district- or county-level unit of Chongqing (one entry of the site registry)."""

    __tablename__ = "units"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    hosts: Mapped[list[Any]] = mapped_column(default=list)


class Agency(Base):
    """A body that publishes reports within a unit: the district government, an office, a department, a town."""

    __tablename__ = "agencies"
    __table_args__ = (UniqueConstraint("unit_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    name: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(32))


class CrawlRun(Base):
    __tablename__ = "crawl_runs"
    id: Mapped[int] = mapped_column(primary_key=True)
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    outcome: Mapped[str] = mapped_column(String(32), default="running")
    sites: Mapped[list[Any]] = mapped_column(default=list)
    stats: Mapped[dict[str, Any]] = mapped_column(default=dict)


class RunAlert(Base):
    """Something a run found wrong with a site (see storage.health): kept with the run, shown, sent."""

    __tablename__ = "run_alerts"
    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("crawl_runs.id"), index=True)
    site_code: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(32))
    message: Mapped[str] = mapped_column(Text)
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime]


class Snapshot(Base):
    """One distinct body seen at one canonical URL; the bytes are in the snapshot store under ``sha256``."""

    __tablename__ = "snapshots"
    __table_args__ = (UniqueConstraint("url", "sha256"), Index("ix_snapshots_sha256", "sha256"))
    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(2000))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int]
    content_type: Mapped[str | None] = mapped_column(String(200))
    first_seen_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]


class Fetch(Base):
    """One HTTP response, whatever its status."""

    __tablename__ = "fetches"
    __table_args__ = (Index("ix_fetches_canonical_url_fetched_at", "canonical_url", "fetched_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id"), index=True)
    url: Mapped[str] = mapped_column(String(2000))
    canonical_url: Mapped[str] = mapped_column(String(2000))
    fetched_at: Mapped[datetime]
    status: Mapped[int]
    headers: Mapped[dict[str, Any]] = mapped_column(default=dict)
    sha256: Mapped[str | None] = mapped_column(String(64))
    snapshot_id: Mapped[int | None] = mapped_column(ForeignKey("snapshots.id"), index=True)
    # The request as sent (None for fetches recorded before migration 0009), e.g. "HTTP/1.1".
    request_headers: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    protocol: Mapped[str | None] = mapped_column(String(16))
    # The body of an answer that is not a snapshot (a 404 page), kept in the snapshot store.
    error_body_sha256: Mapped[str | None] = mapped_column(String(64))


class Report(Base):
    """One agency's annual report for one year."""

    __tablename__ = "reports"
    __table_args__ = (
        UniqueConstraint("agency_id", "year"),
        Index("ix_reports_unit_id_year", "unit_id", "year"),
        Index("ix_reports_year_kind", "year", "kind"),
        Index("ix_reports_url", "url"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    year: Mapped[int]
    kind: Mapped[str] = mapped_column(String(32))
    url: Mapped[str] = mapped_column(String(2000))
    title: Mapped[str] = mapped_column(String(500))
    published: Mapped[date | None] = mapped_column(Date)
    template: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default="active")
    withdrawn_at: Mapped[datetime | None]
    # Complete crawls of its unit in a row whose listings no longer showed it (see storage.changes).
    unlisted_runs: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    first_seen_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    current_snapshot_id: Mapped[int] = mapped_column(ForeignKey("snapshots.id"))


class ReportSnapshot(Base):
    """A report's snapshot history: every body it has had."""

    __tablename__ = "report_snapshots"
    __table_args__ = (UniqueConstraint("report_id", "snapshot_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"))
    snapshot_id: Mapped[int] = mapped_column(ForeignKey("snapshots.id"), index=True)
    linked_at: Mapped[datetime]


class PageError(Base):
    """A page that could not be fetched or understood, kept with the snapshot that showed the problem."""

    __tablename__ = "page_errors"
    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id"), index=True)
    url: Mapped[str] = mapped_column(String(2000))
    snapshot_id: Mapped[int | None] = mapped_column(ForeignKey("snapshots.id"))
    kind: Mapped[str] = mapped_column(String(32))
    message: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]


class Extraction(Base):
    """The result of one extractor version on one snapshot of a report."""

    __tablename__ = "extractions"
    __table_args__ = (
        UniqueConstraint("snapshot_id", "extractor_version"),
        Index("ix_extractions_report_id", "report_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"))
    snapshot_id: Mapped[int] = mapped_column(ForeignKey("snapshots.id"))
    extractor_version: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))
    template: Mapped[str | None] = mapped_column(String(32))
    missing: Mapped[list[Any]] = mapped_column(default=list)
    reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]


class ExtractedValue(Base):
    __tablename__ = "extracted_values"
    __table_args__ = (UniqueConstraint("extraction_id", "key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    extraction_id: Mapped[int] = mapped_column(ForeignKey("extractions.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(200))
    value: Mapped[float | None] = mapped_column(Float)
    raw: Mapped[str | None] = mapped_column(Text)


class ReportSection(Base):
    __tablename__ = "report_sections"
    __table_args__ = (Index("ix_report_sections_extraction_id", "extraction_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    extraction_id: Mapped[int] = mapped_column(ForeignKey("extractions.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    heading: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)


class ReportTable(Base):
    __tablename__ = "report_tables"
    __table_args__ = (Index("ix_report_tables_extraction_id", "extraction_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    extraction_id: Mapped[int] = mapped_column(ForeignKey("extractions.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    grid: Mapped[list[Any]] = mapped_column(default=list)


class CheckResultRow(Base):
    """One evaluated check of an extraction: an identity or a narrative check (``reportformat.checks``)."""

    __tablename__ = "check_results"
    __table_args__ = (Index("ix_check_results_extraction_id", "extraction_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    extraction_id: Mapped[int] = mapped_column(ForeignKey("extractions.id", ondelete="CASCADE"))
    check_id: Mapped[str] = mapped_column(String(100))
    where: Mapped[str] = mapped_column(String(200))
    ok: Mapped[bool] = mapped_column(Boolean)
    expected: Mapped[float | None] = mapped_column(Float)
    actual: Mapped[float | None] = mapped_column(Float)
    source: Mapped[str | None] = mapped_column(Text)  # a narrative check's sentence and span


class FrontierEntry(Base):
    """One URL a crawl decided to fetch: pending until its page is archived (see storage.frontier).

    Children are recorded before their parent is marked done, so the pending set of an
    interrupted run is exactly what is left to do.
    """

    __tablename__ = "crawl_frontier"
    __table_args__ = (
        UniqueConstraint("run_id", "url"),
        Index("ix_crawl_frontier_run_id_state", "run_id", "state"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("crawl_runs.id"))
    url: Mapped[str] = mapped_column(String(2000))
    page_type: Mapped[str] = mapped_column(String(16))
    site_code: Mapped[str] = mapped_column(String(64))
    referer: Mapped[str | None] = mapped_column(String(2000))
    state: Mapped[str] = mapped_column(String(16), default="pending")  # pending | done | failed
    status: Mapped[int | None]
    note: Mapped[str | None] = mapped_column(String(200))
    discovered_at: Mapped[datetime]
    done_at: Mapped[datetime | None]


class ReportChange(Base):
    """A report that a run found new, revised, withdrawn or restored (``reports changes``)."""

    __tablename__ = "report_changes"
    __table_args__ = (Index("ix_report_changes_changed_at", "changed_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id"), index=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    change: Mapped[str] = mapped_column(String(16))  # new | revised | withdrawn | restored
    snapshot_id: Mapped[int | None] = mapped_column(ForeignKey("snapshots.id"))
    changed_at: Mapped[datetime]


class Notification(Base):
    """A webhook notification (a run's changes, an alert), kept until delivered (the outbox)."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_delivered_at", "delivered_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id"))
    kind: Mapped[str] = mapped_column(String(32))  # changes | alert | ...
    url: Mapped[str] = mapped_column(String(2000))
    payload: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_attempt_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(500))
    delivered_at: Mapped[datetime | None]


class RelatedPage(Base):
    """A page about a report that is not the report: news, 解读, 图解, 答记者问, a notice, or the
    article that publishes a report file (``relation`` says which). ``report_id`` is empty until
    the report it names is archived (see ``Archive.link_related_pages``)."""

    __tablename__ = "related_pages"
    __table_args__ = (
        UniqueConstraint("url"),
        Index("ix_related_pages_unit_id_year", "unit_id", "year"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(2000))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    report_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id", ondelete="SET NULL"), index=True)
    snapshot_id: Mapped[int | None] = mapped_column(ForeignKey("snapshots.id"))
    relation: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(500))
    # The report the page names: its title as printed, the agency as printed, the year; and the page's links.
    mentioned_title: Mapped[str | None] = mapped_column(String(500))
    mentioned_agency: Mapped[str | None] = mapped_column(String(300))
    year: Mapped[int | None]
    links: Mapped[list[Any]] = mapped_column(default=list)
    first_seen_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
