"""Full-text search indexes over report section text, for substring search of Chinese.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28

Search is defined as substring containment on both backends (``storage.search``); these indexes
only accelerate it. SQLite: an FTS5 table with the trigram tokenizer (exact for terms of three or
more characters) kept in step with ``report_sections`` by triggers. PostgreSQL: a pg_trgm GIN index
for ``LIKE '%term%'``, when the extension exists or can be created; otherwise search scans.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FTS_TABLE = "report_sections_fts"
TRGM_INDEX = "ix_report_sections_text_trgm"

_SQLITE_UP = [
    (
        f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(text, content='report_sections', "
        "content_rowid='id', tokenize='trigram case_sensitive 1')"
    ),
    (
        f"CREATE TRIGGER {FTS_TABLE}_ai AFTER INSERT ON report_sections BEGIN "
        f"INSERT INTO {FTS_TABLE}(rowid, text) VALUES (new.id, new.text); END"
    ),
    (
        f"CREATE TRIGGER {FTS_TABLE}_ad AFTER DELETE ON report_sections BEGIN "
        f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, text) VALUES ('delete', old.id, old.text); END"
    ),
    (
        f"CREATE TRIGGER {FTS_TABLE}_au AFTER UPDATE ON report_sections BEGIN "
        f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, text) VALUES ('delete', old.id, old.text); "
        f"INSERT INTO {FTS_TABLE}(rowid, text) VALUES (new.id, new.text); END"
    ),
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')",
]


def _trgm_schema(connection: sa.Connection) -> str | None:
    """The schema pg_trgm lives in, creating the extension (in ``public``) if allowed."""
    query = sa.text(
        "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
        "WHERE e.extname = 'pg_trgm'"
    )
    schema = connection.scalar(query)
    if schema is not None:
        return str(schema)
    # In ``public`` rather than the current schema: an extension is per database, and a schema
    # that is dropped later (a test's) must not take it along.
    has_public = connection.scalar(sa.text("SELECT count(*) FROM pg_namespace WHERE nspname = 'public'"))
    target = " SCHEMA public" if has_public else ""
    savepoint = connection.begin_nested()
    try:
        connection.execute(sa.text(f"CREATE EXTENSION IF NOT EXISTS pg_trgm{target}"))
    except sa.exc.DBAPIError:
        savepoint.rollback()
        return None
    savepoint.commit()
    found = connection.scalar(query)
    return str(found) if found is not None else None


def upgrade() -> None:
    connection = op.get_bind()
    if connection.dialect.name == "sqlite":
        for statement in _SQLITE_UP:
            op.execute(statement)
    elif connection.dialect.name == "postgresql":
        schema = _trgm_schema(connection)
        if schema is not None:
            op.execute(
                f'CREATE INDEX {TRGM_INDEX} ON report_sections USING gin (text "{schema}".gin_trgm_ops)'
            )


def downgrade() -> None:
    connection = op.get_bind()
    if connection.dialect.name == "sqlite":
        for suffix in ("ai", "ad", "au"):
            op.execute(f"DROP TRIGGER IF EXISTS {FTS_TABLE}_{suffix}")
        op.execute(f"DROP TABLE IF EXISTS {FTS_TABLE}")
    elif connection.dialect.name == "postgresql":
        op.execute(f"DROP INDEX IF EXISTS {TRGM_INDEX}")
