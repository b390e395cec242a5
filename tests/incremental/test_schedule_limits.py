"""`reports schedule`: a per-crawl time limit, and secrets kept off the crawl's command line."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from tests.incremental.helpers import reports_env, runs

SECRET = "s3cret-token"


def _children(parent: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == parent:
                found.append(int(entry.name))
    return found


def test_a_crawl_past_its_time_limit_is_stopped_and_secrets_stay_off_its_command_line(
    sqlite_target, replica_server_small
):
    webhook = f"http://127.0.0.1:9/hook?token={SECRET}"
    command = [
        sys.executable,
        "-m",
        "cli.main",
        "schedule",
        "--every",
        "1h",
        "--now",
        "--max-runs",
        "1",
        "--time-limit",
        "10s",
        "--site=cqcs",  # 长寿区, about 100 pages: far longer than 10 s when polite
        "--snapshots",
        str(sqlite_target.snapshots),
        "--db",
        sqlite_target.db_url,
        "--webhook",
        webhook,
        "-s",
        "REPORTS_WEBHOOK_DEADLINE=2",
    ]
    env = reports_env(replica_server_small.proxy_url, "sqlite:///unused.sqlite3")
    env.pop("REPORTS_DB")
    started = time.monotonic()
    schedule = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True)
    crawl_pid = None
    while crawl_pid is None and schedule.poll() is None and time.monotonic() - started < 30:
        crawl_pid = next(iter(_children(schedule.pid)), None)
        time.sleep(0.1)
    assert crawl_pid is not None
    cmdline = Path(f"/proc/{crawl_pid}/cmdline").read_bytes().decode()
    environ = Path(f"/proc/{crawl_pid}/environ").read_bytes().decode()
    assert "crawl" in cmdline
    assert SECRET not in cmdline and sqlite_target.db_url not in cmdline
    assert f"REPORTS_WEBHOOK={webhook}" in environ and f"REPORTS_DB={sqlite_target.db_url}" in environ
    _, stderr = schedule.communicate(timeout=120)
    took = time.monotonic() - started
    assert schedule.returncode == 0, stderr[-3000:]
    assert "Crawl reached its time limit" in stderr and "stopped at its time limit" in stderr
    assert took < 60, took
    assert SECRET not in stderr.split("Crawl starting:")[1].splitlines()[0]
    (run,) = runs(sqlite_target)
    assert run.outcome == "interrupted" and run.stats["frontier/pending"] > 0  # resumed by the next run
