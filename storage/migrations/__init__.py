"""Alembic migrations of the archive schema (run by storage.db.migrate)."""
