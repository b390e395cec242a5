"""Text extracted from real PDF reports (one table row per line, labels split, page numbers
inside tables): values are read where they can be without doubt, and none is wrong."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from extract.report import extract_report
from extract.rowtext import read_row_lines

HERE = Path(__file__).parent
NAMES = ["szfgs-2024", "hongze-2023", "hongze-2024"]


def _expected(name: str) -> dict[str, float | int | None]:
    path = HERE.parent / "browser" / "files" / name / "expected.json"
    return json.loads(path.read_text(encoding="utf-8"))["values"]


def _text(name: str) -> str:
    return (HERE / "pdftext" / f"{name}.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", NAMES)
def test_pdf_text_gives_no_wrong_value(name: str) -> None:
    result = extract_report(_text(name))
    expected = _expected(name)
    assert {key: value for key, value in result.values.items() if expected.get(key, "?") != value} == {}


@pytest.mark.parametrize(
    ("name", "at_least"), [("szfgs-2024", 190), ("hongze-2023", 170), ("hongze-2024", 170)]
)
def test_pdf_text_is_read_where_it_can_be(name: str, at_least: int) -> None:
    result = extract_report(_text(name))
    assert result.template == "v2021" and result.status == "partial"
    assert len(result.values) >= at_least


def test_row_whose_label_is_split_around_its_numbers() -> None:
    """szfgs 2024: "（二）部分公开（区分处理的，只计这一情" / numbers / "形，不计其他情形）"."""
    values = read_row_lines(_text("szfgs-2024"), "v2021").values
    assert values["requests.partially_granted.total"] == 454
    assert values["requests.not_processed.confirmation.total"] == 1
    assert values["appeals.review.total"] == 351
    assert values["disclosure.fees.amount"] == 96171.6


def test_numbers_above_their_label_and_group_letters_between() -> None:
    """hongze 2023 prints "1 0 0 0 0 0 1" above "1.属于国家秘密" and 三/、/本/年/度 down the side."""
    values = read_row_lines(_text("hongze-2023"), "v2021").values
    assert values["requests.denied.state_secret.total"] == 1
    assert values["requests.unable.not_held.total"] == 10
    assert values["requests.unable.needs_creation.total"] == 3
    assert "requests.denied.prohibited_by_law.total" not in values  # "其他法律行政止公开": garbled label


def test_a_row_named_twice_is_left_out() -> None:
    text = (
        "自然人 商业企业 科研机构 社会公益组织 法律服务机构 其他 总计\n"
        "一、本年新收政府信息公开申请数量 5 0 0 0 0 0 5\n"
        "1.本机关不掌握相关政府信息\n"
        "2 0 0 0 0 0 2\n"
        "1.本机关不掌握相关政府信息 3 0 0 0 0 0 3\n"
    )
    result = read_row_lines(text, "v2021")
    assert result.values["requests.new_received.total"] == 5
    assert "requests.unable.not_held.total" not in result.values
    assert any("named by two lines" in note for note in result.notes)


def test_no_header_no_table() -> None:
    assert read_row_lines("一、本年新收政府信息公开申请数量 5 0 0 0 0 0 5\n", "v2021").values == {}
