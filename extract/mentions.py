"""Numbers stated in running text, each with the clause that leads up to it and its sentence.

"全年共受理政府信息公开申请12件，其中同意公开8件" gives two mentions: clause
"全年共受理政府信息公开申请", 12 件; clause "其中同意公开", 8 件. A clause starts
after the last punctuation mark or number before the number. What the clause
is about is decided by the callers' phrase lists (reportformat), not here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol, TypeVar

from extract.text import Number

# Full-width digits and separators, folded one-to-one so that offsets stay valid.
_FOLD = str.maketrans("０１２３４５６７８９，．", "0123456789,.")
# A sentence ends at 。！？； or a line break.
_SENTENCE = re.compile(r"[^。！？；;\n]+[。！？；;]?")
# A number, an optional "余"/"多" (an approximation), an optional unit.
_NUMBER = re.compile(
    r"(?<![\d.,])(?P<digits>\d{1,3}(?:,\d{3})+|\d+)(?P<fraction>\.\d+)?"
    r"\s*(?P<approx>余|多)?\s*(?P<unit>万元|元|人次|件|条|起|宗|个|项|次|%|％)?"
)
# Where a clause begins: punctuation, brackets, or the end of an earlier number.
_CLAUSE_BREAK = re.compile(r"[，,。；;：:、（）()【】《》“”\"！？]")
_BLANK = re.compile(r"\s+")
# Words before a number that make it approximate or a bound: "约", "近", "超过".
_APPROXIMATE_BEFORE = re.compile(r"(?:约|近|将近|超过|逾|不足|不到|不少于|以上|达到近)$")
# "…申请805件（含上年度结转申请18件…）": a total that includes another quantity.
_INCLUDES_AFTER = re.compile(r"^\s*[（(，,]?\s*(?:含|包含|包括|其中含)")
_DIGIT = re.compile(r"\d")


@dataclass(frozen=True)
class Mention:
    """One number in the text: the clause before it, its value (money in 万元), unit and sentence."""

    clause: str
    value: Number
    unit: str
    sentence: str
    start: int  # span of the sentence in the text
    end: int
    decimals: int  # digits printed after the point (for rounding tolerance)
    includes_other: bool  # followed by "（含…" : a total that includes another quantity


def _value(digits: str, fraction: str | None, unit: str) -> Number:
    number = Decimal(digits.replace(",", "") + (fraction or ""))
    if unit == "元":
        number = number / 10000
    if number == number.to_integral_value() and not fraction and unit != "元":
        return int(number)
    return float(number)


def sentences(text: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, sentence) for every sentence of the text."""
    for match in _SENTENCE.finditer(text):
        sentence = match.group(0)
        stripped = sentence.strip()
        if stripped:
            offset = sentence.index(stripped[0])
            yield match.start() + offset, match.start() + offset + len(stripped), stripped


def mentions(text: str) -> list[Mention]:
    """Every exact number with a unit in the text (approximations and percentages left out)."""
    folded = text.translate(_FOLD)
    found = []
    for start, end, sentence in sentences(folded):
        clause_start = 0
        for match in _NUMBER.finditer(sentence):
            unit = match["unit"] or ""
            before = sentence[clause_start : match.start()]
            breaks = list(_CLAUSE_BREAK.finditer(before))
            clause = before[breaks[-1].end() :] if breaks else before
            clause_start = match.end()
            if not unit or unit in ("%", "％") or match["approx"] or _APPROXIMATE_BEFORE.search(clause):
                continue
            found.append(
                Mention(
                    clause=_BLANK.sub("", clause),
                    value=_value(match["digits"], match["fraction"], unit),
                    unit=unit,
                    sentence=text[start:end],
                    start=start,
                    end=end,
                    decimals=len(match["fraction"] or "") - 1 if match["fraction"] else 0,
                    includes_other=bool(_INCLUDES_AFTER.match(sentence[match.end() :])),
                )
            )
    return found


def numberless_clauses(text: str) -> Iterator[tuple[str, int, int, str]]:
    """(clause, sentence start, sentence end, sentence) for clauses that print no digit."""
    folded = text.translate(_FOLD)
    for start, end, sentence in sentences(folded):
        for clause in re.split(r"[，,；;。]", sentence):
            if clause.strip() and not _DIGIT.search(clause):
                yield clause.strip(), start, end, text[start:end]


class Phrased(Protocol):
    """Anything named by phrases: a legacy key or a prose quantity."""

    @property
    def prose(self) -> tuple[re.Pattern[str], ...]: ...

    @property
    def exclude(self) -> re.Pattern[str] | None: ...


T = TypeVar("T", bound=Phrased)


def about(clause: str, candidates: Sequence[T]) -> T | None:
    """The one candidate whose phrases name the clause; None when none or several do."""
    matched = [
        candidate
        for candidate in candidates
        if any(pattern.search(clause) for pattern in candidate.prose)
        and not (candidate.exclude and candidate.exclude.search(clause))
    ]
    return matched[0] if len(matched) == 1 else None
