"""Incremental crawls: revalidation, revised reports, withdrawn reports, `reports changes`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from replica.faults import Faults, GonePages, HiddenArticles
from replica.server import ReplicaServer
from replica.world import build_world
from storage.health import run_alerts
from storage.models import Extraction, Report, ReportSnapshot
from tests.incremental.helpers import (
    ArchiveState,
    Target,
    archive_state,
    crawl,
    reports_json,
    runs,
)

SENTENCE = "本报告于发布后作了更正。"


@dataclass
class History:
    """One archive crawled five times while the replica changes under it."""

    target: Target
    proxy_url: str
    revised: str
    gone: str
    hidden: str
    states: list[ArchiveState]
    stats: list[dict[str, Any]]
    changes: list[dict[str, Any]]
    replica_bytes: list[int]


@pytest.fixture(scope="module")
def history(tmp_path_factory) -> History:
    folder: Path = tmp_path_factory.mktemp("incremental")
    target = Target(f"sqlite:///{folder / 'archive.sqlite3'}", folder / "snapshots")
    world = build_world("small", seed=2026)
    urls = sorted(entry["url"] for entry in world.reports if entry["unit_code"] == "cqcs")
    revised, gone, hidden = urls[1], urls[5], urls[9]
    states, stats, changes, replica_bytes = [], [], [], []
    with ReplicaServer(world) as server:

        def step(*extra: str, expect: int = 0) -> None:
            before = len(server.requests)
            crawl(server.proxy_url, target, "-s", "REPORTS_WITHDRAW_AFTER_RUNS=2", *extra, expect=expect)
            replica_bytes.append(sum(size for *_, size in server.requests[before:]))
            states.append(archive_state(target))
            stats.append(runs(target)[-1].stats)
            changes.append(reports_json(["changes", "--json"], server.proxy_url, target.db_url))

        step()  # 1: everything new
        step()  # 2: nothing changed
        world.revise(revised, SENTENCE)
        server.fault = Faults(world, [GonePages(urls=(gone,)), HiddenArticles(hidden=(hidden,))])
        step(expect=3)  # 3: one revised, one answers 404, one no longer listed: fewer reports, an alert
        step(expect=3)  # 4: still not listed: the second run in a row; withdrawn, a year gap opens
        server.fault = None
        step()  # 5: both back
    return History(target, server.proxy_url, revised, gone, hidden, states, stats, changes, replica_bytes)


def test_a_crawl_of_an_unchanged_site_revalidates_instead_of_downloading(history):
    first, second = history.stats[0], history.stats[1]
    pages = first["downloader/response_status_count/200"] - 1  # robots.txt is fetched in full
    assert second["downloader/response_status_count/304"] == pages
    assert second["downloader/response_bytes"] < 0.05 * first["downloader/response_bytes"]
    assert history.replica_bytes[1] < 0.05 * history.replica_bytes[0]
    assert history.states[1] == history.states[0]  # no new snapshot, nothing re-extracted
    assert history.changes[1]["counts"] == {"new": 0, "revised": 0, "withdrawn": 0, "restored": 0}


def test_every_run_records_its_figures(history):
    first = history.stats[0]
    for key in ("downloader/request_count", "downloader/response_bytes", "reports/new", "reports/revised"):
        assert key in first
    assert first["reports/new"] == len(history.states[0].reports)
    assert history.changes[0]["counts"]["new"] == len(history.states[0].reports)
    assert all(run.finished_at for run in runs(history.target))
    outcomes = [run.outcome for run in runs(history.target)]
    assert outcomes == ["finished", "finished", "finished with alerts", "finished with alerts", "finished"]
    with history.target.open() as archive:
        kinds = [
            sorted({alert.kind for alert in run_alerts(archive, [run.id])}) for run in runs(history.target)
        ]
    # Run 3: a report answers 404 (withdrawn, a year gap) and one is unlisted (fewer reports);
    # run 4: the unlisted one is withdrawn (another year gap); run 5: both are back.
    assert kinds == [[], [], ["reports_dropped", "year_gap"], ["year_gap"], []]


def test_a_revised_report_gets_a_new_snapshot_an_extraction_and_is_listed_as_revised(history):
    before, after = history.states[1].reports[history.revised], history.states[2].reports[history.revised]
    assert before[1] != after[1] and after[0] == "active"
    assert history.states[2].report_snapshots - history.states[1].report_snapshots == {
        (history.revised, after[1])
    }
    assert history.states[2].unextracted == ()
    revised = [entry for entry in history.changes[2]["changes"] if entry["change"] == "revised"]
    assert [entry["url"] for entry in revised] == [history.revised]
    assert revised[0]["snapshot_sha256"] == after[1]
    with history.target.open() as archive, archive.Session() as session:
        report = session.scalar(select(Report).where(Report.url == history.revised))
        linked = session.scalars(
            select(ReportSnapshot.snapshot_id).where(ReportSnapshot.report_id == report.id)
        )
        assert len(list(linked)) == 2
        assert session.scalar(
            select(Extraction.id).where(Extraction.snapshot_id == report.current_snapshot_id)
        )


def test_a_report_that_answers_404_is_withdrawn_with_the_date_and_keeps_its_archive(history):
    status, sha = history.states[2].reports[history.gone]
    assert status == "withdrawn" and sha == history.states[1].reports[history.gone][1]
    assert history.states[2].report_snapshots >= history.states[1].report_snapshots
    withdrawn = [entry for entry in history.changes[2]["changes"] if entry["change"] == "withdrawn"]
    assert [entry["url"] for entry in withdrawn] == [history.gone]
    assert withdrawn[0]["withdrawn_at"]
    assert history.stats[2]["reports/withdrawn"] == 1


def test_a_report_gone_from_the_listings_is_withdrawn_after_n_runs(history):
    assert history.states[2].reports[history.hidden][0] == "active"  # one run unlisted: not yet
    assert history.states[3].reports[history.hidden][0] == "withdrawn"  # threshold 2 reached
    assert [entry["url"] for entry in history.changes[3]["changes"]] == [history.hidden]


def test_reports_that_come_back_are_restored(history):
    assert history.states[4].reports[history.gone][0] == "active"
    assert history.states[4].reports[history.hidden][0] == "active"
    restored = {entry["url"] for entry in history.changes[4]["changes"] if entry["change"] == "restored"}
    assert restored == {history.gone, history.hidden}


def test_changes_since_a_date_and_of_a_run(history):
    everything = reports_json(
        ["changes", "--since", "2000-01-01", "--json"], history.proxy_url, history.target.db_url
    )
    assert everything["counts"]["new"] == len(history.states[0].reports)
    assert everything["counts"]["withdrawn"] == 2 and everything["counts"]["restored"] == 2
    third = reports_json(["changes", "--run", "3", "--json"], history.proxy_url, history.target.db_url)

    def events(document: dict[str, Any]) -> list[tuple[str, str, str]]:
        return [(entry["change"], entry["url"], entry["changed_at"]) for entry in document["changes"]]

    # The same events as right after run 3 (the reports' current status has moved on since).
    assert events(third) == events(history.changes[2]) and third["counts"] == history.changes[2]["counts"]
