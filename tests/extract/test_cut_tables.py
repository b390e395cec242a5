"""Table 三 cut in two by a page break: the part below, without a header of its own, is read
with the header of the part above when it has exactly its width; otherwise it is not read."""

from __future__ import annotations

from extract.report import extract_report

_RULE = "|---|---|---|---|---|---|---|---|---|---|\n"
_HEADER = "| | | | 自然人 | 商业企业 | 科研机构 | 社会公益组织 | 法律服务机构 | 其他 | 总计 |\n" + _RULE
_DISCLOSURE = (
    "二、主动公开政府信息情况\n\n| 信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数 |\n"
    "|---|---|---|---|\n| 规章 | 0 | 0 | 0 |\n\n"
)


def _row(*labels_and_numbers: str) -> str:
    return "| " + " | ".join(labels_and_numbers) + " |\n"


def _copy(second_part_width: int = 10) -> str:
    new = "一、本年新收政府信息公开申请数量"
    part1 = _row(new, new, new, "10", "1", "0", "0", "0", "0", "11") + _row(
        "三、本年度办理结果", "（一）予以公开", "（一）予以公开", "6", "1", "0", "0", "0", "0", "7"
    )
    rows = [
        [
            "三、本年度办理结果",
            "（四）无法提供",
            "1.本机关不掌握相关政府信息",
            "3",
            "0",
            "0",
            "0",
            "0",
            "0",
            "3",
        ],
        ["三、本年度办理结果", "（七）总计", "（七）总计", "9", "1", "0", "0", "0", "0", "10"],
    ]
    cut = [row[10 - second_part_width :] for row in rows]
    part2 = _row(*cut[0]) + _RULE[: 4 * second_part_width + 1] + "\n" + _row(*cut[1])
    return (
        "2021年某局政府信息公开工作年度报告\n"
        + _DISCLOSURE
        + "三、收到和处理政府信息公开申请情况\n\n"
        + _HEADER
        + part1
        + "\n- 3 -\n\n"
        + part2
    )


def test_the_part_below_a_page_break_is_read_with_the_header_above() -> None:
    result = extract_report(_copy(), year=2021)
    assert result.values["requests.granted.total"] == 7
    assert result.values["requests.unable.not_held.natural_person"] == 3
    assert result.values["requests.total_processed.commercial"] == 1
    assert result.values["requests.total_processed.total"] == 10
    assert "header of the part above used" in (result.reason or "")


def test_a_part_of_another_width_is_not_read() -> None:
    result = extract_report(_copy(second_part_width=9), year=2021)
    assert result.values["requests.granted.total"] == 7
    assert "requests.unable.not_held.natural_person" not in result.values
    assert "requests.total_processed.total" not in result.values
