"""Reports published as attached files: PDF (text layer, drawn tables) and Word DOCX.

Pure functions from the file's bytes to its text and its tables as grids;
``extract.report.extract_report`` turns them into canonical values exactly as
it does for HTML pages. Files that cannot be read (scanned PDFs without a text
layer, old binary Word/WPS files) raise ``UnreadableAttachment`` with the reason.
"""

from __future__ import annotations

import io
import logging
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from extract.canonical import ExtractionError
from extract.grid import Grid
from extract.text import clean_text, holds_number

AttachmentFormat = Literal["pdf", "docx", "ole"]

# Binary Word (.doc) and WPS files are OLE2 compound documents: no registry package reads their text.
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# A PDF page with fewer characters than this has no usable text layer (a scan).
_MIN_PAGE_CHARS = 20
# Drawn-table edges closer than this (points) are one edge: WPS draws cell borders twice.
_EDGE_TOLERANCE = 1.5


class UnreadableAttachment(ExtractionError):
    """The attached file is kept, but its text cannot be read."""


@dataclass(frozen=True)
class AttachmentContent:
    """What an attached file says: its text in reading order and its tables."""

    format: AttachmentFormat
    text: str
    grids: list[tuple[Grid, list[str]]]
    notes: list[str] = field(default_factory=list)


def attachment_format(document: bytes) -> AttachmentFormat | None:
    """The file format from the leading bytes (never from the URL or a header)."""
    if document.lstrip()[:5] == b"%PDF-":
        return "pdf"
    if document.startswith(_OLE_MAGIC):
        return "ole"
    if document.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(document)) as archive:
                if "word/document.xml" in archive.namelist():
                    return "docx"
        except zipfile.BadZipFile:
            return None
    return None


def read_attachment(document: bytes) -> AttachmentContent:
    """Text and tables of a PDF or DOCX file; raises UnreadableAttachment otherwise."""
    kind = attachment_format(document)
    if kind == "pdf":
        return read_pdf(document)
    if kind == "docx":
        return read_docx(document)
    if kind == "ole":
        raise UnreadableAttachment("binary Word/WPS (OLE2) file: its text cannot be read; the file is kept")
    raise UnreadableAttachment("not a PDF or DOCX file")


# ------------------------------------------------------------------------- PDF


def _grid(placed: Sequence[Placed], n_rows: int, n_cols: int) -> Grid:
    """A grid from cells placed as (row, col, rowspan, colspan, text); uncovered slots are padding."""
    cells = [[""] * n_cols for _ in range(n_rows)]
    origins = [[-1] * n_cols for _ in range(n_rows)]
    for origin, (row, col, rowspan, colspan, text) in enumerate(placed):
        for r in range(row, min(row + rowspan, n_rows)):
            for c in range(col, min(col + colspan, n_cols)):
                cells[r][c] = text
                origins[r][c] = origin
    return Grid(cells=tuple(map(tuple, cells)), origins=tuple(map(tuple, origins)))


def _edges(values: Sequence[float]) -> list[float]:
    edges: list[float] = []
    for value in sorted(values):
        if not edges or value - edges[-1] > _EDGE_TOLERANCE:
            edges.append(value)
    return edges


def _index(edges: Sequence[float], value: float) -> int:
    return min(range(len(edges)), key=lambda i: abs(edges[i] - value))


def _span(edges: Sequence[float], start: float, end: float) -> int:
    return max(1, sum(1 for edge in edges if start - _EDGE_TOLERANCE <= edge < end - _EDGE_TOLERANCE))


Placed = tuple[int, int, int, int, str]  # row, col, rowspan, colspan, text
# A label that starts a new row of its own: "（四）", "3.", "一、"; anything else in the first row of a
# page is the rest of a label the page break cut ("（四）无" / "法提供").
_ORDINAL = re.compile(r"^\s*(?:[（(][一二三四五六七八九十]+[)）]|\d+\s*[.．、]|[一二三四五六七八九十]+\s*、)")


def _pdf_table(table: Any, page: Any) -> tuple[list[Placed], int, int]:
    """A pdfplumber table as placed cells: the drawn cell boxes give the row and column spans."""
    texts = table.extract()
    xs = _edges([cell[0] for cell in table.cells])
    ys = _edges([cell[1] for cell in table.cells])
    placed: list[Placed] = []
    covered: set[tuple[int, int]] = set()
    for row_number, row in enumerate(table.rows):
        for col_number, box in enumerate(row.cells):
            if box is None:
                continue
            text = texts[row_number][col_number] if col_number < len(texts[row_number]) else None
            x0, top, x1, bottom = box
            cell = (
                _index(ys, top),
                _index(xs, x0),
                _span(ys, top, bottom),
                _span(xs, x0, x1),
                clean_text(text or ""),
            )
            placed.append(cell)
            covered.update(
                (r, c) for r in range(cell[0], cell[0] + cell[2]) for c in range(cell[1], cell[1] + cell[3])
            )
    # Slots no drawn box covers (a rule missing at the page top): their text is read from the area.
    right, bottom = table.bbox[2], table.bbox[3]
    for r in range(len(ys)):
        for c in range(len(xs)):
            if (r, c) in covered:
                continue
            area = (
                xs[c],
                ys[r],
                xs[c + 1] if c + 1 < len(xs) else right,
                ys[r + 1] if r + 1 < len(ys) else bottom,
            )
            placed.append((r, c, 1, 1, clean_text(page.within_bbox(area).extract_text() or "")))
    return _merge_split_header(placed), len(ys), len(xs)


def _merge_split_header(placed: list[Placed]) -> list[Placed]:
    """WPS sometimes draws a stray rule through a top header cell ("行政诉讼" over ten columns
    printed as an empty box and a labelled one): an empty first-row box joins its right neighbour."""
    first = sorted((cell for cell in placed if cell[0] == 0), key=lambda cell: cell[1])
    merged = [cell for cell in placed if cell[0] != 0]
    pending: Placed | None = None
    for cell in first:
        if pending is not None and cell[4] and cell[2] == pending[2] and pending[1] + pending[3] == cell[1]:
            cell = (0, pending[1], cell[2], pending[3] + cell[3], cell[4])
        elif pending is not None:
            merged.append(pending)
        pending = cell if not cell[4] else None
        if cell[4]:
            merged.append(cell)
    if pending is not None:
        merged.append(pending)
    return merged


def _join(
    upper: tuple[list[Placed], int, int], lower: tuple[list[Placed], int, int]
) -> tuple[list[Placed], int, int]:
    """A table broken by a page break as one table again.

    A label cell spanning rows is cut in two by the break: a first-row cell of the lower part
    that is empty, or that does not start a label of its own, continues the cell above it.
    """
    cells, n_rows, n_cols = upper
    cells = list(cells)
    for row, col, rowspan, colspan, text in lower[0]:
        above = _ending_above(cells, n_rows, col, 1)
        if row == 0 and colspan > 1 and above is not None and not holds_number(cells[above][4]):
            # the rule between a cut group label and its row label is missing at the page top
            top, left, span, width, label = cells[above]
            cells[above] = (top, left, span + rowspan, width, label)
            col, colspan = col + 1, colspan - 1
        above = _ending_above(cells, n_rows, col, colspan)
        label_above = above is not None and not holds_number(cells[above][4])
        continues = (
            row == 0 and label_above and (not text or not (holds_number(text) or _ORDINAL.match(text)))
        )
        if continues:
            top, left, span, width, label = cells[above]  # type: ignore[index]
            cells[above] = (top, left, span + rowspan, width, label + text)  # type: ignore[index]
            continue
        cells.append((row + n_rows, col, rowspan, colspan, text))
    return cells, n_rows + lower[1], n_cols


def _ending_above(cells: Sequence[Placed], n_rows: int, col: int, colspan: int) -> int | None:
    return next(
        (
            i
            for i, cell in enumerate(cells)
            if cell[1] == col and cell[3] == colspan and cell[0] + cell[2] == n_rows
        ),
        None,
    )


def read_pdf(document: bytes) -> AttachmentContent:
    """Text layer and drawn tables of a PDF; tables broken over a page are joined again."""
    import pdfplumber  # imported here: only attachments need it

    logging.getLogger("pdfminer").setLevel(logging.ERROR)
    texts: list[str] = []
    tables: list[tuple[list[Placed], int, int]] = []
    last_page_of_table = -2
    try:
        with pdfplumber.open(io.BytesIO(document)) as pdf:
            for number, page in enumerate(pdf.pages):
                texts.append(page.extract_text() or "")
                for position, found in enumerate(page.find_tables()):
                    table = _pdf_table(found, page)
                    at_top = found.bbox[1] < 0.2 * float(page.height)
                    if (
                        position == 0
                        and at_top
                        and last_page_of_table == number - 1
                        and tables
                        and tables[-1][2] == table[2]
                    ):
                        tables[-1] = _join(tables[-1], table)
                    else:
                        tables.append(table)
                    last_page_of_table = number
                page.close()
    except Exception as error:  # pdfminer raises many unrelated types on damaged files
        raise UnreadableAttachment(f"PDF cannot be parsed: {type(error).__name__}: {error}") from error
    if not texts or all(len("".join(text.split())) < _MIN_PAGE_CHARS for text in texts):
        raise UnreadableAttachment("PDF has no text layer (a scan?); text recognition is not done")
    notes = []
    blank = [
        str(number + 1) for number, text in enumerate(texts) if len("".join(text.split())) < _MIN_PAGE_CHARS
    ]
    if blank:
        notes.append(f"pages without a text layer: {', '.join(blank)}")
    grids = [(_grid(placed, n_rows, n_cols), []) for placed, n_rows, n_cols in tables]
    return AttachmentContent("pdf", "\n".join(texts), grids, notes)


# ------------------------------------------------------------------------ DOCX


def read_docx(document: bytes) -> AttachmentContent:
    """Paragraphs and tables of a Word file, in document order; merged cells keep one origin."""
    import docx  # imported here: only attachments need it
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        word = docx.Document(io.BytesIO(document))
    except Exception as error:  # python-docx raises KeyError, ValueError, lxml errors on damaged files
        raise UnreadableAttachment(f"DOCX cannot be parsed: {type(error).__name__}: {error}") from error
    lines: list[str] = []
    grids: list[tuple[Grid, list[str]]] = []
    for block in word.iter_inner_content():
        if isinstance(block, Paragraph):
            if block.text.strip():
                lines.append(block.text)
        elif isinstance(block, Table):
            grid = _docx_grid(block)
            grids.append((grid, []))
            lines.extend(" ".join(row) for row in grid.cells)
    if not "".join(lines).strip():
        raise UnreadableAttachment("DOCX holds no text")
    return AttachmentContent("docx", "\n".join(lines), grids)


def _docx_grid(table: Any) -> Grid:
    origin_of: dict[int, int] = {}
    alive: list[Any] = []  # holding the elements keeps their ids stable and unique
    cells, origins = [], []
    for row in table.rows:
        texts, ids = [], []
        for cell in row.cells:
            alive.append(cell._tc)
            key = id(cell._tc)  # a merged cell is the same <w:tc> in every slot it covers
            texts.append(clean_text(cell.text))
            ids.append(origin_of.setdefault(key, len(origin_of)))
        cells.append(texts)
        origins.append(ids)
    width = max((len(row) for row in cells), default=0)
    for texts, ids in zip(cells, origins, strict=True):
        texts.extend([""] * (width - len(texts)))
        ids.extend([-1] * (width - len(ids)))
    return Grid(cells=tuple(map(tuple, cells)), origins=tuple(map(tuple, origins)))
