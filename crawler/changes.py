"""Telling what went away: reports whose page answers 404/410 (the webhook: ``crawler.webhook``)."""

from __future__ import annotations

import logging

from scrapy import Spider

from crawler.items import PageItem
from crawler.pipelines import _ArchivePipeline
from storage.changes import withdraw_report

logger = logging.getLogger(__name__)

GONE = (404, 410)


class WithdrawalPipeline(_ArchivePipeline):
    """A listed report page that answers 404 or 410 is marked withdrawn (its archive stays)."""

    def process_item(self, item: PageItem, spider: Spider | None = None) -> PageItem:
        if item.page_type != "article" or item.status not in GONE:
            return item
        report_id = withdraw_report(self.archive, item.canonical_url, item.fetched_at, self.run_id())
        if report_id is not None:
            logger.info("Report %d withdrawn: %s answers %d", report_id, item.canonical_url, item.status)
        return item
