"""Reports published as attached files: the short article that links them, and the files.

PDFs are drawn the way WPS exports them: text in a CID font, tables as ruled
boxes (no tagged structure), tables running over page breaks with the label
cells cut in two. DOCX files carry real Word tables with merged cells. Both are
byte-for-byte deterministic (reportlab's invariant mode, fixed zip timestamps).
Attachment names follow the platform (portal §2.6): ``W0YYYYMMDD<12 digits>.pdf``
or ``P0YYYYMMDD<12 digits>.docx`` in the article's ``YYYYMM/`` folder.
"""

from __future__ import annotations

import html
import io
import zipfile
from dataclasses import dataclass
from datetime import datetime

from reportformat import section_headings

from . import text
from .catalog import Article, report_grids
from .dates import stable_rng
from .tables import Grid

FORMATS = ("pdf", "docx")
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
_FONT = "STSong-Light"
_PAGE_W, _PAGE_H, _MARGIN = 595.0, 842.0, 60.0


def attachment_path(article: Article, fmt: str) -> str:
    """The attachment's path in the article's folder (platform naming)."""
    digits = stable_rng("attachment", article.key).randrange(10**11, 10**12)
    prefix = "W0" if fmt == "pdf" else "P0"
    return f"{article.column.path}{article.url_day:%Y%m}/{prefix}{article.url_day:%Y%m%d}{digits}.{fmt}"


def short_body(article: Article, fmt: str) -> str:
    """The article body: a few sentences and the link to the file (no tables)."""
    report = article.report
    assert report is not None
    href = "./" + attachment_path(article, fmt).rsplit("/", 1)[1]
    year = report.year
    first = (
        f"根据《中华人民共和国政府信息公开条例》（国令第711号）规定，现公布{html.escape(report.agency)}{year}年"
        "政府信息公开工作年度报告。报告包括总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、"
        "政府信息公开行政复议和行政诉讼情况、存在的主要问题及改进情况、其他需要报告的事项六个部分，全文见附件。"
    )
    second = (
        f"本报告所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。"
        f"如对本报告有疑问，请与{html.escape(report.agency)}办公室联系。"
    )
    lines = [first, second]
    paragraphs = [f'<p style="text-indent: 2em;">{line}</p>' for line in lines]
    link = f'<p>附件：<a href="{href}" target="_blank">{html.escape(article.title)}.{fmt}</a></p>'
    return "\n".join([*paragraphs, link])


# ------------------------------------------------------------------ the document


@dataclass(frozen=True)
class _Placed:
    row: int
    col: int
    rowspan: int
    colspan: int
    text: str


def _layout(grid: Grid) -> tuple[list[_Placed], int, int]:
    """HTML's table model: each cell takes the next free slot of its row."""
    taken: set[tuple[int, int]] = set()
    placed = []
    for r, row in enumerate(grid):
        c = 0
        for cell in row:
            while (r, c) in taken:
                c += 1
            placed.append(_Placed(r, c, cell.rowspan, cell.colspan, cell.text.replace("\xa0", " ").strip()))
            taken.update((r + i, c + j) for i in range(cell.rowspan) for j in range(cell.colspan))
            c += cell.colspan
    n_rows = max(r for r, _ in taken) + 1
    n_cols = max(c for _, c in taken) + 1
    return placed, n_rows, n_cols


def _paragraphs(article: Article, seed: int) -> list[str | Grid]:
    """The report in reading order: title, prose, and the three tables after headings 二, 三, 四."""
    report = article.report
    assert report is not None
    rng = stable_rng(seed, "text", article.key)
    headings = section_headings()
    grids = report_grids(report)
    parts: list[str | Grid] = [
        article.title,
        text.intro(rng, report.agency, report.year, report.kind),
        headings[1],
    ]
    for sub, paragraph in text.overview(rng):
        parts += [sub, paragraph]
    for number, grid in zip((2, 3, 4), grids, strict=True):
        parts += [headings[number], grid]
    parts += [headings[5], *text.problems(rng), headings[6], text.other_matters(rng, report.year)]
    return parts


def _wrap(line: str, width: float, size: float) -> list[str]:
    per_line = max(1, int(width // size))
    return [line[i : i + per_line] for i in range(0, len(line), per_line)] or [""]


def render_pdf(article: Article, seed: int) -> bytes:
    """The report as a PDF with drawn tables (deterministic bytes)."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas as pdfcanvas

    pdfmetrics.registerFont(UnicodeCIDFont(_FONT))
    # First pass: lay out every line and box on numbered pages; second pass: draw them.
    pages: dict[int, list[tuple[str, tuple]]] = {}
    page, y = 1, _PAGE_H - _MARGIN

    def new_page() -> None:
        nonlocal page, y
        page, y = page + 1, _PAGE_H - _MARGIN

    def put(kind: str, *args: object) -> None:
        pages.setdefault(page, []).append((kind, args))

    for part in _paragraphs(article, seed):
        if isinstance(part, str):
            size = 11.0
            for chunk in _wrap(part, _PAGE_W - 2 * _MARGIN, size):
                if y < _MARGIN + size * 1.6:
                    new_page()
                put("text", _MARGIN, y - size, chunk, size)
                y -= size * 1.6
            continue
        size = 7.5
        placed, n_rows, n_cols = _layout(part)
        weights = [1.0] * n_cols
        for cell in placed:
            if cell.colspan == 1:
                weights[cell.col] = max(weights[cell.col], min(len(cell.text), 16) / 3)
        total = _PAGE_W - 2 * _MARGIN
        xs = [_MARGIN + total * sum(weights[:i]) / sum(weights) for i in range(n_cols + 1)]
        heights = [size * 2.4] * n_rows
        for cell in sorted(placed, key=lambda c: c.rowspan):
            width = xs[cell.col + cell.colspan] - xs[cell.col] - 4
            need = len(_wrap(cell.text, width, size)) * size * 1.3 + 6
            have = sum(heights[cell.row : cell.row + cell.rowspan])
            if need > have:
                heights[cell.row + cell.rowspan - 1] += need - have
        if y - sum(heights) < _MARGIN and sum(heights) < _PAGE_H - 2 * _MARGIN:
            new_page()  # tables are kept on one page (the real files' page breaks are tested on their own)
        tops: list[tuple[int, float]] = []
        for row in range(n_rows):
            if y - heights[row] < _MARGIN:
                new_page()
            tops.append((page, y))
            y -= heights[row]
        y -= 14
        for cell in placed:
            spans = [r for r in range(cell.row, cell.row + cell.rowspan)]
            for box_page in sorted({tops[r][0] for r in spans}):
                rows = [r for r in spans if tops[r][0] == box_page]
                top, bottom = tops[rows[0]][1], tops[rows[-1]][1] - heights[rows[-1]]
                label = cell.text if rows[0] == cell.row else ""
                pages.setdefault(box_page, []).append(
                    (
                        "box",
                        (
                            xs[cell.col],
                            bottom,
                            xs[cell.col + cell.colspan] - xs[cell.col],
                            top - bottom,
                            label,
                            size,
                        ),
                    )
                )
    buffer = io.BytesIO()
    canvas = pdfcanvas.Canvas(buffer, pagesize=(_PAGE_W, _PAGE_H), invariant=1)
    canvas.setTitle(article.title)
    canvas.setAuthor("WPS")
    for number in range(1, page + 1):
        for kind, args in pages.get(number, []):
            if kind == "text":
                x, baseline, chunk, size = args
                canvas.setFont(_FONT, size)
                canvas.drawString(x, baseline, chunk)
            else:
                x, bottom, width, height, label, size = args
                canvas.setLineWidth(0.5)
                canvas.rect(x, bottom, width, height, stroke=1, fill=0)
                lines = _wrap(label, width - 4, size) if label else []
                canvas.setFont(_FONT, size)
                start = bottom + height / 2 + (len(lines) - 1) * size * 0.65 - size * 0.35
                for index, line in enumerate(lines):
                    canvas.drawCentredString(x + width / 2, start - index * size * 1.3, line)
        canvas.setFont(_FONT, 9)
        canvas.drawCentredString(_PAGE_W / 2, 30, f"- {number} -")
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def render_docx(article: Article, seed: int) -> bytes:
    """The report as a Word file with real (merged-cell) tables, deterministic bytes."""
    import docx

    document = docx.Document()
    document.core_properties.created = datetime(2026, 1, 1)
    document.core_properties.modified = datetime(2026, 1, 1)
    document.core_properties.title = article.title
    for part in _paragraphs(article, seed):
        if isinstance(part, str):
            document.add_paragraph(part)
            continue
        placed, n_rows, n_cols = _layout(part)
        table = document.add_table(rows=n_rows, cols=n_cols)
        table.style = "Table Grid"
        for cell in placed:
            target = table.cell(cell.row, cell.col)
            if cell.rowspan > 1 or cell.colspan > 1:
                target = target.merge(table.cell(cell.row + cell.rowspan - 1, cell.col + cell.colspan - 1))
            target.text = cell.text
    raw = io.BytesIO()
    document.save(raw)
    return _fixed_zip(raw.getvalue())


def _fixed_zip(data: bytes) -> bytes:
    """The same zip with every entry dated 2026-01-01 (python-docx stamps the current time)."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(2026, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(fixed, source.read(info.filename))
    return out.getvalue()


def render_attachment(article: Article, fmt: str, seed: int) -> bytes:
    return render_pdf(article, seed) if fmt == "pdf" else render_docx(article, seed)
