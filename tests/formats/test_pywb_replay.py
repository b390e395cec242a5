"""pywb indexes our WARC export, and `wayback` replays a report's URL with the archived bytes."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from storage.models import Report, Snapshot
from tests.formats.conftest import unit_report_count


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _get(url: str) -> tuple[int, bytes]:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


@pytest.fixture(scope="module")
def wayback(pywb_bin: Path, exported_warc: Path, tmp_path_factory) -> Iterator[str]:
    """``wayback`` serving a collection ``C`` made of the export, on a free local port."""
    folder = tmp_path_factory.mktemp("pywb")
    subprocess.run([str(pywb_bin / "wb-manager"), "init", "C"], cwd=folder, check=True, capture_output=True)
    copy = folder / "export.warc.gz"
    shutil.copy(exported_warc, copy)
    subprocess.run(
        [str(pywb_bin / "wb-manager"), "add", "C", str(copy)], cwd=folder, check=True, capture_output=True
    )
    port = _free_port()
    server = subprocess.Popen(
        [str(pywb_bin / "wayback"), "-p", str(port), "-b", "127.0.0.1"],
        cwd=folder,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert server.poll() is None, server.stderr.read().decode()[-2000:] if server.stderr else ""
                time.sleep(0.3)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)


def _current(crawled_unit, url: str) -> bytes:
    with crawled_unit.target.open() as archive, archive.Session() as session:
        sha256 = session.scalar(
            select(Snapshot.sha256)
            .join(Report, Report.current_snapshot_id == Snapshot.id)
            .where(Report.url == url)
        )
        return archive.snapshot_body(sha256)


def test_pywb_indexed_every_capture(exported_warc, wayback, tmp_path_factory):
    status, body = _get(f"{wayback}/C/cdx?url=www.cqcs.gov.cn/*&output=json")
    assert status == 200
    assert len(body.splitlines()) >= unit_report_count() * 2


def test_replay_of_a_report_answers_the_archived_bytes(crawled_unit, wayback):
    with crawled_unit.target.open() as archive, archive.Session() as session:
        urls = sorted(session.scalars(select(Report.url).where(Report.status == "active")))
    # A page revalidated by a 304 (replayed through its revisit) and the revised one.
    for url in (urls[0], crawled_unit.revised):
        status, body = _get(f"{wayback}/C/id_/{url}")
        assert status == 200
        assert body == _current(crawled_unit, url)


def test_replay_of_a_withdrawn_report_shows_the_404_and_its_earlier_capture_the_report(crawled_unit, wayback):
    status, body = _get(f"{wayback}/C/id_/{crawled_unit.gone}")
    assert status == 404 and b"Not Found" in body
    earliest = f"{wayback}/C/19700101000000id_/{crawled_unit.gone}"
    status, body = _get(earliest)
    assert status == 200 and body == _current(crawled_unit, crawled_unit.gone)
