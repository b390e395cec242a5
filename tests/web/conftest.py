"""The small replica crawled twice into SQLite and PostgreSQL, with hostile text planted, for the web tests.

One report is revised between the crawls with a sentence holding HTML and template syntax; a hostile
page (scripts, handlers, refresh, a form, links elsewhere) is archived as a snapshot of its own.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from replica.server import ReplicaServer
from replica.world import World, build_world
from storage.archive import Archive
from tests.fixtures_db import create_postgres_schema, drop_postgres_schema
from tests.test_crawl_e2e import crawl
from web.app import create_app

HOSTILE_SENTENCE = (
    "注意<script>window.pwned=1</script><b onmouseover=alert(1)>粗体</b>{{ 7*7 }}{% raw %}[/]。"
)
HOSTILE_URL = "http://www.cqcs.gov.cn/zwgk_1/hostile.html"


def hostile_page(server_marker: str) -> bytes:
    """A page that would act if it could: script, handler, refresh, form, fetches to elsewhere."""
    return f"""<!doctype html><html><head><meta charset="utf-8">
<meta http-equiv="refresh" content="0;url=http://evil.example/refresh">
<link rel="stylesheet" href="http://evil.example/style.css">
<script>fetch("/{server_marker}-script"); top.location = "http://evil.example/top";</script>
<script src="http://evil.example/remote.js"></script></head>
<body onload="fetch('/{server_marker}-onload')"><h1>存档的恶意页面</h1>
<img src="/{server_marker}-img.png"><img src="http://evil.example/pixel.png" onerror="fetch('/{server_marker}-onerror')">
<iframe src="http://evil.example/frame"></iframe>
<form action="http://evil.example/post" method="post"><input name="q" autofocus onfocus="fetch('/{server_marker}-focus')"></form>
<a href="http://evil.example/link">链接</a></body></html>""".encode()


@dataclass
class WebArchive:
    world: World
    db_url: str
    snapshot_dir: Path
    revised_url: str
    hostile_sha256: str

    def open(self) -> Archive:
        return Archive.open(self.db_url, self.snapshot_dir)

    @property
    def env(self) -> dict[str, str]:
        return {"REPORTS_DB": self.db_url, "REPORTS_SNAPSHOTS": str(self.snapshot_dir)}


def _revised_report(world: World) -> str:
    entry = next(
        e
        for e in world.reports
        if e["district"] == "长寿区" and e["kind"] == "district" and e["year"] == 2021
    )
    return entry["url"]


def _build(
    backend: str, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> WebArchive:
    world = build_world("small", seed=2026)
    tmp_path = tmp_path_factory.mktemp(f"web-{backend}")
    if backend == "sqlite":
        db_url = f"sqlite:///{tmp_path / 'archive.sqlite3'}"
    else:
        admin = request.getfixturevalue("postgres_admin")
        db_url, schema = create_postgres_schema(admin)
        request.addfinalizer(lambda: drop_postgres_schema(admin, schema))
    snapshot_dir = tmp_path / "snapshots"
    revised_url = _revised_report(world)
    with ReplicaServer(world) as server:
        crawl(world, server.proxy_url, db_url, snapshot_dir)
        world.revise(revised_url, HOSTILE_SENTENCE)
        crawl(world, server.proxy_url, db_url, snapshot_dir)
    with Archive.open(db_url, snapshot_dir) as archive:
        record = archive.record_fetch(
            run_id=None,
            url=HOSTILE_URL,
            canonical_url=HOSTILE_URL,
            status=200,
            headers={"Content-Type": "text/html; charset=utf-8"},
            body=hostile_page("pwned"),
            fetched_at=datetime(2026, 3, 2, tzinfo=UTC),
        )
    assert record.sha256
    return WebArchive(world, db_url, snapshot_dir, revised_url, record.sha256)


@pytest.fixture(scope="package")
def web_archive_sqlite(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> WebArchive:
    return _build("sqlite", request, tmp_path_factory)


@pytest.fixture(scope="package", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def web_archive(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> WebArchive:
    if request.param == "sqlite":
        return request.getfixturevalue("web_archive_sqlite")
    return _build("postgres", request, tmp_path_factory)


@pytest.fixture(scope="package")
def client(web_archive: WebArchive) -> Iterator[TestClient]:
    archive = web_archive.open()
    with TestClient(create_app(archive)) as test_client:
        yield test_client
    archive.close()
