"""Search documents: one per report (title and current section text), indexed by character pairs.

Revision ID: 0007
Revises: 0005
Create Date: 2026-11-28

``report_search_documents`` holds each report's title and the text of the sections of its current
extraction, and where each section lies in it (see ``storage.search_index``): ``storage.search``
checks terms against it and cuts snippets from it. The pairs of characters of each document are indexed so that terms of two characters (公开, 复议) and more are
looked up rather than scanned: SQLite, a contentless FTS5 table ``report_search_bigrams``;
PostgreSQL, a ``tsvector`` column with a GIN index. ``ix_report_search_order`` lets the newest
reports be read in order without sorting the whole archive. Existing archives are backfilled.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.search_index import BIGRAMS, BIGRAMS_INDEX, DOCUMENTS, ORDER_INDEX, rebuild_search_documents

revision: str = "0007"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    connection = op.get_bind()
    postgres = connection.dialect.name == "postgresql"
    columns: list[sa.schema.SchemaItem] = [
        sa.Column(
            "report_id", sa.Integer(), sa.ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("outline", sa.Text(), nullable=False),
    ]
    if postgres:
        columns.append(sa.Column("bigrams", sa.dialects.postgresql.TSVECTOR(), nullable=False))
    op.create_table(DOCUMENTS, *columns)
    if not postgres:
        op.execute(f"CREATE VIRTUAL TABLE {BIGRAMS} USING fts5(bigrams, content='', tokenize='unicode61')")
    # Search lists newest first, undated last; SQLite sorts NULL first ascending, so last descending.
    nulls_last = " NULLS LAST" if postgres else ""
    op.execute(f"CREATE INDEX {ORDER_INDEX} ON reports (year DESC, published DESC{nulls_last})")
    rebuild_search_documents(connection)
    if postgres:
        op.execute(f"CREATE INDEX {BIGRAMS_INDEX} ON {DOCUMENTS} USING gin (bigrams)")


def downgrade() -> None:
    connection = op.get_bind()
    op.execute(f"DROP INDEX IF EXISTS {ORDER_INDEX}")
    if connection.dialect.name == "sqlite":
        op.execute(f"DROP TABLE IF EXISTS {BIGRAMS}")
    op.drop_table(DOCUMENTS)
