"""Statistics of reports under the 2008 regulation: legacy keys from their tables and sentences.

Pre-2019 reports have no national table. Their numbers are read from rows of
their own statistics tables ("（一）收到申请数 | 件 | 12") and from sentences
("全年共受理政府信息公开申请12件，其中同意公开8件"), by the labels and phrases of
reportformat/legacy.yaml. The raw text of a value is its source (the row or the
sentence). Two sources that disagree make the key null; nothing is inferred.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache

from extract.grid import Grid
from extract.mentions import about, mentions, numberless_clauses
from extract.text import NotANumber, Number, bare, clean_text, holds_number, parse_money, parse_number
from reportformat.legacy import LegacyKey, legacy_keys

_COUNT_UNITS = frozenset(("件", "条", "个", "起", "宗", "项"))
_MONEY_UNITS = frozenset(("元", "万元"))
# "其中：同意公开答复数": a sub-row; the label is what follows.
_SUB_ROW = re.compile(r"^(?:其中)[:：]?")
# A zero statement qualified by an outcome says nothing about the count ("未被行政复议纠错").
_QUALIFIED_ZERO = re.compile(r"纠错|撤销|败诉|维持|确认违法|减免")
_UNIT_CELL = re.compile(r"^(?:件|条|个|项|次|人次|万元|元|%|％|起|宗)$")


@dataclass
class LegacyValues:
    """Legacy values read from one report: value (None when sources disagree) and source text."""

    values: dict[str, Number | None] = field(default_factory=dict)
    raw: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


@cache
def _table_labels() -> dict[str, LegacyKey]:
    return {bare(label): key for key in legacy_keys() for label in key.table}


def _row_label(text: str) -> str:
    return bare(_SUB_ROW.sub("", bare(text)))


def _table_row(grid: Grid, row: int) -> tuple[LegacyKey, Number | None, str] | None:
    """(key, value, row text) of a statistics-table row naming one legacy key.

    Raises NotANumber for a value cell that is not a number."""
    cells = grid.logical_row(row)
    labels = _table_labels()
    for index, text in enumerate(cells):
        if not text or holds_number(text):
            continue
        key = labels.get(_row_label(text))
        if key is None:
            continue
        rest = [cell.strip() for cell in cells[index + 1 :]]
        numbers = [cell for cell in rest if cell and holds_number(cell) and not _UNIT_CELL.match(cell)]
        if len(numbers) != 1:
            return None  # blank (not stated) or several figures (which one?)
        source = " | ".join(cells)
        if key.unit != "money":
            return key, parse_number(numbers[0]), source
        unit = next((cell for cell in rest if _UNIT_CELL.match(cell)), "")
        money_unit = "万元" if "万元" in text + unit else "元" if "元" in text + unit else None
        if money_unit is None and not numbers[0].endswith("元"):
            return None  # an amount whose unit the table does not say
        return key, parse_money(numbers[0], money_unit), source
    return None


def _from_tables(grids: Sequence[Grid], found: dict[str, list[tuple[Number, str]]], notes: list[str]) -> None:
    for grid in grids:
        for row in range(grid.n_rows):
            try:
                hit = _table_row(grid, row)
            except NotANumber:
                notes.append(f"legacy table row {' | '.join(grid.logical_row(row))!r}: not a number")
                continue
            if hit is None:
                continue
            key, value, source = hit
            if value is not None:
                found.setdefault(key.key, []).append((value, source))


def _from_prose(text: str, found: dict[str, list[tuple[Number, str]]]) -> None:
    keys = legacy_keys()
    for mention in mentions(text):
        if mention.includes_other:
            continue
        key = about(mention.clause, keys)
        if key is None:
            continue
        units = _MONEY_UNITS if key.unit == "money" else _COUNT_UNITS
        if mention.unit in units:
            found.setdefault(key.key, []).append((mention.value, mention.sentence))
    for clause, _start, _end, sentence in numberless_clauses(text):
        if _QUALIFIED_ZERO.search(clause):
            continue
        for key in keys:
            if key.zero is not None and key.zero.search(clause):
                found.setdefault(key.key, []).append((0, sentence))


def read_legacy(grids: Sequence[Grid], prose: str) -> LegacyValues:
    """Legacy values of one pre-2019 report from its tables and its running text."""
    result = LegacyValues()
    found: dict[str, list[tuple[Number, str]]] = {}
    _from_tables(grids, found, result.notes)
    _from_prose(clean_text_lines(prose), found)
    for key in (item.key for item in legacy_keys()):
        sources = found.get(key)
        if not sources:
            continue
        if len({value for value, _ in sources}) == 1:
            result.values[key] = sources[0][0]
            result.raw[key] = sources[0][1]
        else:
            result.values[key] = None
            result.raw[key] = " / ".join(dict.fromkeys(source for _, source in sources))
            shown = ", ".join(str(value) for value in dict.fromkeys(value for value, _ in sources))
            result.notes.append(f"{key}: the report states {shown}: left null")
    return result


def clean_text_lines(text: str) -> str:
    return "\n".join(clean_text(line) for line in text.splitlines())
