"""Pages related to a report: news, 解读, 图解, 答记者问, notices, and the articles publishing report files.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "related_pages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=True),
        sa.Column("snapshot_id", sa.Integer(), nullable=True),
        sa.Column("relation", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("mentioned_title", sa.String(length=500), nullable=True),
        sa.Column("mentioned_agency", sa.String(length=300), nullable=True),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("links", sa.JSON(), nullable=False),
        sa.Column("first_seen_at", sa.DateTime(), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_related_pages_unit_id_units")),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["reports.id"],
            name=op.f("fk_related_pages_report_id_reports"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["snapshot_id"], ["snapshots.id"], name=op.f("fk_related_pages_snapshot_id_snapshots")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_related_pages")),
        sa.UniqueConstraint("url", name=op.f("uq_related_pages_url")),
    )
    op.create_index("ix_related_pages_unit_id_year", "related_pages", ["unit_id", "year"])
    op.create_index(op.f("ix_related_pages_report_id"), "related_pages", ["report_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_related_pages_report_id"), table_name="related_pages")
    op.drop_index("ix_related_pages_unit_id_year", table_name="related_pages")
    op.drop_table("related_pages")
