"""Benchmark: the archive as WARC and WACZ, a WARC read back in, and Datasette's views.

Crawls the replica twice (politeness off; the second crawl revalidates) into a fresh archive,
then prints for each step its time, records or rows per second and file size: `reports export
--format warc`, `--format wacz`, `reports import-warc` into an empty archive, and the views of
`reports datasette` (a full scan of each).
Usage:
    python benchmarks/web_archive.py [--size small|full]
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

from sqlalchemy import text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=["small", "full"], default="small")
    size = parser.parse_args().size

    from crawler.registry import load_registry
    from crawler.warc_import import import_warc
    from replica.server import ReplicaServer
    from replica.world import build_world
    from storage.archive import Archive
    from storage.datasette import VIEW_NAMES, create_views
    from storage.wacz import write_wacz
    from storage.warc import write_warc

    print(f"machine: {platform.node()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
    with tempfile.TemporaryDirectory() as tmp, ReplicaServer(build_world(size=size)) as server:
        folder = Path(tmp)
        db_url = f"sqlite:///{folder / 'archive.sqlite3'}"
        env = {key: value for key, value in os.environ.items() if key.lower() != "no_proxy"}
        env.update(http_proxy=server.proxy_url, HTTP_PROXY=server.proxy_url)
        command = [sys.executable, "-m", "cli.main", "crawl", "--db", db_url]
        command += ["--snapshots", str(folder / "snapshots"), "--no-throttle"]
        for _ in range(2):
            subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        with Archive.open(db_url, folder / "snapshots") as archive:
            warc = folder / "reports.warc.gz"
            started = time.perf_counter()
            with warc.open("wb") as stream:
                summary = write_warc(archive, stream)
            seconds = time.perf_counter() - started
            records = sum(summary.records.values())
            print(
                f"export warc: {records} records ({dict(summary.records)}) in {seconds:.1f} s, "
                f"{records / seconds:.0f} records/s, {warc.stat().st_size / 2**20:.1f} MiB"
            )
            wacz = folder / "reports.wacz"
            started = time.perf_counter()
            write_wacz(warc, wacz, summary.pages, title="benchmark", description="benchmark")
            seconds = time.perf_counter() - started
            print(
                f"package wacz: {len(summary.pages)} pages in {seconds:.1f} s, {wacz.stat().st_size / 2**20:.1f} MiB"
            )
            with archive.engine.begin() as connection:
                create_views(connection)
                for name in VIEW_NAMES:
                    started = time.perf_counter()
                    count = len(connection.execute(text(f'SELECT * FROM "{name}"')).all())
                    print(f"view {name}: {count} rows in {time.perf_counter() - started:.2f} s")
        with Archive.open(f"sqlite:///{folder / 'imported.sqlite3'}", folder / "imported") as imported:
            started, cpu = time.perf_counter(), time.process_time()
            result = import_warc(imported, warc, load_registry(None))
            seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
            print(
                f"import-warc: {result.counts['fetches']} fetches, {result.counts['reports_new']} reports "
                f"in {seconds:.1f} s ({cpu:.1f} s CPU), {result.counts['fetches'] / seconds:.0f} fetches/s "
                "(extraction included)"
            )
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    # The repository instead of benchmarks/ (whose incremental.py would shadow Twisted's `incremental`).
    sys.path[0] = str(Path(__file__).resolve().parents[1])
    main()
