"""Shared fixtures: the archive databases and the replica of the platform; the ``fast`` marker."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = ["tests.fixtures_db", "tests.fixtures_replica"]

HERE = Path(__file__).parent
# Folders whose tests read saved documents, the replica's pages or a SQLite archive in-process: no
# crawl and no browser. `pytest -m fast` runs them (and the layering test) in about a minute.
FAST_FOLDERS = ("extract", "replica", "storage")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        relative = Path(str(item.path)).relative_to(HERE)
        in_fast_folder = relative.parts[0] in FAST_FOLDERS or relative.name == "test_layers.py"
        if in_fast_folder and not item.get_closest_marker("postgres") and not item.get_closest_marker("slow"):
            item.add_marker(pytest.mark.fast)
