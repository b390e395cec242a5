"""Middlewares: retries that back off instead of hammering a failing server; callbacks that fail."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from typing import Any

from scrapy import Request, Spider
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.http import Response
from scrapy.settings import BaseSettings

logger = logging.getLogger(__name__)


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's RetryMiddleware, with an exponential pause before each retry.

    The n-th retry of a request waits ``RETRY_BACKOFF_BASE * 2**(n-1)``
    seconds (at most ``RETRY_BACKOFF_MAX``) before it is sent again.
    """

    def __init__(self, settings: BaseSettings):
        super().__init__(settings)
        self.backoff_base = settings.getfloat("RETRY_BACKOFF_BASE", 1.0)
        self.backoff_max = settings.getfloat("RETRY_BACKOFF_MAX", 30.0)

    async def process_request(self, request: Request, spider: Spider | None = None) -> None:
        retries = request.meta.get("retry_times", 0)
        if retries and self.backoff_base > 0 and not request.meta.get("backoff_done"):
            delay = min(self.backoff_base * 2 ** (retries - 1), self.backoff_max)
            request.meta["backoff_done"] = True
            logger.debug("Backing off %.1fs before retry %d of %s", delay, retries, request.url)
            await asyncio.sleep(delay)

    def _retry(self, request: Request, reason: str | Exception | type[Exception]) -> Request | None:
        retry = super()._retry(request, reason)
        if retry is not None:
            retry.meta.pop("backoff_done", None)
        return retry


class CallbackErrorMiddleware:
    """Spider middleware: a callback that raises leaves the page archived with a page error.

    Without it the page's frontier entry would stay pending in a run marked finished. Sits
    closest to the spider, so its item still passes the frontier middleware.
    """

    def process_spider_exception(
        self, response: Response, exception: Exception, spider: Spider
    ) -> Iterator[Any] | None:
        site = response.request.cb_kwargs.get("site") if response.request else None
        if site is None or not hasattr(spider, "_page_item"):
            return None
        logger.error("%s: the page's callback failed: %r", response.url, exception)
        item = spider._page_item(response, site)
        item.notes["page_errors"] = [("callback", f"{type(exception).__name__}: {exception}"[:2000])]
        return iter([item])
