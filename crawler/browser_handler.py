"""scrapy-playwright's download handler, starting Playwright only when a request needs the browser.

The stock handler starts Playwright's driver (a Node process, ~100 MiB) when the engine
starts, once per URL scheme, even for crawls that never use the browser. This one starts it on
the first request with ``meta["playwright"]``; every other request goes to Scrapy's own
HTTP handler, as with the stock handler.
"""

from __future__ import annotations

import asyncio

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.http import Response
from scrapy_playwright.handler import ScrapyPlaywrightDownloadHandler


class LazyPlaywrightHandler(ScrapyPlaywrightDownloadHandler):
    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        crawler.signals.disconnect(self._maybe_launch_in_thread, signals.engine_started)
        crawler.signals.disconnect(self._engine_started, signals.engine_started)
        self._launched = False
        self._launch_lock: asyncio.Lock | None = None

    async def _download_request(self, request: Request, spider: Spider | None = None) -> Response:
        if not self._launched:
            self._launch_lock = self._launch_lock or asyncio.Lock()
            async with self._launch_lock:
                if not self._launched:
                    await self._launch()
                    self._launched = True
        return await super()._download_request(request, spider)
