"""Item pipelines: the only bridge between crawling, extraction and storage.

Each pipeline has one job, in this order:
1. ``SnapshotPipeline``: record the fetch and keep the body as a snapshot.
2. ``ReportPipeline``: recognise a report page and archive it as a report.
3. ``ExtractionPipeline``: extract the report's sections, tables and values.
A page that cannot be understood keeps its snapshot and gets an error record.
"""

from __future__ import annotations

import logging

from scrapy import Spider
from scrapy.crawler import Crawler

from crawler.frontier import open_run
from crawler.items import PageItem
from crawler.registry import Site
from extract.bounded import ExtractionRunner, FileReading
from extract.page import ArticlePage, PageMetadataError, parse_article, report_identity
from extract.report import EXTRACTOR_VERSION, ReportExtraction, extract_report, failed_extraction
from extract.titles import ReportTitle, classify_kind
from reportformat import detect_template, template_for_year
from storage.archive import Archive, ExtractionRecord, ReportRecord

logger = logging.getLogger(__name__)


def archive_for(crawler: Crawler) -> Archive:
    """The crawl's one Archive, opened from the REPORTS_DB / REPORTS_SNAPSHOTS settings."""
    archive: Archive | None = getattr(crawler, "reports_archive", None)
    if archive is None:
        archive = Archive.open(crawler.settings.get("REPORTS_DB"), crawler.settings.get("REPORTS_SNAPSHOTS"))
        crawler.reports_archive = archive  # type: ignore[attr-defined]
    return archive


class _ArchivePipeline:
    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> _ArchivePipeline:
        return cls(crawler)

    @property
    def archive(self) -> Archive:
        return archive_for(self.crawler)

    def run_id(self) -> int | None:
        return getattr(self.crawler, "reports_run_id", None)

    def page_error(self, item: PageItem, kind: str, message: str) -> None:
        logger.warning("%s: %s error: %s", item.canonical_url, kind, message)
        self.stats.inc_value(f"reports/errors/{kind}")
        self.archive.record_page_error(
            run_id=self.run_id(),
            url=item.canonical_url,
            snapshot_id=item.snapshot_id,
            kind=kind,
            message=message,
        )


class SnapshotPipeline(_ArchivePipeline):
    """Records every fetch; a body not seen before at that URL becomes a snapshot."""

    def open_spider(self, spider: Spider | None = None) -> None:
        open_run(self.crawler)  # starts the run, or resumes an interrupted one (crawler.frontier)

    def process_item(self, item: PageItem, spider: Spider | None = None) -> PageItem:
        record = self.archive.record_fetch(
            run_id=self.run_id(),
            url=item.url,
            canonical_url=item.canonical_url,
            status=item.status,
            headers=item.headers,
            body=item.body,
            fetched_at=item.fetched_at,
            content_type=item.headers.get("Content-Type"),
            request_headers=item.request_headers,
            protocol=item.protocol,
        )
        item.snapshot_id, item.sha256, item.new_snapshot = (
            record.snapshot_id,
            record.sha256,
            record.new_snapshot,
        )
        if record.new_snapshot:
            self.stats.inc_value("reports/snapshots_new")
        if item.status not in (200, 304):
            kind = str(item.notes.get("error_kind") or "http")
            self.page_error(item, kind, str(item.notes.get("error") or f"HTTP {item.status}"))
        for kind, message in item.notes.get("page_errors") or ():  # type: ignore[attr-defined]
            self.page_error(item, kind, message)
        if item.notes.get("empty_listing"):
            self.page_error(item, "empty_listing", "the listing shows no links, in the browser either")
        return item


class ReportPipeline(_ArchivePipeline):
    """Recognises report pages by title and content and archives them as reports."""

    def __init__(self, crawler: Crawler):
        super().__init__(crawler)
        self._units_seen: set[str] = set()

    def _site(self, code: str) -> Site:
        return next(site for site in self.crawler.spider.sites if site.code == code)  # type: ignore[union-attr]

    def process_item(self, item: PageItem, spider: Spider | None = None) -> PageItem:
        if item.page_type == "attachment" and item.snapshot_id is not None:
            return self._attachment(item)
        if item.page_type != "article" or item.snapshot_id is None:
            return item
        body = item.body if item.body is not None else self.archive.snapshot_body(item.sha256 or "")
        try:
            page = parse_article(body)
        except PageMetadataError as error:
            self.page_error(item, "metadata", str(error))
            return item
        identity = report_identity(page)
        if identity is None:
            self.stats.inc_value("reports/pages_not_report")
            return item
        if item.notes.get("attachments") and not _shows_tables(page):
            # Published as a file: archived from the file, with this page's metadata (_attachment).
            self.stats.inc_value("reports/published_as_file")
            return item
        return self._archive(item, page, identity, page.body_text, item.canonical_url)

    def _attachment(self, item: PageItem) -> PageItem:
        """A report file: the report is the linking article's (its Referer), its content the file's."""
        article = self.archive.latest_snapshot(item.referer) if item.referer else None
        if article is None:
            self.page_error(item, "metadata", f"attachment without an archived article: {item.referer}")
            return item
        try:
            page = parse_article(self.archive.snapshot_body(article.sha256))
        except PageMetadataError as error:
            self.page_error(item, "metadata", str(error))
            return item
        identity = report_identity(page)
        if identity is None:
            self.stats.inc_value("reports/files_not_report")
            return item
        if _shows_tables(page):
            # The page itself is the report (the file is a copy or an annex): kept as a snapshot only.
            self.stats.inc_value("reports/files_of_page_reports")
            return item
        # The file was read once, within bounds, by crawler.documents.DocumentPipeline; one that
        # cannot be read is kept and recorded as unreadable by the ExtractionPipeline.
        reading = item.notes.get("file_reading")
        text = reading.content.text if isinstance(reading, FileReading) and reading.content else ""
        return self._archive(item, page, identity, text, str(item.referer))

    def _archive(
        self, item: PageItem, page: ArticlePage, identity: ReportTitle, text: str, url: str
    ) -> PageItem:
        """Archive the report at ``url`` with the item's snapshot as its current content."""
        if page.published is None:
            self.page_error(item, "metadata", "report page shows no publish date (date line or meta PubDate)")
        site = self._site(item.site_code)
        if site.code not in self._units_seen:
            self.archive.ensure_unit(site.code, site.name, list(site.hosts))
            self._units_seen.add(site.code)
        template = detect_template(text) or (
            "pre2019" if template_for_year(identity.year) == "pre2019" else None
        )
        upsert = self.archive.upsert_report(
            ReportRecord(
                unit_code=site.code,
                agency=identity.agency,
                kind=classify_kind(identity.agency, site.name),
                year=identity.year,
                url=url,
                title=page.title,
                published=page.published,
                template=template,
                snapshot_id=item.snapshot_id,
            ),
            run_id=self.run_id(),
        )
        self.stats.inc_value(
            "reports/new"
            if upsert.created
            else "reports/revised"
            if upsert.new_snapshot
            else "reports/unchanged"
        )
        item.notes.update(
            report_id=upsert.report_id,
            year=identity.year,
            report_changed=upsert.created or upsert.new_snapshot,
        )
        return item


def _shows_tables(page: ArticlePage) -> bool:
    """Whether the article body carries the report's tables itself (else a linked file holds them)."""
    return "<table" in page.body_html.lower()


class ExtractionPipeline(_ArchivePipeline):
    """Extracts a new or changed report's sections, tables and canonical values.

    Extraction runs in the bounded workers of crawler.documents.DocumentPipeline, off the
    reactor; a report file is extracted from the content read there, not parsed again.
    """

    def __init__(self, crawler: Crawler):
        super().__init__(crawler)
        self._own_runner: ExtractionRunner | None = None

    def _runner(self) -> ExtractionRunner:
        from crawler.documents import DocumentPipeline, bounds_from_settings

        documents = self.crawler.get_item_pipeline(DocumentPipeline)
        if documents is not None:
            return documents.runner
        if self._own_runner is None:
            self._own_runner = ExtractionRunner(bounds_from_settings(self.crawler))
        return self._own_runner

    def close_spider(self, spider: Spider | None = None) -> None:
        if self._own_runner is not None:
            self._own_runner.close(wait=False)
            self._own_runner = None

    async def process_item(self, item: PageItem, spider: Spider | None = None) -> PageItem:
        from crawler.documents import result_of

        report_id = item.notes.get("report_id")
        if report_id is None or item.snapshot_id is None:
            return item
        # An unchanged report is extracted again only if an interrupted crawl left it unextracted.
        if not item.notes.get("report_changed") and self.archive.has_extraction(
            item.snapshot_id, EXTRACTOR_VERSION
        ):
            return item
        year = item.notes.get("year")
        year = year if isinstance(year, int) else None
        reading = item.notes.get("file_reading")
        if isinstance(reading, FileReading):
            if reading.content is None:
                result = failed_extraction(reading.reason or "the file cannot be read")
            else:
                result = await result_of(self._runner().extract_content(reading.content, year))
        else:
            body = item.body if item.body is not None else self.archive.snapshot_body(item.sha256 or "")
            result = await result_of(self._runner().extract(body, url=item.canonical_url, year=year))
        store_extraction(self.archive, int(str(report_id)), item.snapshot_id, result)
        self.stats.inc_value(f"reports/extraction/{result.status}")
        if result.status == "failed":
            self.page_error(item, "extraction", result.reason or "extraction failed")
        return item


def extract_and_store(
    archive: Archive,
    report_id: int,
    snapshot_id: int,
    body: bytes,
    *,
    url: str | None,
    year: int | None,
    runner: ExtractionRunner | None = None,
) -> ReportExtraction:
    """Extract one snapshot of a report (within the runner's bounds when given) and store it."""
    if runner is not None:
        result = runner.extract(body, url=url, year=year).result()
    else:
        result = extract_report(body, url=url, year=year)
    store_extraction(archive, report_id, snapshot_id, result)
    return result


def store_extraction(archive: Archive, report_id: int, snapshot_id: int, result: ReportExtraction) -> None:
    """Store an extraction result of a report's snapshot and refresh its cross-year checks."""
    archive.save_extraction(report_id, snapshot_id, extraction_record(result))
    archive.refresh_carry_over(report_id)


def extraction_record(result: ReportExtraction) -> ExtractionRecord:
    """Storage's form of an extraction result."""
    return ExtractionRecord(
        extractor_version=result.extractor_version,
        status=result.status,
        template=result.template,
        values=dict(result.values),
        raw=dict(result.raw),
        sections=[(section.number, section.heading, section.text) for section in result.sections],
        tables=[list(map(list, grid)) for grid in result.tables],
        checks=[
            (check.id, check.where, check.ok, check.expected, check.actual, check.source)
            for check in result.checks
        ],
        missing=list(result.missing),
        reason=result.reason,
    )
