"""Bad input gives a clear status and reason, never an exception."""

from __future__ import annotations

import random
import time

from hypothesis import given, settings
from hypothesis import strategies as st

from extract.report import extract_report
from tests.extract.real_reports import fixture


def _shanghai() -> str:
    return fixture("shanghai-gov-office-2019").document.decode("utf-8")


def test_page_without_tables() -> None:
    result = extract_report("<html><body><p>2020年度政府信息公开工作年度报告</p><p>无内容</p></body></html>")
    assert result.status == "failed"
    assert result.reason and "UnknownLayout" in result.reason


def test_report_year_without_tables() -> None:
    result = extract_report("<p>本年新制作数量 对外公开总数量 采购项目数量</p><p>一、总体情况</p>", year=2020)
    assert result.status == "failed"
    assert result.reason and result.reason.startswith("TableNotFound")
    assert len(result.missing) == 198


def test_truncated_table_is_partial() -> None:
    html = _shanghai()
    cut = html.index("（五）不予处理")
    result = extract_report(html[:cut])
    assert result.status == "partial"
    assert result.values["requests.new_received.natural_person"] == 821
    assert "requests.total_processed.total" in result.missing
    assert "appeals.review.total" in result.missing
    assert result.reason and "not extracted" in result.reason


def test_checks_never_read_values_not_extracted() -> None:
    html = _shanghai()
    result = extract_report(html[: html.index("（七）总计")])
    assert all(check.id != "requests.balance" for check in result.checks)


def test_garbage_bytes() -> None:
    noise = random.Random(7).randbytes(200_000)
    result = extract_report(noise)
    assert result.status == "failed"
    assert result.values == {}


def test_empty_document() -> None:
    for document in (b"", "", b"\x00\x00"):
        assert extract_report(document).status == "failed"


def test_gbk_page_declared_utf8() -> None:
    html = _shanghai().replace("<p", '<meta charset="utf-8"><p', 1)
    result = extract_report(html.encode("gbk"))
    assert result.status == "complete"
    assert result.values["requests.new_received.total"] == 859


def test_utf8_page_declared_gb2312() -> None:
    html = '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">' + _shanghai()
    result = extract_report(html.encode("utf-8"), content_type="text/html; charset=gb2312")
    assert result.status == "complete"


def test_gbk_page_without_declared_charset() -> None:
    result = extract_report(_shanghai().encode("gb18030"))
    assert result.values["disclosure.procurement.amount"] == 25.1


def test_five_megabyte_page_finishes_quickly() -> None:
    html = _shanghai()
    filler = "<div><p>" + "政府信息公开" * 50 + "</p><span>&nbsp;</span></div>"
    padded = html + filler * (5_000_000 // len(filler.encode("utf-8")))
    assert len(padded.encode("utf-8")) >= 5_000_000
    started = time.perf_counter()
    result = extract_report(padded.encode("utf-8"))
    assert time.perf_counter() - started < 10
    assert result.status == "complete"


def test_huge_table_finishes_quickly() -> None:
    row = "<tr>" + "<td colspan=100 rowspan=1000>1</td>" * 20 + "</tr>"
    started = time.perf_counter()
    result = extract_report("<table>" + row * 3000 + "</table>", year=2021)
    assert time.perf_counter() - started < 10
    assert result.status == "failed"


def test_template_conflicting_with_year_is_a_finding() -> None:
    result = extract_report(_shanghai(), year=2022)
    assert result.template == "v2019"
    assert result.template_finding and "v2021" in result.template_finding


def test_pre2019_report_keeps_sections_and_grids() -> None:
    html = (
        "<p>2015年某区政府信息公开工作年度报告</p><p>一、概述</p><p>本年度……</p>"
        "<p>二、主动公开政府信息情况</p><table><tr><td>项目</td><td>数量</td></tr>"
        "<tr><td>主动公开</td><td>120</td></tr></table><p>三、依申请公开情况</p><p>共收到12件。</p>"
    )
    result = extract_report(html)
    # "主动公开 120" and "共收到12件" do not say what was counted: no legacy value, no guess.
    assert (result.template, result.status, result.missing) == ("pre2019", "no statistics", [])
    assert [section.heading for section in result.sections] == [
        "",
        "一、概述",
        "二、主动公开政府信息情况",
        "三、依申请公开情况",
    ]
    assert result.tables == [[["项目", "数量"], ["主动公开", "120"]]]
    assert result.values == {}


def test_text_cell_where_a_number_belongs_is_not_guessed() -> None:
    html = _shanghai().replace('<p align="center">524</p>', '<p align="center">见附件</p>')
    result = extract_report(html)
    assert "disclosure.regulations.total_public" in result.missing
    assert result.reason and "见附件" in result.reason


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "<table>",
                "</table>",
                "<tr>",
                "<td rowspan=3>",
                "<td colspan=0>",
                "</td>",
                "自然人",
                "总计",
                "（一）予以公开",
                "12",
                "-",
                "行政复议",
                "结果维持",
                "第二十条第（一）项",
                "规章",
                "<p>",
                "<br>",
                "一、总体情况",
                "本年制发件数",
                "\xa0",
                "\u3000",
            ]
        ),
        max_size=60,
    ),
    st.sampled_from([None, 2015, 2020, 2023]),
)
def test_fuzzed_documents_never_raise(parts: list[str], year: int | None) -> None:
    result = extract_report("".join(parts), year=year)
    assert result.status in ("complete", "partial", "failed", "legacy", "no statistics")
    assert not set(result.values) & set(result.missing)
