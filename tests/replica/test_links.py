"""Listings and links: createPage counts, and every report reachable from the registry roots."""

from __future__ import annotations

import re
from collections import deque
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import yaml
from lxml import html as lxml_html

from replica.world import World

REGISTRY = Path(__file__).resolve().parents[2] / "crawler" / "sites.yaml"
CREATE_PAGE = re.compile(r"createPage\((\d+),\s*(\d+),")
ARTICLE = re.compile(r"/t\d{8}_\d+(_wap)?\.html$")


def _canonical(url: str, hosts: dict[str, str]) -> str:
    parts = urlsplit(url)
    host = hosts.get(parts.hostname or "", parts.hostname or "")
    return f"http://{host}{parts.path.replace('_wap.html', '.html')}"


def _crawl(world: World, roots: list[str]) -> set[str]:
    """A tiny BFS over world.page: listing pages are expanded (nav links + createPage pages)."""
    canonical = {
        host: unit_site.hosts[0]
        for unit in world.units
        for unit_site in unit.sites
        for host in unit_site.hosts
    }
    seen: set[str] = set()
    found: set[str] = set()
    queue = deque(roots)
    while queue:
        url = queue.popleft()
        key = _canonical(url, canonical)
        if key in seen:
            continue
        seen.add(key)
        if ARTICLE.search(urlsplit(url).path):
            found.add(key)
            continue
        try:
            page = world.page(url)
        except KeyError:
            continue
        tree = lxml_html.fromstring(page)
        links = [
            urljoin(url, href)
            for href in tree.xpath(
                "//div[@class='zfxxgk-nav']//a/@href | //div[contains(@class,'p-rt')]//a/@href"
            )
        ]
        match = CREATE_PAGE.search(page.decode("utf-8"))
        if match and match.group(2) == "0":
            base = url if url.endswith("/") else url.rsplit("/", 1)[0] + "/"
            links += [urljoin(base, f"index_{n}.html") for n in range(1, int(match.group(1)))]
        queue.extend(link for link in links if urlsplit(link).hostname in canonical)
    return found


def _registry_roots(codes: set[str]) -> list[str]:
    registry = yaml.safe_load(REGISTRY.read_text(encoding="utf-8"))
    return [root for unit in registry if unit["code"] in codes for root in unit["roots"]]


@pytest.mark.parametrize("size", ["small", "full"])
def test_every_report_reachable_from_roots(size: str, request: pytest.FixtureRequest) -> None:
    world: World = request.getfixturevalue(f"replica_{size}")
    found = _crawl(world, _registry_roots({unit.code for unit in world.units}))
    missing = {report["url"] for report in world.reports} - found
    assert not missing, sorted(missing)[:5]


def test_create_page_counts_match_index_pages(replica_small: World) -> None:
    multi_page = 0
    for unit in replica_small.units:
        for column in unit.columns:
            url = column.url
            first = replica_small.page(url).decode("utf-8")
            assert first == replica_small.page(url + "index.html").decode("utf-8")
            pages = int(CREATE_PAGE.search(first).group(1))
            for n in range(1, pages):
                text = replica_small.page(f"{url}index_{n}.html").decode("utf-8")
                assert f"createPage({pages}, {n}," in text
            with pytest.raises(KeyError):
                replica_small.page(f"{url}index_{pages}.html")
            assert "index_1.html" not in first  # the pager is drawn by JS only
            multi_page += pages >= 3
    assert multi_page >= 3


def test_listing_rows(replica_small: World) -> None:
    text = replica_small.page("http://www.cqcs.gov.cn/zwgk_164/zfxxgknb/qzfxxgknb/csq/").decode()
    assert re.search(r'<li class="clearfix"><a href="\./\d{6}/t\d{8}_\d+(_wap)?\.html" title="[^"]+"', text)
    assert re.search(r'<span class="rt">\d{4}-\d{2}-\d{2}</span>', text)
    ljxq = replica_small.page("http://ljxq.cq.gov.cn/zwgk_199/zfxxgknb/ljxqnb/").decode()
    assert 'table class="cwx-table"' in ljxq and 'tr class="cwx-tit"' in ljxq
