"""The crawl's bounded extraction: size limits before parsing, each report file read once.

``DocumentPipeline`` runs between the snapshot and the report pipelines. A page over the
page size limit is recorded as an extraction error and goes no further (its snapshot is
kept); a report file (PDF, DOCX) is read once, in a worker process with a time and a
memory bound (``extract.bounded``), and the reading rides on the item
(``item.notes["file_reading"]``) for the report and extraction pipelines. The reactor
never waits for a parser: the pipeline awaits the worker's result.
"""

from __future__ import annotations

import logging
from concurrent.futures import Future
from typing import TypeVar

from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.defer import Deferred

from crawler.items import PageItem
from crawler.pipelines import _ArchivePipeline
from extract.bounded import Bounds, ExtractionRunner, FileReading
from extract.limits import MAX_FILE_BYTES, MAX_PAGE_BYTES, DocumentTooLarge

logger = logging.getLogger(__name__)

T = TypeVar("T")


def bounds_from_settings(crawler: Crawler) -> Bounds:
    """The workers' bounds from REPORTS_EXTRACTION_SECONDS / _MEMORY_MB / _WORKERS."""
    settings = crawler.settings
    default = Bounds()
    return Bounds(
        seconds=settings.getfloat("REPORTS_EXTRACTION_SECONDS", default.seconds),
        memory_bytes=settings.getint("REPORTS_EXTRACTION_MEMORY_MB", default.memory_bytes // 2**20) * 2**20,
        workers=settings.getint("REPORTS_EXTRACTION_WORKERS", default.workers),
    )


async def result_of(future: Future[T]) -> T:
    """Await a worker's future from the reactor thread without blocking it."""
    from twisted.internet import reactor

    deferred: Deferred[T] = Deferred()

    def done(finished: Future[T]) -> None:
        error = finished.exception()
        if error is not None:
            reactor.callFromThread(deferred.errback, error)  # type: ignore[attr-defined]
        else:
            reactor.callFromThread(deferred.callback, finished.result())  # type: ignore[attr-defined]

    future.add_done_callback(done)
    return await maybe_deferred_to_future(deferred)


def file_reading(item: PageItem) -> FileReading | None:
    """The reading of a report file that DocumentPipeline left on the item, if any."""
    reading = item.notes.get("file_reading")
    return reading if isinstance(reading, FileReading) else None


class DocumentPipeline(_ArchivePipeline):
    """Refuses pages over the size limit and reads each report file once, within bounds."""

    def __init__(self, crawler: Crawler):
        super().__init__(crawler)
        self._runner: ExtractionRunner | None = None
        # at most extraction's own limits (extract.limits); a crawl may set lower ones
        self.max_page_bytes = min(
            crawler.settings.getint("REPORTS_MAX_PAGE_BYTES", MAX_PAGE_BYTES), MAX_PAGE_BYTES
        )
        self.max_file_bytes = min(
            crawler.settings.getint("REPORTS_MAX_FILE_BYTES", MAX_FILE_BYTES), MAX_FILE_BYTES
        )

    @property
    def runner(self) -> ExtractionRunner:
        """The crawl's pool of extraction workers, started on first use."""
        if self._runner is None:
            self._runner = ExtractionRunner(bounds_from_settings(self.crawler))
        return self._runner

    def close_spider(self, spider: Spider | None = None) -> None:
        if self._runner is not None:
            self._runner.close(wait=False)  # every item is through: idle workers, or an interrupted crawl
            self._runner = None

    async def process_item(self, item: PageItem, spider: Spider | None = None) -> PageItem:
        if item.snapshot_id is None or item.status not in (200, 304):
            return item
        if item.page_type == "attachment":
            body = item.body if item.body is not None else self.archive.snapshot_body(item.sha256 or "")
            item.notes["file_reading"] = await self._read_file(body)
            return item
        if item.page_type == "article":
            size = len(item.body) if item.body is not None else self._stored_size(item)
            if size > self.max_page_bytes:
                error = DocumentTooLarge(
                    f"page of {size:,} bytes is over the limit of {self.max_page_bytes:,}"
                )
                message = f"{type(error).__name__}: {error}; the snapshot is kept"
                self.stats.inc_value("reports/extraction/over_limit")
                self.page_error(item, "extraction", message)
                raise DropItem(message)
        return item

    def _stored_size(self, item: PageItem) -> int:
        snapshot = self.archive.latest_snapshot(item.canonical_url)
        return snapshot.size if snapshot is not None else 0

    async def _read_file(self, body: bytes) -> FileReading:
        if len(body) > self.max_file_bytes:
            error = DocumentTooLarge(
                f"file of {len(body):,} bytes is over the limit of {self.max_file_bytes:,}"
            )
            return FileReading(None, f"{type(error).__name__}: {error}")
        self.stats.inc_value("reports/files_read")
        return await result_of(self.runner.read(body))
