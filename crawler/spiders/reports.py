"""The reports spider: walks each site's 年报 columns and fetches every article.

It decides what to fetch and nothing else: every response goes to the
pipelines whole, which snapshot it and decide whether it is a report.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.http import Response

from crawler.content import not_html
from crawler.guard import failure_kind
from crawler.items import PageItem
from crawler.listing import ANNUAL_REPORT_COLUMN, ColumnPage, listing_page_urls, parse_column_page
from crawler.registry import Site, load_registry, select_sites
from crawler.urls import canonical_url
from extract.recognise import links_to_follow


class ReportsSpider(scrapy.Spider):
    """Crawl the 年报 columns of the registry's sites.

    Arguments (``-a``): ``sites`` = a registry YAML file (default: the shipped
    one), ``site`` = comma-separated codes to restrict the crawl to.
    """

    name = "reports"

    def __init__(self, sites: str | None = None, site: str | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        codes = [code.strip() for code in (site or "").split(",") if code.strip()]
        self.sites: list[Site] = select_sites(load_registry(sites), codes)
        self.allowed_domains = sorted({host for entry in self.sites for host in entry.hosts + entry.mirrors})

    @property
    def max_listing_pages(self) -> int:
        return self.settings.getint("REPORTS_MAX_LISTING_PAGES", 200)

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for site in self.sites:
            for root in site.roots:
                yield self._column_request(root, site)

    # -- requests --------------------------------------------------------------------------

    def _column_request(self, url: str, site: Site, referer: str | None = None) -> scrapy.Request:
        return scrapy.Request(
            url,
            callback=self.parse_column,
            errback=self.record_failure,
            cb_kwargs={"site": site},
            meta={"page_type": "column", "site_code": site.code},
            headers={"Referer": referer} if referer else None,
        )

    def _article_request(self, url: str, site: Site, referer: str) -> scrapy.Request:
        return scrapy.Request(
            url,
            callback=self.parse_article,
            errback=self.record_failure,
            cb_kwargs={"site": site},
            meta={"page_type": "article", "site_code": site.code},
            headers={"Referer": referer},
        )

    def _attachment_request(self, url: str, site: Site, article_url: str) -> scrapy.Request:
        """A report file linked from an article; the Referer names the article (see ReportPipeline)."""
        return scrapy.Request(
            url,
            callback=self.parse_attachment,
            errback=self.record_failure,
            cb_kwargs={"site": site},
            meta={"page_type": "attachment", "site_code": site.code},
            headers={"Referer": article_url},
        )

    def _in_annual_report_tree(self, url: str, site: Site) -> bool:
        """Column links worth following: under a root, or a sub-site's own 年报 column."""
        path = urlsplit(url).path
        under_root = any(path.startswith(urlsplit(root).path) for root in site.roots)
        return under_root or bool(ANNUAL_REPORT_COLUMN.search(path))

    def frontier_request(
        self, url: str, page_type: str, site_code: str, referer: str | None
    ) -> scrapy.Request:
        """The request for a URL left pending by an interrupted crawl (see crawler.frontier)."""
        site = next(entry for entry in self.sites if entry.code == site_code)
        if page_type == "column":
            return self._column_request(url, site, referer)
        if page_type == "attachment":
            return self._attachment_request(url, site, referer or url)
        return self._article_request(url, site, referer or url)

    # -- callbacks -------------------------------------------------------------------------

    def parse_column(self, response: Response, site: Site) -> Iterator[PageItem | scrapy.Request]:
        # The page's links first, the page itself last: a crawl resumed after a crash must find
        # every child recorded once the page counts as done (crawler.frontier). A 304 carries
        # the archived body (crawler.incremental), so its links are read as well.
        item = self._page_item(response, site)
        if (refusal := not_html(response)) is not None:
            item.notes["page_errors"] = [("not_html", refusal)]
        elif response.status in (200, 304) and isinstance(response, scrapy.http.TextResponse):
            page = parse_column_page(response.body, response.url)
            if page.leads_nowhere(response.url):
                # Rendered in the browser already (crawler.browser), or the archived rendering:
                # a listing that shows nothing is an error of the run, never a quiet zero.
                item.notes["empty_listing"] = True
            yield from self._column_links(page, response, site, item)
        yield item

    def _column_links(
        self, page: ColumnPage, response: Response, site: Site, item: PageItem
    ) -> Iterator[scrapy.Request]:
        for link in page.frame_links:
            # A list drawn in an iframe: its page is a listing, followed on the registry's hosts only.
            canonical = canonical_url(link, site)
            if canonical:
                yield self._column_request(canonical, site, response.url)
        for link in page.article_links:
            canonical = canonical_url(link, site)
            if canonical:
                yield self._article_request(canonical, site, response.url)
        for link in page.column_links:
            canonical = canonical_url(link, site)
            if canonical and self._in_annual_report_tree(canonical, site):
                yield self._column_request(canonical, site, response.url)
        if page.page_count and page.page_count > 1:
            if page.page_count > self.max_listing_pages:
                message = f"pager claims {page.page_count} pages; only {self.max_listing_pages} are fetched"
                item.notes["page_errors"] = [("listing_pages", message)]
            for url in listing_page_urls(response.url, min(page.page_count, self.max_listing_pages)):
                yield self._column_request(url, site, response.url)

    def parse_article(self, response: Response, site: Site) -> Iterator[PageItem | scrapy.Request]:
        # Files the article links (a report may be published as one) and the other pages of an
        # article the CMS split (t…_1.html): fetched like pages; the pipelines judge their content.
        if (refusal := not_html(response)) is not None:
            item = self._page_item(response, site)
            item.notes["page_errors"] = [("not_html", refusal)]
            yield item
            return
        item = self._page_item(response, site)
        if response.status in (200, 304) and isinstance(response, scrapy.http.TextResponse):
            links = links_to_follow(response.body, item.canonical_url, item.headers.get("Content-Type"))
            for link in links.files:
                if url := canonical_url(link, site):
                    yield self._attachment_request(url, site, item.canonical_url)
            for link in links.parts:
                if url := canonical_url(link, site):
                    yield self._article_request(url, site, item.canonical_url)
        yield item

    def parse_attachment(self, response: Response, site: Site) -> Iterator[PageItem]:
        yield self._page_item(response, site)

    def record_failure(self, failure: Any) -> Iterator[PageItem]:
        """A request that failed for good (after retries) still leaves a fetch record."""
        request = failure.request
        response = getattr(failure.value, "response", None)
        site = request.cb_kwargs["site"]
        if response is not None:
            yield self._page_item(response, site)
            return
        self.logger.warning("Giving up on %s: %s", request.url, failure.getErrorMessage())
        self.crawler.stats.inc_value(f"reports/failed/{type(failure.value).__name__}")
        # A refused redirect hop is recorded against the page that redirected, never under its own URL.
        kind = failure_kind(failure.value)
        url = request.meta.get("frontier_url", request.url) if kind == "offsite" else request.url
        message = failure.getErrorMessage()
        if kind == "too_large" and not message.strip():
            message = (
                f"body larger than the download size limit of {request.meta.get('download_maxsize')} bytes"
            )
        yield PageItem(
            url=url,
            canonical_url=canonical_url(url, site) or url,
            site_code=site.code,
            page_type=request.meta.get("page_type", "article"),
            status=0,
            headers={},
            body=None,
            fetched_at=datetime.now(UTC),
            notes={
                "error": f"{type(failure.value).__name__}: {message}",
                "error_kind": kind,
            },
        )

    def _page_item(self, response: Response, site: Site) -> PageItem:
        headers = {
            key.decode("latin-1"): b", ".join(values).decode("latin-1")
            for key, values in response.headers.items()
        }
        referer = response.request.headers.get("Referer") if response.request else None
        sent = response.request.headers if response.request else {}
        return PageItem(
            url=response.url,
            canonical_url=canonical_url(response.url, site) or response.url,
            site_code=site.code,
            page_type=response.meta.get("page_type", "article"),
            status=response.status,
            headers=headers,
            # A 304 carries the archived body (crawler.incremental), not one the server sent.
            body=response.body if response.status != 304 else None,
            fetched_at=datetime.now(UTC),
            referer=referer.decode("latin-1") if referer else None,
            request_headers={
                key.decode("latin-1"): b", ".join(values).decode("latin-1") for key, values in sent.items()
            },
            protocol=response.protocol,
        )
