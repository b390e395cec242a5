"""The pieces behind the browser crawl: the replica's challenge and script listings, the crawler's
decisions about which request needs the browser, and attachment link discovery."""

from __future__ import annotations

import asyncio
import json

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from crawler.browser import (
    BrowserMiddleware,
    context_options,
    is_challenge,
    is_empty_listing,
    launch_options,
    sandbox_available,
)
from crawler.registry import Site
from extract.recognise import links_to_follow
from replica.extras import BrowserWorld, challenge_page, clearance_value
from replica.world import build_world


@pytest.fixture(scope="module")
def world() -> BrowserWorld:
    built = build_world("browser", seed=2026)
    assert isinstance(built, BrowserWorld)
    return built


def _response(url: str, body: bytes, status: int = 200) -> HtmlResponse:
    return HtmlResponse(url, status=status, body=body, request=Request(url, meta={"page_type": "column"}))


def test_the_challenge_host_answers_only_the_right_cookie(world: BrowserWorld) -> None:
    host = "zfwb.cq.gov.cn"
    assert world.challenge(host, "") == challenge_page(host)
    assert world.challenge(host, "__jsl_clearance=1764288000.000|0|x") is not None
    assert world.challenge(host, f"a=b; __jsl_clearance={clearance_value(host)}") is None
    assert world.challenge("jw.cq.gov.cn", "") is None
    assert clearance_value(host).encode() not in challenge_page(host)  # computed by the script


def test_script_listings_are_empty_html_and_a_json_of_every_article(world: BrowserWorld) -> None:
    root = "http://fzggw.cq.gov.cn/zwgk/zfxxgknb/bj/"
    page = world.page(root)
    assert b"<li" not in page.split(b'class="tab-item"')[1].split(b"</ul>")[0]
    answer = json.loads(world.page(root + "list.json"))
    listed = {item["title_no_tag"] for item in answer["data"]["middle"]["list"]}
    column = next(c for u in world.units for c in u.columns if c.url == root)
    assert listed == {article.title for article in world.column_articles(column)}
    assert is_empty_listing(_response(root, page))


def test_the_small_and_full_worlds_are_unchanged(replica_small) -> None:
    manifest = replica_small.manifest()
    assert "browser" not in manifest and all("format" not in entry for entry in manifest["reports"])
    assert replica_small.content_type("/robots.txt").startswith("text/plain")


def test_files_are_served_with_their_content_type(world: BrowserWorld) -> None:
    for url in list(world.attachment_urls().values())[:4]:
        path = url.split(".cn", 1)[1]
        assert world.content_type(path) in (
            "application/pdf",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        )


def test_a_plain_listing_and_a_plain_error_stay_on_the_plain_downloader(world: BrowserWorld) -> None:
    listing = "http://jw.cq.gov.cn/zwgk_230/zfxxgknb/"
    assert not is_empty_listing(_response(listing, world.page(listing)))
    assert not is_challenge(_response(listing, b"<html>Server error</html>", status=521))
    assert is_challenge(_response(listing, challenge_page("zfwb.cq.gov.cn"), status=521))


def test_the_middleware_sends_a_challenge_to_the_browser_and_reuses_its_cookie() -> None:
    crawler = get_crawler(settings_dict={"BROWSER_USER_AGENT": "test via headless Chromium"})
    middleware = BrowserMiddleware(crawler)
    url = "http://zfwb.cq.gov.cn/robots.txt"
    request = Request(url)
    challenge = _response(url, challenge_page("zfwb.cq.gov.cn"), 521)
    retry = asyncio.run(middleware.process_response(request, challenge))
    assert isinstance(retry, Request) and retry.meta["playwright"] and retry.meta["playwright_include_page"]
    middleware.cookies["zfwb.cq.gov.cn"] = {"__jsl_clearance": "v"}
    plain = Request("http://zfwb.cq.gov.cn/zwgk_247/zfxxgknb/")
    middleware.process_request(plain)
    assert plain.headers[b"Cookie"] == b"__jsl_clearance=v" and "playwright" not in plain.meta
    other = Request("http://jw.cq.gov.cn/")
    middleware.process_request(other)
    assert b"Cookie" not in other.headers


def test_a_registry_flag_sends_listings_and_only_listings_to_the_browser() -> None:
    crawler = get_crawler(settings_dict={"BROWSER_USER_AGENT": "test via headless Chromium"})
    site = Site("cqx", "X", ("x.cq.gov.cn",), ("http://x.cq.gov.cn/zfxxgknb/",), browser=True)
    crawler.spider = type("Spider", (), {"sites": [site]})()
    middleware = BrowserMiddleware(crawler)
    listing = Request(site.roots[0], meta={"page_type": "column", "site_code": "cqx"})
    article = Request(
        site.roots[0] + "202401/t20240101_1.html", meta={"page_type": "article", "site_code": "cqx"}
    )
    middleware.process_request(listing)
    middleware.process_request(article)
    assert listing.meta.get("playwright") is True and "playwright" not in article.meta


def test_launch_options_take_the_binary_and_the_proxy_from_the_environment(monkeypatch) -> None:
    monkeypatch.setenv("REPORTS_CHROMIUM", "/opt/chromium/chrome")
    monkeypatch.setenv("http_proxy", "http://127.0.0.1:8899")
    monkeypatch.setenv("REPORTS_CHROMIUM_SANDBOX", "0")
    options = launch_options()
    assert options["executable_path"] == "/opt/chromium/chrome"
    # The browser itself reaches nothing; pages go through the context's proxy (guarded routes).
    assert "proxy" not in options and "--no-proxy-server" in options["args"]
    assert context_options("ua")["proxy"] == {"server": "http://127.0.0.1:8899"}
    assert "--no-sandbox" in options["args"] and options["headless"] and not options["chromium_sandbox"]


def test_chromium_is_sandboxed_where_the_machine_allows_it(monkeypatch) -> None:
    monkeypatch.setenv("REPORTS_CHROMIUM_SANDBOX", "1")
    options = launch_options()
    assert options["chromium_sandbox"] and "--no-sandbox" not in options["args"]
    monkeypatch.delenv("REPORTS_CHROMIUM_SANDBOX")
    monkeypatch.setattr("os.geteuid", lambda: 0)
    assert not sandbox_available()  # Chromium refuses its sandbox as root


def test_attachment_links_are_the_report_files_of_the_article_body() -> None:
    html = (
        '<div class="zwxl-article"><p><a href="./W020240101123456789012.pdf">报告</a>'
        '<a href="P020240101123456789012.DOCX">x</a><a href="/a.doc">y</a><a href="b.wps">z</a>'
        '<a href="./t20240101_1.html">page</a></p></div><a href="/footer.pdf">f</a>'
    )
    links = links_to_follow(html, "http://jw.cq.gov.cn/zwgk_230/zfxxgknb/202401/t20240101_2.html").files
    assert links == (
        "http://jw.cq.gov.cn/zwgk_230/zfxxgknb/202401/W020240101123456789012.pdf",
        "http://jw.cq.gov.cn/zwgk_230/zfxxgknb/202401/P020240101123456789012.DOCX",
        "http://jw.cq.gov.cn/a.doc",
        "http://jw.cq.gov.cn/zwgk_230/zfxxgknb/202401/b.wps",
    )
