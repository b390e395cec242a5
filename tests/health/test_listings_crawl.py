"""End to end on the replica's listings world: lists drawn by a loader in a separate script file,
by a JSONP data file, shown in an iframe (on the same host and on another registry host), and
lists that stay empty in the browser too, crawled through the real proxy.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from replica.listings import ListingsWorld, column_id
from replica.server import ReplicaServer
from replica.world import build_world
from storage.archive import Archive
from storage.models import CrawlRun
from storage.queries import list_reports, page_errors
from tests.health.helpers import reports, webhook_receiver
from tests.test_crawl_e2e import assert_archive_matches_manifest

SITES = Path(__file__).parent / "files" / "listing-sites.yaml"
BROWSER_MARK = "via headless Chromium"


@dataclass
class ListingsCrawl:
    world: ListingsWorld
    db_url: str
    snapshots: Path
    exits: list[int]
    stdout: list[str]
    log: list[tuple[str, str, int, str]] = field(repr=False)
    hooks: list[dict[str, Any]] = field(repr=False)
    proxy_url: str = ""

    def open(self) -> Archive:
        return Archive.open(self.db_url, self.snapshots)


@pytest.fixture(scope="module")
def listings_crawl(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ListingsCrawl]:
    """The listings world crawled twice into a fresh SQLite archive, with a webhook."""
    world = build_world("listings", seed=2026)
    assert isinstance(world, ListingsWorld)
    folder = tmp_path_factory.mktemp("listings-crawl")
    db_url = f"sqlite:///{folder / 'archive.sqlite3'}"
    exits, stdout = [], []
    with ReplicaServer(world) as server, webhook_receiver() as (hook_url, received):
        args = ["crawl", "--sites", str(SITES), "--snapshots", str(folder / "s"), "--no-throttle"]
        for _ in range(2):
            result = reports([*args, "--webhook", hook_url], server.proxy_url, db_url)
            exits.append(result.returncode)
            stdout.append(result.stdout)
            assert "Traceback" not in result.stderr, result.stderr[-3000:]
        yield ListingsCrawl(
            world, db_url, folder / "s", exits, stdout, list(server.user_agents), received, server.proxy_url
        )


def test_every_report_behind_a_script_or_an_iframe_is_archived_once(listings_crawl: ListingsCrawl) -> None:
    manifest = listings_crawl.world.manifest()
    with listings_crawl.open() as archive:
        archived = list_reports(archive)
    assert_archive_matches_manifest(archived, manifest["reports"])
    units = {entry["unit_code"] for entry in manifest["reports"]}
    assert units == {"cqsww", "cqwsjkw", "cqsfj", "cqrlsbj", "cqlyj"}


def test_listings_that_show_nothing_went_through_the_browser_and_only_they(
    listings_crawl: ListingsCrawl,
) -> None:
    listings = listings_crawl.world.manifest()["listings"]
    drawn = {url for url, mode in listings["modes"].items() if "iframe" not in mode}
    rendered = {
        f"http://{host}{path}"
        for host, path, _status, agent in listings_crawl.log
        if agent.endswith(BROWSER_MARK) and path.endswith("/")
    }
    assert rendered == drawn  # external loaders, JSONP, and the empty ones; never an iframe's page
    hosts = {host for host, _path, _status, _agent in listings_crawl.log}
    assert "tongji.example.net" not in hosts  # an iframe off the registry is not followed
    framed = {url for url in listings["frames"].values()}
    fetched = {f"http://{host}{path}" for host, path, _status, _agent in listings_crawl.log}
    assert framed <= fetched


def test_a_listing_empty_in_the_browser_is_a_page_error_and_an_alert(listings_crawl: ListingsCrawl) -> None:
    empty = listings_crawl.world.manifest()["listings"]["empty_listings"]
    with listings_crawl.open() as archive:
        errors = page_errors(archive)
        with archive.Session() as session:
            runs = list(session.scalars(select(CrawlRun).order_by(CrawlRun.id)))
    first = [error for error in errors if error.run_id == runs[0].id]
    assert sorted(error.url for error in first) == sorted(empty)
    assert {error.kind for error in first} == {"empty_listing"}
    assert [run.outcome for run in runs] == ["finished with alerts", "finished with alerts"]
    assert listings_crawl.exits == [3, 3]
    assert "Run 1: finished with alerts" in listings_crawl.stdout[0]
    assert "alert empty_listing: cqtyj" in listings_crawl.stdout[0]


def test_the_webhook_gets_the_alerts_of_each_run(listings_crawl: ListingsCrawl) -> None:
    empty = set(listings_crawl.world.manifest()["listings"]["empty_listings"])
    assert len(listings_crawl.hooks) == 2  # the second run changed nothing, but still has alerts
    for document in listings_crawl.hooks:
        assert document["outcome"] == "finished with alerts"
        kinds = sorted((alert["site"], alert["kind"]) for alert in document["alerts"])
        assert kinds == [("cqlyj", "empty_listing"), ("cqtyj", "empty_listing"), ("cqtyj", "no_reports")]
        urls = {url for alert in document["alerts"] for url in alert["details"].get("urls", [])}
        assert urls == empty
    assert listings_crawl.hooks[0]["counts"]["new"] == len(listings_crawl.world.manifest()["reports"])
    assert listings_crawl.hooks[1]["changes"] == []


def test_reports_health_shows_each_site_against_the_previous_run(listings_crawl: ListingsCrawl) -> None:
    result = reports(["health", "--format", "json"], listings_crawl.proxy_url, listings_crawl.db_url)
    assert result.returncode == 3, result.stderr
    document = json.loads(result.stdout)
    assert document["run"] == 2 and document["outcome"] == "finished with alerts"
    sites = {entry["site"]: entry for entry in document["sites"]}
    manifest = listings_crawl.world.manifest()["reports"]
    for code, entry in sites.items():
        expected = sum(report["unit_code"] == code for report in manifest)
        assert entry["reports"] == entry["previous"]["reports"] == expected, code
        assert entry["extraction_failures"] == 0 and entry["gaps"] == []
    assert sites["cqsfj"]["listing_pages"] == 1 + listings_crawl.world.frame_pages(
        next(c for u in listings_crawl.world.units if u.code == "cqsfj" for c in u.columns)
    )
    assert sites["cqtyj"]["alerts"] == ["empty_listing", "no_reports"]
    table = reports(["health", "--run", "1"], listings_crawl.proxy_url, listings_crawl.db_url)
    assert table.returncode == 3
    assert "http://tyj.cq.gov.cn/zwgk_316/zfxxgknb/" in table.stdout
    runs = reports(["runs"], listings_crawl.proxy_url, listings_crawl.db_url)
    assert runs.returncode == 0
    assert "run 2 alert empty_listing: cqtyj: 1 listing page(s) show no links" in runs.stdout
    assert "run 1 alert no_reports: cqtyj: the run found no report" in runs.stdout


def test_a_report_added_to_a_loaders_data_is_found_by_the_next_crawl(tmp_path: Path) -> None:
    """The listing's HTML does not change when its data file gains an item: no 304 may hide it."""
    world = build_world("listings", seed=2026)
    assert isinstance(world, ListingsWorld)
    column = next(c for u in world.units if u.code == "cqsww" for c in u.columns)
    data_path = f"/irs/nblist/{column_id(column)}.json"
    full = json.loads(world.page(f"http://sww.cq.gov.cn{data_path}"))
    newest = full["rows"][0]["link"]
    older = json.dumps({**full, "rows": full["rows"][1:]}, ensure_ascii=False).encode("utf-8")
    db_url = f"sqlite:///{tmp_path / 'archive.sqlite3'}"
    args = [
        "crawl",
        "--sites",
        str(SITES),
        "--site",
        "cqsww",
        "--snapshots",
        str(tmp_path / "s"),
        "--no-throttle",
    ]
    with ReplicaServer(world) as server:
        server.fault = lambda host, path: (200, older) if path == data_path else None
        assert reports(args, server.proxy_url, db_url).returncode == 0
        with Archive.open(db_url, tmp_path / "s") as archive:
            assert f"http://sww.cq.gov.cn{newest}" not in {r.url for r in list_reports(archive)}
        server.fault = None  # the new report is published: only the data file changes
        assert reports(args, server.proxy_url, db_url).returncode == 0
    with Archive.open(db_url, tmp_path / "s") as archive:
        urls = {report.url for report in list_reports(archive)}
    expected = {entry["url"] for entry in world.manifest()["reports"] if entry["unit_code"] == "cqsww"}
    assert f"http://sww.cq.gov.cn{newest}" in urls and urls == expected
