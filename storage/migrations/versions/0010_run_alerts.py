"""Run health: the alerts a run raised about its sites (storage.health).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04

``run_alerts`` keeps each alert with its run: a listing that shows no links, a site with no
reports or that could not be reached, fewer reports than the previous run, a new year gap,
a jump in extraction failures. The figures they compare are in ``crawl_runs.stats["health"]``.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "run_alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("site_code", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["crawl_runs.id"], name=op.f("fk_run_alerts_run_id_crawl_runs")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_run_alerts")),
    )
    op.create_index(op.f("ix_run_alerts_run_id"), "run_alerts", ["run_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_run_alerts_run_id"), table_name="run_alerts")
    op.drop_table("run_alerts")
