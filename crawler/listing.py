"""Reading 年报 column pages: which articles they list and where they lead.

Link discovery only; report content is understood in ``extract``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from parsel import Selector

from crawler.urls import is_article_url

# The pager is drawn by JavaScript: the raw page only carries the call
# ``createPage(<total pages>, <current>, "index", "html")`` (not TRS's usual
# createPageHTML), so the page count is read from the script text.
PAGE_COUNT = re.compile(r"createPage\(\s*(\d+)")
# Column folders of the 年报 family: zfxxgknb, zfxxgknb_N, 渝中's zfxxgknan_ew (sic), 沙坪坝's gknb.
_PAGER_CALL = re.compile(r"createPage\([^()]*\)")
ANNUAL_REPORT_COLUMN = re.compile(r"/(?:zfxxgknb|zfxxgknan|gknb)(?:_[a-z0-9]+)?/")
_LISTING_FILE = re.compile(r"/index(?:_\d+)?\.s?html?$")


@dataclass(frozen=True)
class ColumnPage:
    """What one listing page offers: article links, other column links, page count, framed listings."""

    article_links: tuple[str, ...]
    column_links: tuple[str, ...]
    page_count: int | None
    # Some sites draw the list in an <iframe> whose page is the real listing.
    frame_links: tuple[str, ...] = ()
    # A script other than the pager's createPage call: it may draw items the HTML lacks.
    scripted: bool = False

    def needs_rendering(self, url: str) -> bool:
        """No article link, and either nothing else to follow or a script that may draw the list.

        A parent column listing only its sub-columns, with no script but the pager, is read
        as it is; any other page without an article link is worth one rendering.
        """
        return not self.article_links and (self.scripted or self.leads_nowhere(url))

    def leads_nowhere(self, url: str) -> bool:
        """True when the page lists nothing: no article, no further page, no frame, no sub-column.

        Column links that are the page's own column or one of its ancestors (the breadcrumb,
        the root) are not leads; a parent column whose page lists only its sub-columns is.
        """
        if self.article_links or self.frame_links or (self.page_count or 0) > 1:
            return False
        own = urlsplit(column_base(url))
        for link in self.column_links:
            parts = urlsplit(link)
            ancestor = parts.netloc == own.netloc and own.path.startswith(parts.path)
            if not ancestor:
                return False
        return True


def column_base(url: str) -> str:
    """The folder URL of a column page (``…/col/index_2.html`` -> ``…/col/``)."""
    parts = urlsplit(url)
    path = _LISTING_FILE.sub("/", parts.path)
    if not path.endswith("/"):
        path += "/"
    return f"{parts.scheme}://{parts.netloc}{path}"


def is_column_url(url: str) -> bool:
    path = urlsplit(url).path
    return path.endswith("/") or bool(_LISTING_FILE.search(path))


def listing_page_urls(url: str, page_count: int) -> list[str]:
    """Every further page of a column: ``index_1.html`` .. ``index_{N-1}.html``."""
    base = column_base(url)
    return [f"{base}index_{number}.html" for number in range(1, page_count)]


def parse_column_page(html: str | bytes, url: str) -> ColumnPage:
    text = html.decode("utf-8", errors="replace") if isinstance(html, bytes) else html
    selector = Selector(text=text, type="html")  # a JSON body is not read as JSON
    articles: dict[str, None] = {}
    columns: dict[str, None] = {}
    for href in selector.css("a::attr(href)").getall():
        href = href.strip()
        if not href or href.startswith(("javascript:", "mailto:", "#")):
            continue
        absolute = urljoin(url, href)
        if not absolute.startswith(("http://", "https://")):
            continue
        if is_article_url(absolute):
            articles[absolute] = None
        elif is_column_url(absolute):
            columns[column_base(absolute)] = None
    frames: dict[str, None] = {}
    for src in selector.css("iframe::attr(src), frame::attr(src)").getall():
        absolute = urljoin(url, src.strip())
        if absolute.startswith(("http://", "https://")):
            frames[absolute] = None
    count = None
    scripted = bool(selector.css("script[src]"))
    for script in selector.css("script::text").getall():
        match = PAGE_COUNT.search(script)
        if match and count is None:
            # A claim beyond any real pager is capped by the spider (REPORTS_MAX_LISTING_PAGES).
            count = int(match.group(1).lstrip("0")[:10] or 0)
        if _PAGER_CALL.sub("", script).strip(" \t\r\n;"):
            scripted = True
    return ColumnPage(tuple(articles), tuple(columns), count, tuple(frames), scripted)
