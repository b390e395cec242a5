"""Stopping a crawl whose archive lock was lost (a dropped PostgreSQL connection, a deleted lock file).

Another crawl may hold the lock by now; going on would write the same run from two processes.
The run ends ``interrupted`` (finish reason ``lock_lost``) with its frontier kept, so a later
crawl resumes it once this process is gone.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy.crawler import Crawler
from scrapy.utils.defer import deferred_from_coro

from storage.locks import CrawlLock, CrawlLockLost

logger = logging.getLogger(__name__)

LOCK_LOST = "lock_lost"


def stop_for_lost_lock(crawler: Crawler, lock: CrawlLock, loop: Any) -> None:
    """Log why, stop the checkpoint loop and close the spider with reason ``lock_lost``."""
    try:
        lock.ensure_held()
        return
    except CrawlLockLost as error:
        logger.error("The crawl lost its archive lock and stops (the next crawl resumes it): %s", error)
    if loop is not None and loop.running:
        loop.stop()
    if crawler.stats is not None:
        # Set now, not only when Scrapy closes: the pipelines end the run by this reason.
        crawler.stats.set_value("finish_reason", LOCK_LOST)
    if crawler.engine is not None and crawler.engine.spider is not None:
        deferred_from_coro(crawler.engine.close_spider_async(reason=LOCK_LOST))
