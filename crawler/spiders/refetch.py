"""The refetch spider: fetches given archived URLs again, and nothing else (``reports verify --repair``).

Each URL is requested as the crawl that archived it requested it (column, article or
attachment, with its referer), unconditionally (a 304 carries no body to repair a file with),
through the same middlewares and pipelines as a crawl, so the registry and the proxy apply and
the snapshot store rewrites a damaged file when the body comes back. It follows no links, and its
run is not a complete crawl of any unit, so no report counts as unlisted by it.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.http import Response

from crawler.items import PageItem
from crawler.registry import Site, load_registry
from crawler.spiders.reports import ReportsSpider


class RefetchSpider(ReportsSpider):
    """Arguments (``-a``): ``targets`` = JSON file of ``{url, page_type, site_code, referer}``;
    ``sites`` = the registry YAML (default: the shipped one)."""

    name = "refetch"
    refetch_only = True

    def __init__(self, targets: str = "", sites: str | None = None, **kwargs: Any):
        scrapy.Spider.__init__(self, **kwargs)
        registry = load_registry(sites)
        self.targets: list[dict[str, Any]] = json.loads(Path(targets).read_text(encoding="utf-8"))
        chosen: dict[str, Site] = {}
        for target in self.targets:
            site = _site_of(target, registry)
            target["site_code"] = site.code if site else None
            if site is not None:
                chosen[site.code] = site
            else:
                self.logger.warning("Not refetched: %s is on no host of the registry", target["url"])
        self.sites = list(chosen.values())
        self.allowed_domains = sorted({host for entry in self.sites for host in entry.hosts + entry.mirrors})

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for target in self.targets:
            if target["site_code"] is None:
                continue
            request = self.frontier_request(
                target["url"], target["page_type"], target["site_code"], target.get("referer")
            )
            request.meta["conditional"] = False
            yield request

    def parse_column(self, response: Response, site: Site) -> Iterator[PageItem | scrapy.Request]:
        yield self._page_item(response, site)

    def parse_article(self, response: Response, site: Site) -> Iterator[PageItem | scrapy.Request]:
        yield self._page_item(response, site)


def _site_of(target: dict[str, Any], registry: list[Site]) -> Site | None:
    code = target.get("site_code")
    host = urlsplit(target["url"]).hostname or ""
    for site in registry:
        if site.code == code or (code is None and site.canonical_host(host) is not None):
            return site
    return None
