"""`reports verify`: missing, corrupt and orphan snapshot files are found, and repaired by fetching again."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys

from sqlalchemy import select

from storage.models import Report, Snapshot
from tests.incremental.helpers import crawl, reports_env, runs

SMALL_SITE = "ljxq"  # 两江新区: the smallest unit of the small replica


def _reports(args: list[str], proxy_url: str, db_url: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cli.main", *args],
        env=reports_env(proxy_url, db_url),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_a_corrupted_and_a_deleted_snapshot_are_reported_and_repaired(sqlite_target, replica_server_small):
    proxy = replica_server_small.proxy_url
    crawl(proxy, sqlite_target, site=SMALL_SITE)
    with sqlite_target.open() as archive, archive.Session() as session:
        current = session.execute(
            select(Report.id, Snapshot.sha256, Snapshot.url)
            .join(Snapshot, Snapshot.id == Report.current_snapshot_id)
            .order_by(Report.id)
        ).all()
        store = archive.store
        (deleted_id, deleted, deleted_url), (corrupt_id, corrupt, corrupt_url) = current[0], current[1]
        store.path(deleted).unlink()
        store.path(corrupt).write_bytes(gzip.compress(b"<html>tampered</html>"))
        orphan = store.put(b"a body no snapshot names")
    location = ["--snapshot-dir", str(sqlite_target.snapshots)]

    checked = _reports(["verify", "--format", "json", *location], proxy, sqlite_target.db_url)
    assert checked.returncode == 1, checked.stderr[-2000:]
    problems = {p["sha256"]: p for p in json.loads(checked.stdout)["problems"]}
    assert {sha: p["kind"] for sha, p in problems.items()} == {
        deleted: "missing",
        corrupt: "corrupt",
        orphan: "orphan",
    }
    assert problems[deleted]["urls"] == [deleted_url] and problems[corrupt]["urls"] == [corrupt_url]
    assert "sha256" in problems[corrupt]["detail"]

    table = _reports(["verify", *location], proxy, sqlite_target.db_url)
    assert table.returncode == 1 and "1 missing, 1 corrupt, 1 orphan" in " ".join(table.stdout.split())

    history = _reports(["history", str(deleted_id), "--json", *location], proxy, sqlite_target.db_url)
    assert [entry["stored"] for entry in json.loads(history.stdout)] == ["missing"]
    shown = _reports(["show", str(corrupt_id), *location], proxy, sqlite_target.db_url)
    assert "storedfilecorrupt" in "".join(shown.stdout.split()) and "reports verify --repair" in shown.stderr
    listed_runs = len(runs(sqlite_target))

    repaired = _reports(
        ["verify", "--repair", "--delete-orphans", "--no-throttle", *location], proxy, sqlite_target.db_url
    )
    assert repaired.returncode == 0, repaired.stderr[-3000:]
    assert "all intact" in repaired.stdout
    with sqlite_target.open() as archive, archive.Session() as session:
        assert archive.store.check(deleted) is None and archive.store.check(corrupt) is None
        assert not archive.store.exists(orphan)
        # The repair fetched two pages; it is no complete crawl, so no report counts as unlisted.
        assert set(session.scalars(select(Report.unlisted_runs))) <= {0, None}
        assert set(session.scalars(select(Report.status))) == {"active"}
    assert len(runs(sqlite_target)) == listed_runs + 1
    assert runs(sqlite_target)[-1].stats["downloader/request_count"] <= 4  # the two pages (and robots.txt)
    assert _reports(["verify", *location], proxy, sqlite_target.db_url).returncode == 0
