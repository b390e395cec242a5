import logging
import sqlite3
import threading
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event, text
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from storage.archive import Archive
from storage.db import make_engine, migrate
from storage.queries import list_runs
from storage.retry import is_transient
from storage.snapshots import FileSnapshotStore


def _archive_with_short_busy_timeout(tmp_path: Path) -> tuple[Archive, Path]:
    path = tmp_path / "archive.sqlite3"
    url = f"sqlite:///{path}"
    migrate(url)
    return Archive(
        make_engine(url, sqlite_busy_timeout=0.05), FileSnapshotStore(tmp_path / "snapshots")
    ), path


def _hold_write_lock(path: Path) -> sqlite3.Connection:
    blocker = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    return blocker


def test_sqlite_lock_held_by_another_connection_is_retried(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    archive, path = _archive_with_short_busy_timeout(tmp_path)
    blocker = _hold_write_lock(path)
    release = threading.Timer(0.3, lambda: blocker.execute("COMMIT"))
    release.start()
    try:
        with caplog.at_level(logging.WARNING, logger="storage.retry"):
            run_id = archive.start_run(["wz"])
    finally:
        release.join()
        blocker.close()
        archive.close()
    assert any("database is locked" in record.getMessage() for record in caplog.records)
    with Archive.open(f"sqlite:///{path}", tmp_path / "snapshots") as reopened:
        assert [run.id for run in list_runs(reopened)] == [run_id]


def test_sqlite_lock_that_is_never_released_gives_up(tmp_path: Path) -> None:
    archive, path = _archive_with_short_busy_timeout(tmp_path)
    blocker = _hold_write_lock(path)
    try:
        with pytest.raises(OperationalError, match="database is locked"):
            archive.ensure_unit("wz", "万州区", ["www.wz.gov.cn"])
    finally:
        blocker.close()
        archive.close()


@pytest.mark.postgres
def test_postgres_connection_dropped_mid_write_is_retried(postgres_url: str, postgres_admin: Engine) -> None:
    terminated: list[int] = []

    with Archive.open(postgres_url, None) as archive:

        @event.listens_for(archive.engine, "before_cursor_execute")
        def _drop_connection_once(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
            if statement.startswith("INSERT INTO crawl_runs") and not terminated:
                pid = conn.connection.dbapi_connection.info.backend_pid
                terminated.append(pid)
                with postgres_admin.begin() as admin:
                    admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})

        run_id = archive.start_run(["wz"])
        assert terminated, "the connection was never dropped"
        assert [run.id for run in list_runs(archive)] == [run_id]


def _wrapped(message: str, *, invalidated: bool = False) -> DBAPIError:
    return OperationalError(
        "INSERT ...", {}, sqlite3.OperationalError(message), connection_invalidated=invalidated
    )


def test_transient_errors_are_told_apart() -> None:
    assert is_transient(_wrapped("database is locked"))
    assert is_transient(_wrapped("server closed the connection unexpectedly", invalidated=True))
    assert not is_transient(_wrapped("no such table: reports"))
    assert not is_transient(
        IntegrityError("INSERT ...", {}, sqlite3.IntegrityError("UNIQUE constraint failed"))
    )
    assert not is_transient(ValueError("database is locked"))
