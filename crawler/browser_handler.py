"""scrapy-playwright's download handler: started on first use, kept to the registry's hosts.

The stock handler starts Playwright's driver (a Node process, ~100 MiB) when the engine
starts, once per URL scheme, even for crawls that never use the browser. This one starts it on
the first request with ``meta["playwright"]``; every other request goes to Scrapy's own
HTTP handler, as with the stock handler.

Every request of the browser (the page's navigation, its scripts, images, frames, XHRs, service
workers, websockets) is checked against the registry (crawler.guard) and aborted when it leaves
it; each is counted (stat ``reports/errors/browser_blocked``, shown with the run). The browser
does not follow redirects by itself (a route never sees a redirect hop): each allowed request
is fetched once (crawler.browser_fetch) and handed to the page, whose next hop is checked again.
"""

from __future__ import annotations

import asyncio
import http.client
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from playwright.async_api import Request as PlaywrightRequest
from playwright.async_api import Route, WebSocketRoute
from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.http import Response
from scrapy_playwright.handler import BrowserContextWrapper, ScrapyPlaywrightDownloadHandler

from crawler.browser import sandbox_available
from crawler.browser_fetch import FetchLimits, FetchRefused, fetch_once
from crawler.guard import allowed_networks, registry_scope

logger = logging.getLogger(__name__)

BLOCKED_STAT = "reports/errors/browser_blocked"


class LazyPlaywrightHandler(ScrapyPlaywrightDownloadHandler):
    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        crawler.signals.disconnect(self._maybe_launch_in_thread, signals.engine_started)
        crawler.signals.disconnect(self._engine_started, signals.engine_started)
        self._crawler = crawler
        self._limits = FetchLimits(
            maxsize=crawler.settings.getint("REPORTS_PAGE_MAXSIZE", 8 * 2**20),
            timeout=crawler.settings.getfloat("DOWNLOAD_TIMEOUT", 30),
            allowed=allowed_networks(crawler.settings.getlist("REPORTS_ALLOW_PRIVATE")),
        )
        self._launched = False
        self._launch_lock: asyncio.Lock | None = None

    async def _download_request(self, request: Request, spider: Spider | None = None) -> Response:
        if not self._launched:
            self._launch_lock = self._launch_lock or asyncio.Lock()
            async with self._launch_lock:
                if not self._launched:
                    if not sandbox_available():
                        logger.warning("Chromium runs without its sandbox (root, or no user namespaces)")
                    await self._launch()
                    self._launched = True
        return await super()._download_request(request, spider)

    def _refusal(self, url: str) -> str | None:
        if url.startswith(("data:", "blob:", "about:")):
            return None
        return registry_scope(self._crawler).refusal(url)

    def _blocked(self, url: str, reason: str) -> None:
        self._crawler.stats.inc_value(BLOCKED_STAT)  # type: ignore[union-attr]
        logger.info("Browser request blocked: %s (%s)", url, reason)

    async def _guarded_route(self, route: Route, request: PlaywrightRequest) -> None:
        reason = self._refusal(request.url)
        if reason is not None:
            self._blocked(request.url, reason)
            await route.abort("blockedbyclient")
            return
        headers = await request.all_headers()
        try:
            status, response_headers, body = await asyncio.to_thread(
                fetch_once, request.method, request.url, headers, request.post_data_buffer, self._limits
            )
        except (OSError, http.client.HTTPException, FetchRefused) as error:
            if isinstance(error, FetchRefused):
                self._blocked(request.url, str(error))
            logger.info("Browser request failed: %s (%s)", request.url, error)
            await route.abort("failed")
            return
        await route.fulfill(status=status, headers=response_headers, body=body)

    def _make_request_handler(self, *args: Any, **kwargs: Any) -> Callable[..., Awaitable[None]]:
        return self._guarded_route

    async def _guarded_websocket(self, websocket: WebSocketRoute) -> None:
        reason = self._refusal(websocket.url.replace("ws", "http", 1))
        if reason is not None:
            self._blocked(websocket.url, reason)
            await websocket.close()
            return
        websocket.connect_to_server()

    async def _create_browser_context(
        self, name: str, context_kwargs: dict | None, spider: Spider | None = None
    ) -> BrowserContextWrapper:
        wrapper = await super()._create_browser_context(name, context_kwargs, spider)
        # Requests of the context not made by a page (service workers) and websockets.
        await wrapper.context.route("**/*", self._guarded_route)
        await wrapper.context.route_web_socket("**/*", self._guarded_websocket)
        return wrapper
