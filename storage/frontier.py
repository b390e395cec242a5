"""The crawl frontier in the database: what a run decided to fetch, and what is left to do.

A run records every URL it will fetch (``add``) before the page that linked to it is marked
done (``finish``), so the pending entries of a killed run are exactly the work that remains.
``resume`` hands an interrupted run's frontier to a new run; its done entries keep counting
as seen, so nothing archived is fetched twice and nothing discovered is skipped.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage.archive import Archive
from storage.locks import run_holder
from storage.models import CrawlRun, FrontierEntry, utcnow
from storage.retry import retry_transient

PENDING, DONE, FAILED = "pending", "done", "failed"


@dataclass(frozen=True)
class PendingURL:
    url: str
    page_type: str
    site_code: str
    referer: str | None


@dataclass(frozen=True)
class RunStart:
    """The run a crawl records into; ``resumed_from`` is the interrupted run it continues."""

    run_id: int
    resumed_from: int | None


class Frontier:
    """The frontier of one run (which may continue earlier, interrupted runs)."""

    def __init__(self, archive: Archive, run_id: int) -> None:
        self.archive = archive
        self.run_id = run_id

    @retry_transient
    def known_urls(self) -> set[str]:
        with self.archive.Session() as session:
            return set(session.scalars(select(FrontierEntry.url).where(FrontierEntry.run_id == self.run_id)))

    @retry_transient
    def add(self, url: str, page_type: str, site_code: str, referer: str | None) -> bool:
        """Record ``url`` as pending; False if this run already has it (pending or done)."""
        try:
            with self.archive.Session.begin() as session:
                session.add(
                    FrontierEntry(
                        run_id=self.run_id,
                        url=url,
                        page_type=page_type,
                        site_code=site_code,
                        referer=referer,
                        state=PENDING,
                        discovered_at=utcnow(),
                    )
                )
        except IntegrityError:
            return False
        return True

    @retry_transient
    def finish(self, url: str, *, status: int | None, note: str | None = None, failed: bool = False) -> None:
        """Mark ``url`` done (its page and everything it linked to are recorded) or failed."""
        with self.archive.Session.begin() as session:
            session.execute(
                update(FrontierEntry)
                .where(FrontierEntry.run_id == self.run_id, FrontierEntry.url == url)
                .values(state=FAILED if failed else DONE, status=status, note=note, done_at=utcnow())
            )

    @retry_transient
    def pending(self) -> list[PendingURL]:
        """What is left to fetch, in discovery order."""
        with self.archive.Session() as session:
            rows = session.execute(
                select(
                    FrontierEntry.url, FrontierEntry.page_type, FrontierEntry.site_code, FrontierEntry.referer
                )
                .where(FrontierEntry.run_id == self.run_id, FrontierEntry.state == PENDING)
                .order_by(FrontierEntry.id)
            ).all()
        return [PendingURL(*row) for row in rows]

    @retry_transient
    def counts(self) -> dict[str, int]:
        with self.archive.Session() as session:
            rows = session.execute(
                select(FrontierEntry.state, func.count())
                .where(FrontierEntry.run_id == self.run_id)
                .group_by(FrontierEntry.state)
            ).all()
        return {state: int(count) for state, count in rows}

    @retry_transient
    def listed_articles(self) -> set[str]:
        """Article URLs that this run's listings showed."""
        with self.archive.Session() as session:
            return set(
                session.scalars(
                    select(FrontierEntry.url).where(
                        FrontierEntry.run_id == self.run_id, FrontierEntry.page_type == "article"
                    )
                )
            )

    @retry_transient
    def incomplete_sites(self) -> set[str]:
        """Sites with a listing page that was not read in full (failed, unreachable or suspect)."""
        with self.archive.Session() as session:
            rows = session.scalars(
                select(FrontierEntry.site_code).where(
                    FrontierEntry.run_id == self.run_id,
                    FrontierEntry.page_type == "column",
                    (FrontierEntry.state != DONE)
                    | FrontierEntry.status.is_(None)
                    | FrontierEntry.status.not_in((200, 304))
                    | FrontierEntry.note.is_not(None),
                )
            )
            return set(rows)


@retry_transient
def start_or_resume_run(archive: Archive, sites: list[str], resume: bool = True) -> RunStart:
    """Start a run; continue the latest run of the same sites if it was interrupted with work left.

    Call it while holding the crawl lock (``storage.locks``), which also refuses while a run marked
    ``running`` has a live process: any run still marked ``running`` then belongs to a crawl that
    died, and is marked ``interrupted``. The run records its holder (host, pid) for that check.
    """
    with archive.Session.begin() as session:
        stale = session.scalars(select(CrawlRun).where(CrawlRun.outcome == "running")).all()
        for run in stale:
            run.outcome = "interrupted"
        latest = _latest_with_sites(session, sites)
        previous: CrawlRun | None = None
        if resume and latest is not None and latest.outcome == "interrupted":
            left = session.scalar(
                select(func.count()).where(FrontierEntry.run_id == latest.id, FrontierEntry.state == PENDING)
            )
            previous = latest if left else None
        run = CrawlRun(
            started_at=utcnow(),
            outcome="running",
            sites=list(sites),
            stats={"holder": run_holder(), **({"resumed_from": previous.id} if previous else {})},
        )
        session.add(run)
        session.flush()
        if previous is not None:
            previous.stats = {**(previous.stats or {}), "resumed_by": run.id}
            session.execute(
                update(FrontierEntry).where(FrontierEntry.run_id == previous.id).values(run_id=run.id)
            )
        return RunStart(run.id, previous.id if previous else None)


def _latest_with_sites(session: Session, sites: list[str]) -> CrawlRun | None:
    """The newest run over exactly these sites (JSON equality is not portable, so compare in Python)."""
    for run in session.scalars(select(CrawlRun).order_by(CrawlRun.id.desc()).limit(50)):
        if list(run.sites or []) == list(sites):
            return run
    return None


@retry_transient
def checkpoint_run(archive: Archive, run_id: int, stats: dict[str, Any]) -> None:
    """Save a running run's statistics so far (what a killed run leaves behind)."""
    with archive.Session.begin() as session:
        run = session.get_one(CrawlRun, run_id)
        if run.outcome == "running":
            kept = {k: v for k, v in (run.stats or {}).items() if k.startswith(("resumed", "holder"))}
            run.stats = {**kept, **stats, "heartbeat": utcnow().isoformat()}


@retry_transient
def run_chain(archive: Archive, run_id: int) -> list[int]:
    """The run and the interrupted runs it continued, newest first."""
    chain = [run_id]
    with archive.Session() as session:
        while True:
            run = session.get(CrawlRun, chain[-1])
            previous = (run.stats or {}).get("resumed_from") if run is not None else None
            if not isinstance(previous, int) or previous in chain:
                return chain
            chain.append(previous)
