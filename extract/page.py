"""Article pages of the Chongqing platform: title, dates, source, breadcrumb, body.

A pure reading of one saved page. The platform skeleton (seen on real pages):
``meta[name=ArticleTitle|PubDate|ContentSource]``, breadcrumb in
``div.content.content-o``, title in ``div.zwxl-title p.tit``, date line in
``div.zwxl-title`` (``日期:2021-02-03`` and variants), 来源 written by an
inline ``document.write``, body in ``div.zwxl-article``. Other templates of the
CMS family are read by content: the first labelled date line of the page, and
the block holding most of the page's paragraph text as the body. Bytes are
decoded by BOM, UTF-8, the declared charset (header or meta), then GB18030.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from lxml import etree
from parsel import Selector

from extract.limits import MAX_PAGE_BYTES
from extract.report import decode_document
from extract.titles import normalise_title


class PageMetadataError(ValueError):
    """The page lacks what every article page of the platform has (title or body)."""


# 日期:2021-02-03 / 日期: 2026-01-29 / 发布日期:2026-01-16 17:57:09 / 发布时间:2026-01-20 17:01
_LABELLED_DATE = re.compile(r"(?:发布日期|发布时间|日期)\s*[:：]\s*(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})")
_ANY_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
# if("万州经开区办公室"!=""){document.write(...)}: the source is only in the script text.
_SCRIPT_SOURCE = re.compile(r'if\s*\(\s*"([^"]*)"\s*!=\s*""\s*\)')
_BREADCRUMB_PREFIX = re.compile(r"^.*?(?:位置|当前位置)\s*[:：]\s*")
_BODY_SELECTORS = ("div.zwxl-article", "#UCAP-CONTENT", "div.zwxl-main", "div.TRS_Editor")
# Blocks that may hold an article body on other templates, scored by their paragraph text.
_BODY_CANDIDATES = etree.XPath("//div|//article|//section|//td")
_PARAGRAPHS = etree.XPath("./p|./table|./div[not(div)]|./section/p")
_MAX_CANDIDATES = 3000


@dataclass(frozen=True)
class ArticlePage:
    title: str
    published: date | None
    date_text: str | None
    source: str | None
    breadcrumb: tuple[str, ...]
    body_html: str
    body_text: str
    # The parsed page and its body element (for recognition; not compared or shown).
    root: Any = field(default=None, repr=False, compare=False)
    body: Any = field(default=None, repr=False, compare=False)


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
    # Other templates: the first labelled date line of the page ("发布时间：2024-01-20").
    match = _LABELLED_DATE.search(_text(selector))
    if match:
        return _date(match.groups()), match.group(0)
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


def _own_text_length(element: etree._Element) -> int:
    return sum(len("".join(child.itertext()).strip()) for child in _PARAGRAPHS(element))


def _find_body(selector: Selector) -> Selector:
    """The article body: a known container of the platform, else the block with most paragraph text."""
    for query in _BODY_SELECTORS:
        body = selector.css(query)
        if body:
            return body[0]
    # Scored in document order up to a bound: a hostile page of nested blocks stays cheap.
    scored = [(_own_text_length(block), block) for block in _BODY_CANDIDATES(selector.root)[:_MAX_CANDIDATES]]
    if scored:
        length, best = max(scored, key=lambda pair: pair[0])
        if length > 0:
            return Selector(root=best)
    body = selector.css("body")
    if not body:
        raise PageMetadataError("no article body")
    return body[0]


def _too_large(html: str | bytes) -> None:
    """The page size limit, checked before any parsing."""
    if len(html) > MAX_PAGE_BYTES:
        raise PageMetadataError(
            f"DocumentTooLarge: page of {len(html):,} bytes is over the limit of {MAX_PAGE_BYTES:,}"
        )


def page_body(html: str | bytes, content_type: str | None = None) -> tuple[Any, Any]:
    """The parsed page and its article body element, for pages that may lack a title."""
    _too_large(html)
    text = decode_document(html, content_type)[0] if isinstance(html, bytes) else html
    selector = Selector(text=text, type="html")  # a JSON body is not read as JSON
    return selector.root, _find_body(selector).root


def parse_article(html: str | bytes, content_type: str | None = None) -> ArticlePage:
    """Read an article page; raises PageMetadataError when the skeleton is missing.

    ``content_type`` is the response's Content-Type header (its charset decodes the bytes). A page
    over the page size limit is refused before it is parsed.
    """
    _too_large(html)
    text = decode_document(html, content_type)[0] if isinstance(html, bytes) else html
    selector = Selector(text=text, type="html")  # a JSON body is not read as JSON
    title = _parse_title(selector)
    published, date_text = _parse_published(selector)
    body = _find_body(selector)
    return ArticlePage(
        title=title,
        published=published,
        date_text=date_text,
        source=_parse_source(selector),
        breadcrumb=_parse_breadcrumb(selector),
        body_html=body.get(),
        body_text=_text(body),
        root=selector.root,
        body=body.root,
    )
