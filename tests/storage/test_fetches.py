from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select

from storage.archive import Archive
from storage.models import Fetch, Snapshot
from tests.storage.builders import T0, at, fetch_page

URL = "http://www.wz.gov.cn/zwgk_266/zfxxgknb/202401/t20240115_1.html"
BODY = "<html>万州区2023年年报</html>".encode()


def _count(archive: Archive, model: type[Snapshot] | type[Fetch]) -> int:
    with archive.Session() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_same_body_twice_is_one_snapshot_and_two_fetches(archive: Archive) -> None:
    first = fetch_page(archive, URL, BODY, minutes=0)
    second = fetch_page(archive, URL, BODY, minutes=10)
    assert first.new_snapshot and not second.new_snapshot
    assert first.snapshot_id == second.snapshot_id
    assert first.fetch_id != second.fetch_id
    assert _count(archive, Snapshot) == 1
    assert _count(archive, Fetch) == 2
    latest = archive.latest_snapshot(URL)
    assert latest is not None
    assert (latest.first_seen_at, latest.last_seen_at) == (at(0), at(10))


def test_changed_body_is_a_second_snapshot(archive: Archive) -> None:
    first = fetch_page(archive, URL, BODY, minutes=0)
    second = fetch_page(archive, URL, BODY + b"<!-- corrected -->", minutes=10)
    assert second.new_snapshot
    assert second.snapshot_id != first.snapshot_id
    assert _count(archive, Snapshot) == 2
    latest = archive.latest_snapshot(URL)
    assert latest is not None and latest.id == second.snapshot_id
    assert archive.snapshot_body(latest.sha256) == BODY + b"<!-- corrected -->"


def test_body_seen_again_after_a_change_becomes_latest_again(archive: Archive) -> None:
    first = fetch_page(archive, URL, BODY, minutes=0)
    fetch_page(archive, URL, b"<html>temporarily different</html>", minutes=10)
    again = fetch_page(archive, URL, BODY, minutes=20)
    assert not again.new_snapshot
    latest = archive.latest_snapshot(URL)
    assert latest is not None and latest.id == first.snapshot_id


def test_not_modified_resolves_to_the_latest_snapshot_and_bumps_it(archive: Archive) -> None:
    stored = fetch_page(archive, URL, BODY, minutes=0)
    not_modified = fetch_page(archive, URL, None, minutes=30, status=304)
    assert not_modified.snapshot_id == stored.snapshot_id
    assert not_modified.sha256 == stored.sha256
    assert not not_modified.new_snapshot
    latest = archive.latest_snapshot(URL)
    assert latest is not None and latest.last_seen_at == at(30)
    assert _count(archive, Fetch) == 2


def test_not_modified_without_any_snapshot_records_only_the_fetch(archive: Archive) -> None:
    record = fetch_page(archive, URL, None, status=304)
    assert (record.snapshot_id, record.sha256, record.new_snapshot) == (None, None, False)
    assert _count(archive, Fetch) == 1


def test_error_status_keeps_its_body_but_makes_no_snapshot(archive: Archive) -> None:
    page = b"<html>404 Not Found</html>"
    record = fetch_page(archive, URL, page, status=404)
    assert record.snapshot_id is None and record.sha256 is None
    assert _count(archive, Snapshot) == 0
    assert archive.latest_snapshot(URL) is None
    with archive.Session() as session:
        fetch = session.get_one(Fetch, record.fetch_id)
        assert fetch.status == 404 and fetch.snapshot_id is None
        assert fetch.error_body_sha256 is not None
        assert archive.snapshot_body(fetch.error_body_sha256) == page


def test_fetch_keeps_the_request_headers_and_protocol(archive: Archive) -> None:
    record = archive.record_fetch(
        run_id=None,
        url=URL,
        canonical_url=URL,
        status=200,
        headers={"Content-Type": "text/html"},
        body=BODY,
        fetched_at=at(0),
        request_headers={"User-Agent": "cq-transparency-archive/0.1", "If-None-Match": '"abc"'},
        protocol="HTTP/1.1",
    )
    with archive.Session() as session:
        fetch = session.get_one(Fetch, record.fetch_id)
        assert fetch.request_headers == {
            "User-Agent": "cq-transparency-archive/0.1",
            "If-None-Match": '"abc"',
        }
        assert fetch.protocol == "HTTP/1.1" and fetch.error_body_sha256 is None


def test_body_shared_by_two_urls_is_stored_once(archive: Archive, snapshot_dir: Path) -> None:
    first = fetch_page(archive, URL, BODY)
    second = fetch_page(archive, URL.replace("www.", ""), BODY)
    assert first.sha256 == second.sha256
    assert first.snapshot_id != second.snapshot_id
    assert len([path for path in snapshot_dir.rglob("*.gz")]) == 1


def test_fetch_keeps_requested_and_canonical_url_and_run(archive: Archive) -> None:
    run_id = archive.start_run(["wz"])
    record = archive.record_fetch(
        run_id=run_id,
        url="http://wz.gov.cn/zwgk_266/zfxxgknb/202401/t20240115_1.html",
        canonical_url=URL,
        status=200,
        headers={"content-type": "text/html"},
        body=BODY,
        fetched_at=T0,
    )
    with archive.Session() as session:
        fetch = session.get_one(Fetch, record.fetch_id)
        assert fetch.url.startswith("http://wz.gov.cn/")
        assert fetch.canonical_url == URL
        assert fetch.run_id == run_id
        snapshot = session.get_one(Snapshot, record.snapshot_id)
        assert snapshot.url == URL
        assert snapshot.content_type == "text/html"
        assert snapshot.size == len(BODY)


def test_naive_fetch_time_is_taken_as_utc(archive: Archive) -> None:
    fetch_page(archive, URL, BODY)
    archive.record_fetch(
        run_id=None,
        url=URL,
        canonical_url=URL,
        status=200,
        headers={},
        body=BODY,
        fetched_at=datetime(2025, 3, 1, 9, 0),
    )
    latest = archive.latest_snapshot(URL)
    assert latest is not None and latest.last_seen_at == at(60)


def test_validators_come_from_the_latest_ok_response(archive: Archive) -> None:
    assert archive.validators(URL) == {}
    fetch_page(archive, URL, BODY, minutes=0, headers={"ETag": '"a1"', "Last-Modified": "Mon, 15 Jan 2024"})
    fetch_page(archive, URL, BODY, minutes=5, headers={"etag": '"b2"'})
    fetch_page(archive, URL, b"busy", minutes=10, status=503, headers={"ETag": '"error"'})
    assert archive.validators(URL) == {"ETag": '"b2"'}
