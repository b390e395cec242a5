"""Every ``<table>`` of a page as a rectangular grid of cleaned cell texts.

Spans are expanded (a cell covering two columns appears in both) and each grid
position remembers which source cell it came from, so that a reader can also
see a row as its distinct printed cells ("logical cells"). Markup is taken as
browsers take it: lxml's recovering parser, nested tables read as their own
grids, absurd spans clamped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from lxml import etree

from extract.limits import MAX_PAGE_BYTES, CellBudget, check_size
from extract.text import clean_text

# Limits that keep a hostile or broken page from blowing up the grid:
# browsers clamp colspan at 1000 and rowspan at 65534; no report table is near that.
# All tables of a document share one CellBudget (extract.limits.MAX_CELLS).
MAX_COLSPAN = 100
MAX_ROWSPAN = 1000

# Elements whose boundaries separate words inside a cell ("商业</p><p>企业", "结果<br/>纠正").
BLOCK_TAGS = frozenset(
    [
        "p",
        "div",
        "br",
        "li",
        "tr",
        "td",
        "th",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "table",
        "ul",
        "ol",
        "section",
        "article",
        "blockquote",
        "pre",
        "dd",
        "dt",
    ]
)
_CELL_TAGS = frozenset(("td", "th"))
SKIPPED_TAGS = frozenset(("script", "style", "noscript", "template", "head", "title", "object", "iframe"))

# etree.HTMLParser (not lxml.html's): plain elements without the per-node Python class lookup.
_PARSER = etree.HTMLParser(encoding="utf-8", recover=True, remove_comments=True, remove_pis=True)


@dataclass(frozen=True)
class Grid:
    """A table as rows of equal length; ``origins[r][c]`` identifies the source cell (-1: padding)."""

    cells: tuple[tuple[str, ...], ...]
    origins: tuple[tuple[int, ...], ...]

    @property
    def n_rows(self) -> int:
        return len(self.cells)

    @property
    def n_cols(self) -> int:
        return len(self.cells[0]) if self.cells else 0

    def logical_row(self, row: int) -> list[str]:
        """The distinct source cells of a row, left to right (spans counted once, padding dropped)."""
        seen: set[int] = set()
        texts = []
        for text, origin in zip(self.cells[row], self.origins[row], strict=True):
            if origin < 0 or origin in seen:
                continue
            seen.add(origin)
            texts.append(text)
        return texts

    def as_lists(self) -> list[list[str]]:
        return [list(row) for row in self.cells]


# Block elements that separate words inside a cell get a space in front of their
# tags before parsing ("商业</p><p>企业" -> "商业 企业"): one regex pass over the
# source instead of a walk over the tree.
_BLOCK_TAG = re.compile(r"<(/?)(p|br|div|li|h[1-6])(?=[\s/>])", re.IGNORECASE)
# Invisible characters Word and CMS editors scatter through cells.
_INVISIBLE = ("\u200b", "\u200c", "\u200d", "\ufeff", "\x00")


def _drop_invisible(text: str) -> str:
    for mark in _INVISIBLE:  # str.replace is a C scan; str.translate walks in Python for big texts
        if mark in text:
            text = text.replace(mark, "")
    return text


def parse_html(document: str | bytes) -> etree._Element:
    """Parse a page or an article fragment with lxml's recovering HTML parser.

    Scripts and styles are dropped and block boundaries padded, so that a
    cell's text is its text content with whitespace collapsed. A page over
    MAX_PAGE_BYTES raises DocumentTooLarge before any parsing.
    """
    check_size(document, MAX_PAGE_BYTES, "page")
    text = document.decode("utf-8", "replace") if isinstance(document, bytes) else document
    text = _BLOCK_TAG.sub(r" <\1\2", _drop_invisible(text))
    data = text.encode("utf-8", "replace")
    root = etree.fromstring(data, _PARSER) if data.strip() else None
    if root is None:  # lxml returns None for input without any element
        root = etree.fromstring(b"<html></html>", _PARSER)
    etree.strip_elements(root, *SKIPPED_TAGS, with_tail=False)
    return root


def _span(value: str | None, limit: int) -> int:
    if value is None:
        return 1
    if value.isdigit() and len(value) < 6:
        return min(int(value), limit)
    digits = "".join(ch for ch in (value or "")[:8] if ch.isdigit())
    if not digits:
        return 1
    return max(0, min(int(digits), limit))


def cell_text(cell: etree._Element, nested: bool = True) -> str:
    """Text of a cell of a tree from :func:`parse_html` (blocks already padded).

    ``nested=False`` promises that the cell holds no table (checked once per table).
    """
    if nested and cell.find(".//table") is not None:
        return element_text(cell)
    return " ".join(etree.tostring(cell, method="text", encoding=str, with_tail=False).split())


def element_text(element: etree._Element) -> str:
    """Joined text of an element's runs, nested tables and scripts excluded, whitespace cleaned."""
    parts: list[str] = []
    stack: list[tuple[etree._Element, bool]] = [(element, False)]
    # Iterative walk: (node, done) pairs; ``done`` marks the point after a node's children.
    while stack:
        node, done = stack.pop()
        if done:
            if isinstance(node.tag, str) and node.tag.lower() in BLOCK_TAGS:
                parts.append(" ")
            if node is not element and node.tail:
                parts.append(node.tail)
            continue
        tag = node.tag.lower() if isinstance(node.tag, str) else ""
        if node is not element and (tag == "table" or tag in SKIPPED_TAGS or not tag):
            if node.tail:
                parts.append(node.tail)
            continue
        if tag in BLOCK_TAGS:
            parts.append(" ")
        if node.text:
            parts.append(node.text)
        stack.append((node, True))
        stack.extend((child, False) for child in reversed(node))
    return clean_text("".join(parts))


def _own_rows(table: etree._Element) -> Iterator[etree._Element]:
    for child in table:
        tag = child.tag.lower() if isinstance(child.tag, str) else ""
        if tag == "tr":
            yield child
        elif tag in ("tbody", "thead", "tfoot"):
            for row in child:
                if isinstance(row.tag, str) and row.tag.lower() == "tr":
                    yield row


def grid_from_table(table: etree._Element, budget: CellBudget | None = None) -> Grid:
    """Expand one ``<table>`` element into a rectangular :class:`Grid`.

    Every span is paid for from ``budget`` before it is expanded (its slots and
    the padding it adds): a table past the budget raises TooManyCells.
    """
    budget = budget if budget is not None else CellBudget()
    rows = list(_own_rows(table))
    n_rows = len(rows)
    nested = table.find(".//table") is not None
    texts: list[list[str | None]] = [[] for _ in range(n_rows)]
    origins: list[list[int]] = [[] for _ in range(n_rows)]
    cell_id = 0
    for r, row in enumerate(rows):
        col = 0
        for cell in row:
            if cell.tag not in _CELL_TAGS:
                continue
            colspan = max(1, _span(cell.get("colspan"), MAX_COLSPAN))
            rowspan = _span(cell.get("rowspan"), MAX_ROWSPAN)
            # rowspan="0" spans to the end of the table; spans never run past the last row.
            rowspan = n_rows - r if rowspan == 0 else min(rowspan, n_rows - r)
            budget.take(colspan * rowspan)
            text = cell_text(cell, nested)
            line = texts[r]
            while col < len(line) and line[col] is not None:
                col += 1
            needed = col + colspan
            for dr in range(rowspan):
                target, target_origin = texts[r + dr], origins[r + dr]
                if len(target) < needed:
                    budget.take(max(0, col - len(target)))  # padding left of the span (the span is paid)
                    target.extend([None] * (needed - len(target)))
                    target_origin.extend([-1] * (needed - len(target_origin)))
                if colspan == 1:
                    if target[col] is None:
                        target[col] = text
                        target_origin[col] = cell_id
                    continue
                for dc in range(colspan):
                    if target[col + dc] is None:
                        target[col + dc] = text
                        target_origin[col + dc] = cell_id
            cell_id += 1
            col += colspan
    width = max((len(line) for line in texts), default=0)
    if width == 0:
        return Grid(cells=(), origins=())
    budget.take(sum(width - len(line) for line in texts))
    cells = tuple(tuple((text or "") for text in line) + ("",) * (width - len(line)) for line in texts)
    ids = tuple(tuple(line) + (-1,) * (width - len(line)) for line in origins)
    return Grid(cells=cells, origins=ids)


def read_tables(document: str | bytes | etree._Element, budget: CellBudget | None = None) -> list[Grid]:
    """Every ``<table>`` in document order as a grid (empty tables dropped).

    An element must come from :func:`parse_html` (which prepares the tree). All
    tables share one cell budget (one document's): TooManyCells past it.
    """
    root = document if isinstance(document, etree._Element) else parse_html(document)
    budget = budget if budget is not None else CellBudget()
    grids = []
    for table in root.iter("table"):
        grid = grid_from_table(table, budget)
        if grid.n_rows:
            grids.append(grid)
    return grids
