"""The notification outbox: webhook notifications are stored first and marked once delivered."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update

from storage.archive import Archive
from storage.models import Notification, utcnow
from storage.retry import retry_transient


@dataclass(frozen=True)
class PendingNotification:
    id: int
    kind: str
    url: str
    payload: dict[str, Any]
    attempts: int


@retry_transient
def enqueue(archive: Archive, url: str, payload: dict[str, Any], *, kind: str, run_id: int | None) -> int:
    with archive.Session.begin() as session:
        entry = Notification(
            run_id=run_id, kind=kind, url=url, payload=payload, created_at=utcnow(), attempts=0
        )
        session.add(entry)
        session.flush()
        return entry.id


@retry_transient
def pending(archive: Archive) -> list[PendingNotification]:
    """Undelivered notifications, oldest first."""
    with archive.Session() as session:
        rows = session.scalars(
            select(Notification).where(Notification.delivered_at.is_(None)).order_by(Notification.id)
        ).all()
        return [
            PendingNotification(row.id, row.kind, row.url, dict(row.payload), row.attempts) for row in rows
        ]


@retry_transient
def record_attempt(archive: Archive, notification_id: int, error: str | None) -> None:
    """One delivery attempt (with its retries): delivered if ``error`` is None."""
    now = utcnow()
    values: dict[str, Any] = {
        "attempts": Notification.attempts + 1,
        "last_attempt_at": now,
        "last_error": error[:500] if error else None,
    }
    if error is None:
        values["delivered_at"] = now
    with archive.Session.begin() as session:
        session.execute(update(Notification).where(Notification.id == notification_id).values(**values))
