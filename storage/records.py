"""Plain values passed into and out of the archive; no SQLAlchemy objects cross this boundary."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

RUN_OUTCOMES = ("running", "finished", "finished with alerts", "interrupted", "failed")
AGENCY_KINDS = ("district", "office", "department", "town")
EXTRACTION_STATUSES = ("complete", "partial", "failed", "legacy", "no statistics")


@dataclass(frozen=True)
class FetchRecord:
    """What ``Archive.record_fetch`` stored: the fetch row and the snapshot the body resolved to."""

    fetch_id: int
    snapshot_id: int | None
    sha256: str | None
    new_snapshot: bool


@dataclass(frozen=True)
class ReportRecord:
    """One report as the crawler found it; ``kind`` is the publishing agency's kind (see AGENCY_KINDS)."""

    unit_code: str
    agency: str
    kind: str
    year: int
    url: str
    title: str
    published: date | None
    template: str | None
    snapshot_id: int


@dataclass(frozen=True)
class ReportUpsert:
    """``created``: the report is new. ``new_snapshot``: its current snapshot changed (true when created)."""

    report_id: int
    created: bool
    new_snapshot: bool


@dataclass(frozen=True)
class ExtractionRecord:
    """One extractor run on one snapshot. ``checks`` are ``(id, where, ok, expected, actual)``,
    optionally followed by the source sentence of a narrative check."""

    extractor_version: str
    status: str
    template: str | None
    values: dict[str, float | int | None] = field(default_factory=dict)
    raw: dict[str, str] = field(default_factory=dict)
    sections: list[tuple[int, str, str]] = field(default_factory=list)
    tables: list[list[list[str]]] = field(default_factory=list)
    checks: list[tuple[Any, ...]] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    reason: str | None = None


@dataclass(frozen=True)
class SnapshotInfo:
    id: int
    url: str
    sha256: str
    size: int
    first_seen_at: datetime
    last_seen_at: datetime


@dataclass(frozen=True)
class RelatedPageRecord:
    """A page about a report (see ``storage.models.RelatedPage``); ``report_id`` None while unmatched."""

    unit_code: str
    url: str
    snapshot_id: int | None
    relation: str
    title: str
    mentioned_title: str | None = None
    mentioned_agency: str | None = None
    year: int | None = None
    links: tuple[str, ...] = ()
    report_id: int | None = None


@dataclass(frozen=True)
class ReportRef:
    """What a related page is matched against: an archived report's id, URL, title, agency and year."""

    id: int
    url: str
    title: str
    agency: str
    year: int
    snapshot_url: str = ""  # the URL of its current snapshot (a file's, for a report published as one)


@dataclass(frozen=True)
class NamingPage:
    """A related page that names a report (tied to ``report_id``, or to none yet)."""

    id: int
    url: str
    report_id: int | None
    mentioned_title: str | None
    mentioned_agency: str | None
    year: int | None
    links: tuple[str, ...]
