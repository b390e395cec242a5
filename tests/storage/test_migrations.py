from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from storage.db import DEFAULT_DB_URL, alembic_config, make_engine, migrate, resolve_db_url
from storage.models import Base
from storage.search import include_name, is_search_index

EXPECTED_TABLES = {
    "units",
    "agencies",
    "crawl_runs",
    "snapshots",
    "fetches",
    "reports",
    "report_snapshots",
    "page_errors",
    "extractions",
    "extracted_values",
    "report_sections",
    "report_tables",
    "check_results",
    "crawl_frontier",
    "report_changes",
    "run_alerts",
    "notifications",
    "related_pages",
}


def test_migrate_creates_every_table(db_url: str) -> None:
    migrate(db_url)
    engine = make_engine(db_url)
    try:
        tables = {name for name in inspect(engine).get_table_names() if not is_search_index(name)}
    finally:
        engine.dispose()
    assert tables == EXPECTED_TABLES | {"alembic_version"}
    assert set(Base.metadata.tables) == EXPECTED_TABLES


def test_migrated_schema_matches_the_models(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        migrate(engine)
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "include_name": include_name}
            )
            assert compare_metadata(context, Base.metadata) == []
    finally:
        engine.dispose()


def test_migrate_twice_is_a_no_op(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        migrate(engine)
        migrate(engine)
        with engine.connect() as connection:
            head = ScriptDirectory.from_config(alembic_config()).get_current_head()
            assert connection.scalar(text("SELECT version_num FROM alembic_version")) == head
    finally:
        engine.dispose()


def test_sqlite_engine_uses_wal_and_foreign_keys(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'nested' / 'archive.sqlite3'}")
    try:
        with engine.connect() as connection:
            assert connection.scalar(text("PRAGMA journal_mode")) == "wal"
            assert connection.scalar(text("PRAGMA foreign_keys")) == 1
            assert connection.scalar(text("PRAGMA busy_timeout")) > 0
    finally:
        engine.dispose()
    assert (tmp_path / "nested" / "archive.sqlite3").exists()


def test_resolve_db_url_prefers_explicit_then_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REPORTS_DB", raising=False)
    assert resolve_db_url() == DEFAULT_DB_URL
    monkeypatch.setenv("REPORTS_DB", "sqlite:///from-env.sqlite3")
    assert resolve_db_url() == "sqlite:///from-env.sqlite3"
    assert resolve_db_url("sqlite:///explicit.sqlite3") == "sqlite:///explicit.sqlite3"
