"""What a saved report document says about itself: title, agency, year, publish date.

Works on a platform article page (its skeleton), on a bare article body or
another site's page (the first line that reads as a report title), and on a
text or Markdown copy.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from extract.grid import parse_html
from extract.page import PageMetadataError, parse_article
from extract.report import decode_document, looks_like_html
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


def _date(match: re.Match[str] | None) -> date | None:
    if match is None:
        return None
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


def summarise_document(document: bytes | str) -> DocumentSummary:
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
    top = lines[:_TOP_LINES]
    title = next((line for line in top if parse_report_title(line)), None)
    identity = parse_report_title(title) if title else None
    published = _date(next((m for line in top if (m := _DATE_LINE.search(line))), None))
    if published is None:
        bottom = reversed(lines[-_BOTTOM_LINES:])
        published = _date(next((m for line in bottom if (m := _SIGNATURE_DATE.match(line))), None))
    return DocumentSummary(
        title, identity.agency if identity else None, identity.year if identity else None, published
    )
