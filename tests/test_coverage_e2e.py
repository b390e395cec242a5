"""End to end: `reports coverage` on crawled replicas equals the manifest's truth, cell for cell.

Each archive is crawled once as built, then once more in the replica's later state (withdrawn
reports gone: replica.coverage.later_state), on SQLite and PostgreSQL.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from rich.cells import cell_len

from replica.coverage import later_state
from replica.server import ReplicaServer
from replica.world import World
from storage.coverage import agency_key
from tests.fixtures_db import create_postgres_schema, drop_postgres_schema
from tests.test_crawl_e2e import run_reports

# The later crawl counts a report gone from every listing as withdrawn at once (default: 3 runs).
LATER = ["-s", "REPORTS_WITHDRAW_AFTER_RUNS=1"]


def crawl(world: World, proxy_url: str, db_url: str, snapshots: Path, *extra: str, expect: int = 0) -> None:
    sites = [f"--site={unit['code']}" for unit in world.manifest()["units"]]
    args = ["crawl", "--snapshots", str(snapshots), "--no-throttle", *sites, *extra]
    run_reports(args, proxy_url, db_url, timeout=1800, expect=expect)


def coverage_output(db_url: str, *args: str) -> str:
    command = ["coverage", "--as-of", "2026-03-01", *args]
    return run_reports(command, "http://127.0.0.1:9", db_url).stdout


@dataclass
class Crawled:
    """``reports coverage`` outputs after the first crawl and after the later-state crawl."""

    initial: dict[str, Any]
    later: dict[str, Any]
    initial_table: str
    initial_csv: str


def crawl_both_states(world: World, server: ReplicaServer, db_url: str, snapshots: Path) -> Crawled:
    crawl(world, server.proxy_url, db_url, snapshots)
    initial = json.loads(coverage_output(db_url, "--json"))
    table = coverage_output(db_url)
    as_csv = coverage_output(db_url, "--format", "csv")
    with ReplicaServer(world) as later:
        later.fault = later_state(world)
        # Reports withdrawn and years left open are the run's alerts (reports_dropped, year_gap): exit 3.
        crawl(world, later.proxy_url, db_url, snapshots, *LATER, expect=3)
    return Crawled(initial, json.loads(coverage_output(db_url, "--format", "json")), table, as_csv)


def archive_cells(document: dict[str, Any]) -> dict[tuple[str, str], dict[int, str]]:
    return {
        (row["unit_code"], agency_key(row["agency"])): {cell["year"]: cell["state"] for cell in row["cells"]}
        for row in document["rows"]
    }


def truth_cells(rows: list[dict[str, Any]]) -> dict[tuple[str, str], dict[int, str]]:
    return {
        (row["unit_code"], row["key"]): {int(year): state for year, state in row["cells"].items()}
        for row in rows
    }


def differences(archive: dict, truth: dict) -> dict:
    keys = set(archive) | set(truth)
    return {
        key: (archive.get(key), truth.get(key)) for key in sorted(keys) if archive.get(key) != truth.get(key)
    }


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def small(request, tmp_path_factory, replica_small, replica_server_small) -> Any:
    folder = tmp_path_factory.mktemp(f"coverage-{request.param}")
    cleanup = None
    if request.param == "sqlite":
        db_url = f"sqlite:///{folder / 'archive.sqlite3'}"
    else:
        db_url, schema = create_postgres_schema(request.getfixturevalue("postgres_admin"))
        cleanup = (request.getfixturevalue("postgres_admin"), schema)
    yield crawl_both_states(replica_small, replica_server_small, db_url, folder / "snapshots")
    if cleanup:
        drop_postgres_schema(*cleanup)


def test_the_small_replica_has_every_case(replica_small):
    truth = replica_small.manifest()["coverage"]
    assert {entry["why"] for entry in truth["removed"]} == {"gap", "late"}
    assert {entry["variant"] for entry in truth["withdrawn"]} == {"gone-404", "gone-410", "unlisted-404"}
    assert {entry["variant"] for entry in truth["unreadable"]} == {"image-tables", "scanned-tables"}
    states = {state for row in truth["later"] for state in row["cells"].values()}
    assert states == {"archived", "failed", "withdrawn", "missing"}


def test_coverage_after_the_first_crawl_equals_the_truth(small, replica_small):
    truth = replica_small.manifest()["coverage"]
    assert differences(archive_cells(small.initial), truth_cells(truth["initial"])) == {}
    assert small.initial["counts"]["withdrawn"] == 0


def test_coverage_after_the_later_crawl_equals_the_truth(small, replica_small):
    truth = replica_small.manifest()["coverage"]
    assert differences(archive_cells(small.later), truth_cells(truth["later"])) == {}
    withdrawn = {
        cell["url"] for row in small.later["rows"] for cell in row["cells"] if cell["state"] == "withdrawn"
    }
    assert withdrawn == {entry["url"] for entry in truth["withdrawn"]}


def test_deliberate_gaps_are_missing_cells(small, replica_small):
    cells = archive_cells(small.later)
    removed = replica_small.manifest()["coverage"]["removed"]
    assert removed and all(cells[(e["unit_code"], e["key"])][e["year"]] == "missing" for e in removed)


def test_the_table_fits_80_columns_and_counts_agree(small):
    lines = small.initial_table.splitlines()
    assert max(cell_len(line) for line in lines) <= 80
    counts = small.initial["counts"]
    assert lines[-1].endswith(
        f"{counts['archived']} archived, {counts['failed']} failed, "
        f"{counts['withdrawn']} withdrawn, {counts['missing']} missing"
    )
    symbols = "".join(lines[3:-3])
    assert symbols.count("?") == counts["missing"] and symbols.count("F") == counts["failed"]


def test_csv_has_a_line_per_agency_with_integer_counts(small):
    rows = list(csv.DictReader(io.StringIO(small.initial_csv)))
    assert len(rows) == len(small.initial["rows"])
    by_agency = {(row["unit_code"], row["agency"]): row for row in rows}
    for row in small.initial["rows"]:
        line = by_agency[(row["unit_code"], row["agency"])]
        assert {state: int(line[state]) for state in row["counts"]} == row["counts"]
        assert {cell["year"]: cell["state"] for cell in row["cells"]} == {
            int(year): line[year] for year in map(str, small.initial["years"]) if line[year]
        }


@pytest.mark.slow
def test_full_replica_coverage_equals_the_truth(tmp_path, replica_full, replica_server_full):
    """The whole replica: every unit, both states."""
    db_url = f"sqlite:///{tmp_path / 'archive.sqlite3'}"
    crawled = crawl_both_states(replica_full, replica_server_full, db_url, tmp_path / "snapshots")
    truth = replica_full.manifest()["coverage"]
    assert differences(archive_cells(crawled.initial), truth_cells(truth["initial"])) == {}
    assert differences(archive_cells(crawled.later), truth_cells(truth["later"])) == {}
    assert crawled.later["counts"]["withdrawn"] == len(truth["withdrawn"]) >= 3
