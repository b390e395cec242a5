"""Pages from a WARC file archived as if crawled: fetch records, snapshots, reports and extractions.

The WARC's responses and revisits are taken in file order (a crawl's order) and go through the
archive's write API and the extract layer's recognition, as the item pipelines do: a 200 body is
a snapshot, a 304 re-confirms the latest, a 404/410 of a report page withdraws it, a page whose
title and content make it a report is archived and extracted, a report file is archived with the
metadata of the article that links it. Records of hosts outside the registry are kept as fetches
and snapshots only.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from crawler.pipelines import extract_and_store
from crawler.registry import Site
from crawler.urls import canonical_url
from extract.page import ArticlePage, PageMetadataError
from extract.recognise import is_file_url, recognise_file, recognise_page
from extract.report import EXTRACTOR_VERSION
from extract.titles import ReportTitle, classify_kind
from reportformat import detect_template, template_for_year
from storage.archive import Archive, ReportRecord
from storage.changes import withdraw_report
from storage.warc_read import WarcCapture, read_captures, target_hosts

logger = logging.getLogger(__name__)

GONE = (404, 410)


@dataclass
class ImportSummary:
    """Counts of what an import did (also the stats of its run)."""

    run_id: int
    counts: Counter[str] = field(default_factory=Counter)


class _Importer:
    def __init__(self, archive: Archive, sites: list[Site], run_id: int) -> None:
        self.archive = archive
        self.sites = sites
        self.summary = ImportSummary(run_id)
        self.units: set[str] = set()
        # Record id / (URI, date) of each response -> the sha256 of its body in the store.
        self.bodies: dict[object, str] = {}
        # A report file's canonical URL -> the canonical URL of the article that links it.
        self.linked_from: dict[str, str] = {}

    def count(self, what: str) -> None:
        self.summary.counts[what] += 1

    def site_for(self, url: str) -> Site | None:
        host = urlsplit(url).hostname or ""
        return next((site for site in self.sites if site.canonical_host(host)), None)

    def capture(self, capture: WarcCapture) -> None:
        site = self.site_for(capture.url)
        canonical = (canonical_url(capture.url, site) if site else None) or capture.url
        status, body = self._answer(capture)
        if status is None:
            return
        record = self.archive.record_fetch(
            run_id=self.summary.run_id,
            url=capture.url,
            canonical_url=canonical,
            status=status,
            headers=capture.headers,
            body=body,
            fetched_at=capture.fetched_at,
            request_headers=capture.request_headers,
            protocol=capture.protocol,
        )
        self.count("fetches")
        if record.new_snapshot:
            self.count("snapshots_new")
        if record.sha256 and capture.kind == "response":
            self.bodies[capture.record_id] = record.sha256
            self.bodies[(capture.url, capture.date)] = record.sha256
        if site is None:
            self.count("foreign")
            return
        if status in GONE and not is_file_url(canonical):
            if withdraw_report(self.archive, canonical, capture.fetched_at, self.summary.run_id) is not None:
                self.count("withdrawn")
            return
        if record.snapshot_id is None or record.sha256 is None:
            return
        page_body = body if body is not None else self.archive.snapshot_body(record.sha256)
        if is_file_url(canonical):
            self._file(site, canonical, record.snapshot_id, page_body, capture)
        else:
            self._article(site, canonical, record.snapshot_id, page_body)

    def _answer(self, capture: WarcCapture) -> tuple[int | None, bytes | None]:
        """The status and body to record: a revisit's body is that of the response it refers to."""
        if capture.kind == "response":
            return capture.status, capture.body
        if capture.not_modified:
            return 304, None
        sha256 = self.bodies.get(capture.refers_to or "") or self.bodies.get(
            (capture.refers_to_uri, capture.refers_to_date)
        )
        if sha256 is None:
            logger.warning("%s: revisit of a response not in the file; skipped", capture.url)
            self.count("revisits_unresolved")
            return None, None
        return capture.status or 200, self.archive.snapshot_body(sha256)

    def _article(self, site: Site, url: str, snapshot_id: int, body: bytes) -> None:
        """Judged as the crawl judges it (extract.recognise): a report, a pointer to a report file,
        or not a report (pages about a report are not linked here; a crawl links them)."""
        try:
            seen = recognise_page(body, url)
        except PageMetadataError:
            self.count("pages_not_article")
            return
        for found in seen.files:
            if link := canonical_url(found, site):
                self.linked_from[link] = url
        if seen.verdict == "report" and seen.identity is not None:
            self._report(site, seen.page, seen.identity, seen.page.body_text, url, snapshot_id, body, url)
        elif seen.verdict != "points_to_file":
            self.count("pages_not_report")

    def _file(self, site: Site, url: str, snapshot_id: int, body: bytes, capture: WarcCapture) -> None:
        referer = (capture.request_headers or {}).get("Referer")
        article_url = self.linked_from.get(url) or (canonical_url(referer, site) if referer else None)
        article = self.archive.latest_snapshot(article_url) if article_url else None
        if article is None or article_url is None:
            self.count("files_without_article")
            return
        try:
            seen = recognise_page(self.archive.snapshot_body(article.sha256), article_url)
        except PageMetadataError:
            return
        if seen.verdict in ("report", "part"):
            return  # the page is the report; the file a copy or an annex
        found = recognise_file(body, seen.page.title)
        if not found.is_report or found.identity is None:
            self.count("files_not_report")
            return
        self._report(site, seen.page, found.identity, found.text, article_url, snapshot_id, body, url)

    def _report(
        self,
        site: Site,
        page: ArticlePage,
        identity: ReportTitle,
        text: str,
        url: str,
        snapshot_id: int,
        body: bytes,
        content_url: str,
    ) -> None:
        if site.code not in self.units:
            self.archive.ensure_unit(site.code, site.name, list(site.hosts))
            self.units.add(site.code)
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
                snapshot_id=snapshot_id,
            ),
            run_id=self.summary.run_id,
        )
        self.count(
            "reports_new" if upsert.created else "reports_revised" if upsert.new_snapshot else "reports_seen"
        )
        changed = upsert.created or upsert.new_snapshot
        if changed or not self.archive.has_extraction(snapshot_id, EXTRACTOR_VERSION):
            result = extract_and_store(
                self.archive, upsert.report_id, snapshot_id, body, url=content_url, year=identity.year
            )
            self.count(f"extraction_{result.status}")


def import_warc(archive: Archive, path: str | Path, sites: list[Site]) -> ImportSummary:
    """Read the WARC at ``path`` into ``archive`` as one run; ``sites`` is the registry to match hosts."""
    hosts = target_hosts(path)
    run_id = archive.start_run([site.code for site in sites if any(site.canonical_host(h) for h in hosts)])
    importer = _Importer(archive, sites, run_id)
    outcome = "failed"
    try:
        for capture in read_captures(path):
            importer.capture(capture)
        outcome = "finished"
    finally:
        stats = {f"import/{key}": value for key, value in importer.summary.counts.items()}
        archive.finish_run(run_id, outcome, {"source": str(path), **stats})
    return importer.summary
