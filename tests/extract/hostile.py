"""Hostile documents, made on the fly: what an attacker (or a broken site) serves as a report.

Used by the limit tests, the bounded-crawl test and benchmarks/hostile_documents.py.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from functools import cache

import docx
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

_TITLE = "重庆市测试局2024年政府信息公开工作年度报告"


def span_bomb_page(size_bytes: int = 4_000_000) -> bytes:
    """Many small tables, each cell spanning colspan=100 rowspan=1000 (2.7 GiB and 32 s at 4 MB before
    the per-document cell budget), inside a report page whose title and sections are real."""
    table = (
        "<table><tr>" + '<td colspan="100" rowspan="1000">1</td>' * 3 + "</tr>" + "<tr><td>2</td></tr>" * 4
    )
    table += "</table>"
    head = (
        f"<html><head><title>{_TITLE}</title></head><body>"
        f'<div class="zwxl-title"><p class="tit">{_TITLE}</p>日期:2025-01-20</div>'
        '<div class="zwxl-article"><p>一、总体情况</p><p>本机关主动公开政府信息。</p>'
        "<p>二、主动公开政府信息情况</p><p>三、收到和处理政府信息公开申请情况</p>"
        "<p>四、政府信息公开行政复议、行政诉讼情况</p>"
    )
    tail = "</div></body></html>"
    count = max(1, (size_bytes - len(head) - len(tail)) // len(table))
    return (head + table * count + tail).encode("utf-8")


def oversized_page(size_bytes: int) -> bytes:
    """A report page padded past a size limit with ordinary paragraphs."""
    head = f'<html><body><div class="zwxl-title"><p class="tit">{_TITLE}</p></div><div class="zwxl-article">'
    filler = "<p>" + "政府信息公开" * 50 + "</p>"
    count = size_bytes // len(filler.encode("utf-8")) + 1
    return (head + filler * count + "</div></body></html>").encode("utf-8")


@cache
def pdf_bomb(unpacked_bytes: int = 1 << 30) -> bytes:
    """A one-page PDF whose content stream inflates from about a megabyte to ``unpacked_bytes``."""
    packer = zlib.compressobj(1)
    chunk = b" " * (1 << 20)
    packed = b"".join(packer.compress(chunk) for _ in range(unpacked_bytes // len(chunk))) + packer.flush()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(packed) + packed + b"\nendstream",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def _minimal_docx() -> bytes:
    document = docx.Document()
    document.add_paragraph(_TITLE)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


@cache
def docx_bomb(unpacked_bytes: int = 2 << 30) -> bytes:
    """A DOCX whose word/document.xml inflates to ``unpacked_bytes`` (2 GiB before the unpack limit)."""
    source = zipfile.ZipFile(io.BytesIO(_minimal_docx()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bomb:
        for member in source.infolist():
            if member.filename != "word/document.xml":
                bomb.writestr(member, source.read(member))
                continue
            xml = source.read(member)
            with bomb.open("word/document.xml", "w", force_zip64=True) as stream:
                stream.write(xml[: xml.rindex(b"</w:body>")])
                chunk = b"<w:p/>" * (1 << 17)
                for _ in range(max(1, unpacked_bytes // len(chunk))):
                    stream.write(chunk)
                stream.write(b"</w:body></w:document>")
    return out.getvalue()


def docx_span_bomb(rows: int = 400, span: int = 100_000) -> bytes:
    """A DOCX table whose cells each claim to span ``span`` grid columns (python-docx repeats them)."""
    document = docx.Document()
    document.add_paragraph(_TITLE)
    table = document.add_table(rows=rows, cols=1)
    for row in table.rows:
        tc = row.cells[0]._tc
        tc.get_or_add_tcPr().grid_span = span
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def long_pdf(pages: int) -> bytes:
    """A text PDF of ``pages`` pages, each with a small drawn table: slow to read when long."""
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buffer = io.BytesIO()
    sheet = canvas.Canvas(buffer, pagesize=A4, invariant=True)
    for number in range(pages):
        sheet.setFont("STSong-Light", 11)
        sheet.drawString(60, 780, f"{_TITLE} 第{number + 1}页")
        for line in range(30):
            sheet.drawString(60, 760 - 14 * line, "本机关主动公开政府信息，依申请公开政府信息。" * 2)
        for row in range(6):
            for col in range(4):
                sheet.rect(60 + 110 * col, 200 + 20 * row, 110, 20)
                sheet.drawString(64 + 110 * col, 206 + 20 * row, str(row * 4 + col))
        sheet.showPage()
    sheet.save()
    return buffer.getvalue()
