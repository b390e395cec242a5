"""Items the spider hands to the pipelines: one fetched page each."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass
class PageItem:
    """One HTTP response, kept whole so the pipelines can snapshot it byte for byte.

    ``page_type`` is the spider's reason for fetching it: ``column`` (a 年报
    listing page) or ``article`` (a page listed in a column; whether it is a
    report is decided later from its content).
    """

    url: str
    canonical_url: str
    site_code: str
    page_type: str
    status: int
    headers: dict[str, str]
    body: bytes | None
    fetched_at: datetime
    referer: str | None = None
    # The request as sent and the response's protocol ("HTTP/1.1"), for WARC export.
    request_headers: dict[str, str] = field(default_factory=dict)
    protocol: str | None = None
    # Filled in by the snapshot pipeline.
    snapshot_id: int | None = None
    sha256: str | None = None
    new_snapshot: bool = False
    notes: dict[str, object] = field(default_factory=dict)
