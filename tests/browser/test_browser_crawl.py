"""End to end on the replica's browser world: reports published as PDF/DOCX files, listings filled
by JavaScript and a host behind an HTTP 521 cookie challenge, crawled through the real proxy.

Only the requests that need it go through Chromium; the replica's request log tells the
browser (its User-Agent ends in "via headless Chromium") from Scrapy's own downloader.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from replica.extras import BrowserWorld
from replica.server import ReplicaServer
from replica.world import build_world
from storage.archive import Archive
from storage.queries import get_report, list_reports, page_errors
from tests.test_crawl_e2e import assert_archive_matches_manifest, run_reports

SITES = Path(__file__).parent / "files" / "browser-sites.yaml"
BROWSER_MARK = "via headless Chromium"


@dataclass
class BrowserCrawl:
    world: BrowserWorld
    db_url: str
    snapshot_dir: Path
    log_first: list[tuple[str, str, int, str]] = field(repr=False)
    log_second: list[tuple[str, str, int, str]] = field(repr=False)

    def open(self) -> Archive:
        return Archive.open(self.db_url, self.snapshot_dir)

    def run_stats(self) -> list[dict[str, Any]]:
        from sqlalchemy import select

        from storage.models import CrawlRun

        with self.open() as archive, archive.Session() as session:
            return [run.stats for run in session.scalars(select(CrawlRun).order_by(CrawlRun.id))]


def _crawl(server: ReplicaServer, db_url: str, snapshot_dir: Path) -> list[tuple[str, str, int, str]]:
    start = len(server.user_agents)
    args = ["crawl", "--sites", str(SITES), "--snapshots", str(snapshot_dir), "--no-throttle"]
    run_reports(args, server.proxy_url, db_url, timeout=300)
    return server.user_agents[start:]


@pytest.fixture(scope="module")
def browser_crawl(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrowserCrawl]:
    """The browser world crawled twice into a fresh SQLite archive."""
    world = build_world("browser", seed=2026)
    assert isinstance(world, BrowserWorld)
    tmp_path = tmp_path_factory.mktemp("browser-crawl")
    db_url = f"sqlite:///{tmp_path / 'archive.sqlite3'}"
    with ReplicaServer(world) as server:
        first = _crawl(server, db_url, tmp_path / "snapshots")
        second = _crawl(server, db_url, tmp_path / "snapshots")
    yield BrowserCrawl(world, db_url, tmp_path / "snapshots", first, second)


def _by_browser(log: list[tuple[str, str, int, str]]) -> list[tuple[str, str, int]]:
    return [(host, path, status) for host, path, status, agent in log if agent.endswith(BROWSER_MARK)]


def test_every_report_is_archived_with_its_metadata_and_values(browser_crawl: BrowserCrawl) -> None:
    manifest = browser_crawl.world.manifest()["reports"]
    with browser_crawl.open() as archive:
        reports = list_reports(archive)
        details = {entry["url"]: get_report(archive, entry["url"]) for entry in manifest}
        errors = page_errors(archive)
    assert_archive_matches_manifest(reports, manifest)
    expected = {
        entry["url"]: {k: (float(v) if v is not None else None) for k, v in entry["values"].items()}
        for entry in manifest
    }
    assert {url: detail.values for url, detail in details.items()} == expected
    assert {detail.extraction.status for detail in details.values() if detail.extraction} == {"complete"}
    assert errors == []


def test_file_reports_are_read_from_the_archived_file(browser_crawl: BrowserCrawl) -> None:
    world = browser_crawl.world
    files = world.attachment_urls()
    formats = {entry["url"]: entry["format"] for entry in world.manifest()["reports"]}
    assert {fmt for url, fmt in formats.items() if url in files} == {"pdf", "docx"}
    assert sum(fmt != "html" for fmt in formats.values()) == len(files) >= 6
    with browser_crawl.open() as archive:
        for report_url, file_url in files.items():
            snapshot = archive.latest_snapshot(file_url)
            assert snapshot is not None, file_url
            assert archive.snapshot_body(snapshot.sha256) == world.page(file_url)
            detail = get_report(archive, report_url)
            assert detail.view.url == report_url  # the report is the article; its content is the file
            assert detail.snapshots[-1].sha256 == snapshot.sha256


def test_an_html_report_linking_a_copy_stays_the_report_and_the_copy_is_kept(
    browser_crawl: BrowserCrawl,
) -> None:
    copies = browser_crawl.world.copy_urls()
    assert copies
    with browser_crawl.open() as archive:
        for report_url, file_url in copies.items():
            page, copy = archive.latest_snapshot(report_url), archive.latest_snapshot(file_url)
            assert page is not None and copy is not None
            assert get_report(archive, report_url).snapshots[-1].sha256 == page.sha256


def test_identity_checks_fail_exactly_where_the_replica_broke_them(browser_crawl: BrowserCrawl) -> None:
    manifest = browser_crawl.world.manifest()["reports"]
    with browser_crawl.open() as archive:
        failed = {
            entry["url"]: sorted(
                {c.check_id for c in get_report(archive, entry["url"]).checks if not c.ok}
                - {"requests.carry_over"}
            )
            for entry in manifest
        }
    expected = {
        entry["url"]: sorted(
            [*entry["broken_identities"], *(["narrative"] if entry["prose_contradictions"] else [])]
        )
        for entry in manifest
    }
    assert failed == expected


def test_only_script_listings_and_the_challenge_went_through_the_browser(browser_crawl: BrowserCrawl) -> None:
    world = browser_crawl.world
    js_columns = {
        column.path for unit in world.units if unit.code in world.js_units for column in unit.columns
    }
    expected = {("fzggw.cq.gov.cn", path) for path in js_columns} | {
        ("fzggw.cq.gov.cn", path + "list.json") for path in js_columns
    }
    browser = _by_browser(browser_crawl.log_first)
    listing_requests = [(h, p) for h, p, _ in browser if h == "fzggw.cq.gov.cn"]
    assert sorted(listing_requests) == sorted(expected)  # each listing and its JSON once
    challenge_requests = [(h, p, s) for h, p, s in browser if h == "zfwb.cq.gov.cn"]
    assert {p for _, p, _ in challenge_requests} == {"/robots.txt"}  # robots.txt meets it first
    assert challenge_requests[0][2] == 521 and challenge_requests[-1][2] == 200
    assert {h for h, _, _ in browser} == {"fzggw.cq.gov.cn", "zfwb.cq.gov.cn"}
    stats = browser_crawl.run_stats()[0]
    assert stats["browser/requests"] == len(js_columns) + 1
    assert stats["browser/requests/script_listing"] == len(js_columns)
    assert stats["browser/requests/challenge"] == 1
    # Chromium's own count: one document and one JSON fetch per listing, the challenge and its reload.
    assert stats["playwright/request_count/resource_type/fetch"] == len(js_columns)
    assert stats["playwright/request_count/navigation"] == len(js_columns) + 2
    assert len(challenge_requests) <= 3  # the server may see the reload twice; only robots.txt, always


def test_plain_requests_carry_the_cookie_the_browser_earned(browser_crawl: BrowserCrawl) -> None:
    plain = [
        (host, path, status)
        for host, path, status, agent in browser_crawl.log_first
        if not agent.endswith(BROWSER_MARK)
    ]
    behind = [(path, status) for host, path, status in plain if host == "zfwb.cq.gov.cn"]
    assert behind[0] == ("/robots.txt", 521)  # the one plain request before the cookie was earned
    assert len(behind) > 10 and {status for _, status in behind[1:]} == {200}
    assert {status for host, _, status in plain if host != "zfwb.cq.gov.cn"} == {200}


def test_a_second_crawl_changes_nothing_and_renders_script_listings_again(
    browser_crawl: BrowserCrawl,
) -> None:
    _first, second = browser_crawl.run_stats()
    assert second.get("reports/new", 0) == 0 and second.get("reports/revised", 0) == 0
    assert second.get("reports/snapshots_new", 0) == 0  # the same rendering: no new snapshot
    # A rendered listing keeps no validators: its list comes from list.json, which a 304 for
    # the unchanged HTML would not cover, so it is rendered again; plain pages revalidate.
    world = browser_crawl.world
    js_columns = {
        column.path for unit in world.units if unit.code in world.js_units for column in unit.columns
    }
    assert second["browser/requests/script_listing"] == len(js_columns)
    assert second["browser/requests/challenge"] == 1
    rendered = {p for h, p, _ in _by_browser(browser_crawl.log_second) if h == "fzggw.cq.gov.cn"}
    assert rendered == js_columns | {path + "list.json" for path in js_columns}


def test_a_crawl_that_needs_no_browser_never_starts_it(tmp_path: Path) -> None:
    world = build_world("browser", seed=2026)
    db_url = f"sqlite:///{tmp_path / 'archive.sqlite3'}"
    with ReplicaServer(world) as server:
        args = ["crawl", "--sites", str(SITES), "--site", "cqjw", "--snapshots", str(tmp_path / "s")]
        run_reports([*args, "--no-throttle"], server.proxy_url, db_url, timeout=300)
        log = list(server.user_agents)
    with Archive.open(db_url, tmp_path / "s") as archive, archive.Session() as session:
        from sqlalchemy import select

        from storage.models import CrawlRun

        stats = session.scalars(select(CrawlRun.stats)).one()
    assert not [key for key in stats if key.startswith(("playwright/", "browser/"))]
    assert log and not _by_browser(log)
    assert stats["reports/published_as_file"] >= 3
