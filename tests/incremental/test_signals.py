"""Ctrl-C and SIGTERM at several points of a crawl: the run is left ``interrupted`` (exit status 4)
and the next crawl resumes it as after a SIGKILL; the archive ends equal to a clean crawl's."""

from __future__ import annotations

import signal
import subprocess
import time

import pytest

from cli.health import EXIT_STATUSES
from replica.server import ReplicaServer
from storage.queries import get_report
from tests.incremental.helpers import Target, archive_state, crawl, crawl_args, runs, start_reports
from tests.incremental.test_resume import assert_same_archive, done_urls, fetched_by


def stop_after(
    server: ReplicaServer, target: Target, requests: int, signals: tuple[signal.Signals, ...]
) -> subprocess.Popen[str]:
    """Start a crawl, send it ``signals`` once the replica answered ``requests`` more requests."""
    before = len(server.requests)
    process = start_reports(crawl_args(target), server.proxy_url, target.db_url)
    deadline = time.monotonic() + 60
    while len(server.requests) - before < requests:
        assert process.poll() is None, (
            f"the crawl ended before it was stopped: {process.stderr.read()[-2000:]}"
        )
        assert time.monotonic() < deadline, "the crawl made no progress"
        time.sleep(0.005)
    for number in signals:
        process.send_signal(number)
        time.sleep(0.05)
    process.wait(timeout=60)
    return process


def manifest_values(world, unit_code: str) -> dict[str, dict[str, float | None]]:
    return {
        entry["url"]: {
            key: float(value) if value is not None else None for key, value in entry["values"].items()
        }
        for entry in world.reports
        if entry["unit_code"] == unit_code
    }


@pytest.mark.parametrize(
    "stops",
    [
        ((signal.SIGINT,), 5),
        ((signal.SIGTERM,), 40),
        ((signal.SIGINT,), 60),
        ((signal.SIGTERM,), 15, 25),
    ],
    ids=["SIGINT@5", "SIGTERM@40", "SIGINT@60", "SIGTERM@15+25"],
)
def test_a_stopped_crawl_is_interrupted_and_the_next_one_resumes_it(
    stops, replica_small, replica_server_small, sqlite_target, clean_state
):
    signals, *points = stops
    done_before: set[str] = set()
    for point in points:
        process = stop_after(replica_server_small, sqlite_target, point, signals)
        stderr = process.stderr.read()
        process.stderr.close()
        assert process.returncode == EXIT_STATUSES["interrupted"], stderr[-3000:]
        stopped = runs(sqlite_target)[-1]
        assert stopped.outcome == "interrupted" and stopped.finished_at is not None
        assert stopped.stats["finish_reason"] == "shutdown"
        done_before |= done_urls(sqlite_target)
    result = crawl(replica_server_small.proxy_url, sqlite_target)
    history = runs(sqlite_target)
    last = history[-1]
    assert last.outcome == "finished"
    assert last.stats["resumed_from"] == history[-2].id
    assert f"Run {last.id}: finished (resumed interrupted run {history[-2].id})" in result.stdout
    assert [run.outcome for run in history[:-1]] == ["interrupted"] * len(points)
    assert not done_before & set(fetched_by(sqlite_target, last.id))  # continued, not started over
    assert_same_archive(archive_state(sqlite_target), clean_state)
    expected = manifest_values(replica_small, "cqcs")
    with sqlite_target.open() as archive:
        assert {url: get_report(archive, url).values for url in expected} == expected


def test_a_second_ctrl_c_stops_at_once_and_the_run_resumes_as_after_a_kill(
    replica_server_small, sqlite_target, clean_state
):
    process = stop_after(replica_server_small, sqlite_target, 30, (signal.SIGINT, signal.SIGINT))
    process.stderr.close()
    assert process.returncode != 0
    # "running" when the second signal came before the run was closed: the next start marks it.
    assert runs(sqlite_target)[-1].outcome in ("interrupted", "running")
    crawl(replica_server_small.proxy_url, sqlite_target)
    history = runs(sqlite_target)
    assert history[-1].outcome == "finished" and history[-1].stats["resumed_from"] == history[0].id
    assert history[0].outcome == "interrupted"
    assert_same_archive(archive_state(sqlite_target), clean_state)
