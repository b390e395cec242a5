"""Canonical URLs: one URL per page, whatever twin the site linked.

The platform serves every page on the ``www.`` and the bare host, over http
and https, and as a mobile ``_wap.html`` twin. The archive stores one form:
http, the registry's host form, no ``_wap``, no query or fragment.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

from crawler.registry import Site

# Article pages: …/YYYYMM/tYYYYMMDD_<docid>.html, and their _wap/_app twins.
ARTICLE_PATH = re.compile(r"/\d{6}/t\d{8}_\d+(?:_wap|_app)?\.s?html?$")
_MOBILE_TWIN = re.compile(r"_(?:wap|app)(\.s?html?)$")


def canonical_url(url: str, site: Site) -> str | None:
    """The archive's form of ``url``, or None when it is not on the site's hosts."""
    parts = urlsplit(url)
    host = site.canonical_host(parts.hostname or "")
    if host is None:
        return None
    path = _MOBILE_TWIN.sub(r"\1", parts.path or "/")
    return urlunsplit(("http", host, path, "", ""))


def is_article_url(url: str) -> bool:
    return bool(ARTICLE_PATH.search(urlsplit(url).path))
