"""What a fetched body is: the HTML page its URL promises, or something else (JSON, binary).

A listing or article URL that answers JSON or binary data is recorded as a page error, not
parsed: parsel reads a JSON text as a JSON selector, on which CSS queries fail.
"""

from __future__ import annotations

from scrapy.http import HtmlResponse, Response, TextResponse, XmlResponse

_SNIFF = 512
_JSON_START = (b"{", b"[")


def not_html(response: Response) -> str | None:
    """Why a 200 response at a page URL is not an HTML page, or None when it is one."""
    if response.status != 200:
        return None
    kind = response.headers.get(b"Content-Type", b"").decode("latin-1") or "no Content-Type"
    if not isinstance(response, TextResponse):
        return f"binary body ({kind}) at a page URL"
    start = response.body[:_SNIFF].lstrip(b"\xef\xbb\xbf \t\r\n")
    if start.startswith(_JSON_START):
        return f"JSON body ({kind}) at a page URL"
    if not isinstance(response, (HtmlResponse, XmlResponse)) and b"<" not in start:
        return f"non-HTML body ({kind}) at a page URL"
    return None
