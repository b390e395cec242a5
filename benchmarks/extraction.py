"""Reports per second of ``extract_report`` next to ``pandas.read_html`` on the same pages.

Pages: the real HTML report fixtures (tests/extract/files) plus every report
page of the replica's small world when the replica package is available.
``extract_report`` gets the raw bytes (decoding, tables, canonical mapping,
sections, checks); ``pandas.read_html`` gets the already decoded text and only
parses the tables into DataFrames.

    .venv/bin/python benchmarks/extraction.py [--rounds 3]
"""

from __future__ import annotations

import argparse
import io
import logging
import os
import platform
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import lxml

from extract.report import EXTRACTOR_VERSION, extract_report

log = logging.getLogger("benchmarks.extraction")

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "extract" / "files"


def real_pages() -> list[bytes]:
    return [path.read_bytes() for path in sorted(FIXTURES.glob("*/*.html"))]


def replica_pages() -> list[bytes]:
    try:
        from replica.world import build_world
    except ImportError:
        log.warning("replica package not available: real fixtures only")
        return []
    world = build_world("small", seed=2026)
    return [world.page(entry["url"]) for entry in world.reports]


def _rate(name: str, pages: list[bytes], work: Callable[[bytes], object], rounds: int) -> float:
    best = float("inf")
    for round_number in range(rounds):
        started = time.perf_counter()
        for page in pages:
            work(page)
        elapsed = time.perf_counter() - started
        log.info("%s round %d: %.3fs", name, round_number + 1, elapsed)
        best = min(best, elapsed)
    return len(pages) / best


def _pandas_tables(pandas_module: object) -> Callable[[bytes], object]:
    read_html = pandas_module.read_html  # type: ignore[attr-defined]

    def parse(page: bytes) -> object:
        try:
            return read_html(io.StringIO(page.decode("utf-8", "replace")), flavor="lxml")
        except ValueError:  # "No tables found"
            return []

    return parse


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(message)s")

    sets = {"real HTML fixtures": real_pages(), "replica small world": replica_pages()}
    sets["all"] = sets["real HTML fixtures"] + sets["replica small world"]
    try:
        import pandas
    except ImportError:
        pandas = None
        log.warning("pandas not installed: no comparison")

    print(
        f"machine: {os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}, "
        f"lxml {lxml.__version__}" + (f", pandas {pandas.__version__}" if pandas else "")
    )
    print(f"extractor {EXTRACTOR_VERSION}, best of {args.rounds} rounds, single process")
    for name, pages in sets.items():
        if not pages:
            continue
        size = sum(len(page) for page in pages) / len(pages) / 1024
        ours = _rate(f"extract_report [{name}]", pages, extract_report, args.rounds)
        line = f"{name}: {len(pages)} pages, {size:.0f} KiB avg | extract_report {ours:,.0f} reports/s"
        if pandas is not None:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                theirs = _rate(f"pandas.read_html [{name}]", pages, _pandas_tables(pandas), args.rounds)
            line += f" | pandas.read_html {theirs:,.0f} pages/s | ratio {ours / theirs:.1f}x"
        print(line)
    _bounded_rate(sets["all"], args.rounds)


def _bounded_rate(pages: list[bytes], rounds: int) -> None:
    """The same pages through the crawl's bounded workers (extract.bounded), all submitted at once."""
    from extract.bounded import Bounds, ExtractionRunner

    with ExtractionRunner(Bounds()) as runner:
        runner.extract(pages[0]).result()  # the workers are started
        best = float("inf")
        for _ in range(rounds):
            started = time.perf_counter()
            for future in [runner.extract(page) for page in pages]:
                future.result()
            best = min(best, time.perf_counter() - started)
        workers = runner.bounds.workers
    print(f"all, through {workers} bounded worker processes: {len(pages) / best:,.0f} reports/s")


if __name__ == "__main__":
    main()
