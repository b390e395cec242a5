"""Extraction of the real reports in files/, against values read off each document by hand."""

from __future__ import annotations

import pytest

from extract.report import EXTRACTOR_VERSION, extract_report
from tests.extract.real_reports import extraction, fixture, fixtures


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "report" in metafunc.fixturenames and "key" in metafunc.fixturenames:
        field = "raw" if "raw" in metafunc.function.__name__ else "values"
        cases = [(item.name, key) for item in fixtures() for key in item.expected[field]]
        metafunc.parametrize(("report", "key"), cases, ids=[f"{name}:{key}" for name, key in cases])
    elif "report" in metafunc.fixturenames:
        names = [item.name for item in fixtures()]
        metafunc.parametrize("report", names)


def test_fixtures_are_present() -> None:
    assert {item.name for item in fixtures()} == {
        "changshou-2020",
        "pingtan-2025",
        "shanghai-gov-office-2019",
        "shuyang-county-2025-ocr",
        "shuyang-fgj-2023",
    }


def test_template(report: str) -> None:
    assert extraction(report).template == fixture(report).expected["template"]
    assert extraction(report).template_finding is None


def test_template_with_reporting_year(report: str) -> None:
    expected = fixture(report).expected
    result = extract_report(fixture(report).document, year=expected["year"])
    assert (result.template, result.template_finding) == (expected["template"], None)


def test_value(report: str, key: str) -> None:
    expected = fixture(report).expected["values"][key]
    assert extraction(report).values.get(key, "not extracted") == expected


def test_raw_cell_text(report: str, key: str) -> None:
    assert extraction(report).raw[key] == fixture(report).expected["raw"][key]


def test_raw_beside_every_value(report: str) -> None:
    result = extraction(report)
    assert set(result.raw) == set(result.values)


def test_no_value_beyond_the_expected(report: str) -> None:
    assert set(extraction(report).values) == set(fixture(report).expected["values"])


def test_not_extracted_is_reported_missing(report: str) -> None:
    result = extraction(report)
    not_extracted = fixture(report).expected["not_extracted"]
    assert result.missing == not_extracted
    assert not set(not_extracted) & set(result.values)


def test_status(report: str) -> None:
    result = extraction(report)
    assert result.status == fixture(report).expected["status"]
    assert (result.reason is None) == (result.status == "complete")
    assert result.extractor_version == EXTRACTOR_VERSION


def test_section_headings(report: str) -> None:
    result = extraction(report)
    numbered = [section for section in result.sections if section.number]
    assert [section.heading for section in numbered] == fixture(report).expected["section_headings"]
    assert [section.number for section in result.sections] == [0, 1, 2, 3, 4, 5, 6]


def test_preamble_is_kept_without_the_site_around_it() -> None:
    """The text before 一、总体情况 (legal basis, statistics period, where to get it, contact) is section 0."""
    shanghai = extraction("shanghai-gov-office-2019").sections[0]
    assert (shanghai.number, shanghai.heading) == (0, "")
    assert "本年度报告中所列数据统计期限从2019年1月1日到12月31日止。" in shanghai.text
    fgj = extraction("shuyang-fgj-2023").sections[0].text
    assert fgj.startswith("根据《中华人民共和国政府信息公开条例》")
    assert "电话：0527—83593059" in fgj
    assert "采集时间" not in fgj  # the saving wrapper around the page is not the report


def test_checks_evaluated(report: str) -> None:
    identities = [check for check in extraction(report).checks if check.id != "narrative"]
    assert len(identities) == fixture(report).expected["checks"]["evaluated"]


def test_checks_failed(report: str) -> None:
    failed = sorted(
        [check.id, check.where]
        for check in extraction(report).checks
        if not check.ok and check.id != "narrative"
    )
    assert failed == sorted(fixture(report).expected["checks"]["failed"])


def test_narrative_checks(report: str) -> None:
    """What the prose states about the tables, read by hand: quantity, agrees, table, prose."""
    narrative = [
        [check.where, check.ok, check.expected, check.actual]
        for check in extraction(report).checks
        if check.id == "narrative"
    ]
    assert narrative == fixture(report).expected["checks"]["narrative"]


def test_shanghai_prose_contradicts_its_table() -> None:
    """上海 2019: "予以公开及部分公开258件" but table 三 prints 272 予以公开 and 3 部分公开."""
    [check] = [c for c in extraction("shanghai-gov-office-2019").checks if c.id == "narrative" and not c.ok]
    assert (check.where, check.expected, check.actual) == ("granted_and_partial", 275, 258)
    assert check.source and "予以公开及部分公开258件" in check.source


def test_tables_kept_as_grids(report: str) -> None:
    tables = extraction(report).tables
    assert tables
    assert all(
        len({len(row) for row in table}) == 1
        for table in tables
        if fixture(report).expected["form"] == "html"
    )


def test_shanghai_blank_total_column_is_not_evaluated() -> None:
    """总计 is blank for (一)…(六): a column of blanks says nothing, so the 805 total is not checked against it."""
    checks = extraction("shanghai-gov-office-2019").checks
    assert not [c for c in checks if c.id == "requests.outcomes_sum" and c.where == "total"]
    assert [c.ok for c in checks if c.id == "requests.outcomes_sum" and c.where == "natural_person"] == [True]


def test_section_text_stays_in_report_body() -> None:
    last = extraction("shuyang-fgj-2023").sections[-1]
    assert last.text.startswith("2023年度，县发展和改革局政府信息公开未发生收费情况。")
    assert last.text.endswith("2024年1月17日")


def test_section_text_excludes_tables() -> None:
    sections = {section.number: section for section in extraction("pingtan-2025").sections}
    assert sections[2].text == ""
    assert sections[5].text.startswith("2025年，我区政府信息公开工作取得了一定成绩")


def test_ocr_copy_names_why_cells_are_missing() -> None:
    result = extraction("shuyang-county-2025-ocr")
    assert "本年新收件数" in (result.reason or "")
