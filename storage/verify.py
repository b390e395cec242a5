"""Checking the snapshot store against the database: missing, corrupt and orphan snapshot files.

Every snapshot row names a body by its sha256; the file must be there, readable gzip, and hash
to that name. A file that no row names is an orphan (left by a crawl killed between writing the
file and committing its row, or by a database restored from an older backup).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select

from storage.archive import Archive
from storage.models import FrontierEntry, Snapshot
from storage.retry import retry_transient


@dataclass(frozen=True)
class StoreProblem:
    """One damaged body: ``kind`` is ``missing``, ``corrupt`` or ``orphan``; ``urls`` fetched it."""

    kind: str
    sha256: str
    detail: str
    snapshot_ids: tuple[int, ...] = ()
    urls: tuple[str, ...] = ()


@dataclass(frozen=True)
class RefetchTarget:
    """A URL to fetch again, as the crawl that archived it requested it."""

    url: str
    page_type: str
    site_code: str | None
    referer: str | None


@dataclass
class StoreCheck:
    checked: int = 0
    problems: list[StoreProblem] = field(default_factory=list)

    def of_kind(self, kind: str) -> list[StoreProblem]:
        return [problem for problem in self.problems if problem.kind == kind]


@retry_transient
def _snapshot_rows(archive: Archive) -> dict[str, list[tuple[int, str]]]:
    by_sha: dict[str, list[tuple[int, str]]] = defaultdict(list)
    with archive.Session() as session:
        for snapshot_id, url, sha256 in session.execute(
            select(Snapshot.id, Snapshot.url, Snapshot.sha256).order_by(Snapshot.id)
        ):
            by_sha[sha256].append((snapshot_id, url))
    return by_sha


def verify_store(archive: Archive) -> StoreCheck:
    """Read every body the database names and hash it; list files no snapshot names."""
    rows = _snapshot_rows(archive)
    result = StoreCheck(checked=len(rows))
    for sha256, snapshots in rows.items():
        problem = archive.store.check(sha256)
        if problem is None:
            continue
        kind, _, why = problem.partition(": ")
        result.problems.append(
            StoreProblem(
                kind,
                sha256,
                why or "no file in the store",
                tuple(snapshot_id for snapshot_id, _ in snapshots),
                tuple(dict.fromkeys(url for _, url in snapshots)),
            )
        )
    for sha256 in sorted(_orphans(archive, set(rows))):
        result.problems.append(StoreProblem("orphan", sha256, "no snapshot of the database names it"))
    return result


def _orphans(archive: Archive, named: set[str]) -> set[str]:
    refs = getattr(archive.store, "refs", None)
    return set(refs()) - named if refs is not None else set()


def orphans(archive: Archive) -> set[str]:
    """Files in the store that no snapshot names (without reading any file)."""
    return _orphans(archive, set(_snapshot_rows(archive)))


@retry_transient
def refetch_targets(archive: Archive, urls: list[str]) -> list[RefetchTarget]:
    """How each URL was last requested (page type, site, referer), from the crawl frontier."""
    targets: list[RefetchTarget] = []
    with archive.Session() as session:
        for url in urls:
            entry = session.scalars(
                select(FrontierEntry)
                .where(FrontierEntry.url == url)
                .order_by(FrontierEntry.id.desc())
                .limit(1)
            ).first()
            if entry is None:
                targets.append(RefetchTarget(url, "article", None, None))
            else:
                targets.append(RefetchTarget(url, entry.page_type, entry.site_code or None, entry.referer))
    return targets
