"""Statistics from text copies that keep one table row per line (text extracted from a PDF).

"（一）予以公开 1288 21 0 0 50 3 1362": a row label and the row's numbers on one line.
PDF text breaks the rest: labels split over lines, a row's numbers on a line of
their own above or below its label, group labels one character per line, page
numbers ("- 4 -") inside a table, a table cut in two by a page break. A line of
numbers is read only when it has exactly the template's cells for its row, in the
template's printed column order, and when its label is named without doubt: its
own text, else the unused label fragments just above it, else those and the
fragment just below. A row named twice is left out. Nothing is guessed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from extract.canonical import Extracted
from extract.text import bare, clean_text, compact, drop_annotations, holds_number
from reportformat import (
    appeal_columns,
    appeal_groups,
    disclosure_rows,
    request_columns,
    request_rows,
)

# A page number printed inside a table: "- 4 -", "—3—".
_PAGE_NUMBER = re.compile(r"^[-—–]\s*\d+\s*[-—–]$")
# An annotation cut off at the end of a line: "（二）部分公开（区分处理的，只计这一情".
_OPEN_ANNOTATION = re.compile(r"[（(][^）)]*$")
# Row texts this short must be the whole label ("3、其他", "（七）总计"), not its end.
_SHORT = 4


@dataclass(frozen=True)
class _Line:
    label: str
    numbers: tuple[str, ...]


def _split(line: str) -> _Line:
    tokens = line.split(" ")
    numbers: list[str] = []
    while tokens and holds_number(tokens[-1]) and tokens[-1].strip():
        numbers.insert(0, tokens.pop())
    return _Line(" ".join(tokens).strip(), tuple(numbers))


def _lines(text: str) -> list[_Line]:
    cleaned = (clean_text(line) for line in text.splitlines())
    return [_split(line) for line in cleaned if line and not _PAGE_NUMBER.match(line)]


def _label_text(label: str) -> str:
    """A label reduced for matching: annotations (closed or cut off) and punctuation dropped."""
    return compact(_OPEN_ANNOTATION.sub("", drop_annotations(label)))


@cache
def _request_row_texts(template: str) -> tuple[tuple[str, str], ...]:
    """(row key, the row's own label text) for table 三, e.g. ("denied.state_secret", "属于国家秘密")."""
    return tuple(
        (key, _label_text(bare(label.split(" ")[-1]))) for key, label in request_rows(template).items()
    )


def _request_row(candidate: str, template: str) -> str | None:
    """The one table-三 row whose label the candidate text ends with."""
    text = _label_text(candidate)
    own = bare(_OPEN_ANNOTATION.sub("", drop_annotations(candidate)))
    found = [
        key
        for key, row_text in _request_row_texts(template)
        if row_text and (own == row_text if len(row_text) < _SHORT else text.endswith(row_text))
    ]
    return found[0] if len(found) == 1 else None


def _read_requests(lines: Sequence[_Line], start: int, template: str, result: Extracted) -> int:
    """Table 三 from ``start`` (its first row) to 结转下年度继续办理; returns the line after it."""
    columns = list(request_columns())
    claimed: dict[str, tuple[str, ...] | None] = {}
    fragments: list[str] = []  # label text since the last row, not yet given to a row
    index = start
    end = len(lines)
    while index < len(lines):
        line = lines[index]
        index += 1
        if not line.numbers:
            fragments.append(line.label)
            continue
        if len(line.numbers) != len(columns):
            result.notes.append(
                f"text row {line.label!r}: {len(line.numbers)} numbers for {len(columns)} columns"
            )
            fragments.clear()
            continue
        key = _request_row(line.label, template) if line.label else None
        used = 0
        for count in range(1, len(fragments) + 1):
            if key:
                break
            key = _request_row("".join(fragments[-count:]) + line.label, template)
            used = count if key else 0
        following = index < len(lines) and not lines[index].numbers
        if key is None and following:
            key = _request_row("".join(fragments) + line.label + lines[index].label, template)
            if key:
                index += 1
                used = len(fragments)
        del fragments[len(fragments) - used :]
        if key is None:
            result.notes.append(f"text row {' '.join(line.numbers)!r}: no label names it without doubt")
            continue
        claimed[key] = None if key in claimed else line.numbers
        if key == "carried_forward":
            end = index
            break
    for key, numbers in claimed.items():
        if numbers is None:
            result.notes.append(f"text row {key}: named by two lines of numbers, left out")
            continue
        for column, raw in zip(columns, numbers, strict=True):
            result.put(f"requests.{key}.{column}", raw)
    return end


def _read_disclosure(lines: Sequence[_Line], template: str, result: Extracted) -> None:
    for line in lines:
        if not line.numbers or not line.label:
            continue
        rows = [row for row in disclosure_rows(template) if bare(line.label) == bare(row.label)]
        if len(rows) != 1 or len(line.numbers) != len(rows[0].columns):
            continue
        for column, raw in zip(rows[0].columns, line.numbers, strict=True):
            result.put(
                f"disclosure.{rows[0].name}.{column}", raw, money_header="万元", money=column == "amount"
            )


def _read_appeals(lines: Sequence[_Line], start: int, result: Extracted) -> None:
    """Table 四: its header names the three groups; the first line of 15 numbers is its row."""
    header = ""
    groups, columns = list(appeal_groups()), list(appeal_columns())
    for line in lines[start:]:
        if not line.numbers or line.label:
            header += compact(line.label + " ".join(line.numbers))
            continue
        if len(line.numbers) != len(groups) * len(columns):
            return
        if not all(
            compact(part) in header for label in appeal_groups().values() for part in label.split(" ")
        ):
            return
        for position, raw in enumerate(line.numbers):
            group, column = groups[position // len(columns)], columns[position % len(columns)]
            result.put(f"appeals.{group}.{column}", raw)
        return


def read_row_lines(text: str, template: str) -> Extracted:
    """Canonical values from text with one table row per line (see the module docstring)."""
    lines = _lines(text)
    result = Extracted()
    first_row = request_rows(template)["new_received"]
    start = next(
        (
            index
            for index, line in enumerate(lines)
            if line.numbers and _label_text(line.label).endswith(_label_text(bare(first_row)))
        ),
        None,
    )
    header_seen = start is not None and any(
        "自然人" in line.label for line in lines[max(0, start - 20) : start]
    )
    _read_disclosure(lines[:start] if start is not None else lines, template, result)
    if start is None or not header_seen:
        return result
    end = _read_requests(lines, start, template, result)
    review = compact(appeal_groups()["review"])
    appeals_at = next(
        (index for index in range(end, len(lines)) if review in compact(lines[index].label)), None
    )
    if appeals_at is not None:
        _read_appeals(lines, appeals_at, result)
    return result
