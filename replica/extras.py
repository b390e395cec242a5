"""The ``browser`` world: sites that need more than a plain download (units-browser.yaml).

- Reports published as an attached PDF or DOCX, linked from a short article
  (``replica.attachments``).
- 年报 listings whose HTML is empty and filled by a script from the column's
  ``list.json`` (shaped like the platform's TRS search answer,
  ``data.middle.list[].url/title_no_tag``).
- A host that answers every request without the ``__jsl_clearance`` cookie with
  HTTP 521 and a script that sets the cookie and reloads (the "加速乐" kind of
  challenge some government sites put in front of every page).

The small and full worlds are untouched; this world only adds to ``World``.
"""

from __future__ import annotations

import hashlib
import html
import json
from functools import cache
from http.cookies import CookieError, SimpleCookie
from pathlib import Path
from typing import Any

import yaml

from .attachments import CONTENT_TYPES, FORMATS, attachment_path, render_attachment, short_body
from .bodies import article_body
from .catalog import Article, plan_articles
from .dates import stable_rng
from .pages import article_page, listing_page
from .units import Site, Unit, _build_unit
from .world import World, _Target

EXTRAS_FILE = Path(__file__).with_name("units-browser.yaml")
PAGE_SIZE = 5
CLEARANCE_COOKIE = "__jsl_clearance"
CHALLENGE_STATUS = 521
LISTING_JSON = "list.json"


@cache
def _raw_extras() -> list[dict[str, Any]]:
    with EXTRAS_FILE.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def clearance_value(host: str) -> str:
    """The cookie value the challenge script computes for a host."""
    digest = hashlib.sha1(f"jsl:{host}".encode()).hexdigest()
    return f"1764288000.{int(digest[:4], 16) % 1000:03d}|0|{digest[4:36]}"


def challenge_page(host: str) -> bytes:
    """The 521 body: a script that computes the clearance cookie, sets it and reloads."""
    value = clearance_value(host)
    stamp, rest = value.split(".", 1)
    millis, tail = rest.split("|0|")
    # Split and rejoined in the script, as the real challenges obfuscate it: no cookie in plain text.
    script = (
        f'var s=["{stamp[:5]}","{stamp[5:]}"].join("");var m=({int(millis)}+0).toString();'
        f'while(m.length<3){{m="0"+m}}var t=["{tail[:16]}","{tail[16:]}"].join("");'
        f'document.cookie="{CLEARANCE_COOKIE}="+s+"."+m+"|0|"+t+";max-age=3600;path=/";'
        "location.reload();"
    )
    return f"<html><body><script>{script}</script></body></html>".encode()


def listing_script() -> str:
    """Fills ``ul.tab-item`` from the column's list.json (the platform's search answer shape)."""
    return (
        "<script>fetch('./" + LISTING_JSON + "').then(function(r){return r.json()})"
        ".then(function(d){var ul=document.querySelector('ul.tab-item');"
        "d.data.middle.list.forEach(function(x){var li=document.createElement('li');"
        "li.className='clearfix';var a=document.createElement('a');a.href=x.url;"
        "a.title=x.title_no_tag;a.textContent=x.title_no_tag;li.appendChild(a);"
        "var s=document.createElement('span');s.className='rt';s.textContent=x.time;"
        "li.appendChild(s);ul.appendChild(li)})});</script>"
    )


class BrowserWorld(World):
    """The World of units-browser.yaml: attachments, script-filled listings and a 521 challenge."""

    def __init__(self, seed: int, units: list[Unit], articles: list[Article], page_size: int) -> None:
        raw = {entry["code"]: entry for entry in _raw_extras()}
        self.js_units = {code for code, entry in raw.items() if entry.get("listing") == "js"}
        self.challenge_hosts = {
            host for unit in units if raw[unit.code].get("challenge") for host in unit.hosts
        }
        self.formats: dict[str, str] = {}
        for article in articles:
            report = article.report
            if report is None or report.template == "pre2019" or report.is_seed:
                continue
            share = float(raw[article.column.unit_code].get("attachments", 0))
            if stable_rng(seed, "attachment", article.key).random() < share:
                self.formats[article.key] = FORMATS[len(self.formats) % len(FORMATS)]
        # One HTML report that also links a PDF copy of itself: the page stays the report.
        self.copies: dict[str, str] = {}
        for article in articles:
            report = article.report
            if (
                report
                and report.template != "pre2019"
                and not report.is_seed
                and article.key not in self.formats
            ):
                self.copies[article.key] = "pdf"
                break
        super().__init__("browser", seed, units, articles, page_size)

    # ------------------------------------------------------------------ lookup
    def _index(self) -> None:
        super()._index()
        for unit in self.units:
            for column in unit.columns:
                key = (unit.code, column.site.index)
                if unit.code in self.js_units:
                    self._targets[(*key, column.path + LISTING_JSON)] = _Target("json", column)
                for article in self.column_articles(column):
                    fmt = self.formats.get(article.key) or self.copies.get(article.key)
                    if fmt:
                        target = _Target("attachment", column, article=article)
                        self._targets[(*key, attachment_path(article, fmt))] = target

    def page_count(self, column: Any) -> int:
        if column.unit_code in self.js_units:
            return 1  # the script lists every article on one page
        return super().page_count(column)

    def content_type(self, path: str) -> str:
        suffix = path.rsplit(".", 1)[-1]
        if suffix in CONTENT_TYPES:
            return CONTENT_TYPES[suffix]
        if path.endswith(".json"):
            return "application/json; charset=utf-8"
        return super().content_type(path)

    def challenge(self, host: str, cookie_header: str) -> bytes | None:
        """The 521 page for a request to a challenge host without the right cookie, else None."""
        host = host.lower().split(":")[0]
        if host not in self.challenge_hosts:
            return None
        cookies = SimpleCookie()
        try:
            cookies.load(cookie_header or "")
        except CookieError:
            pass
        sent = cookies.get(CLEARANCE_COOKIE)
        if sent is not None and sent.value == clearance_value(host):
            return None
        return challenge_page(host)

    # --------------------------------------------------------------- rendering
    def _render(self, site: Site, target: _Target) -> str | bytes:  # type: ignore[override]
        unit = self._unit_of[site.unit_code]
        article, column = target.article, target.column
        if target.kind == "attachment":
            assert article is not None
            fmt = self.formats.get(article.key) or self.copies[article.key]
            return render_attachment(article, fmt, self.seed)
        if target.kind == "article" and article is not None and article.key in self.formats:
            body = short_body(article, self.formats[article.key])
            return article_page(article, body, unit.code, unit.prefix, wap=target.wap)
        if target.kind == "article" and article is not None and article.key in self.copies:
            href = "./" + attachment_path(article, self.copies[article.key]).rsplit("/", 1)[1]
            link = f'<p>附件：<a href="{href}">{html.escape(article.title)}.pdf</a></p>'
            body = article_body(self.seed, article) + "\n" + link
            return article_page(article, body, unit.code, unit.prefix, wap=target.wap)
        if target.kind == "json":
            assert column is not None
            return self._listing_json(column)
        if target.kind == "listing" and unit.code in self.js_units:
            assert column is not None
            children = self._children(column)
            page = listing_page(column, [], 0, 1, children, unit.code, unit.prefix, table_rows=False)
            return page.replace("</body>", listing_script() + "\n</body>")
        return super()._render(site, target)

    def _listing_json(self, column: Any) -> str:
        items = [
            {
                "url": "./" + a.path[len(column.path) :],
                "title_no_tag": a.title,
                "time": a.shown.isoformat(),
            }
            for a in self.column_articles(column)
        ]
        answer = {"data": {"middle": {"list": items}, "total": len(items)}, "code": 200}
        return json.dumps(answer, ensure_ascii=False)

    # ------------------------------------------------------------- manifest
    def manifest(self) -> dict[str, Any]:
        manifest = super().manifest()
        keys = {a.url: a.key for a in self.articles}
        for entry in manifest["reports"]:
            entry["format"] = self.formats.get(keys[entry["url"]], "html")
            if entry["format"] != "html":
                entry["prose_contradictions"] = []  # the files' prose states no numbers (attachments.py)
        manifest["browser"] = {
            "js_listing_units": sorted(self.js_units),
            "challenge_hosts": sorted(self.challenge_hosts),
        }
        return manifest

    def attachment_urls(self) -> dict[str, str]:
        """Report URL -> the URL of the file it is published as."""
        return {
            a.url: f"http://{a.column.site.canonical_host}{attachment_path(a, self.formats[a.key])}"
            for a in self.articles
            if a.key in self.formats
        }

    def copy_urls(self) -> dict[str, str]:
        """Report URL -> the URL of a file copy linked from an HTML report (the page is the report)."""
        return {
            a.url: f"http://{a.column.site.canonical_host}{attachment_path(a, self.copies[a.key])}"
            for a in self.articles
            if a.key in self.copies
        }


def build_browser_world(seed: int = 2026, page_size: int | None = None) -> BrowserWorld:
    units = [_build_unit(raw) for raw in _raw_extras()]
    articles = plan_articles(units, seed)
    return BrowserWorld(seed, units, articles, page_size or PAGE_SIZE)
