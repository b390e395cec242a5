"""What crawls found new, revised, withdrawn or restored, and withdrawing reports that went away.

New, revised and restored reports are recorded by ``Archive.upsert_report`` in the same
transaction as the report. A report is withdrawn when its page answers 404/410
(``withdraw_report``) or when complete crawls of its unit stop listing it for a number of runs
in a row (``apply_unlisted``). Everything archived about a withdrawn report stays.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import select

from storage.archive import Archive
from storage.models import Agency, CrawlRun, Report, ReportChange, Snapshot, Unit, utcnow
from storage.retry import retry_transient

CHANGE_KINDS = ("new", "revised", "withdrawn", "restored")


@dataclass(frozen=True)
class ChangeView:
    run_id: int | None
    change: str
    changed_at: datetime
    report_id: int
    url: str
    title: str
    agency: str
    district: str
    year: int
    status: str
    withdrawn_at: datetime | None
    snapshot_sha256: str | None


@retry_transient
def withdraw_report(archive: Archive, url: str, at: datetime, run_id: int | None) -> int | None:
    """Mark the active report at ``url`` withdrawn (its page is gone); return its id, else None."""
    with archive.Session.begin() as session:
        report = session.scalar(select(Report).where(Report.url == url, Report.status == "active"))
        if report is None:
            return None
        _withdraw(session, report, at, run_id)
        return report.id


def _withdraw(session: Any, report: Report, at: datetime, run_id: int | None) -> None:
    report.status = "withdrawn"
    report.withdrawn_at = at
    session.add(
        ReportChange(
            run_id=run_id,
            report_id=report.id,
            change="withdrawn",
            snapshot_id=report.current_snapshot_id,
            changed_at=at,
        )
    )


@retry_transient
def apply_unlisted(
    archive: Archive, run_id: int, unit_codes: set[str], listed_urls: set[str], threshold: int
) -> list[int]:
    """After a complete crawl of ``unit_codes``: count runs in a row each active report went unlisted.

    Reports unlisted for ``threshold`` runs are withdrawn; returns their ids.
    """
    withdrawn: list[int] = []
    if not unit_codes:
        return withdrawn
    now = utcnow()
    with archive.Session.begin() as session:
        reports = session.scalars(
            select(Report)
            .join(Unit, Unit.id == Report.unit_id)
            .where(Unit.code.in_(sorted(unit_codes)), Report.status == "active")
        ).all()
        for report in reports:
            if report.url in listed_urls:
                report.unlisted_runs = 0
                continue
            report.unlisted_runs = (report.unlisted_runs or 0) + 1
            if report.unlisted_runs >= threshold:
                _withdraw(session, report, now, run_id)
                withdrawn.append(report.id)
    return withdrawn


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min)


@retry_transient
def list_changes(
    archive: Archive, *, run_ids: list[int] | None = None, since: date | datetime | None = None
) -> list[ChangeView]:
    """Changes of some runs, or since a moment (a date means its start, UTC), oldest first."""
    query = (
        select(ReportChange, Report, Agency.name, Unit.name, Snapshot.sha256)
        .join(Report, Report.id == ReportChange.report_id)
        .join(Agency, Agency.id == Report.agency_id)
        .join(Unit, Unit.id == Report.unit_id)
        .outerjoin(Snapshot, Snapshot.id == ReportChange.snapshot_id)
        .order_by(ReportChange.changed_at, ReportChange.id)
    )
    if run_ids is not None:
        query = query.where(ReportChange.run_id.in_(run_ids))
    if since is not None:
        moment = since if isinstance(since, datetime) else _day_start(since)
        query = query.where(ReportChange.changed_at >= moment)
    with archive.Session() as session:
        return [
            ChangeView(
                change.run_id,
                change.change,
                change.changed_at,
                report.id,
                report.url,
                report.title,
                agency,
                district,
                report.year,
                report.status,
                report.withdrawn_at,
                sha256,
            )
            for change, report, agency, district, sha256 in session.execute(query)
        ]


@retry_transient
def latest_run_id(archive: Archive) -> int | None:
    with archive.Session() as session:
        return session.scalar(select(CrawlRun.id).order_by(CrawlRun.id.desc()).limit(1))


def count_changes(changes: list[ChangeView]) -> dict[str, int]:
    counted = Counter(change.change for change in changes)
    return {kind: counted.get(kind, 0) for kind in CHANGE_KINDS}


def changes_json(
    changes: list[ChangeView], *, run_id: int | None, since: date | datetime | None
) -> dict[str, Any]:
    """The JSON document of ``reports changes --json``, also posted to the webhook."""
    return {
        "run": run_id,
        "since": since.isoformat() if since is not None else None,
        "counts": count_changes(changes),
        "changes": [
            {
                "change": change.change,
                "changed_at": change.changed_at.isoformat(),
                "run": change.run_id,
                "report_id": change.report_id,
                "url": change.url,
                "title": change.title,
                "agency": change.agency,
                "district": change.district,
                "year": change.year,
                "status": change.status,
                "withdrawn_at": change.withdrawn_at.isoformat() if change.withdrawn_at else None,
                "snapshot_sha256": change.snapshot_sha256,
            }
            for change in changes
        ],
    }
