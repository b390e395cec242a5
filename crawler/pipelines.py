"""Item pipelines: the only bridge between crawling, extraction and storage.

Each pipeline has one job, in this order:
1. ``SnapshotPipeline``: record the fetch and keep the body as a snapshot.
2. ``ReportPipeline``: recognise a report (a page, a linked file, a split page joined) and archive
   it; record pages about a report as related to it.
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
from crawler.urls import canonical_url
from extract.bounded import ExtractionRunner, FileReading
from extract.page import ArticlePage, PageMetadataError, parse_article
from extract.recognise import (
    PageRecognition,
    ReportCandidate,
    join_parts,
    match_report,
    plain_report_title,
    recognise_article,
    recognise_file,
    recognise_file_content,
    recognise_page,
    relation_of,
)
from extract.report import EXTRACTOR_VERSION, ReportExtraction, extract_report, failed_extraction
from extract.titles import ReportMention, ReportTitle, classify_kind
from reportformat import detect_template, template_for_year
from storage.archive import Archive, ExtractionRecord, RelatedPageRecord, ReportRecord

logger = logging.getLogger(__name__)

# The snapshot of a split article's pages joined (a composed document, not a fetched URL).
JOINED_SUFFIX = "#pages"


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
    """Archives what carries a report (a page, a file it links, a split page joined) as a report, and
    what only talks about one as a page related to it (extract.recognise decides which is which)."""

    def __init__(self, crawler: Crawler):
        super().__init__(crawler)
        self._units_seen: set[str] = set()
        # Per unit, the years whose reports related pages name (to skip relinking other years).
        self._naming_years: dict[str, set[int]] = {}

    def _site(self, code: str) -> Site:
        return next(site for site in self.crawler.spider.sites if site.code == code)  # type: ignore[union-attr]

    def _body(self, item: PageItem) -> bytes:
        return item.body if item.body is not None else self.archive.snapshot_body(item.sha256 or "")

    def process_item(self, item: PageItem, spider: Spider | None = None) -> PageItem:
        if item.snapshot_id is None or item.page_type not in ("article", "attachment"):
            return item
        if item.page_type == "attachment":
            return self._attachment(item)
        try:
            seen = recognise_page(self._body(item), item.canonical_url, item.headers.get("Content-Type"))
        except PageMetadataError as error:
            self.page_error(item, "metadata", str(error))
            return item
        if seen.verdict == "part":
            return self._part(item, seen)
        return self._page(item, seen, item.canonical_url, item.snapshot_id)

    def _page(self, item: PageItem, seen: PageRecognition, url: str, page_snapshot: int) -> PageItem:
        if seen.verdict == "report":
            if seen.identity is None:
                self.page_error(
                    item, "metadata", "the page carries a report but no report title with agency and year"
                )
                return item
            return self._archive(item, seen.page, seen.identity, seen.page.body_text, url)
        if seen.verdict == "points_to_file":
            # Judged by its files' content when they arrive (_attachment).
            self.stats.inc_value("reports/published_as_file")
            return item
        if seen.verdict == "related":
            self._related(item.site_code, url, page_snapshot, seen, relation=seen.relation or "mention")
            return item
        self.stats.inc_value("reports/pages_not_report")
        return item

    def _attachment(self, item: PageItem) -> PageItem:
        """A linked file: the report when its content is one; the report is the linking article's."""
        article = self.archive.latest_snapshot(item.referer) if item.referer else None
        if article is None:
            self.page_error(item, "metadata", f"attachment without an archived article: {item.referer}")
            return item
        try:
            seen = recognise_page(self.archive.snapshot_body(article.sha256), article.url)
        except PageMetadataError as error:
            self.page_error(item, "metadata", str(error))
            return item
        if seen.verdict in ("report", "part"):
            # The page (or the split article) is the report, the file a copy or an annex: kept only.
            self.stats.inc_value("reports/files_of_page_reports")
            return item
        # The file was read once, within bounds, by crawler.documents.DocumentPipeline; one read here
        # only when that pipeline is not in use. One that cannot be read is recorded as unreadable.
        reading = item.notes.get("file_reading")
        if isinstance(reading, FileReading):
            found = recognise_file_content(reading.content, reading.reason, seen.page.title)
        else:
            found = recognise_file(self._body(item), seen.page.title)
        if not found.is_report or found.identity is None:
            self.stats.inc_value("reports/files_not_report")
            if seen.mention is not None:
                relation = relation_of(seen.page.title)
                self._related(item.site_code, article.url, article.id, seen, relation=relation)
            return item
        if self._an_earlier_file_holds_it(item, seen, article.url, found.identity.year):
            self.stats.inc_value("reports/file_copies")
            return item
        # Titled as the article when the article's title is the report's, else as the file prints it.
        plain = plain_report_title(seen.page.title) == found.identity
        title = seen.page.title if plain else found.title
        self._archive(item, seen.page, found.identity, found.text, article.url, title=title)
        report_id = item.notes.get("report_id")
        self.archive.record_related_page(
            RelatedPageRecord(
                unit_code=item.site_code,
                url=article.url,
                snapshot_id=article.id,
                relation="article",
                title=seen.page.title,
                year=found.identity.year,
                report_id=report_id if isinstance(report_id, int) else None,
            )
        )
        return item

    def _an_earlier_file_holds_it(self, item: PageItem, seen: PageRecognition, url: str, year: int) -> bool:
        """An article linking the report twice (PDF and Word): the first file in page order is the report."""
        site = self._site(item.site_code)
        files = [canonical_url(link, site) for link in seen.files]
        if item.canonical_url not in files:
            return False
        mine = files.index(item.canonical_url)
        return any(
            ref.url == url and ref.snapshot_url in files[:mine]
            for ref in self.archive.report_refs(item.site_code, year=year)
        )

    def _candidates(self, site_code: str, year: int | None, links: tuple[str, ...]) -> list[ReportCandidate]:
        return [
            ReportCandidate(ref.id, ref.url, ref.title, ref.agency, ref.year)
            for ref in self.archive.report_refs(site_code, year=year, urls=links)
        ]

    def _part(self, item: PageItem, seen: PageRecognition) -> PageItem:
        """One page of a split article: once every page is archived, the pages joined are judged."""
        assert seen.parts is not None
        pages = []
        for url in seen.parts.urls:
            if url == item.canonical_url:
                pages.append(seen.page)
                continue
            snapshot = self.archive.latest_snapshot(url)
            if snapshot is None:
                self.stats.inc_value("reports/parts_waiting")
                return item
            try:
                pages.append(parse_article(self.archive.snapshot_body(snapshot.sha256)))
            except PageMetadataError as error:
                self.page_error(item, "metadata", f"page {url} of a split article: {error}")
                return item
        first = seen.parts.urls[0]
        joined = join_parts(pages)
        whole = recognise_article(parse_article(joined), first, joined=True)
        self.stats.inc_value("reports/split_pages_joined")
        if whole.verdict != "report":
            first_snapshot = self.archive.latest_snapshot(first)
            snapshot_id = first_snapshot.id if first_snapshot else item.snapshot_id
            assert snapshot_id is not None
            return self._page(item, whole, first, snapshot_id)
        if whole.identity is None:
            self.page_error(
                item, "metadata", "the pages carry a report but no report title with agency and year"
            )
            return item
        document = joined.encode("utf-8")
        snapshot_id = self.archive.store_document(
            first + JOINED_SUFFIX, document, item.fetched_at, "text/html; charset=utf-8"
        )
        item.notes["document"] = document
        return self._archive(
            item, whole.page, whole.identity, whole.page.body_text, first, snapshot_id=snapshot_id
        )

    def _related(
        self, site_code: str, url: str, snapshot_id: int, seen: PageRecognition, relation: str
    ) -> None:
        """Record a page about a report, tied to the report it names when that is archived.

        A page that names no agency and links nothing (a notice about compiling the year's
        reports) can be tied to no report: it is counted, not recorded."""
        mention = seen.mention
        if not seen.links and (mention is None or not mention.agency):
            self.stats.inc_value("reports/pages_about_no_report")
            return
        self._ensure_unit(site_code)
        year = mention.year if mention else None
        report_id = match_report(mention, seen.links, self._candidates(site_code, year, seen.links))
        self.archive.record_related_page(
            RelatedPageRecord(
                unit_code=site_code,
                url=url,
                snapshot_id=snapshot_id,
                relation=relation,
                title=seen.page.title,
                mentioned_title=mention.title if mention else None,
                mentioned_agency=mention.agency if mention else None,
                year=year,
                links=seen.links,
                report_id=report_id,
            )
        )
        if year is not None:
            self._years_named(site_code).add(year)
        self.stats.inc_value("reports/related_pages")

    def _years_named(self, site_code: str) -> set[int]:
        if site_code not in self._naming_years:
            self._naming_years[site_code] = self.archive.naming_years(site_code)
        return self._naming_years[site_code]

    def _relink_pages(self, site_code: str, year: int) -> None:
        """Pages naming a report of ``year``, tied again now that one more report is archived: a page
        recorded before its report arrived, or tied to the best fit among fewer reports, moves to it."""
        if year not in self._years_named(site_code):
            return
        pages = self.archive.pages_naming(site_code, year)
        links = tuple(link for page in pages for link in page.links)
        candidates = self._candidates(site_code, year, links)
        for page in pages:
            mention = ReportMention(page.mentioned_title or "", page.mentioned_agency or "", year)
            report_id = match_report(mention, page.links, candidates)
            if report_id is not None and report_id != page.report_id:
                self.archive.link_related_page(page.id, report_id)

    def _ensure_unit(self, code: str) -> None:
        if code not in self._units_seen:
            site = self._site(code)
            self.archive.ensure_unit(site.code, site.name, list(site.hosts))
            self._units_seen.add(code)

    def _archive(
        self,
        item: PageItem,
        page: ArticlePage,
        identity: ReportTitle,
        text: str,
        url: str,
        *,
        snapshot_id: int | None = None,
        title: str | None = None,
    ) -> PageItem:
        """Archive the report at ``url``; its current content is ``snapshot_id`` (default: the item's)."""
        if page.published is None:
            self.page_error(item, "metadata", "report page shows no publish date (date line or meta PubDate)")
        site = self._site(item.site_code)
        self._ensure_unit(site.code)
        template = detect_template(text) or (
            "pre2019" if template_for_year(identity.year) == "pre2019" else None
        )
        snapshot = snapshot_id if snapshot_id is not None else item.snapshot_id
        assert snapshot is not None
        upsert = self.archive.upsert_report(
            ReportRecord(
                unit_code=site.code,
                agency=identity.agency,
                kind=classify_kind(identity.agency, site.name),
                year=identity.year,
                url=url,
                title=title or page.title,
                published=page.published,
                template=template,
                snapshot_id=snapshot,
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
            report_snapshot_id=snapshot,
            year=identity.year,
            report_changed=upsert.created or upsert.new_snapshot,
        )
        if upsert.created:
            self._relink_pages(site.code, identity.year)
        return item


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
        snapshot_id = item.notes.get("report_snapshot_id", item.snapshot_id)
        if report_id is None or not isinstance(snapshot_id, int):
            return item
        # An unchanged report is extracted again only if an interrupted crawl left it unextracted.
        if not item.notes.get("report_changed") and self.archive.has_extraction(
            snapshot_id, EXTRACTOR_VERSION
        ):
            return item
        year = item.notes.get("year")
        year = year if isinstance(year, int) else None
        reading = item.notes.get("file_reading")
        # A split article's report is the joined document (ReportPipeline), not this page.
        document = item.notes.get("document")
        if isinstance(document, bytes):
            result = await result_of(self._runner().extract(document, url=item.canonical_url, year=year))
        elif isinstance(reading, FileReading):
            if reading.content is None:
                result = failed_extraction(reading.reason or "the file cannot be read")
            else:
                result = await result_of(self._runner().extract_content(reading.content, year))
        else:
            body = item.body if item.body is not None else self.archive.snapshot_body(item.sha256 or "")
            result = await result_of(self._runner().extract(body, url=item.canonical_url, year=year))
        store_extraction(self.archive, int(str(report_id)), snapshot_id, result)
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
