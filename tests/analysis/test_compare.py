"""The pure comparison functions: sentences, reuse, values, carry-over."""

from __future__ import annotations

from compare.reports import ReportSide, diff_json, diff_reports
from compare.sentences import diff_sentences, reused_share, split_sentences
from compare.values import compare_values
from reportformat import canonical_keys


def test_sentences_end_with_chinese_marks_and_line_breaks() -> None:
    text = "全年共收到申请13件。均已答复；无复议！是否公开？\n（二）依申请公开\n最后一句"
    assert split_sentences(text) == [
        "全年共收到申请13件。",
        "均已答复；",
        "无复议！",
        "是否公开？",
        "（二）依申请公开",
        "最后一句",
    ]


def test_sentence_diff_marks_added_and_removed() -> None:
    old = ["甲。", "乙。", "丙。"]
    new = ["甲。", "丁。", "丙。", "戊。"]
    changes = [(change.change, change.text) for change in diff_sentences(old, new)]
    assert changes == [
        ("same", "甲。"),
        ("removed", "乙。"),
        ("added", "丁。"),
        ("same", "丙。"),
        ("added", "戊。"),
    ]


def test_reused_share_counts_characters_of_verbatim_sentences() -> None:
    assert reused_share(["甲乙。", "丙。"], ["甲乙。", "新的。"]) == 3 / 6
    assert reused_share(["甲。"], []) is None


def test_values_side_by_side_with_change_percent_and_template_only_keys() -> None:
    old = {"requests.new_received.total": 10, "requests.other.total": 1}
    new = {"requests.new_received.total": 15, "requests.other.other.total": 2}
    rows = {row.key: row for row in compare_values(old, new, "v2019", "v2021")}
    assert set(rows) == set(old) | set(new)
    total = rows["requests.new_received.total"]
    assert (total.change, total.percent, total.only_in) == (5, 50.0, None)
    assert rows["requests.other.total"].only_in == "v2019"
    assert rows["requests.other.other.total"].only_in == "v2021"
    assert rows["requests.other.total"].change is None


def test_values_follow_the_printed_order_of_the_template() -> None:
    keys = canonical_keys("v2021")
    values = {key: 1 for key in reversed(keys)}
    assert [row.key for row in compare_values(values, values, "v2021", "v2021")] == keys


def _side(year: int, values: dict, text: str) -> ReportSide:
    return ReportSide(f"r{year}", year, "v2021", values, [(1, "一、总体情况", text), (6, "六、其他", "无。")])


def test_report_diff_runs_the_carry_over_check_with_the_earlier_year_first() -> None:
    earlier = _side(2021, {"requests.carried_forward.total": 4}, "甲。乙。")
    later = _side(2022, {"requests.carried_over.total": 3}, "甲。丙。")
    diff = diff_reports(later, earlier)  # given in reverse order
    assert [(check.where, check.ok, check.expected, check.actual) for check in diff.carry_over or []] == [
        ("total", False, 4, 3)
    ]
    same_year = diff_reports(earlier, _side(2021, {}, "甲。"))
    assert same_year.carry_over is None


def test_report_diff_sections_and_json() -> None:
    diff = diff_reports(_side(2021, {}, "甲。乙。"), _side(2022, {}, "甲。丙丙。"))
    first = diff.sections[0]
    assert (first.added, first.removed) == (["丙丙。"], ["乙。"])
    assert first.reused == 2 / 5
    payload = diff_json(diff)
    assert payload["sections"][0]["sentences"][1] == {"change": "removed", "text": "乙。"}
    assert payload["old"]["year"] == 2021 and payload["reused"] == (2 + 2) / (5 + 2)
