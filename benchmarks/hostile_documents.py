"""Hostile documents through the bounded extraction workers: outcome, time and peak memory each.

Every attack runs in a process of its own (this script with ``--one NAME``) with one fresh
worker under the crawl's default bounds (extract.bounded: 60 s per document, 1 GiB address
space per worker); the peak resident memory is the worker's, read from the kernel once the
worker has been reaped. Also prints the time of joining a table continued over 100, 1,000
and 3,000 PDF pages (synthetic drawn tables, extract.attachments.join_pages).

    .venv/bin/python benchmarks/hostile_documents.py [--only NAME ...]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _attacks() -> dict[str, Callable[[], bytes]]:
    from extract.limits import MAX_PAGE_BYTES
    from tests.extract import hostile

    return {
        "span bomb page, 4 MB (colspan=100 rowspan=1000 tables)": lambda: hostile.span_bomb_page(4_000_000),
        "span bomb page, 30 MB": lambda: hostile.span_bomb_page(30_000_000),
        "page over the size limit (12 MB)": lambda: hostile.oversized_page(MAX_PAGE_BYTES + 2_000_000),
        "PDF decompression bomb (1 MB -> 2 GiB stream)": lambda: hostile.pdf_bomb(2 << 30),
        "DOCX decompression bomb (3 MB -> 2 GiB XML)": lambda: hostile.docx_bomb(2 << 30),
        "DOCX cells spanning 100,000 columns": lambda: hostile.docx_span_bomb(400, 100_000),
        "PDF of 300 pages": lambda: hostile.long_pdf(300),
        "PDF of 3,000 pages": lambda: hostile.long_pdf(3000),
    }


def run_one(name: str) -> dict[str, object]:
    """One attack in this process: a fresh worker, default bounds; the worker's peak memory."""
    from extract.bounded import Bounds, ExtractionRunner

    document = _attacks()[name]()
    runner = ExtractionRunner(Bounds(workers=1, tasks_per_worker=1))
    started = time.perf_counter()
    result = runner.extract(document).result()
    elapsed = time.perf_counter() - started
    runner.close()
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {
        "attack": name,
        "size": len(document),
        "status": result.status,
        "reason": (result.reason or "")[:90],
        "seconds": round(elapsed, 2),
        "worker_peak_mib": round(peak_kib / 1024),
    }


def joining_times() -> list[tuple[int, float]]:
    from extract import attachments
    from extract.limits import CellBudget

    def page(number: int) -> attachments._PageTables:
        boxes = [
            attachments._Box(72.0 + 20 * r, 92.0 + 20 * r, 50.0 + 80 * c, 130.0 + 80 * c, str(r * 6 + c))
            for r in range(30)
            for c in range(6)
        ]
        return attachments._PageTables(number, 842.0, [attachments._Table(boxes, 72.0, 672.0, 50.0, 530.0)])

    times = []
    for pages in (100, 1000, 3000):
        built = [page(number) for number in range(pages)]
        started = time.perf_counter()
        tables = attachments.join_pages(built)
        attachments._grid(tables[0], CellBudget(10**9))
        times.append((pages, time.perf_counter() - started))
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--one", help=argparse.SUPPRESS)
    parser.add_argument("--only", nargs="*", help="substrings of the attacks to run")
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one), ensure_ascii=False))
        return
    print(f"machine: {os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}")
    print("bounds: 60 s per document, 1 GiB address space per worker (extract.bounded defaults)")
    print(f"{'attack':<56} {'outcome':<44} {'time':>8} {'peak RSS':>9}")
    env = dict(
        os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    )
    for name in _attacks():
        if args.only and not any(part in name for part in args.only):
            continue
        done = subprocess.run(
            [sys.executable, __file__, "--one", name], env=env, capture_output=True, text=True, check=True
        )
        row = json.loads(done.stdout.strip().splitlines()[-1])
        outcome = row["status"] + (f": {str(row['reason']).split(':')[0]}" if row["reason"] else "")
        print(f"{name:<56} {outcome:<44} {row['seconds']:>7.2f}s {row['worker_peak_mib']:>5} MiB")
    print("joining a table continued over N pages (join_pages + grid):")
    for pages, seconds in joining_times():
        print(f"  {pages:>5} pages: {seconds:.3f} s")


if __name__ == "__main__":
    main()
