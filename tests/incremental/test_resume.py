"""SIGKILL a crawl at several points; the next crawl finishes the job as if nothing happened."""

from __future__ import annotations

import os
import signal
import time

import pytest
from sqlalchemy import select

from replica.server import ReplicaServer
from storage.models import Fetch, FrontierEntry
from tests.incremental.helpers import (
    ArchiveState,
    Target,
    archive_state,
    crawl,
    crawl_args,
    runs,
    start_reports,
)


def kill_after(server: ReplicaServer, target: Target, requests: int) -> None:
    """Start a crawl and SIGKILL it once the replica has answered ``requests`` more requests."""
    before = len(server.requests)
    process = start_reports(crawl_args(target), server.proxy_url, target.db_url)
    deadline = time.monotonic() + 60
    while len(server.requests) - before < requests:
        assert process.poll() is None, (
            f"the crawl ended before it could be killed: {process.stderr.read()[-2000:]}"
        )
        assert time.monotonic() < deadline, "the crawl made no progress"
        time.sleep(0.005)
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    process.stderr.close()


def done_urls(target: Target) -> set[str]:
    with target.open() as archive, archive.Session() as session:
        return set(session.scalars(select(FrontierEntry.url).where(FrontierEntry.state == "done")))


def fetched_by(target: Target, run_id: int) -> list[str]:
    with target.open() as archive, archive.Session() as session:
        return list(session.scalars(select(Fetch.canonical_url).where(Fetch.run_id == run_id)))


def assert_same_archive(state: ArchiveState, clean: ArchiveState) -> None:
    assert state.reports == clean.reports
    assert state.report_snapshots == clean.report_snapshots
    assert state.snapshots == clean.snapshots  # nothing archived twice, nothing missing
    assert state.unextracted == ()
    assert state.extractions_per_snapshot == 1


@pytest.mark.parametrize(
    "kill_points", [(5,), (40,), (85,), (20, 50)], ids=lambda p: "kill@" + "+".join(map(str, p))
)
def test_killed_crawl_resumes_and_ends_like_a_clean_crawl(
    kill_points, replica_server_small, sqlite_target, clean_state
):
    done_before_kill: set[str] = set()
    for point in kill_points:
        kill_after(replica_server_small, sqlite_target, point)
        killed = runs(sqlite_target)[-1]
        assert killed.outcome == "running" and killed.finished_at is None
        done_before_kill |= done_urls(sqlite_target)
    crawl(replica_server_small.proxy_url, sqlite_target)  # the lock died with the killed crawl
    history = runs(sqlite_target)
    last = history[-1]
    assert last.outcome == "finished"
    assert last.stats["resumed_from"] == history[-2].id
    assert all(run.outcome == "interrupted" for run in history[:-1])
    # Pages marked done before the kill are not fetched again: the resumed run continues.
    assert not done_before_kill & set(fetched_by(sqlite_target, last.id))
    assert_same_archive(archive_state(sqlite_target), clean_state)
    # Changes of the killed runs count for the run that completed them.
    assert last.stats["reports/new"] == len(clean_state.reports)


@pytest.mark.postgres
def test_killed_crawl_resumes_on_postgres(replica_server_small, postgres_url, tmp_path, clean_state):
    target = Target(postgres_url, tmp_path / "snapshots")
    kill_after(replica_server_small, target, 45)
    crawl(replica_server_small.proxy_url, target)
    assert runs(target)[-1].stats["resumed_from"] == runs(target)[0].id
    assert_same_archive(archive_state(target), clean_state)


def test_a_fresh_crawl_does_not_resume(replica_server_small, sqlite_target, clean_state):
    kill_after(replica_server_small, sqlite_target, 30)
    crawl(replica_server_small.proxy_url, sqlite_target, "--fresh")
    last = runs(sqlite_target)[-1]
    assert "resumed_from" not in last.stats
    assert_same_archive(archive_state(sqlite_target), clean_state)
