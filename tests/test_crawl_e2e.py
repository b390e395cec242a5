"""End to end: crawl the replica over real HTTP through its proxy, compare the archive with its manifest."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from reportformat.checks import check_carry_over
from storage.archive import Archive
from storage.queries import archive_counts, get_report, list_reports, page_errors
from tests.fixtures_db import create_postgres_schema, drop_postgres_schema

REAL_CHANGSHOU_2020 = "http://www.cqcs.gov.cn/zwgk_164/zfxxgknb/qzfxxgknb/csq/202102/t20210203_8859904.html"


def run_reports(
    args: list[str], proxy_url: str, db_url: str, timeout: int = 900, expect: int = 0
) -> subprocess.CompletedProcess[str]:
    """Run the ``reports`` command in a fresh process (Twisted's reactor cannot restart); it must
    exit ``expect`` (0: finished; 3: finished with alerts)."""
    env = {key: value for key, value in os.environ.items() if key.lower() != "no_proxy"}
    # The replica's proxy is on loopback: an explicit opt-in (crawler.guard refuses it by default).
    env.update(
        http_proxy=proxy_url, HTTP_PROXY=proxy_url, REPORTS_DB=db_url, REPORTS_ALLOW_PRIVATE="127.0.0.1"
    )
    result = subprocess.run(
        [sys.executable, "-m", "cli.main", *args],
        check=False,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == expect, result.stderr[-4000:]
    return result


def crawl(world, proxy_url: str, db_url: str, snapshot_dir: Path) -> subprocess.CompletedProcess[str]:
    sites = [f"--site={unit['code']}" for unit in world.manifest()["units"]]
    return run_reports(
        ["crawl", "--snapshots", str(snapshot_dir), "--no-throttle", *sites], proxy_url, db_url
    )


@dataclass
class CrawledArchive:
    db_url: str
    snapshot_dir: Path
    counts_first: dict[str, int]
    counts_second: dict[str, int]
    reports: list

    def open(self) -> Archive:
        return Archive.open(self.db_url, self.snapshot_dir)


def _database(backend: str, tmp_path: Path, request: pytest.FixtureRequest):
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'archive.sqlite3'}", None
    admin = request.getfixturevalue("postgres_admin")
    url, schema = create_postgres_schema(admin)
    return url, (admin, schema)


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def small_crawl(request, tmp_path_factory, replica_small, replica_server_small):
    """The small replica crawled twice into a fresh archive on each backend."""
    tmp_path = tmp_path_factory.mktemp(f"crawl-{request.param}")
    db_url, cleanup = _database(request.param, tmp_path, request)
    snapshot_dir = tmp_path / "snapshots"
    crawl(replica_small, replica_server_small.proxy_url, db_url, snapshot_dir)
    with Archive.open(db_url, snapshot_dir) as archive:
        counts_first = archive_counts(archive)
        reports = list_reports(archive)
    crawl(replica_small, replica_server_small.proxy_url, db_url, snapshot_dir)
    with Archive.open(db_url, snapshot_dir) as archive:
        counts_second = archive_counts(archive)
    yield CrawledArchive(db_url, snapshot_dir, counts_first, counts_second, reports)
    if cleanup:
        drop_postgres_schema(*cleanup)


def _archived(report) -> dict:
    return {
        "agency": report.agency,
        "district": report.district,
        "kind": report.kind,
        "year": report.year,
        "published": report.published.isoformat() if report.published else None,
        "template": report.template,
    }


def _expected(entry: dict) -> dict:
    return {key: entry[key] for key in ("agency", "district", "kind", "year", "published", "template")}


def assert_archive_matches_manifest(reports: list, manifest_reports: list[dict]) -> None:
    """Every manifest report archived exactly once with its metadata, and nothing else."""
    archived = {report.url: _archived(report) for report in reports}
    assert len(archived) == len(reports)
    expected = {entry["url"]: _expected(entry) for entry in manifest_reports}
    assert sorted(set(expected) - set(archived)) == []
    assert sorted(set(archived) - set(expected)) == []
    wrong = {url: (archived[url], expected[url]) for url in expected if archived[url] != expected[url]}
    assert wrong == {}


def test_every_manifest_report_is_archived_once_with_its_metadata(small_crawl, replica_small):
    assert_archive_matches_manifest(small_crawl.reports, replica_small.reports)


def test_no_other_page_is_archived_as_a_report(small_crawl, replica_small):
    manifest_urls = {entry["url"] for entry in replica_small.reports}
    assert sorted(report.url for report in small_crawl.reports if report.url not in manifest_urls) == []
    non_reports = {entry["url"] for entry in replica_small.manifest()["non_reports"]}
    assert non_reports and not non_reports & {report.url for report in small_crawl.reports}


def test_one_report_per_agency_and_year(small_crawl):
    keys = [(report.district, report.agency, report.year) for report in small_crawl.reports]
    assert len(keys) == len(set(keys))


def test_second_crawl_of_an_unchanged_replica_adds_no_snapshot_and_no_report(small_crawl):
    first, second = small_crawl.counts_first, small_crawl.counts_second
    assert second["snapshots"] == first["snapshots"]
    assert second["reports"] == first["reports"]
    assert second["fetches"] > first["fetches"]
    assert second["runs"] == first["runs"] + 1


def test_snapshots_keep_the_served_bytes(small_crawl, replica_small):
    with small_crawl.open() as archive:
        for entry in replica_small.reports[:25]:
            snapshot = archive.latest_snapshot(entry["url"])
            assert snapshot is not None, entry["url"]
            assert archive.snapshot_body(snapshot.sha256) == replica_small.page(entry["url"])


def test_list_shows_the_real_changshou_2020_report(small_crawl, replica_server_small):
    result = run_reports(
        ["list", "--district", "长寿区", "--year", "2020", "--json"],
        replica_server_small.proxy_url,
        small_crawl.db_url,
    )
    listed = json.loads(result.stdout)
    real = [report for report in listed if report["url"] == REAL_CHANGSHOU_2020]
    assert len(real) == 1
    assert real[0]["published"] == "2021-02-03"
    assert real[0]["agency"] == "重庆市长寿区"
    assert real[0]["kind"] == "district"
    assert real[0]["template"] == "v2019"
    assert {"url", "agency", "district", "kind", "year", "published", "template", "status"} <= set(real[0])


@pytest.mark.slow
def test_full_replica_crawl_archives_every_report_of_the_manifest(
    tmp_path, replica_full, replica_server_full
):
    """The demo's crawl: all 41 units, every year, every report of the manifest."""
    db_url = f"sqlite:///{tmp_path / 'archive.sqlite3'}"
    run_reports(
        ["crawl", "--snapshots", str(tmp_path / "snapshots"), "--no-throttle"],
        replica_server_full.proxy_url,
        db_url,
    )
    with Archive.open(db_url, tmp_path / "snapshots") as archive:
        reports = list_reports(archive)
        errors = page_errors(archive)
    assert_archive_matches_manifest(reports, replica_full.reports)
    # The only page errors: the reports whose tables are pictures (replica.coverage).
    unreadable = {entry["url"] for entry in replica_full.reports if entry["extraction"] == "failed"}
    assert unreadable
    assert sorted((error.url, error.kind) for error in errors) == sorted(
        (url, "extraction") for url in unreadable
    )


def test_every_archived_report_is_extracted_into_its_manifest_values(small_crawl, replica_small):
    with small_crawl.open() as archive:
        details = {entry["url"]: get_report(archive, entry["url"]) for entry in replica_small.reports}
    wrong_values = [
        url for url, detail in details.items() if detail.values != _manifest_values(url, replica_small)
    ]
    assert wrong_values == []
    statuses = {entry["url"]: entry["status"] for entry in replica_small.reports}
    assert {url: detail.extraction.status for url, detail in details.items()} == statuses


def _manifest_values(url: str, world) -> dict:
    entry = next(entry for entry in world.reports if entry["url"] == url)
    return {key: (float(value) if value is not None else None) for key, value in entry["values"].items()}


def test_identity_checks_fail_exactly_on_the_reports_the_replica_broke(small_crawl, replica_small):
    with small_crawl.open() as archive:
        failed = {
            entry["url"]: sorted(
                {check.check_id for check in get_report(archive, entry["url"]).checks if not check.ok}
                - {"requests.carry_over", "narrative"}
            )
            for entry in replica_small.reports
        }
    assert failed == {entry["url"]: entry["broken_identities"] for entry in replica_small.reports}
    assert sum(1 for ids in failed.values() if ids) >= 3


def test_carry_over_is_checked_against_the_agencys_previous_year(small_crawl, replica_small):
    by_agency_year = {(entry["agency"], entry["year"]): entry for entry in replica_small.reports}
    pairs = [
        (by_agency_year[(agency, year - 1)], entry)
        for (agency, year), entry in by_agency_year.items()
        if (agency, year - 1) in by_agency_year
        and entry["values"]
        and by_agency_year[(agency, year - 1)]["values"]
    ]
    assert len(pairs) > 50
    slips = 0
    with small_crawl.open() as archive:
        for previous, current in pairs:
            stored = {
                check.where: check.ok
                for check in get_report(archive, current["url"]).checks
                if check.check_id == "requests.carry_over"
            }
            expected = {
                result.where: result.ok for result in check_carry_over(previous["values"], current["values"])
            }
            assert stored == expected, current["url"]
            slips += not all(expected.values())
    assert 0 < slips < len(pairs) / 4
