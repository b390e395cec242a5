"""Reading a WARC file (ours or another crawler's) into plain captures: one per response or revisit.

Request records are matched to their response by ``WARC-Concurrent-To`` (either direction) or
by target URI and date, for the request headers. A body is the entity as the crawler keeps it:
chunked transfer coding and a content coding (gzip, …) that another crawler recorded raw are
decoded; the content coding's header is kept as ``X-Archive-Orig-Content-Encoding``. ``X-Archive-Orig-NAME`` headers (written where a framing
header no longer held) are put back under NAME.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from warcio.archiveiterator import ArchiveIterator
from warcio.timeutils import iso_date_to_datetime

ORIGINAL_PREFIX = "x-archive-orig-"
NOT_MODIFIED_PROFILE = "/revisit/server-not-modified"


@dataclass(frozen=True)
class WarcCapture:
    """One ``response`` or ``revisit`` record. ``status`` is None for a revisit without headers;
    ``body`` is None for a revisit."""

    record_id: str
    kind: str
    url: str
    date: str  # WARC-Date as written
    fetched_at: datetime
    status: int | None
    protocol: str | None
    headers: dict[str, str]
    body: bytes | None
    request_headers: dict[str, str] | None
    payload_digest: str | None = None
    profile: str | None = None
    refers_to: str | None = None
    refers_to_uri: str | None = None
    refers_to_date: str | None = None

    @property
    def not_modified(self) -> bool:
        """A revisit that records a 304 (by its status or its profile)."""
        return self.kind == "revisit" and (
            self.status == 304 or (self.status is None and NOT_MODIFIED_PROFILE in (self.profile or ""))
        )


def _header_dict(pairs: list[tuple[str, str]]) -> dict[str, str]:
    """Headers as the crawler stores them: repeated names joined by ``, ``, originals restored."""
    merged: dict[str, str] = {}
    for name, value in pairs:
        merged[name] = f"{merged[name]}, {value}" if name in merged else value
    restored = {
        name[len(ORIGINAL_PREFIX) :]: value
        for name, value in merged.items()
        if name.lower().startswith(ORIGINAL_PREFIX)
    }
    lowered = {name.lower() for name in restored}
    kept = {
        name: value
        for name, value in merged.items()
        if not name.lower().startswith(ORIGINAL_PREFIX) and name.lower() not in lowered
    }
    for name, value in restored.items():
        kept[_title(name)] = value
    return kept


def _entity_headers(pairs: list[tuple[str, str]], record_type: str) -> dict[str, str]:
    """The headers to keep with a decoded body: a content coding that was undone is kept as
    ``X-Archive-Orig-Content-Encoding`` (the transfer coding stays, as the crawler keeps it)."""
    headers = _header_dict(pairs)
    for name in list(headers):
        coded = headers[name].strip().lower() not in ("", "identity")
        if record_type == "response" and name.lower() == "content-encoding" and coded:
            headers["X-Archive-Orig-Content-Encoding"] = headers.pop(name)
    return headers


def _title(name: str) -> str:
    return "-".join(part.capitalize() for part in name.split("-"))


def _requests(path: Path) -> dict[Any, dict[str, str]]:
    """Request headers keyed by the response record they belong to (its id, or URI and date)."""
    found: dict[Any, dict[str, str]] = {}
    with path.open("rb") as stream:
        for record in ArchiveIterator(stream):
            if record.rec_type != "request" or record.http_headers is None:
                continue
            headers = {name: value for name, value in _header_dict(record.http_headers.headers).items()}
            target = record.rec_headers.get_header("WARC-Concurrent-To")
            own_id = record.rec_headers.get_header("WARC-Record-ID")
            uri = record.rec_headers.get_header("WARC-Target-URI")
            date = record.rec_headers.get_header("WARC-Date")
            if target:
                found[target] = headers
            found[("id", own_id)] = headers
            found[(uri, date)] = headers
    return found


def target_hosts(path: str | Path) -> set[str]:
    """The hosts of every response and revisit in the WARC at ``path``."""
    hosts: set[str] = set()
    with Path(path).open("rb") as stream:
        for record in ArchiveIterator(stream):
            if record.rec_type in ("response", "revisit"):
                hosts.add(
                    (urlsplit(record.rec_headers.get_header("WARC-Target-URI") or "").hostname or "").lower()
                )
    return hosts - {""}


def read_captures(path: str | Path) -> Iterator[WarcCapture]:
    """The responses and revisits of the WARC at ``path``, in file order."""
    path = Path(path)
    requests = _requests(path)
    with path.open("rb") as stream:
        for record in ArchiveIterator(stream):
            if record.rec_type not in ("response", "revisit"):
                continue
            header = record.rec_headers.get_header
            uri, date, record_id = header("WARC-Target-URI"), header("WARC-Date"), header("WARC-Record-ID")
            if not uri or not uri.startswith(("http://", "https://")) or not date:
                continue
            http = record.http_headers
            has_status = http is not None and bool(http.statusline)
            status = int(http.get_statuscode()) if has_status and http is not None else None
            concurrent = header("WARC-Concurrent-To")
            sent = (
                requests.get(record_id)
                or (requests.get(("id", concurrent)) if concurrent else None)
                or requests.get((uri, date))
            )
            yield WarcCapture(
                record_id=record_id,
                kind=record.rec_type,
                url=uri,
                date=date,
                fetched_at=iso_date_to_datetime(date, tz_aware=True),
                status=status,
                protocol=http.protocol if has_status and http is not None else None,
                headers=_entity_headers(http.headers, record.rec_type) if http is not None else {},
                body=record.content_stream().read() if record.rec_type == "response" else None,
                request_headers=sent,
                payload_digest=header("WARC-Payload-Digest"),
                profile=header("WARC-Profile"),
                refers_to=header("WARC-Refers-To"),
                refers_to_uri=header("WARC-Refers-To-Target-URI"),
                refers_to_date=header("WARC-Refers-To-Date"),
            )
