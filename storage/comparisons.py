"""Finding the reports and snapshots a comparison names, and turning them into comparison sides."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from compare.reports import ReportSide
from reportformat.narrative import NARRATIVE_CHECK
from storage.filters import ReportFilter
from storage.history import SnapshotEntry, extraction, snapshot_history
from storage.queries import ExtractionView, ReportDetail, get_report
from storage.search import search_reports
from storage.snapshots import SnapshotCorrupt, SnapshotNotFound

_YEAR = re.compile(r"^(19|20)\d\d$")


class NotFound(LookupError):
    """A report or snapshot that the archive does not have, or a reference that names several."""


def report_detail(archive: Any, ref: str) -> ReportDetail:
    """A report by id or URL."""
    detail = get_report(archive, int(ref) if ref.isdigit() else ref)
    if detail is None:
        raise NotFound(f"no report {ref!r} in the archive (see `reports search`)")
    return detail


def district_report(
    archive: Any, district: str, year: int, kind: str | None = None, agency: str | None = None
) -> ReportDetail:
    """The one report of a district and year: its summary report unless ``agency``/``kind`` say otherwise."""
    wanted = ReportFilter(
        district=district, years=(year, year), kind=kind or (None if agency else "district")
    )
    hits = search_reports(archive, None, ReportFilter(**{**wanted.__dict__, "agency": agency}))
    if not hits:
        raise NotFound(f"no report of {district} for {year} matches (try --kind or --agency)")
    if len(hits) > 1:
        names = ", ".join(f"{hit.report.agency} (id {hit.report.id})" for hit in hits[:8])
        raise NotFound(f"{len(hits)} reports of {district} for {year} match; pick one with --agency: {names}")
    return report_detail(archive, str(hits[0].report.id))


def diff_pair(
    archive: Any, args: tuple[str, ...], kind: str | None, agency: str | None
) -> tuple[ReportDetail, ReportDetail]:
    """``A B`` (ids or URLs), ``DISTRICT YEAR YEAR`` or ``DISTRICT YEAR DISTRICT YEAR``."""
    if len(args) == 2:
        return report_detail(archive, args[0]), report_detail(archive, args[1])
    if len(args) == 3 and _YEAR.match(args[1]) and _YEAR.match(args[2]):
        district = args[0]
        return (
            district_report(archive, district, int(args[1]), kind, agency),
            district_report(archive, district, int(args[2]), kind, agency),
        )
    if len(args) == 4 and _YEAR.match(args[1]) and _YEAR.match(args[3]):
        return (
            district_report(archive, args[0], int(args[1]), kind, agency),
            district_report(archive, args[2], int(args[3]), kind, agency),
        )
    raise ValueError(
        "name two reports: `A B` (id or URL), `DISTRICT YEAR YEAR` or `DISTRICT YEAR DISTRICT YEAR`"
    )


def _meta(detail: ReportDetail, sha256: str) -> dict[str, Any]:
    view = detail.view
    return {
        "report_id": view.id,
        "agency": view.agency,
        "district": view.district,
        "kind": view.kind,
        "url": view.url,
        "published": view.published.isoformat() if view.published else None,
        "snapshot_sha256": sha256,
    }


def _side(label: str, detail: ReportDetail, found: ExtractionView | None, sha256: str) -> ReportSide:
    return ReportSide(
        label=label,
        year=detail.view.year,
        template=found.template if found else detail.view.template,
        values=dict(found.values) if found else {},
        sections=list(found.sections) if found else [],
        meta=_meta(detail, sha256),
        contradictions=[
            (check.where, check.expected, check.actual, check.source)
            for check in (found.checks if found else [])
            if check.check_id == NARRATIVE_CHECK and not check.ok
        ],
    )


def report_side(detail: ReportDetail) -> ReportSide:
    """A report as of its current snapshot."""
    label = f"{detail.view.agency} {detail.view.year}"
    return _side(label, detail, detail.extraction, detail.view.snapshot_sha256)


def pick_snapshots(
    entries: list[SnapshotEntry], old: str | None, new: str | None
) -> tuple[SnapshotEntry, SnapshotEntry]:
    """Two snapshots by position in the history (1 = oldest) or sha256 prefix; default the last two."""
    if len(entries) < 2 and (old is None or new is None):
        raise NotFound("the report has only one snapshot: nothing to compare")
    if old is None or new is None:
        return entries[-2], entries[-1]
    return _snapshot(entries, old), _snapshot(entries, new)


def _snapshot(entries: list[SnapshotEntry], ref: str) -> SnapshotEntry:
    if ref.isdigit() and 1 <= int(ref) <= len(entries) and len(ref) < 6:
        return entries[int(ref) - 1]
    found = [entry for entry in entries if entry.snapshot.sha256.startswith(ref.lower())]
    if len(found) != 1:
        raise NotFound(f"no single snapshot {ref!r} of this report (see `reports history`)")
    return found[0]


def snapshot_side(
    archive: Any,
    detail: ReportDetail,
    entry: SnapshotEntry,
    position: int,
    extract_now: Callable[..., Any] | None = None,
) -> ReportSide:
    """A report as of one snapshot: its stored extraction, or one made now from the stored bytes by
    ``extract_now`` (``extract.report.extract_report``: storage does not depend on extraction)."""
    found = extraction(archive, entry.extraction_id) if entry.extraction_id is not None else None
    label = f"#{position} {entry.snapshot.sha256[:10]} ({entry.snapshot.first_seen_at:%Y-%m-%d %H:%M})"
    if found is not None or extract_now is None:
        return _side(label + ("" if found else " not extracted"), detail, found, entry.snapshot.sha256)
    result = extract_now(
        stored_body(archive, entry.snapshot.sha256, entry.snapshot.url),
        url=entry.snapshot.url,
        year=detail.view.year,
    )
    return ReportSide(
        label=label + " extracted now",
        year=detail.view.year,
        template=result.template,
        values=dict(result.values),
        sections=[(section.number, section.heading, section.text) for section in result.sections],
        meta=_meta(detail, entry.snapshot.sha256),
        contradictions=[
            (check.where, check.expected, check.actual, check.source)
            for check in result.checks
            if check.id == NARRATIVE_CHECK and not check.ok
        ],
    )


def stored_body(archive: Any, sha256: str, url: str) -> bytes:
    """A snapshot's bytes; a missing or corrupt file is an error that names the snapshot and its URL."""
    try:
        body: bytes = archive.snapshot_body(sha256)
    except (SnapshotNotFound, SnapshotCorrupt) as error:
        raise NotFound(f"{error}; fetched from {url}; `reports verify --repair` fetches it again") from None
    return body


def store_problems(archive: Any, sha256s: list[str]) -> dict[str, str]:
    """Which of these snapshots' files are missing or corrupt (a hash check of each; cheap for a few)."""
    checked = {sha256: archive.store.check(sha256) for sha256 in dict.fromkeys(sha256s)}
    return {sha256: problem for sha256, problem in checked.items() if problem is not None}


def history_of(archive: Any, detail: ReportDetail) -> list[SnapshotEntry]:
    current = next((s.id for s in detail.snapshots if s.sha256 == detail.view.snapshot_sha256), -1)
    return snapshot_history(archive, detail.view.id, current)
