"""The crawl guard's pieces (crawler.guard, crawler.content, crawler.middlewares), and two crawls
that show internal addresses need an explicit opt-in: a proxy on loopback, a host resolving to it."""

from __future__ import annotations

import subprocess
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml
from scrapy import Request
from scrapy.http import HtmlResponse, JsonResponse, Response, TextResponse
from scrapy.utils.test import get_crawler
from twisted.internet import defer

from benchmarks.hostile import crawl_command, crawl_env
from crawler.content import not_html
from crawler.guard import (
    GuardedResolver,
    OffRegistryRequest,
    PrivateAddressRefused,
    ProxyGuardMiddleware,
    RegistryGuardMiddleware,
    RegistryScope,
    allowed_networks,
    failure_kind,
    is_internal,
)
from crawler.listing import parse_column_page
from crawler.middlewares import CallbackErrorMiddleware
from crawler.registry import Site
from crawler.spiders.reports import ReportsSpider
from replica.hostile import HostileSites, single_attack_registry
from replica.server import ReplicaServer
from replica.world import World
from storage.archive import Archive
from storage.queries import page_errors

SITE = Site(
    "cqx", "某区", ("www.cqx.gov.cn",), ("http://www.cqx.gov.cn/zfxxgknb/",), mirrors=("cqx.cq.gov.cn",)
)


@pytest.mark.parametrize(
    "url",
    [
        "http://www.cqx.gov.cn/zfxxgknb/index_1.html",
        "https://cqx.gov.cn/a.html",  # the bare twin
        "http://cqx.cq.gov.cn/zfxxgknb/",  # a mirror
        "http://www.cqx.gov.cn:443/x",
    ],
)
def test_the_registry_hosts_are_in_scope(url: str) -> None:
    assert RegistryScope([SITE]).refusal(url) is None


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://127.0.0.1:5432/",
        "http://[::1]/",
        "http://evil.example.com/",
        "http://www.cqx.gov.cn.evil.example.com/",
        "http://www.cqx.gov.cn:5432/",
        "file:///etc/passwd",
        "ftp://www.cqx.gov.cn/",
        "http://www.cqx.gov.cn:99999/",
    ],
)
def test_everything_else_is_refused(url: str) -> None:
    assert RegistryScope([SITE]).refusal(url)


def test_internal_addresses() -> None:
    for address in ("127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "::1", "fe80::1",
                    "::ffff:127.0.0.1", "0.0.0.0", "100.64.0.1", "fc00::1"):  # fmt: skip
        assert is_internal(address), address
    assert not is_internal("8.8.8.8") and not is_internal("2001:4860:4860::8888")


def _crawler(**settings: object):  # type: ignore[no-untyped-def]
    crawler = get_crawler(ReportsSpider, settings_dict=settings)
    crawler.spider = SimpleNamespace(sites=[SITE])
    return crawler


def test_every_request_is_checked_resumed_and_redirected_ones_included() -> None:
    middleware = RegistryGuardMiddleware(_crawler())
    spider = ReportsSpider.__new__(ReportsSpider)
    spider.sites = [SITE]
    # A frontier entry resumed after a crash is a request like any other.
    resumed = spider.frontier_request("http://169.254.169.254/", "article", "cqx", None)
    with pytest.raises(OffRegistryRequest):
        middleware.process_request(resumed)
    hop = Request("http://127.0.0.1:5432/", meta={"redirect_urls": ["http://www.cqx.gov.cn/a.html"]})
    with pytest.raises(OffRegistryRequest, match="redirect to"):
        middleware.process_request(hop)
    allowed = Request("http://www.cqx.gov.cn/zfxxgknb/", meta={"page_type": "column"})
    middleware.process_request(allowed)
    assert allowed.meta["download_maxsize"] == 8 * 2**20  # pages get the page size limit
    report_file = Request("http://www.cqx.gov.cn/a.pdf", meta={"page_type": "attachment"})
    middleware.process_request(report_file)
    assert "download_maxsize" not in report_file.meta  # files: DOWNLOAD_MAXSIZE


def test_a_response_from_off_the_registry_is_never_passed_on() -> None:
    middleware = RegistryGuardMiddleware(_crawler())
    request = Request("http://www.cqx.gov.cn/zfxxgknb/")
    response = Response("chrome-error://chromewebdata/", request=request)
    with pytest.raises(OffRegistryRequest):
        middleware.process_response(request, response)


def test_a_proxy_at_an_internal_address_needs_an_explicit_opt_in() -> None:
    request = Request("http://www.cqx.gov.cn/", meta={"proxy": "http://127.0.0.1:8899"})
    with pytest.raises(Exception, match="REPORTS_ALLOW_PRIVATE"):
        ProxyGuardMiddleware(_crawler()).process_request(request)
    ProxyGuardMiddleware(_crawler(REPORTS_ALLOW_PRIVATE=["127.0.0.1"])).process_request(request)


def test_the_resolver_refuses_names_resolving_to_internal_addresses() -> None:
    resolver = GuardedResolver.__new__(GuardedResolver)
    resolver.allowed = ()
    with pytest.raises(PrivateAddressRefused):
        resolver._checked("10.0.0.5", "www.cqx.gov.cn")
    assert resolver._checked("8.8.8.8", "www.cqx.gov.cn") == "8.8.8.8"
    resolver.allowed = allowed_networks(["10.0.0.0/8"])
    assert resolver._checked("10.0.0.5", "www.cqx.gov.cn") == "10.0.0.5"


def test_failure_kinds() -> None:
    assert failure_kind(OffRegistryRequest("x")) == "offsite"
    assert failure_kind(PrivateAddressRefused("h", "resolves to internal address 10.0.0.1")) == "offsite"
    assert failure_kind(defer.CancelledError()) == "http"


def test_json_and_binary_at_a_page_url_are_not_html() -> None:
    url = "http://www.cqx.gov.cn/zfxxgknb/"
    assert not_html(HtmlResponse(url, body=b"<html><body>x</body></html>")) is None
    json_as_html = HtmlResponse(url, body=b' {"a": 1}', headers={"Content-Type": "text/html"})
    assert "JSON" in str(not_html(json_as_html))
    assert not_html(JsonResponse(url, body=b"[1, 2]"))
    assert not_html(Response(url, body=b"\x89PNG..."))
    assert not_html(TextResponse(url, body=b"plain words", encoding="utf-8"))
    assert (
        parse_column_page(b'{"links": ["<a href=x>"]}', url).article_links == ()
    )  # parsed as HTML, no crash


def test_a_callback_that_raises_leaves_its_page_with_a_page_error() -> None:
    spider = ReportsSpider.__new__(ReportsSpider)
    spider.sites = [SITE]
    request = Request(
        "http://www.cqx.gov.cn/zfxxgknb/", cb_kwargs={"site": SITE}, meta={"page_type": "column"}
    )
    response = HtmlResponse(request.url, body=b"<html></html>", request=request)
    output = CallbackErrorMiddleware().process_spider_exception(response, ValueError("boom"), spider)
    (item,) = list(output or [])
    assert item.notes["page_errors"] == [("callback", "ValueError: boom")]
    assert item.body == b"<html></html>"  # the raw page is kept


def test_the_pager_claim_is_read_without_overflow() -> None:
    page = parse_column_page(
        "<script>createPage(9" + "9" * 5000 + ', 0, "index", "html");</script>', "http://a/"
    )
    assert page.page_count is not None and page.page_count > 10**8


def _crawl(
    server: ReplicaServer, folder: Path, sites: list[dict], env: dict[str, str], expect: int = 0
) -> str:
    """A crawl that must exit ``expect`` (5: failed, every request refused; 3: finished with alerts)."""
    path = folder / "sites.yaml"
    path.write_text(yaml.safe_dump(sites, allow_unicode=True), encoding="utf-8")
    db_url = f"sqlite:///{folder / 'archive.sqlite3'}"
    command = crawl_command(path, db_url, folder / "snapshots", "-s", "RETRY_TIMES=0")
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == expect, result.stderr[-3000:]
    return db_url


def test_the_local_proxy_is_refused_without_the_opt_in(replica_small: World, tmp_path: Path) -> None:
    with ReplicaServer(replica_small) as server:
        server.fault = HostileSites()
        env = crawl_env(server.proxy_url)
        del env["REPORTS_ALLOW_PRIVATE"]
        db_url = _crawl(server, tmp_path, single_attack_registry("good"), env, expect=5)
        assert server.request_log == []
    with Archive.open(db_url, tmp_path / "snapshots") as archive:
        errors = page_errors(archive)
    assert errors and all(e.kind == "offsite" and "REPORTS_ALLOW_PRIVATE" in e.message for e in errors)


@pytest.mark.parametrize("allowed", [False, True])
def test_a_registry_host_resolving_to_loopback_needs_the_opt_in(
    replica_small: World, tmp_path: Path, allowed: bool
) -> None:
    """No proxy: the crawler resolves ``localhost`` itself and checks the address it connects to."""
    with ReplicaServer(replica_small) as server:
        hostile = HostileSites()
        server.fault = lambda host, path: hostile(
            "www.cqhostile.gov.cn" if host == "localhost" else host, path
        )
        sites = [{"code": "local", "name": "本地", "hosts": ["localhost"],
                  "roots": [f"http://localhost:{server.port}/zfxxgknb/good/"]}]  # fmt: skip
        env = {k: v for k, v in crawl_env(server.proxy_url).items() if k.lower() != "http_proxy"}
        if not allowed:
            del env["REPORTS_ALLOW_PRIVATE"]
        # Refused, nothing is reached: the run fails (5); allowed, it finds no report: alerts (3).
        db_url = _crawl(server, tmp_path, sites, env, expect=3 if allowed else 5)
        reached = len(server.request_log)
    with Archive.open(db_url, tmp_path / "snapshots") as archive:
        errors = page_errors(archive)
    if allowed:
        assert reached >= 2 and not [e for e in errors if e.kind == "offsite"]
    else:
        assert reached == 0
        assert errors and all(e.kind == "offsite" and "127.0.0.1" in e.message for e in errors)
