"""A report's snapshot history and the extraction stored for each snapshot."""

from __future__ import annotations

from dataclasses import dataclass
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
