"""A crawl over a site serving hostile documents: a span-bomb page, an oversized page, a PDF
decompression bomb and a slow PDF each end within the bounds as an extraction error with the
raw snapshot kept, every other report is archived, and every file is parsed once."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from replica.extras import BrowserWorld
from replica.server import ReplicaServer
from replica.world import build_world
from storage.archive import Archive
from storage.queries import get_report, list_reports, list_runs, page_errors
from tests.extract import hostile

ROOT = Path(__file__).resolve().parents[2]
SITES = ROOT / "tests" / "browser" / "files" / "browser-sites.yaml"
SITE = "cqjw"  # plain HTML listings (no browser), two reports published as PDF, one as DOCX
PAGE_LIMIT = 1_000_000


@pytest.fixture(scope="module")
def hostile_crawl(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    world = build_world("browser", seed=2026)
    assert isinstance(world, BrowserWorld)
    reports = [entry for entry in world.manifest()["reports"] if entry["unit_code"] == SITE]
    files = {url: file for url, file in world.attachment_urls().items() if url.startswith("http://jw.")}
    pdfs = sorted(url for url, file in files.items() if file.endswith(".pdf"))
    pages = sorted(entry["url"] for entry in reports if entry["url"] not in files)
    assert len(pdfs) == 2 and len(pages) >= 4
    hostile_bodies = {
        files[pdfs[0]]: hostile.pdf_bomb(1 << 30),
        files[pdfs[1]]: hostile.long_pdf(600),
        pages[0]: hostile.span_bomb_page(900_000),
        pages[1]: hostile.oversized_page(PAGE_LIMIT + 500_000),
    }
    by_path = {url.split("jw.cq.gov.cn", 1)[1]: body for url, body in hostile_bodies.items()}
    tmp = tmp_path_factory.mktemp("hostile")
    db_url = f"sqlite:///{tmp / 'archive.sqlite3'}"
    log = tmp / "parses.log"
    log.touch()
    with ReplicaServer(world) as server:
        server.fault = lambda host, path: (200, by_path[path]) if path in by_path else None
        env = {key: value for key, value in os.environ.items() if key.lower() != "no_proxy"}
        env.update(
            http_proxy=server.proxy_url,
            HTTP_PROXY=server.proxy_url,
            REPORTS_DB=db_url,
            REPORTS_ALLOW_PRIVATE="127.0.0.1",  # the replica's proxy is on loopback (crawler.guard)
            REPORTS_TEST_PARSE_LOG=str(log),
            PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])),
        )
        # fmt: off
        command = [
            sys.executable, str(ROOT / "tests" / "crawler" / "parse_counting_crawl.py"), "crawl",
            "--sites", str(SITES), f"--site={SITE}", "--snapshots", str(tmp / "snapshots"), "--no-throttle",
            "-s", "REPORTS_EXTRACTION_SECONDS=25", "-s", "REPORTS_EXTRACTION_MEMORY_MB=512",
            "-s", f"REPORTS_MAX_PAGE_BYTES={PAGE_LIMIT}",
        ]
        # fmt: on
        process = subprocess.Popen(
            command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
        )
        _out, stderr = process.communicate(timeout=600)
    assert process.returncode == 0, stderr[-4000:]
    archive = Archive.open(db_url, tmp / "snapshots")
    return world, reports, files, pdfs, pages, hostile_bodies, archive, (log, process.pid)


def test_each_hostile_document_is_an_extraction_error_and_the_crawl_finishes(hostile_crawl) -> None:  # type: ignore[no-untyped-def]
    _world, _reports, files, pdfs, pages, _bodies, archive, _log = hostile_crawl
    errors = {error.url: error.message for error in page_errors(archive) if error.kind == "extraction"}
    # a file's error is recorded with the file (its report is the article: see below)
    assert errors[files[pdfs[0]]].split(":")[0] in ("MemoryLimitExceeded", "WorkerDied")
    # 600 pages: over the time bound on a busy machine; read in time, its layout is no report's
    assert errors[files[pdfs[1]]].split(":")[0] in ("TimeLimitExceeded", "UnknownLayout")
    assert errors[pages[0]].startswith("TooManyCells")
    assert errors[pages[1]].startswith("DocumentTooLarge")
    assert len(errors) == 4
    assert list_runs(archive)[-1].outcome == "finished"


def test_every_other_report_is_archived_and_extracted(hostile_crawl) -> None:  # type: ignore[no-untyped-def]
    _world, reports, _files, pdfs, pages, _bodies, archive, _log = hostile_crawl
    archived = {view.url: view for view in list_reports(archive)}
    # the oversized page cannot be read for its title: it is kept as a snapshot only
    assert set(archived) == {entry["url"] for entry in reports} - {pages[1]}
    for url in archived:
        detail = get_report(archive, url)
        assert detail is not None and detail.extraction is not None
        failed = url in (pdfs[0], pdfs[1], pages[0])
        assert (detail.extraction.status == "failed") == failed, url


def test_hostile_bodies_are_kept_byte_for_byte(hostile_crawl) -> None:  # type: ignore[no-untyped-def]
    _world, _reports, _files, _pdfs, _pages, bodies, archive, _log = hostile_crawl
    for url, body in bodies.items():
        snapshot = archive.latest_snapshot(url)
        assert snapshot is not None and snapshot.sha256 == hashlib.sha256(body).hexdigest(), url


def test_every_file_is_parsed_once_and_never_in_the_crawl_process(hostile_crawl) -> None:  # type: ignore[no-untyped-def]
    world, _reports, files, _pdfs, _pages, bodies, _archive, (log, crawl_pid) = hostile_crawl
    served = {file: bodies.get(file, world.page(file)) for file in files.values()}
    parses = [line.split() for line in log.read_text().splitlines()]
    per_file = Counter(sha for sha, _pid in parses)
    assert per_file == Counter({hashlib.sha256(body).hexdigest(): 1 for body in served.values()})
    assert str(crawl_pid) not in {pid for _sha, pid in parses}  # in the workers, off the reactor
