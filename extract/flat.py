"""Statistics from reports that reach us as text: tables flattened one cell per
line (a page copied as text), or Markdown made by OCR of a PDF.

Flattened text has lost the table's two dimensions. Rows are rebuilt from
their labels (a row label followed by its value lines); a two-level header
(法人或其他组织 over five columns) cannot be rebuilt from reading order, so once
every column label of the template has been seen in the header, values are
taken in the template's printed column order. A row whose value count does not
fit is left out, never guessed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from extract.canonical import (
    Extracted,
    LabelledRow,
    _applicant_column,
    _is_block,
    _match_disclosure_row,
    match_request_row,
    read_disclosure,
    read_requests,
)
from extract.grid import Grid
from extract.text import clean_text, compact, holds_number, labels_match
from reportformat import appeal_columns, appeal_groups, disclosure_rows, request_columns

_MARKDOWN_ROW = re.compile(r"^\s*\|.*\|\s*$")
_MARKDOWN_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
_MARKDOWN_HEADING = re.compile(r"^\s*#{1,6}\s+(?P<text>.+?)\s*#*\s*$")
# A sub-row label under a group: "1.属于国家秘密", "2. 重复申请".
_SUB_ROW = re.compile(r"^\d+\s*[.．、]")


def looks_like_markdown(text: str) -> bool:
    return any(_MARKDOWN_RULE.match(line) and "|" in line for line in text.splitlines())


def _split_markdown_row(line: str) -> list[str]:
    inner = line.strip()
    inner = inner.removeprefix("|")
    inner = inner.removesuffix("|")
    return [clean_text(cell) for cell in inner.split("|")]


def _grid_from_rows(rows: Sequence[Sequence[str]]) -> Grid:
    width = max((len(row) for row in rows), default=0)
    cells = tuple(tuple(row) + ("",) * (width - len(row)) for row in rows)
    origins, next_id = [], 0
    for row in rows:
        origins.append(tuple(range(next_id, next_id + len(row))) + (-1,) * (width - len(row)))
        next_id += len(row)
    return Grid(cells=cells, origins=tuple(origins))


def markdown_tables(text: str) -> list[tuple[Grid, list[str]]]:
    """Pipe tables as grids, each with the Markdown heading printed above it as context."""
    tables: list[tuple[Grid, list[str]]] = []
    heading: str | None = None
    rows: list[list[str]] = []
    context: list[str] = []

    def close() -> None:
        if rows:
            tables.append((_grid_from_rows(rows), list(context)))
            rows.clear()

    for line in text.splitlines():
        if _MARKDOWN_ROW.match(line):
            if not rows:
                context = [heading] if heading else []
            if not _MARKDOWN_RULE.match(line):
                rows.append(_split_markdown_row(line))
            continue
        close()
        match = _MARKDOWN_HEADING.match(line)
        if match:
            heading = clean_text(match["text"])
    close()
    return tables


def prose_lines(text: str) -> list[str]:
    """Markdown without its tables and heading marks, one cleaned line per text line."""
    lines = []
    for line in text.splitlines():
        if _MARKDOWN_ROW.match(line):
            continue
        match = _MARKDOWN_HEADING.match(line)
        cleaned = clean_text(match["text"] if match else line)
        if cleaned:
            lines.append(cleaned)
    return lines


# ---------------------------------------------------------------- one cell per line


def _value_run(lines: Sequence[str], start: int) -> list[str]:
    run = []
    for line in lines[start:]:
        if not holds_number(line):
            break
        run.append(line)
    return run


def _first(lines: Sequence[str], start: int, predicate) -> int | None:  # type: ignore[no-untyped-def]
    for index in range(start, len(lines)):
        if predicate(lines[index]):
            return index
    return None


def _flat_disclosure(lines: Sequence[str], start: int, end: int, template: str) -> list[list[str]]:
    spec = disclosure_rows(template)
    rows: list[list[str]] = []
    block: str | None = None
    index = start
    while index < end:
        line = lines[index]
        if _is_block(line):
            block = line
            rows.append([line])
            index += 1
        elif _match_disclosure_row(line, spec, block):
            values = _value_run(lines[:end], index + 1)
            rows.append([line, *values])
            index += 1 + len(values)
        elif holds_number(line):
            index += 1
        else:
            header = [line]
            index += 1
            while index < end and not (
                _is_block(lines[index])
                or holds_number(lines[index])
                or _match_disclosure_row(lines[index], spec, block)
            ):
                header.append(lines[index])
                index += 1
            rows.append(header)
    return rows


def _flat_requests(
    lines: Sequence[str], start: int, end: int, template: str, result: Extracted
) -> list[LabelledRow]:
    columns = request_columns()
    index = start
    seen: list[str] = []
    while index < end:
        key = _applicant_column(lines[index])
        if key:
            seen.append(key)
        elif match_request_row([lines[index]], template) is not None:
            break
        index += 1
    if sorted(seen) != sorted(columns):
        result.notes.append(f"table 三 header names columns {seen}, not the template's: table skipped")
        return []
    order = list(columns)
    rows: list[LabelledRow] = []
    pending: list[str] = []
    group: list[str] = []
    while index < end:
        values = _value_run(lines[:end], index)
        if not values:
            pending.append(lines[index])
            index += 1
            continue
        index += len(values)
        if pending and _SUB_ROW.match(pending[0]):
            parts = [*group, *pending]
        else:
            group, parts = pending[:-1], list(pending)
        pending = []
        if len(values) != len(order):
            result.notes.append(f"table 三 row {parts}: {len(values)} values for {len(order)} columns")
            continue
        rows.append(LabelledRow(parts=tuple(parts), cells=dict(zip(order, values, strict=True))))
    return rows


def _flat_appeals(lines: Sequence[str], start: int, result: Extracted) -> None:
    groups = appeal_groups()
    column_keys = list(appeal_columns())
    header: list[str] = []
    index = start
    while index < len(lines) and not holds_number(lines[index]):
        header.append(lines[index])
        index += 1
    values = _value_run(lines, index)
    printed_columns = [
        key for line in header for key, label in appeal_columns().items() if labels_match(line, label)
    ]
    # A group is named by the last part of its label: 行政复议 / 未经复议直接起诉 / 复议后起诉.
    order = []
    for line in header:
        for key, label in groups.items():
            if compact(line) == compact(label.split(" ")[-1]) and key not in order:
                order.append(key)
    if printed_columns != column_keys * len(groups) or sorted(order) != sorted(groups):
        result.notes.append("table 四 header does not print the template's groups and columns: skipped")
        return
    if len(values) != len(printed_columns):
        result.notes.append(f"table 四: {len(values)} values for {len(printed_columns)} columns: skipped")
        return
    for position, raw in enumerate(values):
        group = order[position // len(column_keys)]
        column = column_keys[position % len(column_keys)]
        result.put(f"appeals.{group}.{column}", raw)


def read_flat(text: str, template: str) -> tuple[Extracted, list[list[list[str]]]]:
    """Canonical values from one-cell-per-line text, with the rows rebuilt as plain tables."""
    lines = [clean_text(line) for line in text.splitlines()]
    lines = [line for line in lines if line]
    result = Extracted()
    tables: list[list[list[str]]] = []
    natural = request_columns()["natural_person"]
    review = appeal_groups()["review"]
    requests_at = _first(lines, 0, lambda line: labels_match(line, natural))
    appeals_at = _first(lines, requests_at or 0, lambda line: compact(line) == compact(review))
    disclosure_at = _first(lines, 0, _is_block)
    if disclosure_at is not None:
        stop = requests_at if requests_at and requests_at > disclosure_at else len(lines)
        rows = _flat_disclosure(lines, disclosure_at, stop, template)
        result.merge(read_disclosure(rows, template))
        tables.append(rows)
    if requests_at is not None:
        stop = appeals_at if appeals_at else len(lines)
        request_rows = _flat_requests(lines, requests_at, stop, template, result)
        result.merge(read_requests(request_rows, template))
        tables.append([[*row.parts, *row.cells.values()] for row in request_rows])
    if appeals_at is not None:
        _flat_appeals(lines, appeals_at, result)
    return result, tables
