"""Article pages of the Chongqing platform: title, dates, source, breadcrumb, body.

A pure reading of one saved page. The platform skeleton (seen on real pages):
``meta[name=ArticleTitle|PubDate|ContentSource]``, breadcrumb in
``div.content.content-o``, title in ``div.zwxl-title p.tit``, date line in
``div.zwxl-title`` (``日期:2021-02-03`` and variants), 来源 written by an
inline ``document.write``, body in ``div.zwxl-article``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from lxml import etree
from parsel import Selector

from extract.limits import MAX_PAGE_BYTES
from extract.titles import ReportTitle, normalise_title, parse_report_title


class PageMetadataError(ValueError):
    """The page lacks what every article page of the platform has (title or body)."""


# 日期:2021-02-03 / 日期: 2026-01-29 / 发布日期:2026-01-16 17:57:09 / 发布时间:2026-01-20 17:01
_LABELLED_DATE = re.compile(r"(?:发布日期|发布时间|日期)\s*[:：]\s*(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})")
_ANY_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
# if("万州经开区办公室"!=""){document.write(...)}: the source is only in the script text.
_SCRIPT_SOURCE = re.compile(r'if\s*\(\s*"([^"]*)"\s*!=\s*""\s*\)')
_BREADCRUMB_PREFIX = re.compile(r"^.*?(?:位置|当前位置)\s*[:：]\s*")
_BODY_SELECTORS = ("div.zwxl-article", "#UCAP-CONTENT", "div.zwxl-main", "div.TRS_Editor", "body")
# Body markers of a real report: the numbered section headings or the template's tables.
_REPORT_BODY_MARKERS = re.compile(r"总体情况|主动公开|依申请公开|政府信息公开申请|行政复议")


@dataclass(frozen=True)
class ArticlePage:
    title: str
    published: date | None
    date_text: str | None
    source: str | None
    breadcrumb: tuple[str, ...]
    body_html: str
    body_text: str


def _date(parts: tuple[str | Any, ...]) -> date | None:
    try:
        return date(int(parts[0]), int(parts[1]), int(parts[2]))
    except ValueError:
        return None


_VISIBLE_TEXT = etree.XPath(".//text()[not(ancestor::script) and not(ancestor::style)]")


def _text(selector: Selector) -> str:
    # lxml directly: a parsel Selector per text node costs more than the rest of the page.
    return " ".join(" ".join(_VISIBLE_TEXT(selector.root)).split())


def _meta(selector: Selector, name: str) -> str | None:
    value = selector.css(f'meta[name="{name}"]::attr(content)').get()
    return value.strip() if value and value.strip() else None


def _parse_title(selector: Selector) -> str:
    for query in ("div.zwxl-title p.tit", "div.zwxl-title h1", "h1"):
        node = selector.css(query)
        if node and _text(node[0]):
            return normalise_title(_text(node[0]))
    title = _meta(selector, "ArticleTitle") or selector.css("title::text").get()
    if title and title.strip():
        return normalise_title(title)
    raise PageMetadataError("no title (div.zwxl-title p.tit, h1, meta ArticleTitle or <title>)")


def _parse_published(selector: Selector) -> tuple[date | None, str | None]:
    """The shown publish date: the date line first, meta PubDate second."""
    bar = selector.css("div.zwxl-title")
    bar_text = _text(bar[0]) if bar else ""
    match = _LABELLED_DATE.search(bar_text) or _ANY_DATE.search(bar_text)
    if match:
        return _date(match.groups()), match.group(0)
    pubdate = _meta(selector, "PubDate")
    if pubdate:
        match = _ANY_DATE.search(pubdate)
        if match:
            return _date(match.groups()), pubdate
    return None, None


def _parse_source(selector: Selector) -> str | None:
    meta = _meta(selector, "ContentSource")
    if meta:
        return meta
    for script in selector.css("div.zwxl-title script::text").getall():
        match = _SCRIPT_SOURCE.search(script)
        if match and match.group(1).strip():
            return match.group(1).strip()
    return None


def _parse_breadcrumb(selector: Selector) -> tuple[str, ...]:
    node = selector.css("div.content.content-o")
    if not node:
        return ()
    text = _BREADCRUMB_PREFIX.sub("", _text(node[0]))
    return tuple(part.strip() for part in re.split(r"\s*[>/]\s*", text) if part.strip())


def parse_article(html: str | bytes) -> ArticlePage:
    """Read an article page; raises PageMetadataError when the skeleton is missing or the page
    is over the page size limit (checked before parsing)."""
    if len(html) > MAX_PAGE_BYTES:
        raise PageMetadataError(
            f"DocumentTooLarge: page of {len(html):,} bytes is over the limit of {MAX_PAGE_BYTES:,}"
        )
    text = html.decode("utf-8", errors="replace") if isinstance(html, bytes) else html
    selector = Selector(text=text, type="html")  # a JSON body is not read as JSON
    title = _parse_title(selector)
    published, date_text = _parse_published(selector)
    for query in _BODY_SELECTORS:
        body = selector.css(query)
        if body:
            break
    else:
        raise PageMetadataError("no article body")
    return ArticlePage(
        title=title,
        published=published,
        date_text=date_text,
        source=_parse_source(selector),
        breadcrumb=_parse_breadcrumb(selector),
        body_html=body[0].get(),
        body_text=_text(body[0]),
    )


def report_identity(page: ArticlePage) -> ReportTitle | None:
    """The report's agency and year when the page is an annual report, else None.

    Decided by title and content, never by URL: the title must be a report
    title (not an explainer or a notice quoting one) and the body must read
    like a report.
    """
    identity = parse_report_title(page.title)
    if identity is None:
        return None
    if len(page.body_text) < 200 or not _REPORT_BODY_MARKERS.search(page.body_text):
        return None
    return identity
