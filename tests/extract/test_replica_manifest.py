"""Every report of the replica's small world extracts to the values of its manifest entry,
and the identities that fail are exactly the ones the replica broke on purpose."""

from __future__ import annotations

from typing import Any

import pytest

from extract.report import extract_report
from replica.world import World


def _entries(world: World) -> list[dict[str, Any]]:
    return world.reports


def test_small_world_has_reports_of_every_template(replica_small: World) -> None:
    templates = {entry["template"] for entry in _entries(replica_small) if entry["extraction"] == "complete"}
    assert templates == {"pre2019", "v2019", "v2021"}


@pytest.mark.parametrize("field", ["template", "values", "broken_identities", "status"])
def test_every_report_matches_its_manifest(replica_small: World, field: str) -> None:
    mismatches = []
    for entry in _entries(replica_small):
        result = extract_report(replica_small.page(entry["url"]), url=entry["url"], year=entry["year"])
        if field == "template":
            got, expected = result.template, entry["template"]
        elif field == "values":
            got, expected = result.values, entry["values"]
        elif field == "broken_identities":
            got = sorted({check.id for check in result.checks if not check.ok})
            expected = sorted(entry["broken_identities"])
        else:
            got, expected = result.status, entry["extraction"]
        if got != expected:
            mismatches.append((entry["url"], expected, got))
    assert mismatches == []


def test_template_is_found_without_the_year(replica_small: World) -> None:
    tabular = [
        entry
        for entry in _entries(replica_small)
        if entry["template"] != "pre2019" and entry["extraction"] == "complete"
    ]
    found = [extract_report(replica_small.page(entry["url"])).template for entry in tabular]
    assert found == [entry["template"] for entry in tabular]
