"""Legacy values of reports under the 2008 regulation, from their tables and their sentences.

legacy/rebuilt-2016.html is a 2016 office report rebuilt in the wording and with the
statistics table (政府信息公开情况统计表) of real 2015-2018 reports; the values below are
read off it by hand.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from extract.legacy import read_legacy
from extract.report import extract_report
from reportformat.legacy import legacy_counterpart, legacy_keys

REBUILT = Path(__file__).parent / "legacy" / "rebuilt-2016.html"
BY_HAND = {
    "legacy.disclosure.total": 2356,
    "legacy.disclosure.website": 2102,
    "legacy.disclosure.normative": 14,
    "legacy.requests.received": 47,
    "legacy.requests.answered": 45,
    "legacy.requests.granted": 21,
    "legacy.requests.partially_granted": 5,
    "legacy.requests.denied": 3,
    "legacy.requests.not_held": 7,
    "legacy.requests.not_competent": 3,
    "legacy.requests.already_public": 6,
    "legacy.appeals.review": 1,
    "legacy.appeals.litigation": 0,
    "legacy.fees.amount": 0,
}
# Without its table the prose states all but the 规范性文件 count and the website count
# (it names "区政府公众信息网", not a 网站).
PROSE_ONLY = {
    key: value
    for key, value in BY_HAND.items()
    if key not in ("legacy.disclosure.normative", "legacy.disclosure.website")
}


def _document(table: bool = True) -> str:
    html = REBUILT.read_text(encoding="utf-8")
    return html if table else re.sub(r"<table.*?</table>", "", html, flags=re.DOTALL)


def test_table_and_prose_read_by_hand() -> None:
    result = extract_report(_document())
    assert (result.template, result.status, result.reason) == ("pre2019", "legacy", None)
    assert result.values == BY_HAND
    assert result.raw["legacy.requests.received"] == "（一）收到申请数 | 件 | 47"


def test_prose_alone() -> None:
    result = extract_report(_document(table=False))
    assert result.values == PROSE_ONLY
    assert result.raw["legacy.requests.granted"].startswith("在已答复的申请中")
    assert result.raw["legacy.appeals.litigation"] == "未发生因政府信息公开提起行政诉讼的情况。"


def test_sources_that_disagree_leave_the_key_null() -> None:
    html = _document().replace("共受理政府信息公开申请47件", "共受理政府信息公开申请48件")
    result = extract_report(html)
    assert result.values["legacy.requests.received"] is None
    assert result.values["legacy.requests.granted"] == 21
    assert result.reason and "legacy.requests.received: the report states 47, 48" in result.reason


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        (
            "全年共受理政府信息公开申请12件，其中同意公开8件。",
            {"legacy.requests.received": 12, "legacy.requests.granted": 8},
        ),
        (
            "收到依申请公开申请3件，予以公开2件，部分公开1件。",
            {
                "legacy.requests.received": 3,
                "legacy.requests.granted": 2,
                "legacy.requests.partially_granted": 1,
            },
        ),
        (
            "不同意公开1件，非本机关职责范围2件。",
            {"legacy.requests.denied": 1, "legacy.requests.not_competent": 2},
        ),
        ("共收取复制费用120元。", {"legacy.fees.amount": 0.012}),
        ("本年度没有发生因政府信息公开申请提起行政复议的情况。", {"legacy.appeals.review": 0}),
        ("未被行政复议纠错。", {}),  # says nothing about how many reviews there were
        ("行政复议和行政诉讼均为0件。", {}),  # which one?
        ("其中网上申请5件，信函申请7件。", {}),  # channels, not the total
        ("截至年底，累计主动公开政府信息18754条。", {}),  # cumulative, not the year's
        ("共受理政府信息公开申请100余件。", {}),  # approximate
        ("受理申请数较上年增加12件。", {}),  # a change
    ],
)
def test_sentences(sentence: str, expected: dict[str, float]) -> None:
    assert read_legacy([], sentence).values == expected


def test_every_legacy_key_has_table_labels_and_phrases() -> None:
    for key in legacy_keys():
        assert key.table and key.prose and key.unit in ("count", "money"), key.key
    assert legacy_counterpart("requests.new_received.total") == "legacy.requests.received"
    assert legacy_counterpart("appeals.review.total") == "legacy.appeals.review"
    assert legacy_counterpart("disclosure.fees.amount") is None
