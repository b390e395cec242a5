"""Label normalisation and number parsing."""

from __future__ import annotations

import pytest

from extract.text import (
    NotANumber,
    bare,
    clean_text,
    compact,
    essence,
    labels_match,
    parse_money,
    parse_number,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("13", 13),
        ("  102 ", 102),
        ("\xa0", None),
        ("", None),
        ("-", None),
        ("—", None),
        ("——", None),
        ("/", None),
        ("无", None),
        ("-375", -375),
        ("+378", 378),
        ("减少12", -12),
        ("增加7", 7),
        ("1,234", 1234),
        ("１２", 12),
        ("4166.241619", 4166.241619),
        ("26件", 26),
    ],
)
def test_parse_number(raw: str, expected: float | None) -> None:
    value = parse_number(raw)
    assert value == expected
    assert type(value) is type(expected)


@pytest.mark.parametrize("raw", ["见附件", "1.属于国家秘密", "12（含3件）", "abc"])
def test_text_is_not_a_number(raw: str) -> None:
    with pytest.raises(NotANumber):
        parse_number(raw)


@pytest.mark.parametrize(
    ("raw", "header_unit", "expected"),
    [
        ("251000元", None, 25.1),
        ("47222.14万元", None, 47222.14),
        ("4068.208", "万元", 4068.208),
        ("5000", "元", 0.5),
        ("0", "万元", 0),
        ("", "万元", None),
    ],
)
def test_parse_money_in_wan_yuan(raw: str, header_unit: str | None, expected: float | None) -> None:
    assert parse_money(raw, header_unit) == expected


def test_clean_text_collapses_nbsp_and_ideographic_spaces() -> None:
    assert clean_text("公益 \xa0 \xa0\u3000组织\u200b ") == "公益 组织"


@pytest.mark.parametrize(
    ("printed", "label"),
    [
        ("(三)不予公开", "（三）不予公开"),
        ("1. 属于国家秘密", "1.属于国家秘密"),
        ('3.危及"三安全一稳定"', "3.危及“三安全一稳定”"),
        (
            "(二)部分公开(区分处理的只计这一情形不计其他情形)",
            "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
        ),
        (
            "部分公开 (区分处理的, 只计这一情形, 不计其他情形)",
            "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
        ),
        ("社会 公益 组织", "社会公益组织"),
        ("本年收费金额（单位：万元）", "本年收费金额"),
    ],
)
def test_labels_match_printed_variants(printed: str, label: str) -> None:
    assert labels_match(printed, label)


@pytest.mark.parametrize(
    ("printed", "label"), [("其他", "法人或其他组织"), ("总计", "（七）总计 1.x"), ("", "规章")]
)
def test_labels_do_not_match_other_labels(printed: str, label: str) -> None:
    assert not labels_match(printed, label)


def test_label_keys() -> None:
    label = "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"
    assert compact("（三）不予公开 1.属于国家秘密") == "三不予公开1属于国家秘密"
    assert essence(label) == "二部分公开"
    assert bare(label) == "部分公开"
