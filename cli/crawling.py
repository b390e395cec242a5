"""Running the reports spider in-process, optionally against a local replica."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.utils.project import get_project_settings

logger = logging.getLogger(__name__)

# Politeness off: for benchmarks and tests against the local replica only.
UNTHROTTLED = {
    "AUTOTHROTTLE_ENABLED": False,
    "DOWNLOAD_DELAY": 0,
    "CONCURRENT_REQUESTS": 32,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
    "RETRY_BACKOFF_BASE": 0.1,
}
# Against the replica on this machine the polite defaults still apply, with a shorter start delay.
REPLICA_POLITE = {"DOWNLOAD_DELAY": 0.05, "AUTOTHROTTLE_START_DELAY": 0.1}


@dataclass(frozen=True)
class CrawlRequest:
    db_url: str
    snapshot_dir: str | None
    sites_file: str | None
    site_codes: tuple[str, ...]
    throttle: bool = True
    log_level: str = "INFO"
    spider: str = "reports"
    spider_args: tuple[tuple[str, str], ...] = ()


@contextmanager
def replica_proxy(size: str, seed: int) -> Iterator[set[str]]:
    """Serve the replica in this process and route plain-HTTP fetches through it; yields the unit codes it serves."""
    from replica.server import ReplicaServer
    from replica.world import build_world

    logger.info("Building the %s replica of the platform (seed %d)", size, seed)
    world = build_world(size=size, seed=seed)
    with ReplicaServer(world) as server:
        previous = {
            name: os.environ.get(name)
            for name in ("http_proxy", "HTTP_PROXY", "no_proxy", "NO_PROXY", "REPORTS_ALLOW_PRIVATE")
        }
        os.environ["http_proxy"] = os.environ["HTTP_PROXY"] = server.proxy_url
        # The replica's proxy is on loopback: allowed for this crawl only (crawler.guard).
        os.environ["REPORTS_ALLOW_PRIVATE"] = ",".join(
            filter(None, [previous["REPORTS_ALLOW_PRIVATE"], "127.0.0.1"])
        )
        os.environ.pop("no_proxy", None)
        os.environ.pop("NO_PROXY", None)
        logger.info("Replica serving %d reports through proxy %s", len(world.reports), server.proxy_url)
        try:
            yield {unit["code"] for unit in world.manifest()["units"]}
        finally:
            for name, value in previous.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value


def run_crawl(request: CrawlRequest, extra_settings: dict[str, Any] | None = None) -> dict[str, Any]:
    """Run one crawl to completion (blocks); returns Scrapy's final stats."""
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
    settings = get_project_settings()
    settings.set("REPORTS_DB", request.db_url, priority="cmdline")
    if request.snapshot_dir:
        settings.set("REPORTS_SNAPSHOTS", request.snapshot_dir, priority="cmdline")
    settings.set("LOG_LEVEL", request.log_level, priority="cmdline")
    # The `reports` command has configured logging already; Scrapy logs through it.
    settings.set("LOG_INSTALL_ROOT_HANDLER", False, priority="cmdline")
    if not request.throttle:
        settings.setdict(UNTHROTTLED, priority="cmdline")
    settings.setdict(extra_settings or {}, priority="cmdline")
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(request.spider)
    arguments: dict[str, Any] = {"sites": request.sites_file, **dict(request.spider_args)}
    if request.spider == "reports":
        arguments["site"] = ",".join(request.site_codes) or None
    process.crawl(crawler, **arguments)
    process.start()
    return dict(crawler.stats.get_stats() if crawler.stats else {})
