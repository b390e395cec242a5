"""Shared fixtures: the archive databases and the replica of the platform."""

pytest_plugins = ["tests.fixtures_db", "tests.fixtures_replica"]
