"""Archive databases for tests: a SQLite file, and a throwaway PostgreSQL schema per test.

The PostgreSQL server is ``$REPORTS_TEST_PG_URL`` (default: the local CI server). If it cannot be
reached the ``postgres`` params fail rather than skip: CI starts the server, so absence is a bug.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from storage.archive import Archive
from storage.locks import pid_alive

PG_URL_ENV = "REPORTS_TEST_PG_URL"
DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
# Each test's schema is named pytest_<pid>_<random>, so a later session can tell leftovers of
# dead processes (dropped) from schemas of a concurrent run (kept).
SCHEMA_PREFIX = "pytest_"


def postgres_base_url() -> str:
    return os.environ.get(PG_URL_ENV) or DEFAULT_PG_URL


def _drop_stale_schemas(engine: Engine) -> None:
    with engine.begin() as connection:
        names = connection.scalars(
            text("SELECT nspname FROM pg_namespace WHERE nspname LIKE :pattern"),
            {"pattern": f"{SCHEMA_PREFIX}%"},
        ).all()
        for name in names:
            pid = name.removeprefix(SCHEMA_PREFIX).split("_", 1)[0]
            if pid.isdigit() and not pid_alive(int(pid)):
                connection.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))


@pytest.fixture(scope="session")
def postgres_admin() -> Iterator[Engine]:
    """An engine on the test server's default schema, used to create and drop per-test schemas."""
    url = postgres_base_url()
    engine = create_engine(url, connect_args={"connect_timeout": 5}, pool_pre_ping=True)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        engine.dispose()
        pytest.fail(f"PostgreSQL at {make_url(url)!r} is unreachable: {error}", pytrace=False)
    _drop_stale_schemas(engine)
    yield engine
    engine.dispose()


def create_postgres_schema(admin: Engine) -> tuple[str, str]:
    """Create an empty schema; return a URL whose ``search_path`` points at it, and its name."""
    schema = f"{SCHEMA_PREFIX}{os.getpid()}_{uuid.uuid4().hex[:10]}"
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(postgres_base_url()).update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False), schema


def drop_postgres_schema(admin: Engine, schema: str) -> None:
    with admin.begin() as connection:
        connection.execute(text("SET LOCAL lock_timeout = '10s'"))
        connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))


@pytest.fixture
def postgres_url(postgres_admin: Engine) -> Iterator[str]:
    """The URL of a fresh, empty schema (through ``search_path``), dropped after the test."""
    url, schema = create_postgres_schema(postgres_admin)
    yield url
    drop_postgres_schema(postgres_admin, schema)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database on each backend: a SQLite file, or a PostgreSQL schema of its own."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'archive.sqlite3'}"
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture
def snapshot_dir(tmp_path: Path) -> Path:
    return tmp_path / "snapshots"


@pytest.fixture
def archive(db_url: str, snapshot_dir: Path) -> Iterator[Archive]:
    """A migrated archive on ``db_url`` with its snapshots under a temporary folder."""
    with Archive.open(db_url, snapshot_dir) as opened:
        yield opened
