"""The search document follows a report's current extraction; the pair index never loses a match."""

from __future__ import annotations

import pytest

from storage import search
from storage.archive import Archive
from storage.filters import ReportFilter
from storage.records import ExtractionRecord
from storage.search import search_reports
from storage.search_index import bigrams, rebuild_search_documents
from tests.storage.builders import add_units, fetch_page, report_record

URL = "http://www.wz.gov.cn/zwgk_266/zfxxgknb/202401/t20240115_1.html"


def _extraction(version: str, *texts: str) -> ExtractionRecord:
    sections = [(number, f"第{number}部分", text) for number, text in enumerate(texts, start=1)]
    return ExtractionRecord(version, "complete", "2021", sections=sections)


def _found(archive: Archive, query: str, **wanted: object) -> list[int]:
    return [hit.report.id for hit in search_reports(archive, query, ReportFilter(**wanted))]  # type: ignore[arg-type]


def _revise(archive: Archive, minutes: int, body: bytes, *texts: str) -> int:
    fetched = fetch_page(archive, URL, body, minutes=minutes)
    assert fetched.snapshot_id is not None
    report_id = archive.upsert_report(report_record(fetched.snapshot_id)).report_id
    archive.save_extraction(report_id, fetched.snapshot_id, _extraction("1.0", *texts))
    return report_id


def test_search_follows_a_revised_report_to_its_new_text(archive: Archive) -> None:
    add_units(archive)
    report_id = _revise(archive, 0, b"<html>first</html>", "开展政府开放日活动，邀请群众观摩。", "")

    assert _found(archive, "观摩") == [report_id]
    assert _found(archive, "开放日") == [report_id]
    assert _found(archive, "复议") == []

    _revise(archive, 60, b"<html>revised</html>", "因答复不规范引发行政复议3件。")

    assert _found(archive, "复议") == [report_id]
    assert _found(archive, "行政复议 3件") == [report_id]
    assert _found(archive, "观摩") == []
    assert _found(archive, "开放日") == []
    assert _found(archive, "年度报告", district="万州区") == [report_id]


def test_terms_do_not_match_across_sections_or_the_title(archive: Archive) -> None:
    add_units(archive)
    report_id = _revise(archive, 0, b"<html>one</html>", "主动公开", "政府信息")

    assert _found(archive, "公开政府") == []
    assert _found(archive, "报告主动") == []
    assert _found(archive, "公开 政府") == [report_id]


@pytest.mark.parametrize("query", ["“三审三校”", "a'b\\c", "(一)", "——", "审", "A&B"])
def test_punctuation_quotes_and_single_characters_match_as_substrings(archive: Archive, query: str) -> None:
    add_units(archive)
    report_id = _revise(archive, 0, b"<html>one</html>", f"落实{query}制度")

    assert _found(archive, query) == [report_id]
    assert _found(archive, query + "X") == []


def test_rebuild_gives_the_same_results(archive: Archive) -> None:
    add_units(archive)
    report_id = _revise(archive, 0, b"<html>one</html>", "政务公开标准化规范化")
    with archive.engine.begin() as connection:
        rebuild_search_documents(connection)

    assert _found(archive, "标准化") == [report_id]
    assert _found(archive, "规范") == [report_id]


def test_bigrams_skip_pairs_with_whitespace() -> None:
    assert bigrams("政务 公开x") == ["政务", "公开", "开x"]


def test_snippet_comes_from_the_first_section_with_the_term_else_the_title(archive: Archive) -> None:
    add_units(archive)
    _revise(archive, 0, b"<html>one</html>", "无关内容", "第一行\n收到行政复议申请2件，复议维持1件")

    [in_section] = search_reports(archive, "复议 维持")
    [in_title] = search_reports(archive, "年度报告")

    assert (in_section.where, in_section.snippet) == ("第2部分", "第一行 收到行政复议申请2件，复议维持1件")
    assert in_section.highlights == ((8, 10), (15, 17), (17, 19))
    assert (in_title.where, in_title.snippet) == ("title", "万州区人民政府2023年政府信息公开工作年度报告")


@pytest.mark.parametrize(("common", "few"), [(0, 0), (10**9, 0), (0, 10**9)])
def test_every_plan_finds_the_same_reports(
    archive: Archive, monkeypatch: pytest.MonkeyPatch, common: int, few: int
) -> None:
    """Reading in order (common terms), checking the filtered reports (selective filters) and
    narrowing by the index all apply the same exact check."""
    monkeypatch.setattr(search, "COMMON_CANDIDATES", common)
    monkeypatch.setattr(search, "FEW_REPORTS", few)
    add_units(archive)
    report_id = _revise(archive, 0, b"<html>one</html>", "开展政府开放日活动，邀请群众观摩。")

    for wanted in ({}, {"district": "万州区", "years": (2020, 2024)}):
        for query in ("观摩", "开放日", "政府开放日活动", "公开", "开放日 观摩"):
            hits = search.search_reports(archive, query, ReportFilter(**wanted), limit=10)  # type: ignore[arg-type]
            assert [hit.report.id for hit in hits] == [report_id]
        assert search.search_reports(archive, "日开放", ReportFilter(**wanted), limit=10) == []  # type: ignore[arg-type]


def test_a_heading_is_searchable_and_is_its_own_snippet(archive: Archive) -> None:
    add_units(archive)
    _revise(archive, 0, b"<html>one</html>", "无关内容")

    [hit] = search_reports(archive, "第1部分")

    assert (hit.where, hit.snippet, hit.highlights) == ("第1部分", "第1部分", ((0, 4),))
