"""`reports export --format warc`: every record reads back with warcio, payloads are the snapshots."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from sqlalchemy import select
from warcio.archiveiterator import ArchiveIterator

from storage.models import Fetch, Report, Snapshot
from tests.formats.conftest import unit_report_count


def _records(path: Path) -> list[dict]:
    records = []
    with path.open("rb") as stream:
        for record in ArchiveIterator(stream, check_digests=True):
            records.append(
                {
                    "type": record.rec_type,
                    "uri": record.rec_headers.get_header("WARC-Target-URI"),
                    "date": record.rec_headers.get_header("WARC-Date"),
                    "id": record.rec_headers.get_header("WARC-Record-ID"),
                    "digest": record.rec_headers.get_header("WARC-Payload-Digest"),
                    "profile": record.rec_headers.get_header("WARC-Profile"),
                    "refers_to": record.rec_headers.get_header("WARC-Refers-To"),
                    "concurrent": record.rec_headers.get_header("WARC-Concurrent-To"),
                    "status": record.http_headers.get_statuscode() if record.http_headers else None,
                    "statusline": str(record.http_headers.protocol) + " " + record.http_headers.statusline
                    if record.http_headers and record.http_headers.statusline
                    else None,
                    "headers": dict(record.http_headers.headers) if record.http_headers else {},
                    "payload": record.raw_stream.read(),
                    "version": record.rec_headers.protocol,
                }
            )
    return records


@pytest.fixture(scope="session")
def records(exported_warc: Path) -> list[dict]:
    return _records(exported_warc)


def test_every_fetch_of_every_report_is_a_request_and_a_response_or_revisit(crawled_unit, records):
    with crawled_unit.target.open() as archive, archive.Session() as session:
        report_urls = set(session.scalars(select(Report.url)))
        fetches = session.scalars(select(Fetch).where(Fetch.canonical_url.in_(report_urls))).all()
    assert records[0]["type"] == "warcinfo" and all(r["version"] == "WARC/1.1" for r in records)
    answers = [r for r in records if r["type"] in ("response", "revisit")]
    requests = [r for r in records if r["type"] == "request"]
    assert len(answers) == len(requests) == len(fetches) > len(report_urls)
    assert {r["concurrent"] for r in requests} == {r["id"] for r in answers}
    assert sorted((r["uri"], r["date"]) for r in answers) == sorted((r["uri"], r["date"]) for r in requests)
    assert sorted(r["uri"] for r in answers) == sorted(f.url for f in fetches)
    # The request as the crawler sent it: GET, our User-Agent, the conditional headers of a revalidation.
    assert all(r["statusline"].startswith("GET /") for r in requests)
    assert all("cq-transparency-archive" in r["headers"].get("User-Agent", "") for r in requests)
    assert any("If-None-Match" in r["headers"] for r in requests)


def test_every_response_payload_is_the_snapshot_byte_for_byte(crawled_unit, records):
    with crawled_unit.target.open() as archive, archive.Session() as session:
        snapshots = {(url, sha) for url, sha in session.execute(select(Snapshot.url, Snapshot.sha256))}
        fetched_at = {
            (url, f"{moment:%Y-%m-%dT%H:%M:%S.%f}Z".replace(".000000Z", "Z")): status
            for url, moment, status in session.execute(select(Fetch.url, Fetch.fetched_at, Fetch.status))
        }
    responses = [r for r in records if r["type"] == "response" and r["status"] == "200"]
    assert len(responses) >= unit_report_count() + 1  # every report, one of them revised
    for record in responses:
        sha256 = hashlib.sha256(record["payload"]).hexdigest()
        assert record["digest"] == f"sha256:{sha256}"
        assert (record["uri"], sha256) in snapshots
        assert record["statusline"] == "HTTP/1.1 200 OK"
        assert int(record["headers"]["Content-Length"]) == len(record["payload"])
    # WARC-Date is the fetch time, to the microsecond.
    assert all(fetched_at.get((r["uri"], r["date"])) for r in records if r["type"] in ("response", "revisit"))


def test_a_refetch_that_found_the_same_bytes_is_a_revisit_of_the_response_that_has_them(records):
    responses = {r["id"]: r for r in records if r["type"] == "response"}
    revisits = [r for r in records if r["type"] == "revisit"]
    assert len(revisits) >= 60  # the second crawl revalidated every unchanged page (304)
    for revisit in revisits:
        original = responses[revisit["refers_to"]]
        assert revisit["profile"].endswith("/revisit/server-not-modified")
        assert original["uri"] == revisit["uri"] and original["date"] < revisit["date"]
        assert revisit["digest"] == original["digest"] and revisit["payload"] == b""


def test_a_revised_report_has_both_responses_and_a_withdrawn_one_its_last_and_the_404(crawled_unit, records):
    revised = [r for r in records if r["uri"] == crawled_unit.revised and r["type"] == "response"]
    assert len(revised) == 2 and revised[0]["digest"] != revised[1]["digest"]
    gone = [r for r in records if r["uri"] == crawled_unit.gone and r["type"] in ("response", "revisit")]
    assert [r["status"] for r in gone] == ["200", "404"]
    assert gone[1]["statusline"] == "HTTP/1.1 404 Not Found"
    assert gone[1]["payload"] == b"<html><body><h1>Not Found</h1></body></html>"
