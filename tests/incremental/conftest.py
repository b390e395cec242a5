"""Fixtures of the incremental-crawl tests: a clean crawl of one unit to compare against."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from replica.server import ReplicaServer
from replica.world import World, build_world
from tests.fixtures_db import create_postgres_schema, drop_postgres_schema
from tests.incremental.helpers import ArchiveState, Target, archive_state, crawl


@pytest.fixture(scope="session")
def clean_state(replica_small: World, replica_server_small: ReplicaServer, tmp_path_factory) -> ArchiveState:
    """The archive of a clean crawl of the unit, as every faulty or interrupted crawl must end."""
    folder = tmp_path_factory.mktemp("clean")
    target = Target(f"sqlite:///{folder / 'archive.sqlite3'}", folder / "snapshots")
    crawl(replica_server_small.proxy_url, target)
    return archive_state(target)


@pytest.fixture
def own_server() -> Iterator[ReplicaServer]:
    """A server of its own on a fresh small world, free to get faults and revisions."""
    with ReplicaServer(build_world("small", seed=2026)) as server:
        yield server


def new_target(
    backend: str, tmp_path: Path, admin: Engine | None
) -> tuple[Target, tuple[Engine, str] | None]:
    if backend == "sqlite":
        return Target(f"sqlite:///{tmp_path / 'archive.sqlite3'}", tmp_path / "snapshots"), None
    assert admin is not None
    url, schema = create_postgres_schema(admin)
    return Target(url, tmp_path / "snapshots"), (admin, schema)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Target]:
    """An empty archive on each backend."""
    admin = request.getfixturevalue("postgres_admin") if request.param == "postgres" else None
    made, cleanup = new_target(request.param, tmp_path, admin)
    yield made
    if cleanup:
        drop_postgres_schema(*cleanup)


@pytest.fixture
def sqlite_target(tmp_path: Path) -> Target:
    return Target(f"sqlite:///{tmp_path / 'archive.sqlite3'}", tmp_path / "snapshots")
