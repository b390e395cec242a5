"""Drop the section-level search indexes of 0002: search uses the per-report documents of 0007.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28

The FTS5 trigram table (and its triggers on ``report_sections``) and the pg_trgm index were
kept in step on every extraction saved, but no query reads them since 0007.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SECTION_INDEX = importlib.import_module("storage.migrations.versions.0002_search_index")


def upgrade() -> None:
    _SECTION_INDEX.downgrade()


def downgrade() -> None:
    _SECTION_INDEX.upgrade()
