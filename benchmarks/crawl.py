"""Benchmark: pages per minute of a full replica crawl (politeness off) next to `scrapy bench`.

Prints the figures and the machine they were measured on. Usage:
    python benchmarks/crawl.py [--size full|small]
"""

from __future__ import annotations

import argparse
import logging
import os
import platform
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

logger = logging.getLogger("benchmarks.crawl")


def replica_crawl(size: str) -> dict[str, float]:
    from replica.server import ReplicaServer
    from replica.world import build_world
    from storage.archive import Archive
    from storage.queries import archive_counts, list_runs

    world = build_world(size=size)
    with tempfile.TemporaryDirectory() as tmp, ReplicaServer(world) as server:
        db_url = f"sqlite:///{Path(tmp) / 'archive.sqlite3'}"
        env = dict(
            os.environ,
            http_proxy=server.proxy_url,
            HTTP_PROXY=server.proxy_url,
            REPORTS_ALLOW_PRIVATE="127.0.0.1",
        )
        env.pop("no_proxy", None)
        command = [
            sys.executable,
            "-m",
            "cli.main",
            "crawl",
            "--db",
            db_url,
            "--snapshots",
            f"{tmp}/snapshots",
            "--no-throttle",
        ]
        logger.info("Crawling the %s replica (%d reports)", size, len(world.reports))
        started = time.perf_counter()
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        elapsed = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        peak_kib = after.ru_maxrss
        # CPU time of the crawl and its extraction workers: steadier than wall time on a shared machine
        cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
        with Archive.open(db_url, f"{tmp}/snapshots") as archive:
            stats = list_runs(archive)[-1].stats
            counts = archive_counts(archive)
    pages = stats.get("response_received_count", 0)
    return {
        "pages": pages,
        "seconds": elapsed,
        "pages_per_minute": pages / elapsed * 60,
        "reports": counts["reports"],
        "expected_reports": len(world.reports),
        "peak_rss_mib": peak_kib / 1024,
        "cpu_seconds": cpu,
    }


def scrapy_bench() -> float:
    """Pages/min reported by `scrapy bench` (its own local server, default settings)."""
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "bench", "-s", "CLOSESPIDER_TIMEOUT=20", "-s", "LOG_LEVEL=INFO"],
        capture_output=True,
        text=True,
        cwd=tempfile.gettempdir(),
        check=False,
    )
    rates = [int(rate) for rate in re.findall(r"at (\d+) pages/min", result.stderr)]
    return max(rates) if rates else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=["small", "full"], default="full")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stderr)
    crawl = replica_crawl(args.size)
    logger.info("Running scrapy bench for 20 s")
    bench = scrapy_bench()
    print(
        f"machine: {os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}, {platform.platform()}"
    )
    print(
        f"replica {args.size} crawl, politeness off: {crawl['pages']} pages in {crawl['seconds']:.1f} s "
        f"= {crawl['pages_per_minute']:.0f} pages/min; {crawl['reports']}/{crawl['expected_reports']} reports archived"
    )
    print(f"peak memory of the crawl process: {crawl['peak_rss_mib']:.0f} MiB")
    print(f"CPU time of the crawl (process and extraction workers): {crawl['cpu_seconds']:.1f} s")
    print(f"scrapy bench on this machine: {bench:.0f} pages/min")


if __name__ == "__main__":
    main()
