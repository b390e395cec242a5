"""The crawl lock cannot be bypassed: symlinked paths, ``file:`` URIs, a dropped PostgreSQL connection."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

from storage.locks import (
    CrawlLocked,
    CrawlLockLost,
    crawl_lock,
    lock_file_for,
    run_is_live,
)
from storage.models import CrawlRun
from tests.incremental.helpers import Target, crawl_args, reports_env, runs

HOLD = (
    "import sys, time; from storage.locks import crawl_lock; crawl_lock(sys.argv[1]).acquire();"
    " print('held', flush=True); time.sleep(60)"
)


def _holder(db_url: str) -> subprocess.Popen[str]:
    holder = subprocess.Popen([sys.executable, "-c", HOLD, db_url], stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    return holder


def _stop(holder: subprocess.Popen[str]) -> None:
    holder.kill()
    holder.wait(timeout=10)
    if holder.stdout is not None:
        holder.stdout.close()


def test_a_symlinked_sqlite_path_and_file_uris_take_the_same_lock(tmp_path: Path):
    real = tmp_path / "data" / "archive.sqlite3"
    real.parent.mkdir()
    real.touch()
    link = tmp_path / "link.sqlite3"
    link.symlink_to(real)
    forms = [
        f"sqlite:///{link}",
        f"sqlite:///file:{real}?uri=true",
        f"sqlite:///file:{link}?mode=rw&uri=true",
        f"sqlite:///{tmp_path}/data/../data/archive.sqlite3",
    ]
    assert {lock_file_for(url) for url in forms} == {real.with_name("archive.sqlite3.crawl-lock")}
    assert lock_file_for("sqlite:///file:memdb?mode=memory&uri=true") is None
    holder = _holder(f"sqlite:///{real}")
    try:
        for url in forms:
            with pytest.raises(CrawlLocked):
                crawl_lock(url).acquire()
    finally:
        _stop(holder)
    crawl_lock(f"sqlite:///file:{link}?uri=true").acquire().release()


def test_a_deleted_lock_file_is_noticed_by_its_holder(tmp_path: Path):
    db_url = f"sqlite:///{tmp_path / 'archive.sqlite3'}"
    lock = crawl_lock(db_url).acquire()
    try:
        lock.ensure_held()
        assert lock.check()
        path = lock_file_for(db_url)
        assert path is not None
        path.unlink()
        assert not lock.check()
        with pytest.raises(CrawlLockLost):
            lock.ensure_held()
    finally:
        lock.release()


def test_a_run_of_a_live_process_is_never_taken_over():
    started = datetime.now(UTC) - timedelta(hours=1)
    here = socket.gethostname()
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        assert run_is_live({"holder": {"host": here, "pid": sleeper.pid}}, started)
    finally:
        sleeper.kill()
        sleeper.wait()
    assert not run_is_live({"holder": {"host": here, "pid": sleeper.pid}}, started)
    assert not run_is_live({"holder": {"host": here, "pid": os.getpid()}}, started)
    elsewhere = {"host": "another-host", "pid": 1}
    fresh = (datetime.now(UTC) - timedelta(seconds=5)).isoformat()
    assert run_is_live({"holder": elsewhere, "heartbeat": fresh}, started)
    assert not run_is_live({"holder": elsewhere, "heartbeat": started.isoformat()}, started)


def _wait_for_running_run(target: Target, seconds: float = 60) -> CrawlRun:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            found = [run for run in runs(target) if run.outcome == "running"]
        except SQLAlchemyError:  # the crawl is still creating the schema
            found = []
        if found and "downloader/request_count" in (found[0].stats or {}):
            return found[0]
        time.sleep(0.2)
    pytest.fail("the crawl did not start")


@pytest.mark.postgres
def test_a_dropped_postgresql_lock_stops_the_crawl_and_its_run_is_not_resumed_meanwhile(
    postgres_admin, tmp_path: Path, replica_server_small
):
    from tests.fixtures_db import create_postgres_schema, drop_postgres_schema

    db_url, schema = create_postgres_schema(postgres_admin)
    target = Target(db_url, tmp_path / "snapshots")
    # Polite (throttled) so that it is still running when its lock connection is killed.
    args = crawl_args(target, "-s", "REPORTS_CHECKPOINT_INTERVAL=2")
    args.remove("--no-throttle")
    crawler = subprocess.Popen(
        [sys.executable, "-m", "cli.main", *args],
        env=reports_env(replica_server_small.proxy_url, db_url),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        running = _wait_for_running_run(target)
        engine = create_engine(db_url, poolclass=NullPool)
        with engine.connect() as connection:
            from storage.locks import _pg_key, pg_lock_holder

            backend = pg_lock_holder(connection, _pg_key(connection))
            assert backend is not None
            assert connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": backend}).scalar()
        engine.dispose()
        # The advisory lock is free now, but the live crawl's run is not taken over.
        with pytest.raises(CrawlLocked, match=f"run {running.id} of process {crawler.pid}"):
            crawl_lock(db_url).acquire()
        _, stderr = crawler.communicate(timeout=120)
    finally:
        if crawler.poll() is None:
            crawler.kill()
            crawler.wait()
    assert crawler.returncode == 1, stderr[-3000:]
    assert "lost its archive lock" in stderr
    with target.open() as archive, archive.Session() as session:
        stopped = session.scalar(select(CrawlRun).where(CrawlRun.id == running.id))
        assert stopped is not None and stopped.outcome == "interrupted"
        assert stopped.stats["finish_reason"] == "lock_lost"
    # With the crawler gone, the lock is taken and the interrupted run can be resumed.
    crawl_lock(db_url).acquire().release()
    drop_postgres_schema(postgres_admin, schema)
