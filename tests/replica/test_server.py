"""The replica server: proxy-form requests, Host routing, 404/502, conditional GETs, robots, twins."""

from __future__ import annotations

import http.client
import urllib.request
from pathlib import Path

import yaml

from replica.server import ReplicaServer
from replica.world import World

SEED_URL = "http://www.cqcs.gov.cn/zwgk_164/zfxxgknb/qzfxxgknb/csq/202102/t20210203_8859904.html"
REGISTRY = Path(__file__).resolve().parents[2] / "crawler" / "sites.yaml"


def _proxy_get(
    server: ReplicaServer, url: str, headers: dict[str, str] | None = None
) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    connection.request("GET", url, headers=headers or {})
    response = connection.getresponse()
    response.body = response.read()  # type: ignore[attr-defined]
    connection.close()
    return response


def test_proxy_form_request(replica_server_small: ReplicaServer, replica_small: World) -> None:
    response = _proxy_get(replica_server_small, SEED_URL)
    assert response.status == 200
    assert response.getheader("Content-Type") == "text/html; charset=utf-8"
    assert response.body == replica_small.page(SEED_URL)  # type: ignore[attr-defined]
    assert response.getheader("ETag") and response.getheader("Last-Modified")


def test_urllib_through_proxy(replica_server_small: ReplicaServer) -> None:
    opener = urllib.request.build_opener(
        urllib.request.ProxyHandler({"http": replica_server_small.proxy_url})
    )
    with opener.open(SEED_URL, timeout=10) as response:
        assert "重庆市长寿区2020年政府信息公开工作年度报告" in response.read().decode("utf-8")


def test_host_header_routing(replica_server_small: ReplicaServer) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", replica_server_small.port, timeout=10)
    connection.request("GET", "/zwgk_164/zfxxgknb/", headers={"Host": "cqcs.gov.cn"})
    response = connection.getresponse()
    assert response.status == 200 and "createPage(" in response.read().decode()
    connection.close()


def test_unknown_host_and_path(replica_server_small: ReplicaServer) -> None:
    bad_host = _proxy_get(replica_server_small, "http://www.example.com/")
    assert bad_host.status == 502 and bad_host.body.count(b"\n") == 1  # type: ignore[attr-defined]
    missing = _proxy_get(replica_server_small, "http://www.cqcs.gov.cn/no/such/page.html")
    assert missing.status == 404
    assert ("www.cqcs.gov.cn", "/no/such/page.html", 404, len(missing.body)) in replica_server_small.requests  # type: ignore[attr-defined]


def test_conditional_get(replica_server_small: ReplicaServer) -> None:
    first = _proxy_get(replica_server_small, SEED_URL)
    etag, modified = first.getheader("ETag"), first.getheader("Last-Modified")
    assert _proxy_get(replica_server_small, SEED_URL, {"If-None-Match": etag}).status == 304
    assert _proxy_get(replica_server_small, SEED_URL, {"If-Modified-Since": modified}).status == 304
    assert _proxy_get(replica_server_small, SEED_URL, {"If-None-Match": '"other"'}).status == 200


def test_revision_changes_etag(replica_small: World) -> None:
    from replica.world import build_world

    world = build_world("small", seed=2026)
    url = world.reports[1]["url"]
    with ReplicaServer(world) as server:
        etag = _proxy_get(server, url).getheader("ETag")
        world.revise(url, "（本文于发布后修订）")
        again = _proxy_get(server, url, {"If-None-Match": etag})
        assert again.status == 200 and "（本文于发布后修订）" in again.body.decode()  # type: ignore[attr-defined]


def test_robots_txt_on_every_host(replica_server_small: ReplicaServer, replica_small: World) -> None:
    for unit in replica_small.units:
        for host in unit.hosts:
            response = _proxy_get(replica_server_small, f"http://{host}/robots.txt")
            assert response.status == 200
            assert b"Disallow: /irs/" in response.body  # type: ignore[attr-defined]


def test_wap_and_host_twins(replica_small: World) -> None:
    page = replica_small.page(SEED_URL)
    wap = replica_small.page(SEED_URL.replace(".html", "_wap.html"))
    bare = replica_small.page(SEED_URL.replace("://www.", "://"))
    assert bare == page
    assert wap != page
    for marker in ("日期:2021-02-03", "重庆市长寿区2020年政府信息公开工作年度报告", "47222.14万元"):
        assert marker in wap.decode()


def test_every_registry_root_answers_in_full(replica_server_full: ReplicaServer) -> None:
    registry = yaml.safe_load(REGISTRY.read_text(encoding="utf-8"))
    roots = [root for unit in registry for root in unit["roots"]]
    assert len(roots) >= 41
    for root in roots:
        response = _proxy_get(replica_server_full, root)
        assert response.status == 200, root
        text = response.body.decode("utf-8")  # type: ignore[attr-defined]
        assert "政府信息公开年报" in text and "createPage(" in text, root
