"""Run health: what each run found per site, compared with the previous run of that site.

At the end of a run every site gets its figures (listing pages read, article links found,
reports seen, extraction failures, year gaps) and the alerts they raise: a listing that shows
no links, a site that could not be reached or yields no report, fewer reports than last time,
a year gap that was not there before, a jump of the extraction failure rate. The figures are
kept in ``crawl_runs.stats["health"]``, the alerts in ``run_alerts``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from storage.archive import Archive
from storage.filters import current_extraction_id
from storage.models import Agency, CrawlRun, Extraction, FrontierEntry, Report, RunAlert, Unit, utcnow
from storage.retry import retry_transient

# The frontier note of a listing page that showed no links, in the browser either.
EMPTY_LISTING_NOTE = "listing shows no links"
OK_STATUSES = (200, 304)
# Outcomes of runs whose figures are a baseline for the next run.
COMPLETE_OUTCOMES = ("finished", "finished with alerts")
# An extraction failure rate this much above the previous run's is a jump.
FAILURE_RATE_JUMP = 0.10

ALERT_KINDS = (
    "empty_listing",
    "unreachable",
    "no_reports",
    "reports_dropped",
    "year_gap",
    "extraction_failures",
)


@dataclass(frozen=True)
class SiteHealth:
    """One site's figures in one run: ``reports`` counts the site's active reports its listings showed."""

    site: str
    listing_pages: int = 0
    listing_pages_failed: int = 0
    empty_listings: list[str] = field(default_factory=list)
    article_links: int = 0
    requests_ok: int = 0
    requests_failed: int = 0
    reports: int = 0
    extraction_failures: int = 0
    gaps: list[list[Any]] = field(default_factory=list)  # [agency, year], sorted

    @property
    def failure_rate(self) -> float:
        return self.extraction_failures / self.reports if self.reports else 0.0

    @property
    def reachable(self) -> bool:
        return self.requests_ok > 0

    def as_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SiteHealth:
        known = {name: data[name] for name in cls.__dataclass_fields__ if name in data}
        return cls(**known)


@dataclass(frozen=True)
class Alert:
    site: str
    kind: str
    message: str
    details: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {"site": self.site, "kind": self.kind, "message": self.message, "details": self.details}


@dataclass(frozen=True)
class AlertView:
    id: int
    run_id: int
    site: str
    kind: str
    message: str
    details: dict[str, Any]
    created_at: datetime

    def as_json(self) -> dict[str, Any]:
        return {
            "run": self.run_id,
            "site": self.site,
            "kind": self.kind,
            "message": self.message,
            "details": self.details,
            "created_at": self.created_at.isoformat(),
        }


# -- figures ------------------------------------------------------------------------------------


@retry_transient
def site_health(archive: Archive, run_id: int, sites: list[str]) -> dict[str, SiteHealth]:
    """The figures of each site in a run (its frontier includes the interrupted runs it resumed)."""
    with archive.Session() as session:
        return {site: _site_health(session, run_id, site) for site in sites}


def _site_health(session: Session, run_id: int, site: str) -> SiteHealth:
    entries = session.execute(
        select(FrontierEntry.page_type, FrontierEntry.status, FrontierEntry.note, FrontierEntry.url).where(
            FrontierEntry.run_id == run_id, FrontierEntry.site_code == site
        )
    ).all()
    columns = [entry for entry in entries if entry.page_type == "column"]
    ok = [entry for entry in entries if entry.status in OK_STATUSES]
    listed = (
        select(FrontierEntry.url)
        .where(
            FrontierEntry.run_id == run_id,
            FrontierEntry.site_code == site,
            FrontierEntry.page_type == "article",
        )
        .scalar_subquery()
    )
    current = current_extraction_id()
    rows = session.execute(
        select(Report.id, Extraction.status)
        .join(Unit, Unit.id == Report.unit_id)
        .outerjoin(Extraction, Extraction.id == current)
        .where(Unit.code == site, Report.url.in_(listed), Report.status == "active")
    ).all()
    return SiteHealth(
        site=site,
        listing_pages=sum(entry.status in OK_STATUSES for entry in columns),
        listing_pages_failed=sum(entry.status not in OK_STATUSES for entry in columns),
        empty_listings=sorted(entry.url for entry in columns if entry.note == EMPTY_LISTING_NOTE),
        article_links=sum(entry.page_type == "article" for entry in entries),
        requests_ok=len(ok),
        requests_failed=len(entries) - len(ok),
        reports=len(rows),
        extraction_failures=sum(status == "failed" for _, status in rows),
        gaps=[list(gap) for gap in year_gaps(session, site)],
    )


def year_gaps(session: Session, unit_code: str) -> list[tuple[str, int]]:
    """(agency, year) missing between an agency's first and last archived (active) report."""
    rows = session.execute(
        select(Agency.name, Report.year)
        .join(Report, Report.agency_id == Agency.id)
        .join(Unit, Unit.id == Report.unit_id)
        .where(and_(Unit.code == unit_code, Report.status == "active"))
    ).all()
    years: dict[str, set[int]] = {}
    for agency, year in rows:
        years.setdefault(agency, set()).add(year)
    return sorted(
        (agency, year)
        for agency, seen in years.items()
        for year in range(min(seen), max(seen) + 1)
        if year not in seen
    )


@retry_transient
def previous_health(archive: Archive, chain: list[int], site: str) -> SiteHealth | None:
    """The figures of the site in the latest complete run before ``chain`` (a run and those it resumed)."""
    with archive.Session() as session:
        runs = session.scalars(
            select(CrawlRun)
            .where(CrawlRun.id < min(chain), CrawlRun.outcome.in_(COMPLETE_OUTCOMES))
            .order_by(CrawlRun.id.desc())
            .limit(50)
        )
        for run in runs:
            figures = (run.stats or {}).get("health", {}).get(site)
            if isinstance(figures, dict):
                return SiteHealth.from_json(figures)
    return None


# -- alerts -------------------------------------------------------------------------------------


def evaluate(
    current: SiteHealth, previous: SiteHealth | None, jump: float = FAILURE_RATE_JUMP
) -> list[Alert]:
    """The alerts of one site's figures, against its previous run's (None on its first run)."""
    site = current.site
    if not current.reachable:
        return [
            Alert(
                site,
                "unreachable",
                f"{site}: no request succeeded ({current.requests_failed} failed)",
                {"requests_failed": current.requests_failed},
            )
        ]
    alerts: list[Alert] = []
    if current.empty_listings:
        alerts.append(
            Alert(
                site,
                "empty_listing",
                f"{site}: {len(current.empty_listings)} listing page(s) show no links, in the browser either",
                {"urls": current.empty_listings},
            )
        )
    if current.reports == 0:
        alerts.append(
            Alert(
                site,
                "no_reports",
                f"{site}: the run found no report",
                {"article_links": current.article_links},
            )
        )
    if previous is None:
        return alerts
    if current.reports < previous.reports:
        alerts.append(
            Alert(
                site,
                "reports_dropped",
                f"{site}: {current.reports} reports, {previous.reports} in the previous run",
                {"reports": current.reports, "previous": previous.reports},
            )
        )
    before = {tuple(gap) for gap in previous.gaps}
    opened = [gap for gap in current.gaps if tuple(gap) not in before]
    if opened:
        shown = ", ".join(f"{agency} {year}" for agency, year in opened[:5])
        alerts.append(Alert(site, "year_gap", f"{site}: new year gap(s): {shown}", {"gaps": opened}))
    if (
        current.failure_rate - previous.failure_rate > jump
        and current.extraction_failures > previous.extraction_failures
    ):
        alerts.append(
            Alert(
                site,
                "extraction_failures",
                f"{site}: extraction failures {current.failure_rate:.0%} of reports, "
                f"{previous.failure_rate:.0%} in the previous run",
                {
                    "failures": current.extraction_failures,
                    "rate": round(current.failure_rate, 4),
                    "previous_rate": round(previous.failure_rate, 4),
                },
            )
        )
    return alerts


@retry_transient
def record_alerts(archive: Archive, run_id: int, alerts: list[Alert]) -> None:
    now = utcnow()
    with archive.Session.begin() as session:
        for alert in alerts:
            session.add(
                RunAlert(
                    run_id=run_id,
                    site_code=alert.site,
                    kind=alert.kind,
                    message=alert.message,
                    details=alert.details,
                    created_at=now,
                )
            )


@retry_transient
def run_alerts(
    archive: Archive, run_ids: list[int] | None = None, site: str | None = None
) -> list[AlertView]:
    """Alerts of some runs (all runs if None), oldest first."""
    query = select(RunAlert).order_by(RunAlert.id)
    if run_ids is not None:
        query = query.where(RunAlert.run_id.in_(run_ids))
    if site is not None:
        query = query.where(RunAlert.site_code == site)
    with archive.Session() as session:
        return [
            AlertView(a.id, a.run_id, a.site_code, a.kind, a.message, dict(a.details or {}), a.created_at)
            for a in session.scalars(query)
        ]


@retry_transient
def alert_counts(archive: Archive) -> dict[int, int]:
    """Run id -> number of alerts."""
    with archive.Session() as session:
        rows = session.execute(select(RunAlert.run_id, func.count()).group_by(RunAlert.run_id)).all()
    return {int(run_id): int(count) for run_id, count in rows}


def outcome_of(finished_cleanly: bool, figures: dict[str, SiteHealth], alerts: list[Alert]) -> str:
    """``interrupted`` (stopped before the end), ``failed`` (a site unreachable, or every
    request failed), ``finished with alerts`` or ``finished``."""
    if not finished_cleanly:
        return "interrupted"
    if not figures or any(not health.reachable for health in figures.values()):
        return "failed"
    return "finished with alerts" if alerts else "finished"


# -- the health of a run, for `reports health` ----------------------------------------------------


@retry_transient
def latest_complete_run(archive: Archive) -> int | None:
    """The newest run that ended (not running, not interrupted)."""
    with archive.Session() as session:
        return session.scalar(
            select(CrawlRun.id)
            .where(CrawlRun.outcome.not_in(("running", "interrupted")))
            .order_by(CrawlRun.id.desc())
            .limit(1)
        )


def health_report(archive: Archive, run_id: int, site: str | None = None) -> dict[str, Any]:
    """A run's outcome, each site's figures beside the previous run's, and the alerts."""
    from storage.frontier import run_chain

    with archive.Session() as session:
        run = session.get(CrawlRun, run_id)
        if run is None:
            raise LookupError(f"no crawl run {run_id} (see `reports runs`)")
        outcome, stats = run.outcome, dict(run.stats or {})
        started, finished = run.started_at, run.finished_at
    chain = run_chain(archive, run_id)
    figures = stats.get("health") or {}
    alerts = run_alerts(archive, [run_id], site)
    sites = []
    for code in sorted(figures):
        if site is not None and code != site:
            continue
        previous = previous_health(archive, chain, code)
        sites.append(
            {
                **figures[code],
                "previous": previous.as_json() if previous else None,
                "alerts": [alert.kind for alert in alerts if alert.site == code],
            }
        )
    return {
        "run": run_id,
        "outcome": outcome,
        "started_at": started.isoformat(),
        "finished_at": finished.isoformat() if finished else None,
        "resumed_from": stats.get("resumed_from"),
        "sites": sites,
        "alerts": [alert.as_json() for alert in alerts],
    }
