"""Report files attached to an article: which links of the article body to download.

Link discovery only; the files are read in ``extract.attachments``.
"""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

from parsel import Selector

# Reports published as files: PDF, Word (DOCX, and the old binary DOC) and WPS documents.
ATTACHMENT_SUFFIXES = (".pdf", ".docx", ".doc", ".wps")


def attachment_links(html: str | bytes, url: str) -> tuple[str, ...]:
    """Absolute URLs of the report files linked from the article body (``div.zwxl-article``)."""
    text = html.decode("utf-8", errors="replace") if isinstance(html, bytes) else html
    links: dict[str, None] = {}
    for href in Selector(text=text, type="html").css("div.zwxl-article a::attr(href)").getall():
        absolute = urljoin(url, href.strip())
        if absolute.startswith(("http://", "https://")) and urlsplit(absolute).path.lower().endswith(
            ATTACHMENT_SUFFIXES
        ):
            links[absolute] = None
    return tuple(links)
