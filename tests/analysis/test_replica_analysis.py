"""Search, diff, history and export on the small replica crawled into SQLite and PostgreSQL.

Each backend gets one archive: the replica crawled, one report revised on the replica, crawled again.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas
import pytest
from click.testing import CliRunner

from cli.main import main
from compare.reports import diff_json, diff_reports
from extract.report import extract_report
from replica.server import ReplicaServer
from replica.world import World, build_world
from storage.archive import Archive
from storage.comparisons import history_of, report_detail, report_side, snapshot_side
from storage.exports import value_rows
from storage.filters import ReportFilter
from storage.queries import get_report, list_reports
from storage.search import search_reports
from tests.fixtures_db import create_postgres_schema, drop_postgres_schema
from tests.test_crawl_e2e import crawl

REVISED_SENTENCE = "经复核，本报告第三部分部分数据已更正。"
QUERIES = ["公开", "复议", "新媒体", "依申请公开", "压实工作责任"]


@dataclass
class Crawled:
    world: World
    db_url: str
    snapshot_dir: Path
    revised_url: str

    def open(self) -> Archive:
        return Archive.open(self.db_url, self.snapshot_dir)


def _revised_report(world: World) -> str:
    """A district summary report of 长寿区 in the v2021 template."""
    entry = next(
        e
        for e in world.reports
        if e["district"] == "长寿区" and e["kind"] == "district" and e["year"] == 2022
    )
    return entry["url"]


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def crawled(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Crawled]:
    world = build_world("small", seed=2026)  # a world of our own: it is revised below
    tmp_path = tmp_path_factory.mktemp(f"analysis-{request.param}")
    cleanup = None
    if request.param == "sqlite":
        db_url = f"sqlite:///{tmp_path / 'archive.sqlite3'}"
    else:
        admin = request.getfixturevalue("postgres_admin")
        db_url, schema = create_postgres_schema(admin)
        cleanup = (admin, schema)
    snapshot_dir = tmp_path / "snapshots"
    revised_url = _revised_report(world)
    with ReplicaServer(world) as server:
        crawl(world, server.proxy_url, db_url, snapshot_dir)
        world.revise(revised_url, REVISED_SENTENCE)
        crawl(world, server.proxy_url, db_url, snapshot_dir)
    yield Crawled(world, db_url, snapshot_dir, revised_url)
    if cleanup:
        drop_postgres_schema(*cleanup)


def _cli(crawled: Crawled, *args: str) -> str:
    env = {"REPORTS_DB": crawled.db_url, "REPORTS_SNAPSHOTS": str(crawled.snapshot_dir)}
    result = CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_search_by_district_and_year_returns_exactly_the_manifest_reports(crawled: Crawled) -> None:
    manifest = crawled.world.reports
    with crawled.open() as archive:
        for district, year in sorted({(e["district"], e["year"]) for e in manifest}):
            hits = search_reports(archive, None, ReportFilter(district=district, years=(year, year)))
            expected = {e["url"] for e in manifest if e["district"] == district and e["year"] == year}
            assert {hit.report.url for hit in hits} == expected, (district, year)


def test_search_cli_json_is_newest_first_with_the_documented_fields(crawled: Crawled) -> None:
    listed = json.loads(
        _cli(crawled, "search", "--district", "长寿区", "--years", "2019-2024", "--format", "json")
    )
    expected = [e for e in crawled.world.reports if e["district"] == "长寿区" and 2019 <= e["year"] <= 2024]
    assert len(listed) == len(expected)
    assert [row["year"] for row in listed] == sorted((row["year"] for row in listed), reverse=True)
    assert {
        "id",
        "url",
        "agency",
        "district",
        "year",
        "published",
        "status",
        "failed_checks",
        "snippet",
    } <= set(listed[0])


def _text_of(detail: Any) -> str:
    parts = [f"{heading}\n{text}" if heading else text for _, heading, text in detail.sections]
    return "\n".join([detail.view.title, *parts])


@pytest.mark.parametrize("query", QUERIES)
def test_chinese_query_finds_exactly_the_reports_whose_text_contains_it(crawled: Crawled, query: str) -> None:
    with crawled.open() as archive:
        details = [get_report(archive, view.id) for view in list_reports(archive)]
        expected = {detail.view.url for detail in details if detail and query in _text_of(detail)}
        hits = search_reports(archive, query)
    assert 0 < len(expected)
    assert {hit.report.url for hit in hits} == expected
    for hit in hits:
        assert hit.snippet and query in hit.snippet
        start, end = hit.highlights[0]
        assert hit.snippet[start:end] == query


def test_query_terms_must_all_occur(crawled: Crawled) -> None:
    with crawled.open() as archive:
        both = {hit.report.id for hit in search_reports(archive, "复议 新媒体")}
        first = {hit.report.id for hit in search_reports(archive, "复议")}
        second = {hit.report.id for hit in search_reports(archive, "新媒体")}
        assert both == first & second
        assert search_reports(archive, "没有这样的词语") == []


def _manifest_entry(world: World, district: str, year: int) -> dict[str, Any]:
    return next(
        e
        for e in world.reports
        if e["district"] == district and e["kind"] == "district" and e["year"] == year
    )


@pytest.mark.parametrize(
    ("district", "old_year", "new_year"), [("渝中区", 2022, 2023), ("沙坪坝区", 2020, 2021)]
)
def test_year_diff_shows_exactly_the_value_changes_of_the_manifest(
    crawled: Crawled, district: str, old_year: int, new_year: int
) -> None:
    old, new = (_manifest_entry(crawled.world, district, year)["values"] for year in (old_year, new_year))
    expected = {
        key: (old.get(key), new.get(key)) for key in old.keys() | new.keys() if old.get(key) != new.get(key)
    }
    payload = json.loads(_cli(crawled, "diff", district, str(old_year), str(new_year), "--json"))
    changed = {row["key"]: (row["old"], row["new"]) for row in payload["values"] if row["changed"]}
    assert changed == expected
    carried = {row["column"]: row for row in payload["carry_over"]}
    assert carried["total"]["carried_forward"] == old["requests.carried_forward.total"]
    assert carried["total"]["carried_over"] == new["requests.carried_over.total"]
    if old_year < 2021 <= new_year:
        assert {row["only_in"] for row in payload["values"]} >= {"v2019", "v2021"}


def test_diff_renders_for_the_terminal_and_as_a_self_contained_page(crawled: Crawled, tmp_path: Path) -> None:
    page = tmp_path / "diff.html"
    shown = _cli(crawled, "diff", "长寿区", "2021", "2022", "--html", str(page))
    assert "carry-over check" in shown and "Narrative" in shown
    assert max(len(line) for line in shown.splitlines()) <= 100
    html = page.read_text(encoding="utf-8")
    assert "Carry-over check" in html and "<script" not in html and "<link" not in html


def test_a_revised_report_shows_in_history_with_the_added_sentence(crawled: Crawled) -> None:
    history = json.loads(_cli(crawled, "history", crawled.revised_url, "--json"))
    assert len(history) == 2 and history[-1]["current"] and not history[0]["current"]
    assert history[0]["sha256"] != history[1]["sha256"]
    payload = json.loads(_cli(crawled, "diff", "--snapshots", crawled.revised_url, "--json"))
    sentences = [s for section in payload["sections"] for s in section["sentences"]]
    assert [s["text"] for s in sentences if s["change"] == "added"] == [REVISED_SENTENCE]
    assert [s["text"] for s in sentences if s["change"] == "removed"] == []
    assert [row for row in payload["values"] if row["changed"]] == []
    assert payload["carry_over"] is None


def test_snapshot_without_extraction_is_extracted_from_its_bytes(crawled: Crawled) -> None:
    with crawled.open() as archive:
        detail = report_detail(archive, crawled.revised_url)
        old, new = history_of(archive, detail)
        stored = snapshot_side(archive, detail, old, 1)
        fresh = snapshot_side(
            archive, detail, dataclasses.replace(old, extraction_id=None), 1, extract_report
        )
        assert fresh.label.endswith("extracted now")
        assert fresh.values == stored.values and fresh.sections == stored.sections
        diff = diff_reports(fresh, snapshot_side(archive, detail, new, 2))
    assert [added for section in diff.sections for added in section.added] == [REVISED_SENTENCE]


def test_export_round_trips_into_pandas(crawled: Crawled, tmp_path: Path) -> None:
    expected_rows = sum(len(entry["values"]) for entry in crawled.world.reports)
    csv_file, parquet_file = tmp_path / "values.csv", tmp_path / "values.parquet"
    _cli(crawled, "export", "-o", str(csv_file))
    _cli(crawled, "export", "--format", "parquet", "-o", str(parquet_file))
    from_csv = pandas.read_csv(csv_file)
    from_parquet = pandas.read_parquet(parquet_file)
    assert len(from_csv) == len(from_parquet) == expected_rows
    assert list(from_parquet.columns) == list(from_csv.columns)
    entry = _manifest_entry(crawled.world, "渝中区", 2023)
    rows = from_parquet[from_parquet["url"] == entry["url"]]
    exported = {
        key: (None if pandas.isna(value) else value) for key, value in zip(rows["key"], rows["value"])
    }
    assert exported == entry["values"]
    jsonl = _cli(
        crawled, "export", "--district", "渝中区", "--year", "2023", "--kind", "district", "--format", "jsonl"
    )
    assert len(jsonl.splitlines()) == len(entry["values"])


def test_series_lists_a_value_across_years_and_plots_it(crawled: Crawled, tmp_path: Path) -> None:
    key = "requests.new_received.total"
    payload = json.loads(
        _cli(crawled, "series", key, "--district", "渝中区", "--years", "2019-2025", "--json")
    )
    assert len(payload) == 1
    expected = {
        str(e["year"]): e["values"].get(key)
        for e in crawled.world.reports
        if e["district"] == "渝中区" and e["kind"] == "district" and 2019 <= e["year"] <= 2025
    }
    assert payload[0]["values"] == expected
    with crawled.open() as archive:
        assert len(list(value_rows(archive, ReportFilter(district="渝中区", kind="district"), [key]))) == len(
            expected
        )
    plot = tmp_path / "series.png"
    _cli(crawled, "series", key, "--plot", str(plot))
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def _body_sentences(world: World, url: str) -> list[str]:
    """Every sentence of a report's article body as the replica serves it (title, preamble, sections)."""
    from compare.sentences import split_sentences
    from extract.grid import parse_html
    from extract.sections import html_lines
    from replica.bodies import article_body

    article = next(article for article in world.articles if article.url == url)
    lines = html_lines(parse_html(article_body(world.seed, article)))
    return [sentence for line in lines for sentence in split_sentences(line.text)]


def test_every_sentence_of_every_report_body_is_found_by_search(crawled: Crawled) -> None:
    """Nothing of a body is unsearchable: the preamble and the closing lines are in the document."""
    unfound = []
    with crawled.open() as archive:
        for entry in crawled.world.reports:
            narrow = ReportFilter(district=entry["district"], years=(entry["year"], entry["year"]))
            for sentence in dict.fromkeys(_body_sentences(crawled.world, entry["url"])):
                hits = search_reports(archive, sentence, narrow, limit=None)
                if entry["url"] not in {hit.report.url for hit in hits}:
                    unfound.append((entry["url"], sentence))
    assert unfound == []


def test_failed_narrative_check_lists_exactly_the_planted_contradictions(crawled: Crawled) -> None:
    listed = json.loads(
        _cli(crawled, "search", "--failed-check", "narrative", "--limit", "0", "--format", "json")
    )
    expected = {entry["url"] for entry in crawled.world.reports if entry["prose_contradictions"]}
    assert len(expected) >= 3
    assert {row["url"] for row in listed} == expected
    everything = json.loads(
        _cli(crawled, "search", "--failed-check", "any", "--limit", "0", "--format", "json")
    )
    assert expected < {row["url"] for row in everything}


def test_show_and_diff_print_the_contradicting_sentence(crawled: Crawled) -> None:
    entry = next(e for e in crawled.world.reports if e["prose_contradictions"])
    [slip] = entry["prose_contradictions"]
    shown = _cli(crawled, "show", entry["url"])
    assert (
        f"FAILED narrative ({slip['quantity']}): expected {slip['table']:g}, found {slip['prose']:g}" in shown
    )
    assert f"{slip['prose']:g}件" in shown.split("FAILED narrative", 1)[1] or f"{slip['prose']:g}起" in shown
    with crawled.open() as archive:
        side = report_side(report_detail(archive, entry["url"]))
    diff = diff_json(diff_reports(side, side))
    [found] = diff["new"]["contradictions"]
    assert (found["quantity"], found["table"], found["prose"]) == (
        slip["quantity"],
        slip["table"],
        slip["prose"],
    )
    assert found["source"]


def test_pre2019_reports_carry_their_legacy_values_and_status(crawled: Crawled) -> None:
    legacy = [e for e in crawled.world.reports if e["template"] == "pre2019"]
    with crawled.open() as archive:
        for entry in legacy:
            detail = get_report(archive, entry["url"])
            assert detail is not None and detail.extraction is not None
            assert detail.view.status == entry["status"]
            assert dict(detail.extraction.values) == entry["values"]


def test_series_of_received_requests_runs_from_2014_with_legacy_years_marked(crawled: Crawled) -> None:
    key = "requests.new_received.total"
    [row] = json.loads(_cli(crawled, "series", key, "--district", "沙坪坝区", "--json"))
    expected = {
        str(e["year"]): e["values"].get(key, e["values"].get("legacy.requests.received"))
        for e in crawled.world.reports
        if e["district"] == "沙坪坝区" and e["kind"] == "district"
    }
    assert row["values"] == expected
    assert sorted(row["values"]) == [str(year) for year in range(2014, 2026)]
    assert row["legacy_years"] == list(range(2014, 2019))
    assert row["legacy_key"] == "legacy.requests.received"
    table = _cli(crawled, "series", key, "--district", "沙坪坝区")
    assert "2018*" in table and "legacy.requests.received" in table
