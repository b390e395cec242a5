"""A misbehaving site: each fault mode is retried or recorded, and the archive ends like a clean crawl's."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from replica.faults import (
    ConnectionResets,
    EmptyListings,
    Faults,
    RedirectLoops,
    ServerErrors,
    SlowResponses,
    StaleLinks,
    TruncatedBodies,
)
from storage.models import Report
from storage.queries import page_errors
from tests.incremental.helpers import archive_state, crawl, runs
from tests.incremental.test_resume import assert_same_archive

# Short timeouts and backoff so that faults cost little time; enough retries for overlapping faults.
IMPATIENT = ["-s", "DOWNLOAD_TIMEOUT=1", "-s", "RETRY_TIMES=6"]


def test_transient_faults_are_retried_and_the_archive_equals_a_clean_crawl(
    own_server, sqlite_target, clean_state
):
    own_server.fault = faults = Faults(
        own_server.world,
        [
            ServerErrors(share=0.25, times=2),
            SlowResponses(share=0.1, delay=1.5),
            ConnectionResets(share=0.15),
            TruncatedBodies(share=0.15),
        ],
    )
    crawl(own_server.proxy_url, sqlite_target, *IMPATIENT)
    assert all(faults.answered[mode.name] > 0 for mode in faults.modes), faults.answered
    stats = runs(sqlite_target)[-1].stats
    reasons = {key.rsplit("/", 1)[-1] for key in stats if key.startswith("retry/reason_count/")}
    assert {"503 Service Unavailable", "500 Internal Server Error"} <= reasons
    exceptions = {reason.rsplit(".", 1)[-1] for reason in reasons}
    # Slow responses time out, resets fail the download, short bodies lose data: all retried.
    assert {"DownloadTimeoutError", "DownloadFailedError", "ResponseDataLossError"} <= exceptions, reasons
    # (Twisted itself retries some resets of a reused keep-alive connection, so count the 5xx only.)
    assert stats["retry/count"] >= faults.answered["ServerErrors"]
    with sqlite_target.open() as archive:
        assert page_errors(archive) == []
    assert_same_archive(archive_state(sqlite_target), clean_state)


def test_redirect_loops_and_stale_links_are_recorded_and_the_next_crawl_completes(
    own_server, sqlite_target, clean_state
):
    looping = sorted(clean_state.reports)[3]
    own_server.fault = Faults(own_server.world, [RedirectLoops(urls=(looping,)), StaleLinks(share=0.5)])
    crawl(own_server.proxy_url, sqlite_target)
    with sqlite_target.open() as archive:
        errors = page_errors(archive)
    loop_errors = [error for error in errors if "redirect" in error.message.lower()]
    stale = [error for error in errors if "t20991231_9999999" in error.url]
    assert len(loop_errors) == 1 and loop_errors[0].kind == "http", errors
    assert stale and all("404" in error.message for error in stale), errors
    assert looping not in archive_state(sqlite_target).reports
    own_server.fault = None
    crawl(own_server.proxy_url, sqlite_target)
    state = archive_state(sqlite_target)
    assert state.reports == clean_state.reports
    assert state.report_snapshots == clean_state.report_snapshots


@pytest.mark.parametrize("times", [1, None], ids=["for-a-moment", "for-the-whole-run"])
def test_a_listing_that_shows_no_items_withdraws_nothing(times, own_server, sqlite_target, clean_state):
    crawl(own_server.proxy_url, sqlite_target)
    own_server.fault = Faults(own_server.world, [EmptyListings(share=1.0, times=times)])
    # With a threshold of one run a crawler that believed the empty listings would withdraw everything.
    # Listings empty for the whole run (in the browser too) finish the run with alerts (exit status 3).
    crawl(
        own_server.proxy_url, sqlite_target, "-s", "REPORTS_WITHDRAW_AFTER_RUNS=1", expect=0 if times else 3
    )
    last = runs(sqlite_target)[-1]
    assert last.outcome == ("finished" if times else "finished with alerts")
    stats = last.stats
    assert stats["retry/reason_count/listing showed no items"] > 0
    assert stats["reports/withdrawn"] == 0
    state = archive_state(sqlite_target)
    assert set(state.reports.values()) == set(clean_state.reports.values())
    if times == 1:  # the retry saw the real page: nothing new archived
        assert state.snapshots == clean_state.snapshots
    with sqlite_target.open() as archive, archive.Session() as session:
        assert set(session.scalars(select(Report.unlisted_runs))) == {0}
