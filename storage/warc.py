"""The fetches of chosen reports as a WARC/1.1 file (warcio), for pywb, ReplayWeb.page and other archives.

Every fetch of a report's page or of its files (a 404 that saw it gone included) becomes a
``request`` and a ``response`` record, dated ``WARC-Date`` = the fetch time, the payload
digest being the sha256 the archive already has (``sha256:<hex>``). A fetch that found bytes
already written for the same URL is a ``revisit`` (``identical-payload-digest``); a 304 is a
``revisit`` of profile ``server-not-modified`` with an empty block (the 304's own headers stay
in the archive: pywb would replay a 304 header block as an empty 304). Both refer to the
response that holds the bytes.

What the archive keeps and what is written in its place:

- response headers as received, in order. ``Transfer-Encoding`` is renamed
  ``X-Archive-Orig-Transfer-Encoding`` (the body is kept de-chunked) and a ``Content-Length``
  that does not match the body written is renamed ``X-Archive-Orig-Content-Length`` and a true
  one added, so replay tools read the body as written;
- the status line: the protocol is recorded since migration 0009 (``HTTP/1.1`` is written for
  older fetches); the reason phrase is the standard one for the code, as Scrapy does not keep the
  server's;
- the request: headers as sent since migration 0009; for older fetches only ``Host`` is known;
- the body of an error answer (a 404 page) is kept since migration 0009; older ones are
  written with an empty body;
- fetches that got no answer at all (a connection that failed for good) have no record.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http import HTTPStatus
from io import BytesIO
from typing import IO, TYPE_CHECKING, Any
from urllib.parse import urlsplit

from sqlalchemy import select
from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import datetime_to_iso_date
from warcio.warcwriter import WARCWriter

from storage.filters import ReportFilter, filtered_reports
from storage.models import Fetch, Report, ReportSnapshot, Snapshot
from storage.queries import _session

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from storage.archive import Archive

logger = logging.getLogger(__name__)

SOFTWARE = "cq-transparency-archive (warcio)"
PROFILE_IDENTICAL = "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"
PROFILE_NOT_MODIFIED = "http://netpreserve.org/warc/1.1/revisit/server-not-modified"
DEFAULT_PROTOCOL = "HTTP/1.1"


@dataclass(frozen=True)
class WarcPage:
    """A report page for a WACZ pages list: its URL, title and the time of its current capture."""

    url: str
    title: str
    ts: str


@dataclass
class WarcSummary:
    """What ``write_warc`` wrote: records by type, fetches left out (no answer), the report pages."""

    records: Counter[str] = field(default_factory=Counter)
    no_answer: int = 0
    pages: list[WarcPage] = field(default_factory=list)


def warc_date(moment: datetime) -> str:
    """``2026-12-04T15:38:41.188183Z`` (WARC/1.1 allows microseconds)."""
    utc = moment.astimezone(UTC) if moment.tzinfo else moment
    return datetime_to_iso_date(utc.replace(tzinfo=None), use_micros=True)


def payload_digest(sha256: str) -> str:
    return f"sha256:{sha256}"


def _wire(value: str) -> str:
    """A header value as it went over the wire: stored decoded as Latin-1, written as UTF-8 bytes."""
    raw = value.encode("latin-1", errors="replace")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return value


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def response_headers(headers: dict[str, Any], body_length: int | None) -> list[tuple[str, str]]:
    """The stored response headers, with framing headers made true of the body as written."""
    written: list[tuple[str, str]] = []
    for name, value in headers.items():
        lowered = name.lower()
        if lowered == "transfer-encoding":
            written.append(("X-Archive-Orig-Transfer-Encoding", _wire(str(value))))
        elif (
            lowered == "content-length" and body_length is not None and str(value).strip() != str(body_length)
        ):
            written.append(("X-Archive-Orig-Content-Length", _wire(str(value))))
        else:
            written.append((name, _wire(str(value))))
    names = {name.lower() for name, _ in written}
    if body_length is not None and "content-length" not in names:
        written.append(("Content-Length", str(body_length)))
    return written


def request_headers(fetch: Fetch) -> list[tuple[str, str]]:
    """The request's headers: Host first, then those recorded (none before migration 0009)."""
    host = urlsplit(fetch.url).netloc
    sent = [(name, _wire(str(value))) for name, value in (fetch.request_headers or {}).items()]
    return [("Host", host), *[(name, value) for name, value in sent if name.lower() != "host"]]


def report_urls(session: Session, report_filter: ReportFilter) -> dict[str, Report]:
    """Canonical URLs of the chosen reports' pages and files -> the report."""
    reports = session.scalars(filtered_reports(report_filter, Report).order_by(Report.id)).all()
    urls: dict[str, Report] = {report.url: report for report in reports}
    by_id = {report.id: report for report in reports}
    files = session.execute(
        select(ReportSnapshot.report_id, Snapshot.url)
        .join(Snapshot, Snapshot.id == ReportSnapshot.snapshot_id)
        .where(ReportSnapshot.report_id.in_(filtered_reports(report_filter, Report.id)))
    )
    for report_id, url in files:
        urls.setdefault(url, by_id[report_id])
    return urls


def _fetches(session: Session, urls: set[str]) -> Iterator[Fetch]:
    """The fetches of ``urls`` in the order they happened (a file after the article linking it)."""
    query = select(Fetch).order_by(Fetch.fetched_at, Fetch.id).execution_options(yield_per=1000)
    for fetch in session.scalars(query):
        if fetch.canonical_url in urls:
            yield fetch


@dataclass
class _Original:
    """A written response holding some bytes: what a revisit refers to."""

    record_id: str
    uri: str
    date: str


class _Exporter:
    def __init__(self, archive: Archive, stream: IO[bytes]) -> None:
        self.archive = archive
        self.writer = WARCWriter(stream, gzip=True, warc_version="1.1")
        self.summary = WarcSummary()
        # (canonical URL, sha256) -> the response record that holds those bytes.
        self.originals: dict[tuple[str, str], _Original] = {}
        # Canonical URL -> WARC-Date of its latest 200 response record (a page's capture).
        self.last_response: dict[str, str] = {}

    def write(self, record: Any) -> None:
        self.writer.write_record(record)
        self.summary.records[record.rec_type] += 1

    def warcinfo(self, filename: str, description: str) -> None:
        info = {
            "software": SOFTWARE,
            "format": "WARC File Format 1.1",
            "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
            "description": description,
        }
        self.write(self.writer.create_warcinfo_record(filename, info))

    def fetch(self, fetch: Fetch) -> None:
        if fetch.status == 0:
            self.summary.no_answer += 1
            return
        date = warc_date(fetch.fetched_at)
        protocol = fetch.protocol or DEFAULT_PROTOCOL
        key = (fetch.canonical_url, fetch.sha256 or "")
        original = self.originals.get(key) if fetch.sha256 else None
        if original is not None and fetch.status in (200, 304):
            record = self._revisit(fetch, date, protocol, original)
        else:
            record = self._response(fetch, date, protocol)
            if fetch.status == 200 and fetch.sha256:
                self.originals[key] = _Original(
                    record.rec_headers.get_header("WARC-Record-ID"), fetch.url, date
                )
                self.last_response[fetch.canonical_url] = date
        request = self.writer.create_warc_record(
            fetch.url,
            "request",
            http_headers=StatusAndHeaders(
                f"GET {_path(fetch.url)} {protocol}", request_headers(fetch), is_http_request=True
            ),
            warc_headers_dict={
                "WARC-Date": date,
                "WARC-Concurrent-To": record.rec_headers.get_header("WARC-Record-ID"),
            },
        )
        self.write(record)
        self.write(request)

    def _status(self, fetch: Fetch) -> str:
        return f"{fetch.status} {_reason(fetch.status)}".rstrip()

    def _response(self, fetch: Fetch, date: str, protocol: str) -> Any:
        sha256 = fetch.sha256 if fetch.status == 200 else fetch.error_body_sha256
        body = self.archive.snapshot_body(sha256) if sha256 else b""
        headers = StatusAndHeaders(
            self._status(fetch), response_headers(fetch.headers, len(body)), protocol=protocol
        )
        warc_headers = {"WARC-Date": date}
        if sha256:
            warc_headers["WARC-Payload-Digest"] = payload_digest(sha256)
        return self.writer.create_warc_record(
            fetch.url,
            "response",
            payload=BytesIO(body),
            length=len(body),
            http_headers=headers,
            warc_headers_dict=warc_headers,
        )

    def _revisit(self, fetch: Fetch, date: str, protocol: str, original: _Original) -> Any:
        # A 304 revisit has an empty block: replay tools then serve the original's status and
        # headers with its bytes (pywb would answer the 304 itself, without a body).
        headers = (
            StatusAndHeaders(self._status(fetch), response_headers(fetch.headers, None), protocol=protocol)
            if fetch.status != 304
            else None
        )
        return self.writer.create_warc_record(
            fetch.url,
            "revisit",
            http_headers=headers,
            warc_headers_dict={
                "WARC-Date": date,
                "WARC-Profile": PROFILE_NOT_MODIFIED if fetch.status == 304 else PROFILE_IDENTICAL,
                "WARC-Refers-To": original.record_id,
                "WARC-Refers-To-Target-URI": original.uri,
                "WARC-Refers-To-Date": original.date,
                "WARC-Payload-Digest": payload_digest(fetch.sha256 or ""),
            },
        )


def _path(url: str) -> str:
    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def write_warc(
    source: Archive,
    stream: IO[bytes],
    report_filter: ReportFilter | None = None,
    *,
    filename: str = "reports.warc.gz",
) -> WarcSummary:
    """Write the fetches of the reports ``report_filter`` selects to ``stream`` (gzipped WARC/1.1)."""
    exporter = _Exporter(source, stream)
    with _session(source) as session:
        urls = report_urls(session, report_filter or ReportFilter())
        reports = {report.id: report for report in urls.values()}
        exporter.warcinfo(
            filename,
            f"Fetches of {len(reports)} government information disclosure annual report(s) "
            "archived from the Chongqing platform: report pages and their files.",
        )
        for fetch in _fetches(session, set(urls)):
            exporter.fetch(fetch)
        exporter.summary.pages = [
            WarcPage(report.url, report.title, exporter.last_response[report.url])
            for report in sorted(reports.values(), key=lambda r: (r.year, r.url))
            if report.url in exporter.last_response
        ]
    logger.info(
        "WARC: %s; %d fetch(es) without an answer left out",
        dict(exporter.summary.records),
        exporter.summary.no_answer,
    )
    return exporter.summary
