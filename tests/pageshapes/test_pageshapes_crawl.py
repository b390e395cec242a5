"""End to end on the replica's pageshapes world: reports published only as a file (linked in the body
or in a 附件 block below it), split over several pages, served in GBK, on another article template,
with news, 解读, 图解, 答记者问 and notices about them in the same columns.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from replica.pageshapes import PageShapesWorld
from replica.server import ReplicaServer
from replica.world import build_world
from storage.archive import Archive
from storage.models import CrawlRun, RelatedPage, Report
from storage.queries import get_report, list_reports, page_errors
from tests.test_crawl_e2e import assert_archive_matches_manifest, run_reports

SITES = Path(__file__).parent / "files" / "pageshapes-sites.yaml"


@dataclass
class ShapesCrawl:
    world: PageShapesWorld
    manifest: dict[str, Any]
    db_url: str
    snapshot_dir: Path
    requests: list[tuple[str, str, int, int]]

    def open(self) -> Archive:
        return Archive.open(self.db_url, self.snapshot_dir)

    def run_stats(self) -> list[dict[str, Any]]:
        with self.open() as archive, archive.Session() as session:
            return [run.stats for run in session.scalars(select(CrawlRun).order_by(CrawlRun.id))]


@pytest.fixture(scope="module")
def shapes_crawl(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ShapesCrawl]:
    """The pageshapes world crawled twice into a fresh SQLite archive."""
    world = build_world("pageshapes", seed=2026)
    assert isinstance(world, PageShapesWorld)
    tmp_path = tmp_path_factory.mktemp("pageshapes-crawl")
    db_url = f"sqlite:///{tmp_path / 'archive.sqlite3'}"
    args = ["crawl", "--sites", str(SITES), "--snapshots", str(tmp_path / "snapshots"), "--no-throttle"]
    with ReplicaServer(world) as server:
        run_reports(args, server.proxy_url, db_url, timeout=600)
        run_reports(args, server.proxy_url, db_url, timeout=600)
        requests = list(server.requests)
    yield ShapesCrawl(world, world.manifest(), db_url, tmp_path / "snapshots", requests)


def test_the_world_has_every_shape_and_related_kind(shapes_crawl: ShapesCrawl) -> None:
    shapes = Counter(entry["shape"] for entry in shapes_crawl.manifest["reports"])
    assert set(shapes) == {
        "html",
        "file_in_body",
        "file_below",
        "file_below_list",
        "file_wrapped_title",
        "file_twice",
        "split",
        "split_links",
        "gbk",
        "gbk_meta",
        "gbk_header",
    }
    assert min(shapes.values()) >= 2
    relations = {entry["relation"] for entry in shapes_crawl.manifest["related"]}
    assert relations == {"news", "graphic", "qa", "interpretation", "notice", "meeting"}


def test_every_report_is_archived_once_and_nothing_else(shapes_crawl: ShapesCrawl) -> None:
    with shapes_crawl.open() as archive:
        reports = list_reports(archive)
        errors = page_errors(archive)
    assert_archive_matches_manifest(reports, shapes_crawl.manifest["reports"])
    assert errors == []


def test_values_of_file_split_and_gbk_reports_are_extracted(shapes_crawl: ShapesCrawl) -> None:
    manifest = shapes_crawl.manifest["reports"]
    with shapes_crawl.open() as archive:
        details = {entry["url"]: get_report(archive, entry["url"]) for entry in manifest}
    for entry in manifest:
        detail = details[entry["url"]]
        assert detail is not None and detail.extraction is not None, entry["url"]
        expected = {
            key: (float(value) if value is not None else None) for key, value in entry["values"].items()
        }
        assert detail.values == expected, (entry["url"], entry["shape"])
        if entry["template"] == "pre2019":
            assert [number for number, _, _ in detail.sections if number] == list(range(1, 8)), entry["url"]
        else:
            assert [number for number, _, _ in detail.sections if number] == list(range(1, 7)), entry["url"]
            assert detail.extraction.status == "complete", (entry["url"], detail.extraction.reason)
        # GBK pages decoded: the sections read as Chinese, no replacement characters.
        assert not any("\ufffd" in text for _, _, text in detail.sections), entry["url"]


def test_a_file_report_is_the_file_and_its_article_is_linked_to_it(shapes_crawl: ShapesCrawl) -> None:
    files = [entry for entry in shapes_crawl.manifest["reports"] if entry["files"]]
    assert len(files) >= 8
    with shapes_crawl.open() as archive:
        for entry in files:
            detail = get_report(archive, entry["url"])
            assert detail is not None
            assert all(archive.latest_snapshot(url) is not None for url in entry["files"])
            # The report is the first file the article links (a Word copy after a PDF is kept only).
            file_snapshot = archive.latest_snapshot(entry["files"][0])
            article_snapshot = archive.latest_snapshot(entry["url"])
            assert file_snapshot is not None and article_snapshot is not None
            assert detail.view.snapshot_sha256 == file_snapshot.sha256
            assert article_snapshot.sha256 not in {snapshot.sha256 for snapshot in detail.snapshots}
            assert [(page.url, page.relation) for page in detail.related if page.relation == "article"] == [
                (entry["url"], "article")
            ]
            assert detail.view.title == entry["title"]  # the file's own title, not a wrapping notice's


def test_a_split_report_is_its_pages_joined_and_every_page_is_kept(shapes_crawl: ShapesCrawl) -> None:
    split = [entry for entry in shapes_crawl.manifest["reports"] if entry["parts"]]
    assert len(split) >= 4 and any(len(entry["parts"]) == 3 for entry in split)
    with shapes_crawl.open() as archive:
        for entry in split:
            for url in entry["parts"]:
                snapshot = archive.latest_snapshot(url)
                assert snapshot is not None and archive.snapshot_body(
                    snapshot.sha256
                ) == shapes_crawl.world.page(url)
            detail = get_report(archive, entry["url"])
            assert detail is not None and {s.url for s in detail.snapshots} == {entry["url"] + "#pages"}
            assert len(detail.snapshots) == 1  # the second crawl joined the same pages again


def test_pages_about_a_report_are_related_to_it_not_archived(shapes_crawl: ShapesCrawl) -> None:
    truth = {entry["url"]: entry for entry in shapes_crawl.manifest["related"]}
    with shapes_crawl.open() as archive, archive.Session() as session:
        rows = session.execute(
            select(RelatedPage.url, RelatedPage.relation, Report.url)
            .outerjoin(Report, Report.id == RelatedPage.report_id)
            .where(RelatedPage.relation != "article")
        ).all()
        report_urls = set(session.scalars(select(Report.url)))
    linked = {url: report for url, _, report in rows if report is not None}
    assert linked == {url: entry["report"] for url, entry in truth.items()}
    assert not set(truth) & report_urls
    relations = {url: relation for url, relation, _ in rows if url in truth}
    wrong = {
        url: (relations[url], entry["relation"])
        for url, entry in truth.items()
        if entry["relation"] != "meeting" and relations[url] != entry["relation"]
    }
    assert wrong == {}
    # The notices about compiling reports name no report: counted, tied to none; their form is
    # fetched and kept, and is no report either.
    others = [entry for entry in shapes_crawl.manifest["non_reports"] if entry["url"] not in truth]
    assert others and all(entry["files"] for entry in others)
    with shapes_crawl.open() as archive:
        for entry in others:
            assert archive.latest_snapshot(entry["files"][0]) is not None
    recorded = {url for url, _, _ in rows}
    assert not {entry["url"] for entry in others} & recorded  # they name no agency and link nothing
    assert not {entry["url"] for entry in others} & report_urls


def test_reports_show_lists_the_related_pages(shapes_crawl: ShapesCrawl) -> None:
    entry = next(e for e in shapes_crawl.manifest["related"] if e["relation"] == "news")
    expected = sorted(e["url"] for e in shapes_crawl.manifest["related"] if e["report"] == entry["report"])
    result = run_reports(["show", entry["report"], "--json"], "", shapes_crawl.db_url)
    import json

    shown = json.loads(result.stdout)
    assert sorted(page["url"] for page in shown["related"] if page["relation"] != "article") == expected
    text = run_reports(["show", entry["report"]], "", shapes_crawl.db_url).stdout
    assert entry["url"] in text and "Related (news)" in text


def test_the_second_crawl_changes_nothing(shapes_crawl: ShapesCrawl) -> None:
    first, second = shapes_crawl.run_stats()
    assert first["reports/new"] == len(shapes_crawl.manifest["reports"])
    assert second.get("reports/new", 0) == 0 and second.get("reports/revised", 0) == 0
    assert second.get("reports/snapshots_new", 0) == 0
