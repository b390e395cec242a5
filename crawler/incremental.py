"""Incremental crawling: revalidate archived pages instead of downloading them again.

``ConditionalRequestMiddleware`` sends the ``ETag`` / ``Last-Modified`` of a page's last 200
response as ``If-None-Match`` / ``If-Modified-Since``. On a 304 it puts the archived body back
into the response (status stays 304, so the pipelines record a revalidation, not a new
snapshot) and the spider still reads a listing page's links. A listing page that suddenly
shows no items while its archived copy had some is retried with backoff; if it stays empty it
is passed on flagged ``listing_suspect``, so the run does not count its reports as unlisted.
"""

from __future__ import annotations

import logging

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.http import HtmlResponse, Response

from crawler.listing import parse_column_page

logger = logging.getLogger(__name__)

_CONDITIONAL_HEADERS = (b"If-None-Match", b"If-Modified-Since")


class ConditionalRequestMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.enabled = crawler.settings.getbool("REPORTS_CONDITIONAL_REQUESTS", True)
        self.empty_listing_retries = crawler.settings.getint("RETRY_TIMES", 3)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ConditionalRequestMiddleware:
        return cls(crawler)

    @property
    def archive(self):  # type: ignore[no-untyped-def]
        from crawler.pipelines import archive_for

        return archive_for(self.crawler)

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        if not self.enabled or "page_type" not in request.meta:
            return
        if request.meta.get("frontier_url", request.url) != request.url:
            # A redirect hop: the validators belong to the page that redirected.
            for name in _CONDITIONAL_HEADERS:
                request.headers.pop(name, None)
            request.meta.pop("revalidated", None)
            return
        if request.meta.get("conditional") is False or any(
            name in request.headers for name in _CONDITIONAL_HEADERS
        ):
            return
        validators = self.archive.validators(request.url)
        if "ETag" in validators:
            request.headers[b"If-None-Match"] = validators["ETag"]
        if "Last-Modified" in validators:
            request.headers[b"If-Modified-Since"] = validators["Last-Modified"]
        if validators:
            request.meta["revalidated"] = True

    def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Request | Response:
        if response.status == 304 and request.meta.get("revalidated"):
            return self._with_archived_body(request, response)
        if (
            request.meta.get("page_type") == "column"
            and response.status == 200
            and self._suddenly_empty(request, response)
        ):
            retry = get_retry_request(
                request,
                spider=self.crawler.spider,  # type: ignore[arg-type]
                reason="listing showed no items",
                max_retry_times=self.empty_listing_retries,
            )
            if retry is not None:
                retry.meta.pop("backoff_done", None)
                return retry
            logger.warning("%s still shows no items; not counting its reports as unlisted", request.url)
            request.meta["listing_suspect"] = True
        return response

    def _with_archived_body(self, request: Request, response: Response) -> Request | Response:
        snapshot = self.archive.latest_snapshot(request.url)
        if snapshot is None:
            # Validators without a stored body (should not happen): fetch the page in full.
            retry = request.replace(dont_filter=True)
            for name in _CONDITIONAL_HEADERS:
                retry.headers.pop(name, None)
            retry.meta["conditional"] = False
            retry.meta.pop("revalidated", None)
            return retry
        return HtmlResponse(
            url=response.url,
            status=304,
            headers=response.headers,
            body=self.archive.snapshot_body(snapshot.sha256),
            encoding="utf-8",
            request=request,
            flags=[*response.flags, "archived-body"],
        )

    def _suddenly_empty(self, request: Request, response: Response) -> bool:
        if parse_column_page(response.body, response.url).article_links:
            return False
        previous = self.archive.latest_snapshot(request.meta.get("frontier_url", request.url))
        if previous is None:
            return False
        old = parse_column_page(self.archive.snapshot_body(previous.sha256), response.url)
        return bool(old.article_links)
