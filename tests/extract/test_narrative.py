"""Narrative checks: what the prose states about the tables, and what it states with doubt."""

from __future__ import annotations

import pytest

from extract.narrative import narrative_checks
from extract.sections import Section
from reportformat import canonical_keys

TABLE = {key: 0 for key in canonical_keys("v2021")} | {
    "requests.new_received.natural_person": 12,
    "requests.new_received.total": 12,
    "requests.granted.natural_person": 8,
    "requests.granted.total": 8,
    "appeals.review.total": 2,
    "appeals.litigation_direct.total": 1,
    "appeals.litigation_after_review.total": 1,
}


def _checks(prose: str, values: dict | None = None) -> list[tuple[str, bool, float, float]]:
    sections = [Section(1, "一、总体情况", prose)]
    return [
        (c.where, c.ok, c.expected, c.actual) for c in narrative_checks(sections, values or TABLE, "v2021")
    ]


def test_agreeing_and_contradicting_prose() -> None:
    assert _checks(
        "全年共收到政府信息公开申请12件，予以公开9件。因政府信息公开引发行政复议2件，行政诉讼2件。"
    ) == [
        ("received", True, 12, 12),
        ("granted", False, 8, 9),
        ("reviews", True, 2, 2),
        ("suits", True, 2, 2),
    ]


@pytest.mark.parametrize(
    "prose",
    [
        "共收到政府信息公开申请13件（含上年结转1件）。",  # a total that includes another quantity
        "全区共收到政府信息公开申请130件。",  # the whole district, not this report's table
        "共收到政府信息公开申请10余件。",  # approximate
        "收到申请数较上年增加3件。",  # a change
        "其中网上收到申请5件。",  # a subset
        "共收到政府信息公开申请13件。……本年度收到政府信息公开申请14件。",  # two numbers: which?
    ],
)
def test_doubtful_statements_raise_no_check(prose: str) -> None:
    assert [check for check in _checks(prose) if check[0] == "received"] == []


def test_a_quantity_the_table_leaves_blank_or_lacks_is_not_checked() -> None:
    blank = dict(TABLE) | {key: None for key in TABLE if key.startswith("requests.granted.")}
    assert _checks("予以公开9件。", blank) == []
    lacking = {key: value for key, value in TABLE.items() if not key.startswith("requests.granted.")}
    assert _checks("予以公开9件。", lacking) == []


def test_the_sentence_and_its_span_are_the_source() -> None:
    sections = [Section(1, "一、总体情况", "概述。全年共收到政府信息公开申请11件。")]
    [check] = narrative_checks(sections, TABLE, "v2021")
    assert check.source == "一、总体情况 [3:20] 全年共收到政府信息公开申请11件。"
