"""One crawl at a time; scheduled crawls; the webhook after a run with changes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

from cli.schedule import Schedule, crawl_arguments, crawl_environment, load_config, parse_duration
from storage.locks import CrawlLocked, crawl_lock
from tests.incremental.helpers import crawl, crawl_args, reports_env, reports_json, runs

SMALL_SITE = "ljxq"
HOLD_THE_LOCK = (
    "import sys, time; from storage.locks import crawl_lock; crawl_lock(sys.argv[1]).acquire();"
    " print('held', flush=True); time.sleep(60)"
)  # 两江新区: the smallest unit of the small replica


def test_a_second_crawl_while_one_runs_says_so_and_exits_non_zero(target, replica_server_small):
    with crawl_lock(target.db_url):
        result = subprocess.run(
            [sys.executable, "-m", "cli.main", *crawl_args(target, site=SMALL_SITE)],
            env=reports_env(replica_server_small.proxy_url, target.db_url),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    assert result.returncode == 1
    assert "another crawl is running" in result.stderr
    assert runs(target) == []


def test_the_lock_dies_with_a_killed_holder(target):
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            HOLD_THE_LOCK,
            target.db_url,
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout.readline().strip() == "held"
    with pytest.raises(CrawlLocked):
        crawl_lock(target.db_url).acquire()
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait(timeout=10)
    holder.stdout.close()
    for _ in range(50):  # PostgreSQL notices the closed connection within moments
        try:
            crawl_lock(target.db_url).acquire().release()
            break
        except CrawlLocked:
            threading.Event().wait(0.1)
    else:
        pytest.fail("the lock outlived its killed holder")


def test_schedule_durations_cron_and_config(tmp_path: Path):
    assert parse_duration("90") == 90 and parse_duration("15m") == 900 and parse_duration("6h") == 21600
    nightly = Schedule(cron="0 3 * * *")
    assert nightly.next_after(datetime(2026, 5, 1, 3, 0)) == datetime(2026, 5, 2, 3, 0)
    assert Schedule(every=3600).next_after(datetime(2026, 5, 1, 3, 0)) == datetime(2026, 5, 1, 4, 0)
    config = tmp_path / "schedule.yaml"
    config.write_text(
        'cron: "30 2 * * 1"\nsite: [cqcs, cqyz]\nwebhook: http://localhost:9/x\nsettings: {DOWNLOAD_TIMEOUT: 20}\n'
    )
    options = load_config(str(config))
    assert options["cron"] == "30 2 * * 1"
    assert crawl_arguments(options) == ["--site=cqcs", "--site=cqyz", "-s", "DOWNLOAD_TIMEOUT=20"]
    assert crawl_environment(options) == {"REPORTS_WEBHOOK": "http://localhost:9/x"}


def test_schedule_runs_crawls_on_an_interval_and_skips_a_tick_while_another_crawl_runs(
    sqlite_target, replica_server_small
):
    command = [
        sys.executable,
        "-m",
        "cli.main",
        "schedule",
        "--every",
        "1s",
        "--now",
        "--max-runs",
        "2",
        f"--site={SMALL_SITE}",
        "--snapshots",
        str(sqlite_target.snapshots),
        "--no-throttle",
    ]
    env = reports_env(replica_server_small.proxy_url, sqlite_target.db_url)
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stderr.count("Crawl finished") == 2
    assert [run.outcome for run in runs(sqlite_target)] == ["finished", "finished"]
    with crawl_lock(sqlite_target.db_url):
        command[command.index("2")] = "1"
        skipped = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert "Crawl skipped: " in skipped.stderr and "another crawl is running" in skipped.stderr
    assert len(runs(sqlite_target)) == 2


class _Hook(BaseHTTPRequestHandler):
    received: ClassVar[list[dict]] = []

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        type(self).received.append(json.loads(self.rfile.read(length)))
        self.send_response(204)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


def test_the_webhook_receives_the_changes_of_a_run_that_found_some(sqlite_target, replica_server_small):
    _Hook.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        webhook = f"http://127.0.0.1:{server.server_address[1]}/changes"
        crawl(replica_server_small.proxy_url, sqlite_target, "--webhook", webhook, site=SMALL_SITE)
        assert len(_Hook.received) == 1
        expected = reports_json(
            ["changes", "--run", "1", "--json"], replica_server_small.proxy_url, sqlite_target.db_url
        )
        # The changes document, with the run's outcome and alerts.
        assert {key: _Hook.received[0][key] for key in expected} == expected
        assert _Hook.received[0]["outcome"] == "finished" and _Hook.received[0]["alerts"] == []
        assert expected["counts"]["new"] > 0
        crawl(replica_server_small.proxy_url, sqlite_target, "--webhook", webhook, site=SMALL_SITE)
        assert len(_Hook.received) == 1  # nothing changed: no call
    finally:
        server.shutdown()
        server.server_close()
