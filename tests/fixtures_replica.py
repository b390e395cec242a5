"""Pytest fixtures for the replica of the platform (a plugin module, see tests/conftest.py).

Worlds are built on first use and shared across the session; nothing is done at import.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from replica.server import ReplicaServer
from replica.world import World, build_world


@pytest.fixture(scope="session")
def replica_small() -> World:
    """The small world (长寿, 渝中, 沙坪坝, 两江新区), seed 2026."""
    return build_world("small", seed=2026)


@pytest.fixture(scope="session")
def replica_full() -> World:
    """The full world (all 41 units of the registry), seed 2026."""
    return build_world("full", seed=2026)


@pytest.fixture(scope="session")
def replica_server_small(replica_small: World) -> Iterator[ReplicaServer]:
    """A running server on the small world; use ``proxy_url`` as the crawler's http_proxy."""
    with ReplicaServer(replica_small) as server:
        yield server


@pytest.fixture(scope="session")
def replica_server_full(replica_full: World) -> Iterator[ReplicaServer]:
    with ReplicaServer(replica_full) as server:
        yield server
