"""`reports export --format wacz` passes `wacz validate`; `reports import-warc` of our own export
gives the same reports, snapshots and values."""

from __future__ import annotations

import gzip
import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy import select
from warcio.warcwriter import WARCWriter

from storage.archive import Archive
from storage.exports import value_rows
from storage.models import Fetch, Report, ReportSnapshot, Snapshot
from storage.queries import get_report
from tests.formats.conftest import FILE_SITES, run_cli, unit_report_count


def test_a_wacz_export_passes_wacz_validate_and_lists_every_report_page(crawled_unit, tmp_path):
    target = crawled_unit.target
    wacz = tmp_path / "cqcs.wacz"
    run_cli(
        ["export", "--format", "wacz", "-o", str(wacz), "--snapshot-dir", str(target.snapshots)],
        target.db_url,
    )
    validated = subprocess.run(
        [sys.executable, "-m", "wacz", "validate", "-f", str(wacz)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert validated.returncode == 0 and "Validation succeeded" in validated.stdout
    with zipfile.ZipFile(wacz) as package:
        names = set(package.namelist())
        pages = [json.loads(line) for line in package.read("pages/pages.jsonl").splitlines()]
    assert {"datapackage.json", "indexes/index.cdx.gz", "pages/pages.jsonl"} <= names
    with target.open() as archive, archive.Session() as session:
        titles = {url: title for url, title in session.execute(select(Report.url, Report.title))}
    assert {page["url"]: page["title"] for page in pages[1:]} == titles


def _reports(archive: Archive) -> dict[str, tuple]:
    with archive.Session() as session:
        rows = session.execute(
            select(
                Report.url,
                Report.year,
                Report.kind,
                Report.title,
                Report.published,
                Report.template,
                Report.status,
                Snapshot.sha256,
            ).join(Snapshot, Snapshot.id == Report.current_snapshot_id)
        )
        return {row[0]: tuple(row[1:]) for row in rows}


def _report_snapshots(archive: Archive) -> set[tuple[str, str]]:
    with archive.Session() as session:
        return set(
            session.execute(
                select(Report.url, Snapshot.sha256)
                .join(ReportSnapshot, ReportSnapshot.report_id == Report.id)
                .join(Snapshot, Snapshot.id == ReportSnapshot.snapshot_id)
            )
        )


def _values(archive: Archive) -> set[tuple]:
    return {(row.url, row.key, row.value, row.raw, row.template) for row in value_rows(archive)}


def test_import_warc_of_our_export_gives_the_same_reports_snapshots_and_values(
    crawled_unit, exported_warc: Path, tmp_path
):
    db_url = f"sqlite:///{tmp_path / 'imported.sqlite3'}"
    printed = run_cli(
        ["import-warc", str(exported_warc), "--snapshot-dir", str(tmp_path / "snapshots")], db_url
    ).stdout
    assert f"{unit_report_count()} new reports, 1 revised, 1 withdrawn" in printed
    with crawled_unit.target.open() as original, Archive.open(db_url, tmp_path / "snapshots") as imported:
        assert _reports(imported) == _reports(original)
        assert _report_snapshots(imported) == _report_snapshots(original)
        assert len(_values(original)) > 60 * 100
        assert _values(imported) == _values(original)
        with imported.Session() as session:
            for sha256 in session.scalars(select(Snapshot.sha256)):
                assert imported.snapshot_body(sha256) == original.snapshot_body(sha256)


def test_import_warc_archives_reports_published_as_files_like_the_crawl(crawled_files, tmp_path):
    warc = tmp_path / "cqjw.warc.gz"
    snapshots = str(crawled_files.snapshots)
    run_cli(
        ["export", "--format", "warc", "-o", str(warc), "--snapshot-dir", snapshots], crawled_files.db_url
    )
    db_url = f"sqlite:///{tmp_path / 'imported.sqlite3'}"
    run_cli(
        ["import-warc", str(warc), "--sites", str(FILE_SITES), "--snapshot-dir", str(tmp_path / "snapshots")],
        db_url,
    )
    with crawled_files.open() as original, Archive.open(db_url, tmp_path / "snapshots") as imported:
        with original.Session() as session:
            files = session.scalars(
                select(Snapshot.url).join(Report, Report.current_snapshot_id == Snapshot.id)
            ).all()
        assert sum(url.endswith((".pdf", ".docx")) for url in files) >= 3
        assert _reports(imported) == _reports(original)
        assert _report_snapshots(imported) == _report_snapshots(original)
        assert _values(imported) == _values(original)


def _another_crawlers_warc(path: Path, url: str, page: bytes) -> None:
    """A report page as other crawlers record it: https and the bare host, the body gzipped and
    chunked on the wire and kept raw, sha1 digests, a request record without WARC-Concurrent-To."""
    entity = gzip.compress(page)
    chunked = b"".join(
        b"%x\r\n%s\r\n" % (len(entity[i : i + 4000]), entity[i : i + 4000])
        for i in range(0, len(entity), 4000)
    )
    wire = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Encoding: gzip\r\n"
    wire += b"Transfer-Encoding: chunked\r\n\r\n" + chunked + b"0\r\n\r\n"
    with path.open("wb") as stream:
        writer = WARCWriter(stream, gzip=True)
        date = {"WARC-Date": "2024-03-01T08:00:00Z"}
        response = writer.create_warc_record(
            url, "response", payload=io.BytesIO(wire), warc_headers_dict=date
        )
        request = writer.create_warc_record(
            url,
            "request",
            payload=io.BytesIO(
                b"GET " + urlsplit(url).path.encode() + b" HTTP/1.1\r\nHost: cqcs.gov.cn\r\n\r\n"
            ),
            warc_headers_dict=date,
        )
        writer.write_record(request)
        writer.write_record(response)


def test_import_warc_of_another_crawlers_file_extracts_the_report(replica_small, tmp_path):
    entry = next(
        e
        for e in replica_small.reports
        if e["unit_code"] == "cqcs" and e["template"] == "v2021" and e["values"]
    )
    page = replica_small.page(entry["url"])
    foreign_url = entry["url"].replace("http://www.", "https://")
    warc = tmp_path / "other.warc.gz"
    _another_crawlers_warc(warc, foreign_url, page)
    db_url = f"sqlite:///{tmp_path / 'imported.sqlite3'}"
    printed = run_cli(
        ["import-warc", str(warc), "--snapshot-dir", str(tmp_path / "snapshots")], db_url
    ).stdout
    assert "1 new reports" in printed
    with Archive.open(db_url, tmp_path / "snapshots") as imported:
        detail = get_report(imported, entry["url"])  # the canonical URL: http and the registry's host
        assert detail is not None
        assert imported.snapshot_body(detail.view.snapshot_sha256) == page
        assert (detail.view.agency, detail.view.year, detail.view.status) == (
            entry["agency"],
            entry["year"],
            "complete",
        )
        assert detail.values == entry["values"]
        with imported.Session() as session:
            headers = session.scalar(select(Fetch.headers).where(Fetch.canonical_url == entry["url"]))
        assert headers["X-Archive-Orig-Content-Encoding"] == "gzip" and "Content-Encoding" not in headers
