"""Where the archive database lives and how to connect to it and migrate it."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url

DEFAULT_DB_URL = "sqlite:///data/archive.sqlite3"
DB_URL_ENV = "REPORTS_DB"
SQLITE_BUSY_TIMEOUT = 30.0
MIGRATIONS_DIR = Path(__file__).with_name("migrations")


def resolve_db_url(explicit: str | None = None) -> str:
    """The database URL to use: an explicit one, else ``$REPORTS_DB``, else the local SQLite file."""
    return explicit or os.environ.get(DB_URL_ENV) or DEFAULT_DB_URL


def make_engine(url: str, *, sqlite_busy_timeout: float = SQLITE_BUSY_TIMEOUT) -> Engine:
    """An engine for ``url``; SQLite files get WAL, foreign keys and a busy timeout, and their folder."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    database = parsed.database
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": sqlite_busy_timeout})
    busy_ms = int(sqlite_busy_timeout * 1000)

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={busy_ms}")
        if database and database != ":memory:":
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    return engine


def alembic_config() -> Config:
    """An Alembic config built in code, so migrations run from any working directory."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def migrate(url_or_engine: str | Engine) -> None:
    """Bring the schema to the newest revision (``alembic upgrade head``)."""
    engine = make_engine(url_or_engine) if isinstance(url_or_engine, str) else url_or_engine
    try:
        with engine.begin() as connection:
            if connection.dialect.name == "sqlite" and _pending(connection):
                # Views over a table that a batch migration rebuilds would make it fail; they hold
                # no data and `reports datasette` creates them again (see storage.datasette).
                from storage.datasette import drop_views

                drop_views(connection)
            config = alembic_config()
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    finally:
        if isinstance(url_or_engine, str):
            engine.dispose()


def _pending(connection: Connection) -> bool:
    """Whether the database is not at the newest revision."""
    current = MigrationContext.configure(connection).get_current_heads()
    return set(current) != set(ScriptDirectory.from_config(alembic_config()).get_heads())
