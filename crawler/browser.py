"""Pages that need a browser: script-filled listings and JavaScript cookie challenges.

Every request goes through Scrapy's own downloader first. Only when a page
needs it does the request go again through Chromium (scrapy-playwright, which
falls back to Scrapy's handler for requests without ``meta["playwright"]``):

- a 年报 listing of a site flagged ``browser: true`` in the registry, or any
  listing page that came back without an article link and either leading
  nowhere (no further page, no frame, no sub-column) or carrying a script
  besides the pager, whatever loads its items: an inline ``fetch``, a call into
  a loader in a separate ``.js`` file, or nothing visible at all. The
  browser's rendered page is what the spider reads; if that leads nowhere
  either, the spider records the page as an ``empty_listing`` error;
- an HTTP 521 answer carrying a script that sets a cookie (the "加速乐"
  ``__jsl_clearance`` kind, robots.txt included): the browser only earns the
  cookie; the request is then repeated by the plain downloader carrying it,
  and so is every later request to that host (a per-host cookie store, since
  ``COOKIES_ENABLED`` is off to keep fetches byte-exact and stateless).
"""

from __future__ import annotations

import glob
import logging
import os
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.http import Response, TextResponse

from crawler.listing import parse_column_page

logger = logging.getLogger(__name__)

# Quiet Chromium on a closed network (verified, see shared notes/stack.md).
CHROMIUM_ARGS = [
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    # Fewer, smaller processes: the pages we render are simple listings and challenge scripts.
    "--disable-extensions",
    "--disable-dev-shm-usage",
    "--renderer-process-limit=2",
    "--mute-audio",
    # Chromium's own network (update, account, safe-browsing services) reaches nothing: no proxy,
    # no name resolves. Pages reach the network only through the guarded route of
    # crawler.browser_handler, which fetches each allowed request through the context's proxy.
    "--no-proxy-server",
    "--host-resolver-rules=MAP * ~NOTFOUND",
]
CHALLENGE_STATUSES = (521,)
# A challenge page sets a cookie from a script.
_SETS_COOKIE = re.compile(rb"document\.cookie\s*=")
_BROWSER_META = ("playwright", "playwright_include_page", "playwright_page_methods", "playwright_page")


def chromium_executable() -> str | None:
    """The Chromium binary: ``REPORTS_CHROMIUM``, else Playwright's own, else Debian's ``/usr/bin/chromium``.

    None means "let Playwright use the browser it manages" (``playwright install chromium``).
    """
    configured = os.environ.get("REPORTS_CHROMIUM")
    if configured:
        return configured
    managed = os.environ.get("PLAYWRIGHT_BROWSERS_PATH") or os.path.expanduser("~/.cache/ms-playwright")
    if glob.glob(os.path.join(managed, "chromium*")):
        return None
    return "/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None


def sandbox_available() -> bool:
    """Whether Chromium can run sandboxed here (``REPORTS_CHROMIUM_SANDBOX=1``/``0`` decides if set).

    Chromium refuses its sandbox when run as root (as on CI), and its namespace sandbox needs
    unprivileged user namespaces.
    """
    forced = os.environ.get("REPORTS_CHROMIUM_SANDBOX")
    if forced in ("0", "1"):
        return forced == "1"
    if os.geteuid() == 0:
        return False
    for path, disabled in (
        ("/proc/sys/kernel/unprivileged_userns_clone", "0"),
        ("/proc/sys/user/max_user_namespaces", "0"),
        ("/proc/sys/kernel/apparmor_restrict_unprivileged_userns", "1"),
    ):
        try:
            if Path(path).read_text().strip() == disabled:
                return False
        except OSError:
            continue
    return True


def launch_options() -> dict[str, Any]:
    """``PLAYWRIGHT_LAUNCH_OPTIONS``: quiet flags, the sandbox where possible, the binary."""
    sandbox = sandbox_available()
    args = list(CHROMIUM_ARGS) if sandbox else ["--no-sandbox", *CHROMIUM_ARGS]
    options: dict[str, Any] = {"headless": True, "args": args, "chromium_sandbox": sandbox}
    executable = chromium_executable()
    if executable:
        options["executable_path"] = executable
    return options


def context_options(user_agent: str | None) -> dict[str, Any]:
    """The browser context's options: our User-Agent, and ``http_proxy`` as the pages' proxy."""
    options: dict[str, Any] = {"user_agent": user_agent}
    proxy = os.environ.get("http_proxy") or os.environ.get("HTTP_PROXY")
    if proxy:
        options["proxy"] = {"server": proxy}
    return options


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def _without_validators(response: Response) -> Response:
    """A rendered listing without the document's ``ETag``/``Last-Modified``.

    They describe the HTML shell, not the list a script drew into it from other files: kept,
    the next crawl would get a 304 for an unchanged shell and read the old rendering, missing
    whatever the script's data gained since. Without them the listing is rendered every crawl.
    """
    headers = response.headers.copy()
    for name in (b"ETag", b"Last-Modified"):
        headers.pop(name, None)
    return response.replace(headers=headers)


def is_challenge(response: Response) -> bool:
    return response.status in CHALLENGE_STATUSES and bool(_SETS_COOKIE.search(response.body))


def is_empty_listing(response: Response) -> bool:
    """A listing page without an article link that leads nowhere or runs a script (``needs_rendering``).

    Which script does not matter: real sites load the list from inline code, from a loader in
    a separate file, or from a JSONP data file, and none of these can be told apart reliably
    from the raw page. Every such page is worth one rendering.
    """
    if response.status != 200 or not isinstance(response, TextResponse):
        return False
    return parse_column_page(response.body, response.url).needs_rendering(response.url)


class BrowserMiddleware:
    """Sends only the requests that need it through the browser; reuses the cookies it earned."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.cookies: dict[str, dict[str, str]] = {}  # host -> name -> value

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BrowserMiddleware:
        return cls(crawler)

    def _flagged(self, request: Request) -> bool:
        if request.meta.get("page_type") != "column":
            return False
        spider = self.crawler.spider
        sites = getattr(spider, "sites", [])
        code = request.meta.get("site_code")
        return any(site.code == code and site.browser for site in sites)

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        if request.meta.get("playwright"):
            return
        if self._flagged(request) and not request.meta.get("browser_done"):
            self._to_browser(request.meta, "flagged")
            return
        jar = self.cookies.get(_host(request.url))
        if jar:
            request.headers[b"Cookie"] = "; ".join(f"{name}={value}" for name, value in jar.items())

    async def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Request | Response:
        if request.meta.get("browser_reason") == "challenge" and request.meta.get("playwright"):
            return await self._earned_cookie(request, response)
        if request.meta.get("playwright"):
            if request.meta.get("page_type") == "column":
                return _without_validators(response)
            return response
        if is_challenge(response):
            if request.meta.get("browser_challenges", 0) >= 2:
                logger.warning("%s: still challenged after the browser earned its cookie", request.url)
                return response
            logger.info(
                "%s: HTTP %d cookie challenge; earning the cookie in the browser",
                request.url,
                response.status,
            )
            meta = {**request.meta, "browser_challenges": request.meta.get("browser_challenges", 0) + 1}
            self._to_browser(meta, "challenge")
            meta["playwright_include_page"] = True
            return request.replace(meta=meta, dont_filter=True)
        if request.meta.get("page_type") == "column" and is_empty_listing(response):
            logger.info("%s: listing shows no links; rendering it in the browser", request.url)
            meta = dict(request.meta)
            self._to_browser(meta, "script listing")
            return request.replace(meta=meta, dont_filter=True)
        return response

    def _to_browser(self, meta: dict[str, Any], reason: str) -> None:
        from scrapy_playwright.page import PageMethod

        meta.update(
            playwright=True,
            browser_reason=reason,
            browser_done=True,
            playwright_page_methods=[PageMethod("wait_for_load_state", "networkidle")],
            # Our own User-Agent, marked as the browser's (no spoofing); used when the context is made.
            playwright_context_kwargs=context_options(self.crawler.settings.get("BROWSER_USER_AGENT")),
        )
        self.stats.inc_value("browser/requests")
        self.stats.inc_value(f"browser/requests/{reason.replace(' ', '_')}")

    async def _earned_cookie(self, request: Request, response: Response) -> Request | Response:
        page = request.meta.get("playwright_page")
        host = _host(request.url)
        if page is not None:
            try:
                cookies = await page.context.cookies(request.url)
            finally:
                await page.close()
            self.cookies[host] = {cookie["name"]: cookie["value"] for cookie in cookies}
            self.stats.inc_value("browser/cookies_earned")
        meta = {key: value for key, value in request.meta.items() if key not in _BROWSER_META}
        meta.pop("browser_reason", None)
        # Repeated by the plain downloader with the cookie: the archived copy is a plain download.
        return request.replace(meta=meta, dont_filter=True)
