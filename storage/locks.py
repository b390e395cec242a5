"""One crawl at a time per archive, whoever starts it.

SQLite archives: an exclusive ``flock`` on a lock file beside the database file. PostgreSQL
archives: a session advisory lock keyed by database and schema, held on a connection of its
own. Both are released by the operating system or the server when the holder dies, even by
SIGKILL. Within one process the lock is re-entrant (the CLI and the crawler both take it).
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import threading
from pathlib import Path
from types import TracebackType
from typing import IO, Self

from sqlalchemy import Connection, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

LOCK_SUFFIX = ".crawl-lock"


class CrawlLocked(RuntimeError):
    """Another crawl holds the archive's lock."""


class _Held:
    """An acquired lock and the number of holders in this process."""

    def __init__(self, release: object, holders: int = 1) -> None:
        self.release = release
        self.holders = holders


_held: dict[str, _Held] = {}
_guard = threading.Lock()


def lock_file_for(db_url: str) -> Path | None:
    """The lock file of a SQLite archive (None for in-memory databases)."""
    database = make_url(db_url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database).with_name(Path(database).name + LOCK_SUFFIX)


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


def _pg_acquire(db_url: str) -> Connection:
    engine = create_engine(db_url, poolclass=NullPool)
    connection = engine.connect()
    try:
        key = _pg_key(connection)
        if not connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": key}).scalar():
            holder = connection.execute(
                text("SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted LIMIT 1")
            ).scalar()
            raise CrawlLocked(
                f"another crawl is running on this archive (PostgreSQL advisory lock held by backend {holder})"
            )
        connection.commit()
    except BaseException:
        connection.close()
        engine.dispose()
        raise
    return connection


class CrawlLock:
    """The crawl lock of the archive at ``db_url``; ``acquire`` raises ``CrawlLocked`` if taken."""

    def __init__(self, db_url: str) -> None:
        self.db_url = db_url
        self.backend = make_url(db_url).get_backend_name()
        path = lock_file_for(db_url) if self.backend == "sqlite" else None
        self.key = str(path.resolve()) if path is not None else db_url
        self._path = path
        self._acquired = False

    def acquire(self) -> Self:
        with _guard:
            held = _held.get(self.key)
            if held is not None:
                held.holders += 1
            elif self.backend == "sqlite":
                _held[self.key] = _Held(_sqlite_acquire(self._path) if self._path is not None else None)
            else:
                _held[self.key] = _Held(_pg_acquire(self.db_url))
        self._acquired = True
        return self

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
        resource = held.release
        if isinstance(resource, Connection):
            resource.close()
            resource.engine.dispose()
        elif resource is not None:
            resource.close()  # type: ignore[attr-defined]

    def __enter__(self) -> Self:
        return self.acquire()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.release()


def crawl_lock(db_url: str) -> CrawlLock:
    return CrawlLock(db_url)
