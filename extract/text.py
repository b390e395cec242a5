"""Label normalisation and number parsing for report cells.

Real reports print the template's labels with half- or full-width brackets,
stray spaces, ``&nbsp;`` padding, straight or curly quotes and annotations in
parentheses; cells hold numbers with units, signs and thousands separators.
Everything here is a pure function of a string.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal
from functools import lru_cache

Number = int | float

# Characters that render as blank: no-break space, ideographic space, zero-width
# marks and the BOM that Word-exported pages scatter through cells.
_BLANKS = str.maketrans({"\xa0": " ", "\u3000": " ", "\u200b": "", "\u200c": "", "\u200d": "", "\ufeff": ""})

# Everything that is not a letter, digit or CJK character is dropped from a
# compact label, so "（三）不予公开 1.属于国家秘密" and "(三)不予公开1．属于国家秘密" agree.
_PUNCTUATION = re.compile(r"[\W_]+", re.UNICODE)

# An ordinal printed before a label: "一、", "（三）", "(3)", "1.", "2．" …
_CN_NUMERALS = "一二三四五六七八九十"
_LEADING_ORDINAL = re.compile(
    rf"^\s*(?:[（(]\s*[{_CN_NUMERALS}\d]+\s*[)）]|[{_CN_NUMERALS}]+\s*[、.．，,]|\d+\s*[、.．，,](?!\d))\s*"
)
# An annotation in brackets that is not an ordinal: "（区分处理的，只计这一情形…）", "（单位：万元）".
_ANNOTATION = re.compile(rf"[（(](?![{_CN_NUMERALS}\d]+[)）])[^（()）]*[)）]")

# Cells that hold no number on purpose: blank, dashes, slash, "无" (none).
_NULL_MARKERS = {"", "-", "--", "—", "——", "–", "－", "/", "／", "无", "\\", "空", "…"}

# A printed number: optional sign (ASCII or full-width, or the words 增加/减少),
# digits with optional thousands separators and decimals, optional unit.
_NUMBER = re.compile(
    r"^(?P<word>增加|增长|增|减少|下降|减)?\s*(?P<sign>[+\-])?\s*"
    r"(?P<digits>\d{1,3}(?:,\d{3})+|\d+)(?P<fraction>\.\d+)?\s*"
    r"(?P<unit>万元|元|件|个|条|项|次|宗|起|人次|家|批)?$"
)


class NotANumber(ValueError):
    """A cell that holds text which is neither a number nor a blank marker."""


def clean_text(text: str) -> str:
    """Collapse every run of blanks (incl. ``&nbsp;`` and full-width spaces) to one space."""
    for mark in ("\u200b", "\u200c", "\u200d", "\ufeff"):
        if mark in text:
            text = text.replace(mark, "")
    return " ".join(text.split())


@lru_cache(maxsize=1 << 16)
def compact(label: str) -> str:
    """A label reduced to its letters and digits, width-folded: the key labels are compared on."""
    return _PUNCTUATION.sub("", unicodedata.normalize("NFKC", label.translate(_BLANKS)))


def drop_annotations(label: str) -> str:
    """Remove bracketed annotations that are not ordinals ("（单位：万元）", "（区分处理的…）")."""
    previous = None
    while previous != label:
        previous, label = label, _ANNOTATION.sub("", label)
    return label


def drop_ordinal(label: str) -> str:
    """Remove a leading ordinal ("一、", "（三）", "1.")."""
    return _LEADING_ORDINAL.sub("", unicodedata.normalize("NFKC", label.translate(_BLANKS)), count=1)


@lru_cache(maxsize=1 << 16)
def essence(label: str) -> str:
    """Compact label without annotations: ``（二）部分公开（区分处理的…）`` -> ``二部分公开``."""
    return compact(drop_annotations(unicodedata.normalize("NFKC", label.translate(_BLANKS))))


@lru_cache(maxsize=1 << 16)
def bare(label: str) -> str:
    """Compact label without annotations nor leading ordinal: ``（二）部分公开（…）`` -> ``部分公开``."""
    return compact(drop_ordinal(drop_annotations(unicodedata.normalize("NFKC", label.translate(_BLANKS)))))


@lru_cache(maxsize=1 << 16)
def ordinal(label: str) -> str | None:
    """The leading ordinal of a label, compacted ("（三）不予公开" -> "三"), or None."""
    match = _LEADING_ORDINAL.match(unicodedata.normalize("NFKC", label.translate(_BLANKS)))
    return compact(match.group(0)) if match else None


@lru_cache(maxsize=1 << 16)
def labels_match(candidate: str, label: str) -> bool:
    """Whether a printed label is the template's label, allowing the usual variations."""
    if not candidate:
        return False
    if compact(candidate) == compact(label) or essence(candidate) == essence(label):
        return True
    core = bare(candidate)
    return bool(core) and core == bare(label)


def compact_spaces(raw: str) -> str:
    return unicodedata.normalize("NFKC", raw.translate(_BLANKS)).replace(" ", "").strip()


def _to_number(digits: str, fraction: str | None) -> Decimal:
    return Decimal(digits.replace(",", "") + (fraction or ""))


def _as_python(value: Decimal, keep_float: bool) -> Number:
    if not keep_float and value == value.to_integral_value():
        return int(value)
    return float(value)


_NOT_A_NUMBER = object()


@lru_cache(maxsize=1 << 16)
def _parsed(raw: str) -> object:
    try:
        return _parse_number(raw)
    except NotANumber:
        return _NOT_A_NUMBER


def parse_number(raw: str) -> Number | None:
    """The number a cell holds, or None for a blank marker; raises NotANumber for other text.

    Signs are kept ("-375" -> -375, "+378" -> 378, "减少12" -> -12); units are dropped
    (use :func:`parse_money` where the unit matters).
    """
    value = _parsed(raw)
    if value is _NOT_A_NUMBER:
        raise NotANumber(raw)
    return value  # type: ignore[return-value]


def _parse_number(raw: str) -> Number | None:
    """The number a cell holds, or None for a blank marker; raises NotANumber for other text.

    Signs are kept ("-375" -> -375, "+378" -> 378, "减少12" -> -12); units are dropped
    (use :func:`parse_money` where the unit matters).
    """
    text = compact_spaces(raw)
    if text in _NULL_MARKERS:
        return None
    match = _NUMBER.match(text)
    if not match:
        raise NotANumber(raw)
    value = _to_number(match["digits"], match["fraction"])
    if match["sign"] == "-" or (match["word"] or "").startswith(("减", "下")):
        value = -value
    return _as_python(value, keep_float=bool(match["fraction"]))


def money_unit(header: str) -> str | None:
    """The money unit a column header declares ("本年收费金额（单位：万元）" -> "万元")."""
    text = compact_spaces(header)
    if "万元" in text:
        return "万元"
    if "元" in text:
        return "元"
    return None


def parse_money(raw: str, header_unit: str | None = None) -> Number | None:
    """An amount in 万元: "251000元" -> 25.1, "47222.14万元" -> 47222.14.

    A bare number takes the unit of its column header; with no unit anywhere it
    stays as printed (the template's unit is 万元).
    """
    text = compact_spaces(raw)
    if text in _NULL_MARKERS:
        return None
    match = _NUMBER.match(text)
    if not match or match["unit"] not in (None, "万元", "元"):
        raise NotANumber(raw)
    value = _to_number(match["digits"], match["fraction"])
    if match["sign"] == "-" or (match["word"] or "").startswith(("减", "下")):
        value = -value
    unit = match["unit"] or header_unit
    if unit == "元":
        return _as_python(value / Decimal(10000), keep_float=True)
    return _as_python(value, keep_float=bool(match["fraction"]))


def holds_number(raw: str) -> bool:
    """Whether a cell is a value cell (a number or a blank marker) rather than a label."""
    return _parsed(raw) is not _NOT_A_NUMBER
