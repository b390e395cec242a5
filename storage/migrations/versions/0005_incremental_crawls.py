"""Incremental, resumable crawls: the crawl frontier, report changes, unlisted-run counts.

Revision ID: 0005
Revises: 0002
Create Date: 2026-11-28

``crawl_frontier`` holds every URL a run decided to fetch (pending until archived), so a
killed run can be resumed from the database. ``report_changes`` records what each run found
new, revised, withdrawn or restored. ``reports.unlisted_runs`` counts complete crawls in a row
whose listings no longer showed a report (withdrawn after a threshold).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("reports") as batch:
        batch.add_column(sa.Column("unlisted_runs", sa.Integer(), server_default="0", nullable=False))
    op.create_table(
        "crawl_frontier",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("page_type", sa.String(length=16), nullable=False),
        sa.Column("site_code", sa.String(length=64), nullable=False),
        sa.Column("referer", sa.String(length=2000), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column("note", sa.String(length=200), nullable=True),
        sa.Column("discovered_at", sa.DateTime(), nullable=False),
        sa.Column("done_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["run_id"], ["crawl_runs.id"], name=op.f("fk_crawl_frontier_run_id_crawl_runs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crawl_frontier")),
        sa.UniqueConstraint("run_id", "url", name=op.f("uq_crawl_frontier_run_id_url")),
    )
    op.create_index("ix_crawl_frontier_run_id_state", "crawl_frontier", ["run_id", "state"])
    op.create_table(
        "report_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("change", sa.String(length=16), nullable=False),
        sa.Column("snapshot_id", sa.Integer(), nullable=True),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["crawl_runs.id"], name=op.f("fk_report_changes_run_id_crawl_runs")
        ),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["reports.id"],
            name=op.f("fk_report_changes_report_id_reports"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["snapshot_id"], ["snapshots.id"], name=op.f("fk_report_changes_snapshot_id_snapshots")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_changes")),
    )
    op.create_index("ix_report_changes_changed_at", "report_changes", ["changed_at"])
    op.create_index(op.f("ix_report_changes_run_id"), "report_changes", ["run_id"])
    op.create_index(op.f("ix_report_changes_report_id"), "report_changes", ["report_id"])


def downgrade() -> None:
    op.drop_table("report_changes")
    op.drop_table("crawl_frontier")
    with op.batch_alter_table("reports") as batch:
        batch.drop_column("unlisted_runs")
