"""A report's snapshot history and the extraction stored for each snapshot."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from storage.models import Extraction, ReportSnapshot, Snapshot
from storage.queries import ExtractionView, _extraction_view, _session
from storage.records import SnapshotInfo

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from storage.archive import Archive


@dataclass(frozen=True)
class SnapshotEntry:
    """One body a report has had; ``extraction_status`` is None when it was never extracted."""

    snapshot: SnapshotInfo
    current: bool
    extraction_id: int | None
    extraction_status: str | None


def snapshot_history(
    source: Archive | Session, report_id: int, current_snapshot_id: int
) -> list[SnapshotEntry]:
    """The report's snapshots, oldest first, each with its latest extraction (if any)."""
    latest = (
        select(Extraction.snapshot_id, func.max(Extraction.id).label("extraction_id"))
        .where(Extraction.report_id == report_id)
        .group_by(Extraction.snapshot_id)
        .subquery()
    )
    query = (
        select(Snapshot, Extraction.id, Extraction.status)
        .join(ReportSnapshot, ReportSnapshot.snapshot_id == Snapshot.id)
        .outerjoin(latest, latest.c.snapshot_id == Snapshot.id)
        .outerjoin(Extraction, Extraction.id == latest.c.extraction_id)
        .where(ReportSnapshot.report_id == report_id)
        .order_by(Snapshot.first_seen_at, Snapshot.id)
    )
    with _session(source) as session:
        return [
            SnapshotEntry(
                SnapshotInfo(s.id, s.url, s.sha256, s.size, s.first_seen_at, s.last_seen_at),
                s.id == current_snapshot_id,
                extraction_id,
                status,
            )
            for s, extraction_id, status in session.execute(query)
        ]


def extraction(source: Archive | Session, extraction_id: int) -> ExtractionView:
    """One stored extraction with its values, sections, tables and checks."""
    with _session(source) as session:
        return _extraction_view(session, extraction_id)


@dataclass(frozen=True)
class SnapshotRecord:
    """One stored body, found by its hash: what it is and where it was seen first."""

    sha256: str
    url: str
    size: int
    content_type: str | None
    first_seen_at: datetime
    last_seen_at: datetime

    @property
    def is_html(self) -> bool:
        kind = (self.content_type or "").split(";")[0].strip().lower()
        return kind in ("", "text/html", "application/xhtml+xml")

    @property
    def suffix(self) -> str:
        """A file-name suffix for downloads, from the URL's own extension."""
        name = self.url.rsplit("/", 1)[-1].split("?")[0]
        extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
        return f".{extension}" if extension.isalnum() and len(extension) <= 5 else ""


def snapshot_record(source: Archive | Session, sha256: str) -> SnapshotRecord | None:
    """The first-seen snapshot row with this hash (the same bytes at several URLs share it)."""
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        return None
    query = select(Snapshot).where(Snapshot.sha256 == sha256).order_by(Snapshot.first_seen_at, Snapshot.id)
    with _session(source) as session:
        found = session.scalars(query.limit(1)).first()
        if found is None:
            return None
        return SnapshotRecord(
            found.sha256, found.url, found.size, found.content_type, found.first_seen_at, found.last_seen_at
        )
