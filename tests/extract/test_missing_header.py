"""Table 二 rows whose block prints no column header: read by the template when the cell count fits.

The fixture is the real 上海 2019 report with the header rows (信息内容 | 上一年项目数量 | …)
of 第二十条第（五）、（六）、（八）项 left out, as a real 2019-format report prints them;
the expected values are the ones read by hand off the complete report.
"""

from __future__ import annotations

import re

from extract.canonical import read_disclosure
from extract.report import extract_report
from tests.extract.real_reports import fixture

_HEADER_ROW = re.compile(r"<tr>(?:(?!</tr>).)*?信息内容(?:(?!</tr>).)*?上一年项目数量(?:(?!</tr>).)*?</tr>")


def _without_headers() -> str:
    html = fixture("shanghai-gov-office-2019").document.decode("utf-8")
    cut, removed = _HEADER_ROW.subn("", html)
    assert removed == 3
    return cut


def test_rows_without_header_read_completely() -> None:
    result = extract_report(_without_headers())
    assert result.status == "complete" and result.missing == []
    assert result.values == fixture("shanghai-gov-office-2019").expected["values"]


def test_absent_header_is_recorded() -> None:
    reason = extract_report(_without_headers()).reason or ""
    for label in ("行政许可", "其他对外管理服务事项", "行政处罚", "行政强制", "行政事业性收费"):
        assert f"table 二 row '{label}': column header absent" in reason


def test_row_whose_cells_do_not_fit_the_template_is_not_read() -> None:
    rows = [["第二十条第（六）项"], ["行政处罚", "3", "4"], ["行政强制", "1", "2", "5"]]
    result = read_disclosure(rows, "v2019")
    assert "disclosure.penalty.prior_items" not in result.values
    assert result.values["disclosure.coercion.prior_items"] == 1
    assert result.values["disclosure.coercion.decisions"] == 5
    assert any("'行政处罚' has no column header" in note for note in result.notes)


def test_a_header_of_another_block_is_not_borrowed() -> None:
    """Rows of (五) under the header of (一) (block row and header both missing): template order."""
    rows = [
        ["第二十条第（一）项"],
        ["信息内容", "本年新制作数量", "本年新公开数量", "对外公开总数量"],
        ["规章", "1", "1", "9"],
        ["行政许可", "12", "-3", "40"],
    ]
    result = read_disclosure(rows, "v2019")
    assert result.values["disclosure.regulations.total_public"] == 9
    assert (
        result.values["disclosure.licensing.prior_items"],
        result.values["disclosure.licensing.change"],
        result.values["disclosure.licensing.decisions"],
    ) == (12, -3, 40)
