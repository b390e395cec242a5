"""Telling what went away: reports whose page answers 404/410, and the webhook after a run."""

from __future__ import annotations

import json
import logging
import urllib.request
from typing import Any
from urllib.parse import urlsplit

from scrapy import Spider

from crawler.items import PageItem
from crawler.pipelines import _ArchivePipeline
from storage.changes import withdraw_report

logger = logging.getLogger(__name__)

GONE = (404, 410)
WEBHOOK_TIMEOUT = 10.0
LOOPBACK = ("127.0.0.1", "localhost", "::1")


class WithdrawalPipeline(_ArchivePipeline):
    """A listed report page that answers 404 or 410 is marked withdrawn (its archive stays)."""

    def process_item(self, item: PageItem, spider: Spider | None = None) -> PageItem:
        if item.page_type != "article" or item.status not in GONE:
            return item
        report_id = withdraw_report(self.archive, item.canonical_url, item.fetched_at, self.run_id())
        if report_id is not None:
            logger.info("Report %d withdrawn: %s answers %d", report_id, item.canonical_url, item.status)
        return item


def post_webhook(url: str, payload: dict[str, Any], timeout: float = WEBHOOK_TIMEOUT) -> bool:
    """POST the changes JSON to ``url``; a failure is logged, never raised."""
    data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(
        url, data=data, method="POST", headers={"Content-Type": "application/json; charset=utf-8"}
    )
    # A webhook on this machine is reached directly, never through the crawl's http_proxy.
    local = (urlsplit(url).hostname or "") in LOOPBACK
    opener = (
        urllib.request.build_opener(urllib.request.ProxyHandler({}))
        if local
        else urllib.request.build_opener()
    )
    try:
        with opener.open(request, timeout=timeout) as response:
            logger.info("Webhook %s answered %d", url, response.status)
            return 200 <= response.status < 300
    except OSError as error:
        logger.warning("Webhook %s failed: %s", url, error)
        return False
