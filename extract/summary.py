"""What a saved report document says about itself: title, agency, year, publish date.

Works on a platform article page (its skeleton), on a bare article body or
another site's page (the first line that reads as a report title), on a
text or Markdown copy, and on a PDF or DOCX file (its text, read once).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from extract.attachments import attachment_format, read_attachment
from extract.canonical import ExtractionError
from extract.grid import parse_html
from extract.limits import MAX_FILE_BYTES, MAX_PAGE_BYTES, LimitExceeded, check_size
from extract.page import PageMetadataError, parse_article
from extract.report import (
    ReportExtraction,
    decode_document,
    extract_attachment_content,
    extract_report,
    failed_extraction,
    infer_year,
    looks_like_html,
)
from extract.sections import html_lines, text_lines
from extract.titles import parse_report_title

# 日期:2021-02-03 / 发布日期：2026-01-23 / 公开日期:2024-01-17 / 发布时间:2026-01-20 17:01
_DATE_LINE = re.compile(
    r"(?:发布日期|发布时间|公开日期|成文日期|日期)\s*[:：]?\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})"
)
# The signature date (落款) closes many reports on a line of its own: "2024年1月17日".
_SIGNATURE_DATE = re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日$")
_MARKDOWN_HEADING = re.compile(r"^#+\s*")
_TOP_LINES = 40
_BOTTOM_LINES = 10


@dataclass(frozen=True)
class DocumentSummary:
    title: str | None
    agency: str | None
    year: int | None
    published: date | None


@dataclass(frozen=True)
class DescribedDocument:
    """What ``reports extract`` shows of one document: its summary and its extraction."""

    summary: DocumentSummary
    extraction: ReportExtraction


_NOTHING = DocumentSummary(None, None, None, None)


def _date(match: re.Match[str] | None) -> date | None:
    if match is None:
        return None
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


def describe_document(
    document: bytes, content_type: str | None = None, url: str | None = None
) -> DescribedDocument:
    """Summary and extraction of a page or file; a file is read once, limits come before parsing."""
    try:
        check_size(document, MAX_FILE_BYTES)
        if attachment_format(document):
            content = read_attachment(document)
            summary = summarise_lines([line.text for line in text_lines(content.text)], joined_titles=True)
            if summary.year is None:
                summary = DocumentSummary(
                    summary.title, summary.agency, infer_year(content.text), summary.published
                )
            return DescribedDocument(summary, extract_attachment_content(content, summary.year))
        check_size(document, MAX_PAGE_BYTES, "page")
    except (ExtractionError, LimitExceeded) as error:
        return DescribedDocument(_NOTHING, failed_extraction(f"{type(error).__name__}: {error}"))
    text = decode_document(document, content_type)[0]
    summary = summarise_document(text)
    if summary.year is None:
        summary = DocumentSummary(summary.title, summary.agency, infer_year(text), summary.published)
    extraction = extract_report(document, url=url, year=summary.year, content_type=content_type)
    return DescribedDocument(summary, extraction)


def summarise_document(document: bytes | str) -> DocumentSummary:
    """Title, agency, year and publish date of a page or a text copy (over MAX_PAGE_BYTES: DocumentTooLarge)."""
    check_size(document, MAX_PAGE_BYTES, "page")
    text = decode_document(document)[0] if isinstance(document, bytes) else document
    if looks_like_html(text):
        try:
            page = parse_article(text)
        except PageMetadataError:
            page = None
        if page is not None and (identity := parse_report_title(page.title)):
            return DocumentSummary(page.title, identity.agency, identity.year, page.published)
        lines = [line.text for line in html_lines(parse_html(text))]
    else:
        lines = [_MARKDOWN_HEADING.sub("", line.text) for line in text_lines(text)]
    return summarise_lines(lines)


def _title(top: list[str], joined_titles: bool) -> str | None:
    """The first line that reads as a report title; a file's title may be printed over two lines
    ("洪泽区人民政府" / "2023 年政府信息公开工作年度报告"), its text layer spacing out the digits."""
    for number, line in enumerate(top):
        if parse_report_title(line):
            return "".join(line.split()) if joined_titles else line
        if joined_titles and number + 1 < len(top):
            joined = "".join((line + top[number + 1]).split())
            if parse_report_title(joined):
                return joined
    return None


def summarise_lines(lines: list[str], joined_titles: bool = False) -> DocumentSummary:
    """Title, agency, year and publish date from a document's lines of text, top to bottom."""
    top = lines[:_TOP_LINES]
    title = _title(top, joined_titles)
    identity = parse_report_title(title) if title else None
    published = _date(next((m for line in top if (m := _DATE_LINE.search(line))), None))
    if published is None:
        bottom = reversed(lines[-_BOTTOM_LINES:])
        published = _date(next((m for line in bottom if (m := _SIGNATURE_DATE.match(line))), None))
    return DocumentSummary(
        title, identity.agency if identity else None, identity.year if identity else None, published
    )
