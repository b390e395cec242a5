"""Benchmark: server time per page of the web interface on an archive of 100,000 synthetic reports.

Builds the archive as benchmarks/search.py does (bulk insert, then the search documents), on SQLite
and on PostgreSQL, and times each page through the ASGI application in-process (no network), so the
figures are the server's own time: median and 95th percentile per page kind. Usage:
    python benchmarks/web_pages.py [--reports 100000] [--backend sqlite|postgres|both] [--requests 40]
"""

from __future__ import annotations

import argparse
import logging
import os
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from fastapi.testclient import TestClient
from search import machine, synthetic_archive  # benchmarks/search.py, run from this folder

from storage.archive import Archive
from web.app import create_app

log = logging.getLogger("benchmarks.web")

KEY = "requests.new_received.total"


def _pages(count: int, requests: int, rng: random.Random) -> dict[str, list[str]]:
    def many(make: Callable[[], str]) -> list[str]:
        return [make() for _ in range(requests)]

    return {
        "search 2 chars common (公开)": many(lambda: "/search?q=公开"),
        "search 3 chars rare (开放日)": many(lambda: "/search?q=开放日"),
        "search district+years (长寿区 2019-2024)": many(lambda: "/search?district=长寿区&years=2019-2024"),
        "search term+district (复议 长寿区)": many(lambda: "/search?q=复议&district=长寿区"),
        "report (random id)": many(lambda: f"/reports/{rng.randint(1, count)}"),
        "diff 长寿区 2022 2023": many(lambda: "/diff?district=长寿区&from=2022&to=2023"),
        "series 长寿区 + 区县01区": many(lambda: f"/series?key={KEY}&district=长寿区&district=区县01区"),
        "home (districts × years coverage)": many(lambda: "/")[:5],
    }


def measure(archive: Archive, count: int, requests: int) -> None:
    rng = random.Random(11)
    with TestClient(create_app(archive)) as client:
        for name, paths in _pages(count, requests, rng).items():
            client.get(paths[0])  # warm the caches
            times = []
            for path in paths:
                started = time.perf_counter()
                response = client.get(path)
                times.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, (path, response.status_code, response.text[:200])
            times.sort()
            p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
            print(
                f"  {name:<42} median {statistics.median(times):7.1f} ms   p95 {p95:7.1f} ms  (n={len(times)})"
            )


def run(backend: str, count: int, requests: int, pg_url: str, folder: Path) -> None:
    with synthetic_archive(backend, count, 200, pg_url, folder) as archive:
        measure(archive, count, requests)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--reports", type=int, default=100_000)
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--requests", type=int, default=40, help="requests per page kind")
    parser.add_argument(
        "--pg",
        default=os.environ.get("REPORTS_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"),
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    print(f"machine: {machine()}")
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    with tempfile.TemporaryDirectory() as folder:
        for backend in backends:
            run(backend, args.reports, args.requests, args.pg, Path(folder))


if __name__ == "__main__":
    main()
