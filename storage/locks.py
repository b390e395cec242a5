"""One crawl at a time per archive, whoever starts it.

SQLite archives: an exclusive ``flock`` on a lock file beside the database file, after
symlinks are resolved (every form of the path, ``file:`` URIs included, names one lock).
PostgreSQL archives: a session advisory lock keyed by database and schema, held on a connection
of its own. Both are released by the operating system or the server when the holder dies, even
by SIGKILL. Within one process the lock is re-entrant (the CLI and the crawler both take it).

A lock can be lost while its holder lives (the PostgreSQL connection dropped, the lock file
deleted): ``CrawlLock.ensure_held`` says so, and the crawl checks it at every checkpoint. And a
lock is not the only guard: a crawl run still marked running whose process is alive (same host)
or that checkpointed lately (another host) is never taken over (``live_runs``).
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import socket
import threading
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Self
from urllib.parse import parse_qs, unquote, urlsplit

from sqlalchemy import Connection, create_engine, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

LOCK_SUFFIX = ".crawl-lock"
# A running run of another host counts as live while it checkpointed within this many seconds.
LIVE_WITHIN_SECONDS = 60.0


class CrawlLocked(RuntimeError):
    """Another crawl holds the archive's lock."""


class CrawlLockLost(RuntimeError):
    """This process held the crawl lock and no longer does."""


class _Held:
    """An acquired lock and the number of holders in this process."""

    def __init__(self, release: object, holders: int = 1) -> None:
        self.release = release
        self.holders = holders


_held: dict[str, _Held] = {}
_guard = threading.Lock()


def sqlite_database_path(db_url: str) -> Path | None:
    """The file of a SQLite archive, symlinks resolved (None for in-memory databases).

    ``sqlite:///file:PATH?uri=true`` and ``file:`` URIs name the file the same way as a plain path.
    """
    url = make_url(db_url)
    database = url.database
    if not database or database == ":memory:":
        return None
    if database.startswith("file:"):
        uri = urlsplit(database)
        options = {**parse_qs(uri.query), **{key: [str(value)] for key, value in url.query.items()}}
        if options.get("mode") == ["memory"]:
            return None
        database = unquote(uri.path or uri.netloc)
        if not database or database == ":memory:":
            return None
    return Path(database).resolve()


def lock_file_for(db_url: str) -> Path | None:
    """The lock file of a SQLite archive, beside the resolved database file (None in memory)."""
    database = sqlite_database_path(db_url)
    return None if database is None else database.with_name(database.name + LOCK_SUFFIX)


def _sqlite_acquire(path: Path) -> IO[str]:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = open(path, "a+", encoding="utf-8")  # noqa: SIM115 - held until release
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        holder = handle.read().strip() or "another process"
        handle.close()
        raise CrawlLocked(f"another crawl is running on this archive ({holder}; lock file {path})") from None
    handle.seek(0)
    handle.truncate()
    handle.write(f"pid {os.getpid()}\n")
    handle.flush()
    return handle


def _pg_key(connection: Connection) -> int:
    database, schema = connection.execute(text("SELECT current_database(), current_schema()")).one()
    digest = hashlib.sha256(f"cq-reports-crawl:{database}:{schema}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def pg_lock_holder(connection: Connection, key: int) -> int | None:
    """The backend pid holding the advisory lock ``key`` (a bigint lock: classid high, objid low)."""
    unsigned = key & 0xFFFFFFFFFFFFFFFF
    holder: int | None = connection.execute(
        text(
            "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 1"
            " AND classid::bigint = :high AND objid::bigint = :low AND database = "
            "(SELECT oid FROM pg_database WHERE datname = current_database())"
        ),
        {"high": unsigned >> 32, "low": unsigned & 0xFFFFFFFF},
    ).scalar()
    return holder


def _pg_acquire(db_url: str) -> Connection:
    engine = create_engine(db_url, poolclass=NullPool)
    connection = engine.connect()
    try:
        key = _pg_key(connection)
        if not connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": key}).scalar():
            holder = pg_lock_holder(connection, key)
            raise CrawlLocked(
                f"another crawl is running on this archive (PostgreSQL advisory lock held by backend {holder})"
            )
        connection.commit()
    except BaseException:
        connection.close()
        engine.dispose()
        raise
    return connection


def run_holder() -> dict[str, Any]:
    """Who runs a crawl, as recorded with its run: host and process id."""
    return {"host": socket.gethostname(), "pid": os.getpid()}


def pid_alive(pid: int) -> bool:
    """Whether a process of this host is alive (one we may not signal counts as alive)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def run_is_live(stats: dict[str, Any] | None, started_at: datetime, now: datetime | None = None) -> bool:
    """Whether a run marked running belongs to a live process: on this host its process exists,
    on another host it checkpointed within ``LIVE_WITHIN_SECONDS``. Runs of this process are not."""
    stats = stats or {}
    holder = stats.get("holder") or {}
    host, pid = holder.get("host"), holder.get("pid")
    if host == socket.gethostname() and isinstance(pid, int):
        return pid != os.getpid() and pid_alive(pid)
    if not host:
        return False  # recorded before holders were: only the lock guarded it
    heartbeat = stats.get("heartbeat")
    last = _aware(datetime.fromisoformat(heartbeat)) if isinstance(heartbeat, str) else _aware(started_at)
    return ((now or datetime.now(UTC)) - last).total_seconds() < LIVE_WITHIN_SECONDS


def live_runs(connection: Connection) -> list[str]:
    """Runs still marked running whose crawl is alive, described for an error message."""
    from storage.models import CrawlRun

    try:
        rows = connection.execute(
            select(CrawlRun.id, CrawlRun.started_at, CrawlRun.stats).where(CrawlRun.outcome == "running")
        ).all()
    except SQLAlchemyError:  # a new archive: no runs table yet
        connection.rollback()
        return []
    connection.rollback()
    described = []
    for run_id, started_at, stats in rows:
        if run_is_live(stats, started_at):
            holder = (stats or {}).get("holder") or {}
            described.append(f"run {run_id} of process {holder.get('pid')} on {holder.get('host')}")
    return described


def _refuse_live_runs(db_url: str, lock_connection: Connection | None) -> None:
    if lock_connection is not None:
        found = live_runs(lock_connection)
    else:
        engine = create_engine(db_url, poolclass=NullPool)
        try:
            with engine.connect() as connection:
                found = live_runs(connection)
        finally:
            engine.dispose()
    if found:
        raise CrawlLocked(
            f"another crawl is running on this archive ({'; '.join(found)} is alive: its run is not resumed)"
        )


class CrawlLock:
    """The crawl lock of the archive at ``db_url``; ``acquire`` raises ``CrawlLocked`` if taken."""

    def __init__(self, db_url: str) -> None:
        self.db_url = db_url
        self.backend = make_url(db_url).get_backend_name()
        path = lock_file_for(db_url) if self.backend == "sqlite" else None
        self.key = str(path) if path is not None else db_url
        self._path = path
        self._acquired = False

    def acquire(self) -> Self:
        with _guard:
            held = _held.get(self.key)
            if held is not None:
                held.holders += 1
                self._acquired = True
                return self
            if self.backend == "sqlite":
                fresh = _Held(_sqlite_acquire(self._path) if self._path is not None else None)
            else:
                fresh = _Held(_pg_acquire(self.db_url))
            try:
                lock_connection = fresh.release if isinstance(fresh.release, Connection) else None
                if self._path is not None or lock_connection is not None:
                    _refuse_live_runs(self.db_url, lock_connection)
            except BaseException:
                _close(fresh.release)
                raise
            _held[self.key] = fresh
        self._acquired = True
        return self

    def ensure_held(self) -> None:
        """Raise ``CrawlLockLost`` unless this process still holds the lock (cheap: one query or two stats)."""
        with _guard:
            held = _held.get(self.key)
        resource = held.release if held is not None else None
        if held is None:
            raise CrawlLockLost("the crawl lock was released")
        if isinstance(resource, Connection):
            try:
                key = _pg_key(resource)
                holder = pg_lock_holder(resource, key)
                pid = resource.execute(text("SELECT pg_backend_pid()")).scalar()
                resource.rollback()
            except SQLAlchemyError as error:
                raise CrawlLockLost(
                    f"the PostgreSQL connection holding the crawl lock is gone ({error})"
                ) from error
            if holder != pid:
                raise CrawlLockLost(
                    f"the PostgreSQL advisory lock is held by backend {holder}, not ours ({pid})"
                )
        elif resource is not None and self._path is not None:
            try:
                same = os.stat(self._path).st_ino == os.fstat(resource.fileno()).st_ino  # type: ignore[attr-defined]
            except OSError:
                same = False
            if not same:
                raise CrawlLockLost(f"the lock file {self._path} was removed or replaced")

    def check(self) -> bool:
        """Whether this process still holds the lock."""
        try:
            self.ensure_held()
        except CrawlLockLost:
            return False
        return True

    def release(self) -> None:
        if not self._acquired:
            return
        self._acquired = False
        with _guard:
            held = _held[self.key]
            held.holders -= 1
            if held.holders:
                return
            del _held[self.key]
        _close(held.release)

    def __enter__(self) -> Self:
        return self.acquire()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.release()


def _close(resource: object) -> None:
    if isinstance(resource, Connection):
        try:
            resource.close()
        except SQLAlchemyError:
            pass  # the connection is gone already, and the lock with it
        resource.engine.dispose()
    elif resource is not None:
        resource.close()  # type: ignore[attr-defined]


def crawl_lock(db_url: str) -> CrawlLock:
    return CrawlLock(db_url)
