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
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from extract.canonical import ExtractionError
from extract.grid import Grid
from extract.limits import (
    MAX_FILE_BYTES,
    MAX_PACK_RATIO,
    MAX_UNPACKED_BYTES,
    CellBudget,
    DecompressionBomb,
    LimitExceeded,
    check_size,
)
from extract.text import clean_text, holds_number

AttachmentFormat = Literal["pdf", "docx", "ole"]

# Binary Word (.doc) and WPS files are OLE2 compound documents: no registry package reads their text.
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# A PDF page with fewer characters than this has no usable text layer (a scan).
_MIN_PAGE_CHARS = 20
# Drawn-table edges closer than this (points) are one edge: WPS draws cell borders twice.
_EDGE_TOLERANCE = 1.5
# The same table continued on the next page may be printed up to this much wider or narrower (points).
_PAGE_WIDTH_DRIFT = 8.0


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


def read_attachment(document: bytes, budget: CellBudget | None = None) -> AttachmentContent:
    """Text and tables of a PDF or DOCX file; raises UnreadableAttachment otherwise.

    Limits come first: DocumentTooLarge, DecompressionBomb, TooManyCells (extract.limits).
    Run it in a worker with a time and memory bound (extract.bounded): a PDF's streams
    are unpacked by pdfminer, which has no bound of its own.
    """
    check_size(document, MAX_FILE_BYTES, "file")
    kind = attachment_format(document)
    if kind == "pdf":
        return read_pdf(document, budget)
    if kind == "docx":
        check_unpacked_size(document)
        return read_docx(document, budget)
    if kind == "ole":
        raise UnreadableAttachment("binary Word/WPS (OLE2) file: its text cannot be read; the file is kept")
    raise UnreadableAttachment("not a PDF or DOCX file")


def check_unpacked_size(document: bytes) -> None:
    """Raise DecompressionBomb when a zip file (DOCX) unpacks to more than any report.

    zipfile never unpacks a member past its declared size, so the declared sizes bound the work.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(document)) as archive:
            members = archive.infolist()
    except zipfile.BadZipFile as error:
        raise UnreadableAttachment(f"DOCX cannot be parsed: BadZipFile: {error}") from error
    total = sum(member.file_size for member in members)
    if total > MAX_UNPACKED_BYTES:
        raise DecompressionBomb(f"DOCX unpacks to {total:,} bytes, over the limit of {MAX_UNPACKED_BYTES:,}")
    for member in members:
        if member.file_size > 1024 * 1024 and member.file_size > MAX_PACK_RATIO * max(
            member.compress_size, 1
        ):
            raise DecompressionBomb(
                f"DOCX member {member.filename!r} unpacks {member.compress_size:,} bytes to "
                f"{member.file_size:,} (more than {MAX_PACK_RATIO} times)"
            )


# ------------------------------------------------------------------------- PDF


@dataclass(frozen=True)
class _Box:
    """One drawn table cell in page points (y grows downwards, pages stacked for joined tables)."""

    top: float
    bottom: float
    x0: float
    x1: float
    text: str


@dataclass
class _Table:
    boxes: list[_Box]
    top: float
    bottom: float
    left: float
    right: float
    # Column edges and the boxes on the bottom rule, kept up to date by _join so that joining
    # a table continued over many pages costs each page its own boxes only (linear, not quadratic).
    x_edges: list[float] = field(default_factory=list)
    ending: list[int] = field(default_factory=list)
    joined: bool = False  # x_edges and ending given by _join

    def __post_init__(self) -> None:
        if not self.joined:
            self.x_edges = _edges([v for box in self.boxes for v in (box.x0, box.x1)])
            self.ending = [i for i, box in enumerate(self.boxes) if _near(box.bottom, self.bottom)]


# A label that starts a row of its own: "（四）", "3.", "一、"; anything else in the first row of a
# page is the rest of a label the page break cut ("（四）无" / "法提供").
_ORDINAL = re.compile(r"^\s*(?:[（(][一二三四五六七八九十]+[)）]|\d+\s*[.．、]|[一二三四五六七八九十]+\s*、)")


def _edges(values: Sequence[float]) -> list[float]:
    edges: list[float] = []
    for value in sorted(values):
        if not edges or value - edges[-1] > _EDGE_TOLERANCE:
            edges.append(value)
    return edges


def _near(a: float, b: float) -> bool:
    return abs(a - b) <= _EDGE_TOLERANCE


def _nearest(edges: Sequence[float], value: float) -> int:
    """Index of the edge nearest to ``value`` in sorted ``edges`` (the lower one on a tie)."""
    position = bisect_left(edges, value)
    if position == 0:
        return 0
    if position == len(edges) or abs(edges[position - 1] - value) <= abs(edges[position] - value):
        return position - 1
    return position


def _slots(edges: Sequence[float], start: float, end: float) -> range:
    first = _nearest(edges, start)
    last = _nearest(edges, end)
    return range(first, max(last, first + 1))


def _pdf_table(table: Any, page: Any, budget: CellBudget) -> _Table:
    """A pdfplumber table as its drawn boxes; a slot no box covers (a rule missing at the page
    top) becomes a box of its own with the text found in that area."""
    boxes = []
    for row, texts in zip(table.rows, table.extract(), strict=True):
        for box, text in zip(row.cells, texts, strict=False):
            if box is not None:
                x0, top, x1, bottom = box
                boxes.append(_Box(top, bottom, x0, x1, clean_text(text or "")))
    left, top, right, bottom = table.bbox
    xs = _edges([v for box in boxes for v in (box.x0, box.x1)])
    ys = _edges([v for box in boxes for v in (box.top, box.bottom)])
    budget.take(max(len(ys) - 1, 1) * max(len(xs) - 1, 1))
    covered = {
        (r, c) for box in boxes for r in _slots(ys, box.top, box.bottom) for c in _slots(xs, box.x0, box.x1)
    }
    for r in range(len(ys) - 1):
        for c in range(len(xs) - 1):
            if (r, c) not in covered:
                area = (xs[c], ys[r], xs[c + 1], ys[r + 1])
                boxes.append(
                    _Box(
                        ys[r],
                        ys[r + 1],
                        xs[c],
                        xs[c + 1],
                        clean_text(page.within_bbox(area).extract_text() or ""),
                    )
                )
    return _Table(_merge_split_header(boxes, top), top, bottom, left, right)


def _merge_split_header(boxes: list[_Box], top: float) -> list[_Box]:
    """WPS sometimes draws a stray rule through a top header cell ("行政诉讼" over ten columns
    printed as an empty box and a labelled one): an empty first-row box joins its right neighbour."""
    first = sorted((box for box in boxes if _near(box.top, top)), key=lambda box: box.x0)
    rest = [box for box in boxes if not _near(box.top, top)]
    merged: list[_Box] = []
    for box in first:
        previous = merged[-1] if merged else None
        if (
            previous is not None
            and not previous.text
            and box.text
            and _near(previous.x1, box.x0)
            and _near(previous.bottom, box.bottom)
        ):
            merged[-1] = _Box(box.top, box.bottom, previous.x0, box.x1, box.text)
        else:
            merged.append(box)
    return merged + rest


def _join(upper: _Table, lower: _Table) -> _Table:
    """A table broken by a page break as one table again.

    A label cell spanning rows is cut in two by the break: a first-row box of the lower part
    that is empty, or that does not start a label of its own, continues the box above it.
    """
    shift = upper.bottom - lower.top
    upper_edges = upper.x_edges

    def snap(x: float) -> float:
        # the part on the next page may be printed a few points wider: its rules snap to the upper part's
        nearest = upper_edges[_nearest(upper_edges, x)]
        return nearest if abs(nearest - x) <= _PAGE_WIDTH_DRIFT else x

    boxes = upper.boxes  # taken over, not copied: the upper part is not used again
    ending = upper.ending
    touched: list[int] = []
    first_new = len(boxes)
    for original in lower.boxes:
        x0, x1 = snap(original.x0), snap(original.x1)
        box = _Box(original.top, original.bottom, x0, x1, original.text)
        moved = _Box(box.top + shift, box.bottom + shift, x0, x1, box.text)
        if _near(box.top, lower.top):
            above = next((i for i in ending if _near(boxes[i].x0, box.x0)), None)
            if above is not None and not holds_number(boxes[above].text):
                cut = boxes[above]
                if not _near(cut.x1, box.x1) and cut.x1 < box.x1 - _EDGE_TOLERANCE:
                    # the rule between a cut group label and its row label is missing at the page top
                    boxes[above] = _Box(cut.top, moved.bottom, cut.x0, cut.x1, cut.text)
                    touched.append(above)
                    moved = _Box(moved.top, moved.bottom, cut.x1, moved.x1, moved.text)
                elif _near(cut.x1, box.x1) and (
                    not box.text or not (holds_number(box.text) or _ORDINAL.match(box.text))
                ):
                    boxes[above] = _Box(cut.top, moved.bottom, cut.x0, cut.x1, cut.text + box.text)
                    touched.append(above)
                    continue
        boxes.append(moved)
    bottom = lower.bottom + shift
    changed = sorted({*touched, *range(first_new, len(boxes))})
    return _Table(
        boxes,
        upper.top,
        bottom,
        min(upper.left, lower.left),
        max(upper.right, lower.right),
        x_edges=_edges(
            [*upper_edges, *(v for i in range(first_new, len(boxes)) for v in (boxes[i].x0, boxes[i].x1))]
        ),
        ending=[i for i in changed if _near(boxes[i].bottom, bottom)],
        joined=True,
    )


def _grid(table: _Table, budget: CellBudget) -> Grid:
    xs = _edges([v for box in table.boxes for v in (box.x0, box.x1)])
    ys = _edges([v for box in table.boxes for v in (box.top, box.bottom)])
    n_rows, n_cols = max(len(ys) - 1, 1), max(len(xs) - 1, 1)
    budget.take(n_rows * n_cols)
    cells = [[""] * n_cols for _ in range(n_rows)]
    origins = [[-1] * n_cols for _ in range(n_rows)]
    for origin, box in enumerate(table.boxes):
        for r in _slots(ys, box.top, box.bottom):
            for c in _slots(xs, box.x0, box.x1):
                if r < n_rows and c < n_cols:
                    cells[r][c] = box.text
                    origins[r][c] = origin
    return Grid(cells=tuple(map(tuple, cells)), origins=tuple(map(tuple, origins)))


@dataclass(frozen=True)
class _PageTables:
    """The drawn tables of one PDF page, in reading order."""

    number: int
    height: float
    tables: list[_Table]


def _continues(previous: _Table | None, table: _Table, position: int, page: _PageTables, last: int) -> bool:
    """Whether ``table`` goes on with the table before it, broken by the page break."""
    if previous is None or position != 0 or last != page.number - 1:
        return False
    if table.top >= 0.2 * page.height:
        return False
    same_width = all(
        abs(a - b) <= _PAGE_WIDTH_DRIFT
        for a, b in ((previous.left, table.left), (previous.right, table.right))
    )
    # a part that goes on from the page before starts with a data row, not a header
    data_first = any(_near(box.top, table.top) and box.text and holds_number(box.text) for box in table.boxes)
    return same_width and data_first


def join_pages(pages: Iterable[_PageTables]) -> list[_Table]:
    """The document's tables, those broken by a page break joined again; linear in the pages."""
    tables: list[_Table] = []
    last_page_of_table = -2
    for page in pages:
        for position, table in enumerate(page.tables):
            previous = tables[-1] if tables else None
            if previous is not None and _continues(previous, table, position, page, last_page_of_table):
                tables[-1] = _join(previous, table)
            else:
                tables.append(table)
            last_page_of_table = page.number
    return tables


def read_pdf(document: bytes, budget: CellBudget | None = None) -> AttachmentContent:
    """Text layer and drawn tables of a PDF; tables broken over a page are joined again."""
    import pdfplumber  # imported here: only attachments need it

    logging.getLogger("pdfminer").setLevel(logging.ERROR)
    budget = budget if budget is not None else CellBudget()
    texts: list[str] = []
    pages: list[_PageTables] = []
    try:
        with pdfplumber.open(io.BytesIO(document)) as pdf:
            for number, page in enumerate(pdf.pages):
                texts.append(page.extract_text() or "")
                found = [_pdf_table(table, page, budget) for table in page.find_tables()]
                pages.append(_PageTables(number, float(page.height), found))
                page.close()
    except (LimitExceeded, MemoryError):
        raise
    except Exception as error:  # pdfminer raises many unrelated types on damaged files
        cause = error.__cause__ or error.__context__
        if isinstance(cause, MemoryError):  # pdfminer wraps a stream it cannot unpack in memory
            raise cause from error
        raise UnreadableAttachment(f"PDF cannot be parsed: {type(error).__name__}: {error}") from error
    tables = join_pages(pages)
    if not texts or all(len("".join(text.split())) < _MIN_PAGE_CHARS for text in texts):
        raise UnreadableAttachment("PDF has no text layer (a scan?); text recognition is not done")
    notes = []
    blank = [
        str(number + 1) for number, text in enumerate(texts) if len("".join(text.split())) < _MIN_PAGE_CHARS
    ]
    if blank:
        notes.append(f"pages without a text layer: {', '.join(blank)}")
    grids: list[tuple[Grid, list[str]]] = [(_grid(table, budget), []) for table in tables]
    return AttachmentContent("pdf", "\n".join(texts), grids, notes)


# ------------------------------------------------------------------------ DOCX


def read_docx(document: bytes, budget: CellBudget | None = None) -> AttachmentContent:
    """Paragraphs and tables of a Word file, in document order; merged cells keep one origin."""
    import docx  # imported here: only attachments need it
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    budget = budget if budget is not None else CellBudget()
    try:
        word = docx.Document(io.BytesIO(document))
    except MemoryError:
        raise
    except Exception as error:  # python-docx raises KeyError, ValueError, lxml errors on damaged files
        raise UnreadableAttachment(f"DOCX cannot be parsed: {type(error).__name__}: {error}") from error
    lines: list[str] = []
    grids: list[tuple[Grid, list[str]]] = []
    for block in word.iter_inner_content():
        if isinstance(block, Paragraph):
            if block.text.strip():
                lines.append(block.text)
        elif isinstance(block, Table):
            grid = _docx_grid(block, budget)
            grids.append((grid, []))
            lines.extend(" ".join(row) for row in grid.cells)
    if not "".join(lines).strip():
        raise UnreadableAttachment("DOCX holds no text")
    return AttachmentContent("docx", "\n".join(lines), grids)


def _docx_grid(table: Any, budget: CellBudget) -> Grid:
    origin_of: dict[int, int] = {}
    text_of: dict[int, str] = {}
    alive: list[Any] = []  # holding the elements keeps their ids stable and unique
    cells, origins = [], []
    for row in table.rows:
        # python-docx repeats a merged cell in every grid column it spans: pay for them first
        tr = row._tr
        budget.take(tr.grid_before + tr.grid_after + sum(max(tc.grid_span, 1) for tc in tr.tc_lst))
        texts, ids = [], []
        for cell in row.cells:
            alive.append(cell._tc)
            key = id(cell._tc)  # a merged cell is the same <w:tc> in every slot it covers
            if key not in origin_of:
                origin_of[key] = len(origin_of)
                text_of[key] = clean_text(cell.text)
            texts.append(text_of[key])
            ids.append(origin_of[key])
        cells.append(texts)
        origins.append(ids)
    width = max((len(row) for row in cells), default=0)
    budget.take(sum(width - len(texts) for texts in cells))
    for texts, ids in zip(cells, origins, strict=True):
        texts.extend([""] * (width - len(texts)))
        ids.extend([-1] * (width - len(ids)))
    return Grid(cells=tuple(map(tuple, cells)), origins=tuple(map(tuple, origins)))
