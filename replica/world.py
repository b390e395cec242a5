"""The replica world: units, columns and articles, and every page they serve, as bytes.

``build_world`` is deterministic: the same seed and size give the same pages,
byte for byte. Pages are rendered on first request and cached.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from . import text
from .bodies import article_body
from .catalog import Article, plan_articles
from .coverage import CoveragePlan, coverage_truth, plan_coverage
from .dates import stable_rng
from .pages import ROBOTS_TXT, Link, article_page, home_page, listing_page
from .units import Column, Site, Unit, load_units

PAGE_SIZES = {"small": 5, "full": 15}
# Last-Modified of every page until it is revised (a revision moves it forward by an hour).
BASE_MODIFIED = datetime(2026, 3, 1, tzinfo=UTC)


@dataclass(frozen=True)
class _Target:
    """What a (site, path) serves: a listing page, an article (or its twin), robots or home."""

    kind: str  # listing | article | robots | home
    column: Column | None = None
    page: int = 0
    article: Article | None = None
    wap: bool = False


class World:
    """A deterministic replica of the platform's 年报 columns."""

    # What it leaves missing, withdraws in its later state, garbles (replica.coverage); None: nothing.
    coverage_plan: CoveragePlan | None = None

    def __init__(
        self, size: str, seed: int, units: list[Unit], articles: list[Article], page_size: int
    ) -> None:
        self.size = size
        self.seed = seed
        self.units = units
        self.articles = articles
        self.page_size = page_size
        self._unit_of = {unit.code: unit for unit in units}
        self._site_of_host: dict[str, Site] = {
            site_host: site for unit in units for site in unit.sites for site_host in site.hosts
        }
        self._by_column: dict[int, list[Article]] = {}
        for article in articles:
            self._by_column.setdefault(id(article.column), []).append(article)
        for items in self._by_column.values():
            items.sort(key=lambda a: (a.shown, a.docid), reverse=True)
        self._targets: dict[tuple[str, int, str], _Target] = {}
        self._article_by_path: dict[tuple[str, int, str], Article] = {}
        self._index()
        self._cache: dict[tuple[str, int, str], bytes] = {}
        self._revised: dict[tuple[str, int, str], int] = {}
        self._lock = threading.Lock()

    # ------------------------------------------------------------------ lookup
    def _index(self) -> None:
        for unit in self.units:
            for site in unit.sites:
                self._targets[(unit.code, site.index, "/robots.txt")] = _Target("robots")
                self._targets[(unit.code, site.index, "/")] = _Target("home")
            for column in unit.columns:
                key = (unit.code, column.site.index)
                pages = self.page_count(column)
                self._targets[(*key, column.path)] = _Target("listing", column, 0)
                for page in range(pages):
                    name = "index.html" if page == 0 else f"index_{page}.html"
                    self._targets[(*key, column.path + name)] = _Target("listing", column, page)
                for article in self.column_articles(column):
                    self._targets[(*key, article.path)] = _Target("article", column, article=article)
                    self._targets[(*key, article.wap_path)] = _Target(
                        "article", column, article=article, wap=True
                    )
                    self._article_by_path[(*key, article.path)] = article

    def column_articles(self, column: Column) -> list[Article]:
        """The articles of a column, newest first (as listed)."""
        return self._by_column.get(id(column), [])

    def page_count(self, column: Column) -> int:
        return max(1, -(-len(self.column_articles(column)) // self.page_size))

    def site_for_host(self, host: str) -> Site | None:
        return self._site_of_host.get(host.lower().split(":")[0])

    def knows_host(self, host: str) -> bool:
        return self.site_for_host(host) is not None

    def resolve(self, host: str, path: str) -> bytes | None:
        """The bytes served for a host and path, or None (404). Raises KeyError for an unknown host."""
        site = self.site_for_host(host)
        if site is None:
            raise KeyError(host)
        key = (site.unit_code, site.index, path)
        target = self._targets.get(key)
        if target is None:
            return None
        with self._lock:
            cached = self._cache.get(key)
        if cached is None:
            rendered = self._render(site, target)
            cached = rendered if isinstance(rendered, bytes) else rendered.encode("utf-8")
            with self._lock:
                self._cache[key] = cached
        return cached

    def content_type(self, path: str) -> str:
        """The Content-Type of a served path."""
        return "text/plain; charset=utf-8" if path == "/robots.txt" else "text/html; charset=utf-8"

    def challenge(self, host: str, cookie_header: str) -> bytes | None:
        """A cookie challenge to answer instead of the page (see replica.extras); None here."""
        return None

    def last_modified(self, host: str, path: str) -> datetime:
        """The Last-Modified time of a served page (later once the page was revised)."""
        site = self.site_for_host(host)
        if site is None:
            raise KeyError(host)
        revisions = self._revised.get((site.unit_code, site.index, path.replace("_wap.html", ".html")), 0)
        return BASE_MODIFIED + timedelta(hours=revisions)

    def page(self, url: str) -> bytes:
        """Offline access to any served URL (http://host/path); raises KeyError if not served."""
        parts = urlsplit(url)
        body = self.resolve(parts.hostname or "", parts.path or "/")
        if body is None:
            raise KeyError(url)
        return body

    # --------------------------------------------------------------- rendering
    def _children(self, column: Column) -> list[Link]:
        links = []
        for child in column.children:
            if child.path.startswith(column.path) and len(child.path) % 2 == 0:
                href = "./" + child.path[len(column.path) :]
            else:
                href = child.path
            links.append(Link(href, child.name))
        return links

    def _render(self, site: Site, target: _Target) -> str:
        unit = self._unit_of[site.unit_code]
        if target.kind == "robots":
            return ROBOTS_TXT
        if target.kind == "home":
            tops = [c for c in unit.columns if c.site is site and (c.parent is None)]
            return home_page(unit.prefix, [Link(c.path, c.name) for c in tops])
        column = target.column
        assert column is not None
        if target.kind == "article":
            assert target.article is not None
            body = article_body(self.seed, target.article)
            return article_page(target.article, body, unit.code, unit.prefix, wap=target.wap)
        items = self.column_articles(column)
        start = target.page * self.page_size
        return listing_page(
            column,
            items[start : start + self.page_size],
            target.page,
            self.page_count(column),
            self._children(column),
            unit.code,
            unit.prefix,
            table_rows=unit.listing == "table",
        )

    # ---------------------------------------------------------------- edits
    def revise(self, url: str, sentence: str) -> None:
        """Silently edit a served report: append a sentence to its body (changes the ETag)."""
        parts = urlsplit(url)
        site = self.site_for_host(parts.hostname or "")
        if site is None:
            raise KeyError(url)
        path = parts.path.replace("_wap.html", ".html")
        article = self._article_by_path.get((site.unit_code, site.index, path))
        if article is None:
            raise KeyError(url)
        with self._lock:
            article.revisions.append(sentence)
            self._revised[(site.unit_code, site.index, article.path)] = len(article.revisions)
            for wanted in (article.path, article.wap_path):
                self._cache.pop((site.unit_code, site.index, wanted), None)

    # ------------------------------------------------------------- manifest
    @property
    def reports(self) -> list[dict[str, Any]]:
        """The manifest entries of every report."""
        return self.manifest()["reports"]

    def manifest(self) -> dict[str, Any]:
        reports = []
        non_reports = []
        for article in sorted(self.articles, key=lambda a: a.url):
            report = article.report
            if report is None:
                non_reports.append({"url": article.url, "title": article.title, "category": article.category})
                continue
            reports.append(
                {
                    "url": article.url,
                    "title": article.title,
                    "agency": report.agency,
                    "district": self._unit_of[article.column.unit_code].name,
                    "unit_code": article.column.unit_code,
                    "kind": report.kind,
                    "year": report.year,
                    "published": article.shown.isoformat(),
                    # Tables printed as pictures: nothing on the page tells the template.
                    "template": None if report.unreadable else report.template,
                    **self._truth(article),
                    "broken_identities": list(report.broken),
                    "extraction": "failed" if report.unreadable else "complete",
                }
            )
        units = [{"code": u.code, "name": u.name, "hosts": u.hosts, "roots": u.roots} for u in self.units]
        manifest = {
            "seed": self.seed,
            "size": self.size,
            "units": units,
            "reports": reports,
            "non_reports": non_reports,
        }
        if self.coverage_plan is not None:
            manifest["coverage"] = coverage_truth(self)
        return manifest

    def _truth(self, article: Article) -> dict[str, Any]:
        """Values, extraction status and planted prose contradictions of one report."""
        report = article.report
        assert report is not None
        if report.unreadable:
            return {"values": {}, "status": "failed", "prose_contradictions": []}
        if report.template == "pre2019" and not report.is_seed:
            rng = stable_rng(self.seed, "text", article.key)
            stated = text.legacy_report(rng, report.agency, report.year).stated
            status = "legacy" if stated else "no statistics"
            return {"values": stated, "status": status, "prose_contradictions": []}
        slips = []
        if report.printed and not report.is_seed:
            slip = text.prose_slip(self.seed, article.key, report.printed)
            if slip:
                table = text.stated_value(report.printed, slip[0])
                slips.append({"quantity": slip[0], "table": table, "prose": table + slip[1]})
        return {"values": dict(report.values), "status": "complete", "prose_contradictions": slips}

    def write_manifest(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps(self.manifest(), ensure_ascii=False, indent=1), encoding="utf-8")

    def urls(self) -> list[str]:
        """Every served URL on the canonical hosts (listings, articles, twins)."""
        result = []
        for code, index, path in self._targets:
            site = self._unit_of[code].sites[index]
            result.append(f"http://{site.canonical_host}{path}")
        return sorted(result)


def build_world(size: str = "small", seed: int = 2026, page_size: int | None = None) -> World:
    """Build the replica world of a size (``small``, ``full`` or ``browser``) from a seed.

    ``browser`` is a separate world of sites that need more than a plain download
    (attachments, script-filled listings, a 521 cookie challenge: replica.extras); ``listings``
    one of listings drawn by external scripts, shown in iframes, or empty (replica.listings).
    """
    if size == "browser":
        from .extras import build_browser_world

        return build_browser_world(seed, page_size)
    if size == "listings":
        from .listings import build_listings_world

        return build_listings_world(seed, page_size)

    if size == "pageshapes":
        from .pageshapes import build_pageshapes_world

        return build_pageshapes_world(seed, page_size)
    units = load_units(size)
    articles, plan = plan_coverage(units, plan_articles(units, seed), seed)
    world = World(size, seed, units, articles, page_size or PAGE_SIZES[size])
    world.coverage_plan = plan
    return world
