"""A crawl of hostile sites (replica/hostile.py) through the replica's proxy, which logs every request.

Bounds checked here (one crawl of both hostile units, every attack at once, in a fresh process):
under 120 s wall time and under 400 MiB peak RSS of the largest crawl process; the
per-attack figures are printed by ``benchmarks/hostile.py``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from sqlalchemy import select

from benchmarks.hostile import Measured, crawl_command, crawl_env, measured_run
from replica.hostile import (
    BROWSER_HOST,
    EXPECTED_ERRORS,
    HOST,
    META_REFRESH_TARGET,
    TARGETS,
    HostileSites,
    article_path,
    registry,
)
from replica.server import ReplicaServer
from replica.world import World
from storage.archive import Archive
from storage.models import CrawlRun, Fetch, Snapshot
from storage.queries import page_errors

TIME_BOUND_S = 120
MEMORY_BOUND_MIB = 400
LISTING_CAP = 20


@dataclass
class HostileCrawl:
    server: ReplicaServer
    db_url: str
    snapshots: Path
    measured: Measured

    def open(self) -> Archive:
        return Archive.open(self.db_url, self.snapshots)


def _netloc(netloc: str) -> str:
    return netloc.removesuffix(":80")


@pytest.fixture(scope="module")
def hostile(replica_small: World, tmp_path_factory: pytest.TempPathFactory) -> Iterator[HostileCrawl]:
    folder = tmp_path_factory.mktemp("hostile")
    sites = folder / "sites.yaml"
    sites.write_text(yaml.safe_dump(registry(), allow_unicode=True), encoding="utf-8")
    db_url = f"sqlite:///{folder / 'archive.sqlite3'}"
    with ReplicaServer(replica_small) as server:
        server.fault = HostileSites()
        command = crawl_command(
            sites, db_url, folder / "snapshots", "-s", f"REPORTS_MAX_LISTING_PAGES={LISTING_CAP}"
        )
        measured = measured_run(command, crawl_env(server.proxy_url), timeout=600)
        # The hostile units publish no report and one listing shows nothing: finished with alerts.
        assert measured.returncode == 3, measured.stderr[-4000:]
        yield HostileCrawl(server, db_url, folder / "snapshots", measured)


def test_no_request_reaches_a_host_off_the_registry(hostile: HostileCrawl) -> None:
    reached = {_netloc(netloc) for _, netloc, _ in hostile.server.request_log}
    assert reached == {HOST, BROWSER_HOST}
    targets = {urlsplit(url).netloc for _, url in TARGETS.values()} | {urlsplit(META_REFRESH_TARGET).netloc}
    assert not targets & reached
    # Chromium's own services (update, accounts) never got through either.
    assert not [entry for entry in hostile.server.request_log if entry[0] == "CONNECT"]


def test_nothing_off_the_registry_is_archived(hostile: HostileCrawl) -> None:
    with hostile.open() as archive, archive.Session() as session:
        urls = list(session.scalars(select(Snapshot.url))) + list(session.scalars(select(Fetch.url)))
    assert urls
    assert {urlsplit(url).netloc for url in urls} <= {HOST, BROWSER_HOST}


def test_each_attack_is_recorded_as_a_page_error_of_its_page(hostile: HostileCrawl) -> None:
    with hostile.open() as archive:
        errors = page_errors(archive)
    for attack, kind in EXPECTED_ERRORS.items():
        assert [e for e in errors if e.kind == kind and f"/zfxxgknb/{attack}/" in e.url], (attack, kind)
    offsite = {e.url: e.message for e in errors if e.kind == "offsite"}
    assert "169.254.169.254" in offsite[f"http://{HOST}{article_path('redirect-metadata')}"]
    # The page whose script navigated to an internal address is not archived from the browser.
    assert f"http://{BROWSER_HOST}/zfxxgknb/navigate/" in offsite


def test_the_crawl_goes_on_and_finishes_with_nothing_pending(hostile: HostileCrawl) -> None:
    with hostile.open() as archive, archive.Session() as session:
        snapshots = set(session.scalars(select(Snapshot.url)))
        run = session.scalars(select(CrawlRun)).one()
    # The ordinary article, its same-host redirect, and the article of the browser-read listing.
    assert f"http://{HOST}{article_path('good')}" in snapshots
    assert f"http://{BROWSER_HOST}/zfxxgknb/202401/t20240101_901.html" in snapshots
    assert (
        run.outcome == "finished with alerts"
    )  # the hostile units publish no report: an alert, not a failure
    assert run.stats.get("frontier/pending", 0) == 0
    assert run.stats.get("frontier/done", 0) > 10


def test_browser_requests_off_the_registry_are_blocked_and_counted(hostile: HostileCrawl) -> None:
    with hostile.open() as archive, archive.Session() as session:
        run = session.scalars(select(CrawlRun)).one()
    # pixel, metadata image, loopback script, frame, stylesheet, XHR, script navigation
    assert run.stats["reports/errors/browser_blocked"] >= 7
    fetched = {path for _, netloc, path in hostile.server.request_log if _netloc(netloc) == BROWSER_HOST}
    assert "/zfxxgknb/bounce.png" in fetched  # the on-registry image was fetched; its redirect was not


def test_a_huge_pager_claim_is_capped(hostile: HostileCrawl) -> None:
    pages = {
        path
        for _, netloc, path in hostile.server.request_log
        if path.startswith("/zfxxgknb/huge-listing/index_")
    }
    assert len(pages) == LISTING_CAP - 1  # index_1 .. index_19, the first page being the column itself


def test_resource_attacks_end_within_the_time_and_memory_bounds(hostile: HostileCrawl) -> None:
    assert hostile.measured.seconds < TIME_BOUND_S
    assert 0 < hostile.measured.peak_rss_mib < MEMORY_BOUND_MIB
    huge = [
        size for host, path, status, size in hostile.server.requests if "/huge-" in path and status == 200
    ]
    assert huge and max(huge) >= 500 * 2**20  # the server did offer 500 MB
