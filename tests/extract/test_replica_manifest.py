"""Every report of the replica's small world extracts to the values of its manifest entry,
the identities that fail are exactly the ones the replica broke on purpose, and the prose
contradicts the tables exactly where the replica made it (pre-2019 reports: legacy values)."""

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


@pytest.mark.parametrize(
    "field", ["template", "values", "broken_identities", "status", "prose_contradictions"]
)
def test_every_report_matches_its_manifest(replica_small: World, field: str) -> None:
    mismatches = []
    for entry in _entries(replica_small):
        result = extract_report(replica_small.page(entry["url"]), url=entry["url"], year=entry["year"])
        if field == "template":
            got, expected = result.template, entry["template"]
        elif field == "values":
            got, expected = result.values, entry["values"]
        elif field == "broken_identities":
            got = sorted({check.id for check in result.checks if not check.ok and check.id != "narrative"})
            expected = sorted(entry["broken_identities"])
        elif field == "prose_contradictions":
            got = [
                {"quantity": check.where, "table": check.expected, "prose": check.actual}
                for check in result.checks
                if check.id == "narrative" and not check.ok
            ]
            expected = entry["prose_contradictions"]
        else:
            got, expected = result.status, entry["status"]
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


def test_the_world_plants_contradictions_and_legacy_statistics(replica_small: World) -> None:
    entries = _entries(replica_small)
    assert sum(len(entry["prose_contradictions"]) for entry in entries) >= 3
    legacy = [entry for entry in entries if entry["template"] == "pre2019"]
    assert legacy and all(entry["status"] == "legacy" for entry in legacy)
    stated = {key for entry in legacy for key in entry["values"]}
    assert {"legacy.requests.received", "legacy.appeals.review", "legacy.fees.amount"} <= stated


def test_consistent_prose_is_checked_and_raises_nothing(replica_small: World) -> None:
    """Consistent reports restate their tables in prose: checked, and never a false alarm."""
    checked = alarms = 0
    for entry in _entries(replica_small):
        if entry["template"] == "pre2019" or entry["prose_contradictions"]:
            continue
        result = extract_report(replica_small.page(entry["url"]), url=entry["url"], year=entry["year"])
        narrative = [check for check in result.checks if check.id == "narrative"]
        checked += len(narrative)
        alarms += sum(1 for check in narrative if not check.ok)
    assert checked > 300 and alarms == 0


def test_legacy_values_keep_their_sentence_or_row(replica_small: World) -> None:
    entry = next(
        e
        for e in _entries(replica_small)
        if e["template"] == "pre2019" and "legacy.requests.received" in e["values"]
    )
    result = extract_report(replica_small.page(entry["url"]), url=entry["url"], year=entry["year"])
    source = result.raw["legacy.requests.received"]
    assert str(entry["values"]["legacy.requests.received"]) in source
    assert "申请" in source
