"""Telling what went away: reports whose page answers 404/410, and the webhook after a run."""

from __future__ import annotations

import logging
from typing import Any

from scrapy import Spider

from crawler.items import PageItem
from crawler.pipelines import _ArchivePipeline
from crawler.webhook import WebhookError, post_once
from storage.changes import withdraw_report

logger = logging.getLogger(__name__)

GONE = (404, 410)
WEBHOOK_TIMEOUT = 10.0


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
    """POST the changes JSON to ``url`` once (bounded, no proxy); a failure is logged, never raised.

    Crawls send through the outbox instead (``crawler.webhook.send_notifications``).
    """
    try:
        post_once(url, payload, timeout=timeout)
    except WebhookError as error:
        logger.warning("Webhook %s failed: %s", url, error)
        return False
    return True
