"""What a WARC record of a fetch needs that was not kept: the request's headers, the protocol,
and the body of an answer that is not a snapshot (a 404 page).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04

Older fetches keep NULL in the new columns: their request headers, protocol and error bodies
were never recorded. ``storage.warc`` writes what is known for them (see its docstring).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("fetches") as batch:
        batch.add_column(sa.Column("request_headers", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("protocol", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("error_body_sha256", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("fetches") as batch:
        batch.drop_column("error_body_sha256")
        batch.drop_column("protocol")
        batch.drop_column("request_headers")
