"""Map the report's statistics tables to the template's canonical keys, by labels.

Tables 二 (主动公开), 三 (依申请) and 四 (复议/诉讼) are recognised by the labels
they print, rows by their row labels and columns by their header labels, all
taken from :mod:`reportformat`. Positions are only trusted inside a row once
its cells have been tied to header labels.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache

from extract.grid import Grid
from extract.text import (
    NotANumber,
    Number,
    bare,
    compact,
    essence,
    holds_number,
    labels_match,
    money_unit,
    ordinal,
    parse_money,
    parse_number,
)
from reportformat import (
    DisclosureRow,
    appeal_columns,
    appeal_groups,
    disclosure_column_labels,
    disclosure_rows,
    request_columns,
    request_rows,
)

# OCR copies replace lost header labels with generic ones ("数据1" … "数据6"): the
# column exists but nothing says which applicant it counts.
_PLACEHOLDER_HEADER = re.compile(r"^(数据|列|column|col)\d+$", re.IGNORECASE)
# Block rows of table 二: "第二十条第（一）项".
_BLOCK = re.compile(r"第二十条第.{1,3}项")
# Money columns of table 二 (procurement total, fees): normalised to 万元.
_MONEY_COLUMNS = frozenset(("amount",))


class ExtractionError(Exception):
    """A document that cannot be read as a report (recorded as the extraction's reason)."""


class UnknownLayout(ExtractionError):
    """The document does not follow a layout this extractor knows."""


class TableNotFound(ExtractionError):
    """None of the template's statistics tables is in the document."""


@dataclass
class Extracted:
    """Canonical values read so far, with the raw cell text and notes on what was skipped."""

    values: dict[str, Number | None] = field(default_factory=dict)
    raw: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def put(self, key: str, raw: str, money_header: str | None = None, money: bool = False) -> None:
        """Record one cell (first occurrence wins); unparseable text is noted, not guessed."""
        if key in self.values:
            return
        try:
            value = parse_money(raw, money_unit(money_header or "")) if money else parse_number(raw)
        except NotANumber:
            self.notes.append(f"{key}: cell text {raw!r} is not a number")
            return
        self.values[key] = value
        self.raw[key] = raw

    def merge(self, other: Extracted) -> None:
        for key, value in other.values.items():
            if key not in self.values:
                self.values[key] = value
                self.raw[key] = other.raw[key]
        self.notes.extend(other.notes)


@dataclass(frozen=True)
class LabelledRow:
    """One row of table 三: its label parts (outer to inner) and its cells by applicant column key."""

    parts: tuple[str, ...]
    cells: dict[str, str]


# ---------------------------------------------------------------- recognising tables


@cache
def _disclosure_label_set() -> frozenset[str]:
    labels = {row.label for template in ("v2019", "v2021") for row in disclosure_rows(template)}
    return frozenset(bare(label) for label in labels)


@cache
def _request_label_set() -> frozenset[str]:
    labels = {
        part
        for template in ("v2019", "v2021")
        for label in request_rows(template).values()
        for part in label.split(" ")
    }
    return frozenset(bare(label) for label in labels) - {bare(label) for label in request_columns().values()}


@cache
def _appeal_label_set() -> frozenset[str]:
    return frozenset(bare(label) for label in appeal_columns().values()) - {bare(request_columns()["total"])}


def classify_table(texts: Iterable[str]) -> str | None:
    """'disclosure', 'requests' or 'appeals' by the labels a table prints, else None."""
    labels = {bare(text) for text in texts if text and len(text) < 80}
    scores = {
        "requests": len(labels & _request_label_set()),
        "disclosure": len(labels & _disclosure_label_set()),
        "appeals": len(labels & _appeal_label_set()),
    }
    best = max(scores, key=lambda kind: scores[kind])
    return best if scores[best] else None


# ---------------------------------------------------------------- table 二


def _is_block(text: str) -> bool:
    return bool(_BLOCK.search(compact(text)))


def _match_disclosure_row(label: str, rows: list[DisclosureRow], block: str | None) -> DisclosureRow | None:
    exact = [row for row in rows if labels_match(label, row.label)]
    if exact:
        return exact[0]
    # "规范性文件" printed in a 2021-format table whose row is "行政规范性文件" (and the
    # reverse): accept a label that ends the other, within the same 第二十条 block.
    core = bare(label)
    if len(core) < 2 or block is None:
        return None
    for row in rows:
        expected = bare(row.label)
        if essence(row.block) == essence(block) and (expected.endswith(core) or core.endswith(expected)):
            return row
    return None


@lru_cache(maxsize=1 << 14)
def _match_disclosure_column(header: str, columns: tuple[str, ...]) -> str | None:
    labels = disclosure_column_labels()
    printed = bare(header)
    if not printed:
        return None
    for column in columns:
        for alternative in labels[column].split(" / "):
            expected = bare(alternative)
            if printed == expected:
                return column
            shorter = min(len(printed), len(expected))
            # "本年处理决定数量" (v2021) for the template's "处理决定数量".
            if shorter >= 4 and (printed.endswith(expected) or expected.endswith(printed)):
                return column
    return None


@cache
def _every_disclosure_column() -> tuple[str, ...]:
    return tuple(disclosure_column_labels())


def _is_disclosure_header(cells: Sequence[str]) -> bool:
    every_column = _every_disclosure_column()
    named = [cell for cell in cells[1:] if _match_disclosure_column(cell, every_column)]
    return bool(named) and len(named) == len([cell for cell in cells[1:] if cell])


def read_disclosure(rows: Iterable[Sequence[str]], template: str) -> Extracted:
    """Table 二 from its rows as printed cells (spans counted once), block and header rows included."""
    spec = disclosure_rows(template)
    result = Extracted()
    block: str | None = None
    header: list[str] | None = None
    for cells in rows:
        cells = [cell for cell in cells]
        if not cells or not any(cells):
            continue
        first = cells[0]
        if _is_block(first) and all(cell in ("", first) for cell in cells):
            block, header = first, None
            continue
        if _is_disclosure_header(cells):
            header = cells[1:]
            continue
        row = _match_disclosure_row(first, spec, block)
        if row is None:
            continue
        values = cells[1:]
        if header is None or not any(_match_disclosure_column(head, row.columns) for head in header):
            # A report that leaves out a block's header row (seen: no header under
            # 第二十条第（六）项): the template fixes the row's columns, so a row with
            # exactly that many cells is read in the template's order.
            if len(values) != len(row.columns):
                result.notes.append(f"table 二 row {first!r} has no column header above it")
                continue
            result.notes.append(f"table 二 row {first!r}: column header absent, read in the template's order")
            for name, raw in zip(row.columns, values, strict=True):
                key = f"disclosure.{row.name}.{name}"
                result.put(
                    key,
                    raw,
                    money_header="万元" if name in _MONEY_COLUMNS else None,
                    money=name in _MONEY_COLUMNS,
                )
            continue
        if len(values) != len(header):
            result.notes.append(
                f"table 二 row {first!r}: {len(values)} cells under {len(header)} column labels"
            )
            continue
        for head, raw in zip(header, values, strict=True):
            column = _match_disclosure_column(head, row.columns)
            if column is None:
                continue
            key = f"disclosure.{row.name}.{column}"
            result.put(key, raw, money_header=head, money=column in _MONEY_COLUMNS)
    return result


def disclosure_rows_from_grid(grid: Grid) -> list[list[str]]:
    return [grid.logical_row(row) for row in range(grid.n_rows)]


# ---------------------------------------------------------------- table 三


@lru_cache(maxsize=1 << 14)
def _applicant_column(text: str) -> str | None:
    for key, label in request_columns().items():
        if compact(text) == compact(label) or essence(text) == essence(label):
            return key
    return None


def _holds_digits(text: str) -> bool:
    return holds_number(text) and parse_number(text) is not None


def _is_value(text: str) -> bool:
    return holds_number(text)


def _first_value_column(row: Sequence[str]) -> int | None:
    """Start of the trailing run of value cells (numbers or blanks) of a row."""
    start = None
    for index in range(len(row) - 1, -1, -1):
        if not _is_value(row[index]):
            break
        start = index
    return start


def _header_end(grid: Grid, is_header_label: Callable[[str], bool]) -> int:
    """Rows above the data: up to the last leading row (before any number) that prints a header label.

    A table left blank (no number anywhere) still has its header found this way.
    """
    end = 0
    for row in range(grid.n_rows):
        texts = grid.cells[row]
        if any(_holds_digits(text) for text in texts):
            break
        if any(is_header_label(text) for text in texts):
            end = row + 1
    return end


@dataclass(frozen=True)
class RequestHeader:
    """Where table 三's values start and which applicant column each value column is."""

    width: int
    first_value: int
    columns: dict[int, str]


def request_rows_from_grid(
    grid: Grid, context: Sequence[str] = (), inherited: RequestHeader | None = None
) -> tuple[list[LabelledRow], list[str], RequestHeader | None]:
    """Rows of table 三 from a grid: label parts from the label columns, cells by header labels.

    ``context`` holds labels printed outside the grid (an OCR copy's heading
    "（三）不予公开" above a small table). A header that names its columns with
    anything but the applicant labels (or a placeholder) makes the grid unusable.
    A grid without a header of its own is the rest of a table cut in two by a page
    break when ``inherited`` (the header of the part above) has exactly its width.
    """
    cells = grid.cells
    header_end = _header_end(grid, lambda text: _applicant_column(text) is not None)
    if header_end == 0 and inherited is not None and inherited.width == grid.n_cols:
        rows = [_labelled(cells[row], inherited, context) for row in range(grid.n_rows)]
        return rows, ["table 三 continues in a table of its own: header of the part above used"], inherited
    if header_end == 0 or header_end == grid.n_rows:
        return [], [], None
    starts = [
        start
        for row in range(header_end, grid.n_rows)
        if (start := _first_value_column(cells[row])) is not None and start > 0
    ]
    if not starts:
        return [], [], None
    first_value = max(set(starts), key=starts.count)
    bottom = cells[header_end - 1]
    columns: dict[int, str] = {}
    for col in range(first_value, grid.n_cols):
        key = None
        for row in range(header_end - 1, -1, -1):
            key = _applicant_column(cells[row][col])
            if key:
                break
        if key:
            columns[col] = key
        elif bottom[col] and not _PLACEHOLDER_HEADER.match(compact(bottom[col])):
            return [], [f"table 三 header {bottom[col]!r} is not an applicant column: table skipped"], None
    header = RequestHeader(grid.n_cols, first_value, columns)
    return [_labelled(cells[row], header, context) for row in range(header_end, grid.n_rows)], [], header


def _labelled(cells: Sequence[str], header: RequestHeader, context: Sequence[str]) -> LabelledRow:
    parts: list[str] = list(context)
    for col in range(header.first_value):
        text = cells[col]
        if text and (not parts or parts[-1] != text):
            parts.append(text)
    return LabelledRow(parts=tuple(parts), cells={key: cells[col] for col, key in header.columns.items()})


def _group_matches(candidate: str, group: str) -> bool:
    if labels_match(candidate, group):
        return True
    # OCR copy prints "（六）其他" for the group "（六）其他处理".
    core = bare(candidate)
    return bool(core) and ordinal(candidate) == ordinal(group) and bare(group).startswith(core)


@cache
def _request_row_parts(template: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    return tuple((key, tuple(label.split(" "))) for key, label in request_rows(template).items())


def match_request_row(parts: Sequence[str], template: str) -> str | None:
    """The canonical row key of table 三 whose label the row's label parts print."""
    return _match_request_row(tuple(parts), template)


@lru_cache(maxsize=1 << 14)
def _match_request_row(parts: tuple[str, ...], template: str) -> str | None:
    if not parts:
        return None
    last = parts[-1]
    for key, expected in _request_row_parts(template):
        if not labels_match(last, expected[-1]):
            continue
        if len(expected) == 2 and not any(_group_matches(part, expected[0]) for part in parts[:-1]):
            continue
        return key
    return None


def read_requests(rows: Iterable[LabelledRow], template: str) -> Extracted:
    result = Extracted()
    for row in rows:
        key = match_request_row(row.parts, template)
        if key is None:
            continue
        for column, raw in row.cells.items():
            result.put(f"requests.{key}.{column}", raw)
    return result


# ---------------------------------------------------------------- table 四


@lru_cache(maxsize=1 << 14)
def _appeal_column(texts: tuple[str, ...]) -> str | None:
    for text in reversed(texts):
        for key, label in appeal_columns().items():
            if labels_match(text, label):
                return key
    return None


@lru_cache(maxsize=1 << 14)
def _appeal_group(texts: tuple[str, ...]) -> str | None:
    joined = compact("".join(texts))
    best, best_score = None, 0
    for key, label in appeal_groups().items():
        parts = [compact(part) for part in label.split(" ")]
        if all(part in joined for part in parts):
            score = sum(len(part) for part in parts)
            if score > best_score:
                best, best_score = key, score
    return best


def read_appeals_grid(grid: Grid, context: Sequence[str] = ()) -> Extracted:
    """Table 四: each column named by its group (行政复议 / 行政诉讼 …) and result header labels."""
    result = Extracted()
    cells = grid.cells
    header_end = _header_end(grid, lambda text: _appeal_column((text,)) is not None)
    data_rows = [row for row in range(header_end, grid.n_rows) if all(_is_value(text) for text in cells[row])]
    if header_end == 0 or not data_rows:
        return result
    if len(data_rows) > 1 and any(_holds_digits(text) for row in data_rows[1:] for text in cells[row]):
        result.notes.append(f"table 四 has {len(data_rows)} data rows; the first is read")
    data = cells[data_rows[0]]
    for col in range(grid.n_cols):
        texts = [*context, *(cells[row][col] for row in range(header_end))]
        column = _appeal_column(tuple(texts[len(context) :]))
        group = _appeal_group(tuple(texts))
        if column and group:
            result.put(f"appeals.{group}.{column}", data[col])
    return result


# ---------------------------------------------------------------- whole documents


def read_grids(grids: Sequence[tuple[Grid, Sequence[str]]], template: str) -> Extracted:
    """Every statistics table among ``(grid, context labels)`` pairs, merged in document order."""
    result = Extracted()
    disclosure: list[list[str]] = []
    requests: list[LabelledRow] = []
    header: RequestHeader | None = None
    for grid, context in grids:
        texts = [text for row in grid.cells for text in row]
        kind = classify_table([*texts, *context])
        if kind == "disclosure":
            disclosure.extend([[label] for label in context if _is_block(label)])
            disclosure.extend(disclosure_rows_from_grid(grid))
        elif kind == "requests" or (kind is None and header is not None and header.width == grid.n_cols):
            # (no kind: the rest of a table 三 cut by a page break may print no label the
            # classifier counts, e.g. only "（七）总计"; its rows must still name template rows)
            rows, notes, found = request_rows_from_grid(grid, context, header)
            if kind is None and not any(match_request_row(row.parts, template) for row in rows):
                continue
            header = found
            requests.extend(rows)
            result.notes.extend(notes)
        elif kind == "appeals":
            result.merge(read_appeals_grid(grid, context))
    result.merge(read_disclosure(disclosure, template))
    result.merge(read_requests(requests, template))
    return result
