"""Crawling one unit of the small replica into a fresh archive, and comparing archives."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from storage.archive import Archive
from storage.models import CrawlRun, Extraction, Report, ReportSnapshot, Snapshot
from tests.test_crawl_e2e import run_reports

SITE = "cqcs"  # 长寿区: several columns and listing pages, 67 reports, about 100 pages
FAST = ["-s", "RETRY_BACKOFF_BASE=0.01", "-s", "REPORTS_CHECKPOINT_INTERVAL=0.5"]


@dataclass
class Target:
    """An archive to crawl into: a database URL and a snapshot folder."""

    db_url: str
    snapshots: Path

    def open(self) -> Archive:
        return Archive.open(self.db_url, self.snapshots)


def crawl_args(target: Target, *extra: str, site: str = SITE) -> list[str]:
    return ["crawl", f"--site={site}", "--snapshots", str(target.snapshots), "--no-throttle", *FAST, *extra]


def crawl(
    proxy_url: str, target: Target, *extra: str, site: str = SITE, expect: int = 0
) -> subprocess.CompletedProcess[str]:
    """One complete crawl in a fresh process; fails the test unless it exits ``expect``
    (0: finished; 3: finished with alerts)."""
    if expect == 0:
        return run_reports(crawl_args(target, *extra, site=site), proxy_url, target.db_url, timeout=300)
    result = subprocess.run(
        [sys.executable, "-m", "cli.main", *crawl_args(target, *extra, site=site)],
        check=False,
        env=reports_env(proxy_url, target.db_url),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == expect, result.stderr[-4000:]
    return result


def reports_env(proxy_url: str, db_url: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key.lower() != "no_proxy"}
    env.update(
        http_proxy=proxy_url, HTTP_PROXY=proxy_url, REPORTS_DB=db_url, REPORTS_ALLOW_PRIVATE="127.0.0.1"
    )
    return env


def start_reports(args: list[str], proxy_url: str, db_url: str) -> subprocess.Popen[str]:
    """``reports ARGS`` in a background process (to kill it, or to run beside another)."""
    return subprocess.Popen(
        [sys.executable, "-m", "cli.main", *args],
        env=reports_env(proxy_url, db_url),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def reports_json(args: list[str], proxy_url: str, db_url: str) -> Any:
    return json.loads(run_reports(args, proxy_url, db_url).stdout)


@dataclass(frozen=True)
class ArchiveState:
    """What an archive holds about reports, independent of ids and times."""

    reports: dict[str, tuple[str, str]]  # url -> (status, current snapshot sha256)
    report_snapshots: frozenset[tuple[str, str]]  # (report url, sha256) of every linked snapshot
    snapshots: frozenset[tuple[str, str]]  # (url, sha256) of every snapshot
    unextracted: tuple[str, ...]  # reports whose current snapshot has no extraction
    extractions_per_snapshot: int  # most extractions of one snapshot (1 if nothing twice)


def archive_state(target: Target) -> ArchiveState:
    with target.open() as archive, archive.Session() as session:
        rows = session.execute(
            select(Report.url, Report.status, Snapshot.sha256).join(
                Snapshot, Snapshot.id == Report.current_snapshot_id
            )
        ).all()
        linked = session.execute(
            select(Report.url, Snapshot.sha256)
            .join(ReportSnapshot, ReportSnapshot.report_id == Report.id)
            .join(Snapshot, Snapshot.id == ReportSnapshot.snapshot_id)
        ).all()
        snapshots = session.execute(select(Snapshot.url, Snapshot.sha256)).all()
        extracted = set(session.scalars(select(Extraction.snapshot_id)))
        per_snapshot = list(session.scalars(select(Extraction.snapshot_id)))
        current = session.execute(select(Report.url, Report.current_snapshot_id)).all()
    return ArchiveState(
        reports={url: (status, sha) for url, status, sha in rows},
        report_snapshots=frozenset(linked),
        snapshots=frozenset(snapshots),
        unextracted=tuple(sorted(url for url, snapshot_id in current if snapshot_id not in extracted)),
        extractions_per_snapshot=max((per_snapshot.count(s) for s in set(per_snapshot)), default=0),
    )


def runs(target: Target) -> list[CrawlRun]:
    with target.open() as archive, archive.Session() as session:
        return list(session.scalars(select(CrawlRun).order_by(CrawlRun.id)))
