"""A crawl that survives being killed: the lock, the run, and the frontier kept in the database.

Why the database and not Scrapy's JOBDIR: JOBDIR marks a request seen when it is queued and
writes its disk queue's state only on a clean close, so after a SIGKILL the requests in flight
are lost (already "seen") and the queue may not reopen. Here a URL is recorded as pending in
the archive's own database before it is requested (``FrontierMiddleware``), and marked done
only after its page went through every pipeline (``CrawlJobExtension.item_scraped``). The
spider yields a page's links before the page itself, so a page's children are recorded before
the page is done. Restarting after a crash resumes the interrupted run's pending URLs; its done
URLs count as seen. The frontier lives in the same transactional store as the archive, on
SQLite and PostgreSQL alike, and doubles as the record of what each run's listings showed.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.http import Response
from twisted.internet import task

from crawler.lock_guard import stop_for_lost_lock
from storage.archive import Archive
from storage.changes import apply_unlisted, changes_json, count_changes, list_changes
from storage.db import resolve_db_url
from storage.frontier import Frontier, checkpoint_run, run_chain, start_or_resume_run
from storage.health import (
    EMPTY_LISTING_NOTE,
    FAILURE_RATE_JUMP,
    Alert,
    SiteHealth,
    evaluate,
    outcome_of,
    previous_health,
    record_alerts,
    site_health,
)
from storage.locks import CrawlLock, crawl_lock

logger = logging.getLogger(__name__)


def _archive(crawler: Crawler) -> Archive:
    from crawler.pipelines import archive_for

    return archive_for(crawler)


def frontier_of(crawler: Crawler) -> Frontier:
    """The crawl's frontier; starts (or resumes) the crawl's run on first use."""
    frontier: Frontier | None = getattr(crawler, "reports_frontier", None)
    if frontier is None:
        sites = [site.code for site in getattr(crawler.spider, "sites", [])]
        start = start_or_resume_run(
            _archive(crawler), sites, crawler.settings.getbool("REPORTS_RESUME", True)
        )
        frontier = Frontier(_archive(crawler), start.run_id)
        crawler.reports_run_id = start.run_id  # type: ignore[attr-defined]
        crawler.reports_resumed_from = start.resumed_from  # type: ignore[attr-defined]
        crawler.reports_frontier = frontier  # type: ignore[attr-defined]
        crawler.reports_seen = frontier.known_urls() if start.resumed_from else set()  # type: ignore[attr-defined]
        if start.resumed_from:
            logger.info("Run %d resumes interrupted run %d", start.run_id, start.resumed_from)
            crawler.stats.set_value("reports/resumed_from", start.resumed_from)  # type: ignore[union-attr]
    return frontier


def open_run(crawler: Crawler) -> int:
    """The id of the crawl's run (started or resumed on first call)."""
    frontier_of(crawler)
    return int(crawler.reports_run_id)  # type: ignore[attr-defined]


class FrontierMiddleware:
    """Spider middleware: records each request in the frontier before it is sent; drops repeats.

    It sits last on the way out (low order number), after the middlewares that may still drop
    a request, so everything it records is really scheduled. Recorded requests skip Scrapy's
    own duplicate filter: the frontier is the filter, and retries or redirects of an entry
    (a redirect loop included) run their course and end in an item that closes the entry.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FrontierMiddleware:
        return cls(crawler)

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        frontier = frontier_of(self.crawler)
        if getattr(self.crawler, "reports_resumed_from", None):
            spider = self.crawler.spider
            for entry in frontier.pending():
                request = spider.frontier_request(  # type: ignore[union-attr]
                    entry.url, entry.page_type, entry.site_code, entry.referer
                )
                request.meta["frontier_url"] = entry.url
                yield request.replace(dont_filter=True)
            return
        async for output in start:
            admitted = self._admit(output)
            if admitted is not None:
                yield admitted

    def process_spider_output(self, response: Response, result: Iterable[Any]) -> Iterator[Any]:
        for output in result:
            admitted = self._admit(output)
            if admitted is not None:
                yield admitted

    async def process_spider_output_async(
        self, response: Response, result: AsyncIterator[Any]
    ) -> AsyncIterator[Any]:
        async for output in result:
            admitted = self._admit(output)
            if admitted is not None:
                yield admitted

    def _admit(self, output: Any) -> Any:
        if not isinstance(output, Request) or "page_type" not in output.meta or "frontier_url" in output.meta:
            return output
        frontier = frontier_of(self.crawler)
        seen: set[str] = self.crawler.reports_seen  # type: ignore[attr-defined]
        url = output.url
        if url in seen:
            return None
        seen.add(url)
        referer = output.headers.get("Referer")
        added = frontier.add(
            url,
            output.meta["page_type"],
            output.meta.get("site_code", ""),
            referer.decode("latin-1") if referer else None,
        )
        if not added:
            return None
        output.meta["frontier_url"] = url
        return output.replace(dont_filter=True)


def _request_meta(response: Any) -> dict[str, Any]:
    if isinstance(response, Response):
        return response.meta
    request = getattr(response, "request", None)  # a Failure passed to an errback
    return request.meta if request is not None else {}


class CrawlJobExtension:
    """Holds the crawl lock, closes frontier entries once archived, checkpoints the run's stats."""

    def __init__(self, crawler: Crawler, lock: CrawlLock) -> None:
        self.crawler = crawler
        self.lock = lock
        self.interval = crawler.settings.getfloat("REPORTS_CHECKPOINT_INTERVAL", 5.0)
        self._loop: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlJobExtension:
        lock = crawl_lock(resolve_db_url(crawler.settings.get("REPORTS_DB"))).acquire()
        extension = cls(crawler, lock)
        crawler.signals.connect(extension.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(extension.item_scraped, signal=signals.item_dropped)
        crawler.signals.connect(extension.item_error, signal=signals.item_error)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(extension.engine_stopped, signal=signals.engine_stopped)
        return extension

    def item_scraped(self, item: Any, response: Any, spider: Spider, **kwargs: Any) -> None:
        meta = _request_meta(response)
        url = meta.get("frontier_url")
        if url is None:
            return
        note = "listing showed no items" if meta.get("listing_suspect") else None
        if getattr(item, "notes", {}).get("empty_listing"):
            note = EMPTY_LISTING_NOTE
        frontier_of(self.crawler).finish(url, status=getattr(item, "status", None), note=note)

    def item_error(self, item: Any, response: Any, spider: Spider, failure: Any) -> None:
        """A permanent storage error: record it, leave the entry failed, let the run go on."""
        meta = _request_meta(response)
        message = f"{type(failure.value).__name__}: {failure.getErrorMessage()}"[:2000]
        self.crawler.stats.inc_value("reports/errors/storage")  # type: ignore[union-attr]
        url = meta.get("frontier_url")
        try:
            _archive(self.crawler).record_page_error(
                run_id=getattr(self.crawler, "reports_run_id", None),
                url=url or getattr(item, "canonical_url", ""),
                snapshot_id=None,
                kind="storage",
                message=message,
            )
            if url is not None:
                frontier_of(self.crawler).finish(
                    url, status=getattr(item, "status", None), note=message[:200], failed=True
                )
        except Exception:
            logger.exception("Could not record the storage error of %s", url)

    def spider_opened(self, spider: Spider) -> None:
        if self.interval > 0:
            self._loop = task.LoopingCall(self._checkpoint)
            self._loop.start(self.interval, now=False)

    def _checkpoint(self) -> None:
        run_id = getattr(self.crawler, "reports_run_id", None)
        if run_id is None or self.crawler.stats is None:
            return
        if not self.lock.check():
            stop_for_lost_lock(self.crawler, self.lock, self._loop)
            return
        try:
            checkpoint_run(_archive(self.crawler), run_id, jsonable_stats(self.crawler.stats.get_stats()))
        except Exception:
            logger.exception("Could not checkpoint run %s", run_id)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        """End the run: ``finished`` only when Scrapy finished; a Ctrl-C or SIGTERM (``shutdown``)
        or any other stop leaves it ``interrupted`` with its pending URLs, to be resumed."""
        if self._loop is not None and self._loop.running:
            self._loop.stop()
        if getattr(self.crawler, "reports_run_id", None) is None:
            return
        try:
            stats = self.crawler.stats.get_stats() if self.crawler.stats else {}
            finish_run(self.crawler, reason == "finished", {**stats, "finish_reason": reason})
        finally:
            _archive(self.crawler).close()
            self.crawler.reports_archive = None  # type: ignore[attr-defined]

    def engine_stopped(self) -> None:
        self.lock.release()


def jsonable_stats(stats: dict[str, Any]) -> dict[str, Any]:
    return {
        key: value if isinstance(value, (int, float, str, bool)) or value is None else str(value)
        for key, value in stats.items()
    }


def finish_run(crawler: Crawler, finished_cleanly: bool, stats: dict[str, Any]) -> dict[str, Any]:
    """End the crawl's run: its outcome, health and alerts; withdraw reports gone from complete
    listings, count changes, post changes and alerts to the webhook.

    Returns the statistics recorded with the run; the outcome is also left in the crawl's
    stats as ``reports/outcome`` (the ``reports crawl`` exit status is chosen from it).
    """
    archive = _archive(crawler)
    frontier = frontier_of(crawler)
    run_id = frontier.run_id
    run_stats = jsonable_stats(stats)
    run_stats.update({f"frontier/{state}": count for state, count in frontier.counts().items()})
    resumed_from = getattr(crawler, "reports_resumed_from", None)
    if resumed_from:
        run_stats["resumed_from"] = resumed_from
    sites = [site.code for site in getattr(crawler.spider, "sites", [])]
    chain = run_chain(archive, run_id)
    alerts: list[Alert] = []
    figures: dict[str, SiteHealth] = {}
    # A refetch (``reports verify --repair``) reads a few URLs: no listing, so no withdrawal or health.
    if finished_cleanly and not getattr(crawler.spider, "refetch_only", False):
        units = set(sites) - frontier.incomplete_sites()
        threshold = crawler.settings.getint("REPORTS_WITHDRAW_AFTER_RUNS", 3)
        withdrawn = apply_unlisted(archive, run_id, units, frontier.listed_articles(), threshold)
        if withdrawn:
            logger.info("Withdrawn after %d runs unlisted: reports %s", threshold, withdrawn)
        figures = site_health(archive, run_id, sites)
        jump = crawler.settings.getfloat("REPORTS_FAILURE_RATE_JUMP", FAILURE_RATE_JUMP)
        for code, current in figures.items():
            alerts += evaluate(current, previous_health(archive, chain, code), jump)
        record_alerts(archive, run_id, alerts)
        run_stats["health"] = {code: health.as_json() for code, health in figures.items()}
        run_stats["alerts"] = len(alerts)
    outcome = outcome_of(finished_cleanly, figures, alerts)
    for alert in alerts:
        logger.warning("Alert (%s): %s", alert.kind, alert.message)
    changes = list_changes(archive, run_ids=chain)
    for kind, count in count_changes(changes).items():
        run_stats[f"reports/{kind}"] = count
    archive.finish_run(run_id, outcome, run_stats)
    if crawler.stats is not None:
        crawler.stats.set_value("reports/outcome", outcome)
        crawler.stats.set_value("reports/run_id", run_id)
        crawler.stats.set_value("reports/alerts", len(alerts))
    logger.info("Run %d: %s", run_id, outcome)
    webhook = crawler.settings.get("REPORTS_WEBHOOK")
    from crawler.webhook import WebhookPolicy, send_notifications  # also sends what earlier runs could not

    payload = None
    if outcome != "interrupted" and (changes or alerts or outcome == "failed"):
        payload = changes_json(changes, run_id=run_id, since=None)
        payload["outcome"] = outcome
        payload["alerts"] = [alert.as_json() for alert in alerts]
    send_notifications(
        archive,
        WebhookPolicy.from_settings(crawler.settings),
        url=webhook,
        payload=payload,
        kind="alerts" if alerts else "changes",
        run_id=run_id,
    )
    return run_stats
