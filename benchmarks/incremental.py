"""Benchmark: what a crawl of an unchanged site costs next to a full crawl.

Crawls the replica (politeness off) into a fresh archive, then again with nothing changed, and
prints the requests and bytes of each run (from the run's statistics, and as the replica served
them) and their ratio. Target: the no-change crawl transfers under 5% of the full crawl's bytes.
Usage:
    python benchmarks/incremental.py [--size full|small]
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any


def crawl_twice(size: str) -> list[dict[str, Any]]:
    from replica.server import ReplicaServer
    from replica.world import build_world
    from storage.archive import Archive
    from storage.queries import list_runs

    world = build_world(size=size)
    figures: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp, ReplicaServer(world) as server:
        db_url = f"sqlite:///{Path(tmp) / 'archive.sqlite3'}"
        env = {key: value for key, value in os.environ.items() if key.lower() != "no_proxy"}
        env.update(http_proxy=server.proxy_url, HTTP_PROXY=server.proxy_url)
        command = [sys.executable, "-m", "cli.main", "crawl", "--db", db_url]
        command += ["--snapshots", f"{tmp}/snapshots", "--no-throttle"]
        for label in ("full crawl", "no-change crawl"):
            served_before = len(server.requests)
            started = time.perf_counter()
            subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            elapsed = time.perf_counter() - started
            served = server.requests[served_before:]
            with Archive.open(db_url, f"{tmp}/snapshots") as archive:
                stats = list_runs(archive)[0].stats
            figures.append(
                {
                    "run": label,
                    "requests": stats.get("downloader/request_count", 0),
                    "bytes": stats.get("downloader/response_bytes", 0),
                    "304s": stats.get("downloader/response_status_count/304", 0),
                    "body bytes served": sum(size for *_, size in served),
                    "seconds": elapsed,
                }
            )
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=["small", "full"], default="full")
    size = parser.parse_args().size
    full, again = crawl_twice(size)
    print(
        f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, {platform.platform()}, Python {platform.python_version()}"
    )
    print(f"Replica: {size}")
    print(f"{'run':<18}{'requests':>10}{'bytes':>14}{'304s':>8}{'body bytes served':>20}{'seconds':>10}")
    for row in (full, again):
        print(
            f"{row['run']:<18}{row['requests']:>10}{row['bytes']:>14}{row['304s']:>8}"
            f"{row['body bytes served']:>20}{row['seconds']:>10.1f}"
        )
    ratio = again["bytes"] / full["bytes"] if full["bytes"] else float("nan")
    served = (
        again["body bytes served"] / full["body bytes served"] if full["body bytes served"] else float("nan")
    )
    print(
        f"no-change / full: requests {again['requests'] / full['requests']:.2%}, bytes {ratio:.2%} (target < 5%), "
        f"body bytes served {served:.2%}"
    )


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    main()
