"""Benchmark: pages per minute and peak memory of crawls that need the browser.

Serves the replica's ``browser`` world and crawls, each in a fresh ``reports crawl`` process:
- ``js-units``: the two units that need Chromium (script-filled listings, the 521 challenge),
  crawled as usual (only those requests go through the browser);
- ``all-listings``: the same units with ``browser: true`` in the registry (every listing page
  through the browser), for comparison;
- ``plain``: the attachment unit, which needs no browser (Chromium is never launched).

Memory is sampled from /proc every 50 ms over the crawl process and all its descendants
(Playwright's driver and Chromium's processes): peak RSS summed, and peak PSS summed (shared
pages counted once, the fairer figure for a multi-process browser). Usage:
    python benchmarks/browser.py [--repeat 1]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import create_engine, text

from replica.server import ReplicaServer
from replica.world import build_world

ROOT = Path(__file__).resolve().parents[1]
SITES = ROOT / "tests" / "browser" / "files" / "browser-sites.yaml"
TARGET_BROWSER_MIB = 600
MIB = 1024 * 1024


def _children_map() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    return children


def _tree(pid: int) -> list[int]:
    children = _children_map()
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


def _memory(pid: int) -> tuple[int, int]:
    """(RSS, PSS) of one process in bytes; (0, 0) if it is gone."""
    rss = pss = 0
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Rss:"):
                rss = int(line.split()[1]) * 1024
            elif line.startswith("Pss:"):
                pss = int(line.split()[1]) * 1024
    except OSError:
        return 0, 0
    return rss, pss


@dataclass
class Peaks:
    total_rss: int = 0
    total_pss: int = 0
    browser_rss: int = 0
    browser_pss: int = 0
    scrapy_rss: int = 0
    processes: int = 0
    samples: int = 0
    browser_pids: set[int] = field(default_factory=set)


def _sample(root: int, peaks: Peaks, done: threading.Event) -> None:
    while not done.is_set():
        pids = _tree(root)
        total_rss = total_pss = browser_rss = browser_pss = 0
        for pid in pids:
            rss, pss = _memory(pid)
            total_rss, total_pss = total_rss + rss, total_pss + pss
            if pid == root:
                peaks.scrapy_rss = max(peaks.scrapy_rss, rss)
            else:
                browser_rss, browser_pss = browser_rss + rss, browser_pss + pss
                peaks.browser_pids.add(pid)
        peaks.total_rss = max(peaks.total_rss, total_rss)
        peaks.total_pss = max(peaks.total_pss, total_pss)
        peaks.browser_rss = max(peaks.browser_rss, browser_rss)
        peaks.browser_pss = max(peaks.browser_pss, browser_pss)
        peaks.processes = max(peaks.processes, len(pids))
        peaks.samples += 1
        done.wait(0.05)


def _registry(codes: list[str], flag: bool, folder: Path) -> Path:
    sites = [site for site in yaml.safe_load(SITES.read_text(encoding="utf-8")) if site["code"] in codes]
    for site in sites:
        site["browser"] = flag
    path = folder / "sites.yaml"
    path.write_text(yaml.safe_dump(sites, allow_unicode=True), encoding="utf-8")
    return path


def crawl(proxy_url: str, codes: list[str], flag: bool) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="bench-browser-") as folder:
        db_url = f"sqlite:///{folder}/archive.sqlite3"
        registry = _registry(codes, flag, Path(folder))
        env = {key: value for key, value in os.environ.items() if key.lower() != "no_proxy"}
        env.update(
            http_proxy=proxy_url, HTTP_PROXY=proxy_url, REPORTS_DB=db_url, REPORTS_ALLOW_PRIVATE="127.0.0.1"
        )
        command = [sys.executable, "-m", "cli.main", "crawl", "--sites", str(registry)]
        command += ["--snapshots", f"{folder}/snapshots", "--no-throttle"]
        started = time.perf_counter()
        process = subprocess.Popen(
            command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        peaks, done = Peaks(), threading.Event()
        sampler = threading.Thread(target=_sample, args=(process.pid, peaks, done), daemon=True)
        sampler.start()
        _, stderr = process.communicate(timeout=900)
        wall = time.perf_counter() - started
        done.set()
        sampler.join()
        if process.returncode != 0:
            raise RuntimeError(stderr.decode(errors="replace")[-3000:])
        engine = create_engine(db_url)
        with engine.connect() as connection:
            raw = connection.execute(
                text("SELECT stats FROM crawl_runs ORDER BY id DESC LIMIT 1")
            ).scalar_one()
        engine.dispose()
    stats = json.loads(raw) if isinstance(raw, str) else raw
    pages = int(stats.get("response_received_count", 0))
    elapsed = float(stats.get("elapsed_time_seconds", wall))
    return {
        "pages": pages,
        "browser_requests": int(stats.get("browser/requests", 0)),
        "browser_network_requests": int(stats.get("playwright/request_count", 0)),
        "crawl_seconds": round(elapsed, 2),
        "process_seconds": round(wall, 2),
        "pages_per_minute": round(pages / elapsed * 60, 1) if elapsed else 0.0,
        "peak_total_rss_mib": round(peaks.total_rss / MIB, 1),
        "peak_total_pss_mib": round(peaks.total_pss / MIB, 1),
        "peak_scrapy_rss_mib": round(peaks.scrapy_rss / MIB, 1),
        "peak_browser_rss_mib": round(peaks.browser_rss / MIB, 1),
        "peak_browser_pss_mib": round(peaks.browser_pss / MIB, 1),
        "peak_processes": peaks.processes,
    }


def machine() -> str:
    memory = next(
        (
            line.split()[1]
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        ),
        "0",
    )
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    return (
        f"{platform.node()}: {os.cpu_count()} CPUs ({model}), {int(memory) // 1024} MiB RAM, "
        f"Python {platform.python_version()}, {platform.platform()}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1, help="Crawls per configuration (the best is kept).")
    args = parser.parse_args()
    runs = {
        "js-units": (["cqfzggw", "cqzfwb"], False),
        "all-listings": (["cqfzggw", "cqzfwb"], True),
        "plain": (["cqjw"], False),
    }
    world = build_world("browser", seed=2026)
    print(machine())
    print(
        f"Chromium: {os.environ.get('REPORTS_CHROMIUM') or '(auto: Playwright-managed, else /usr/bin/chromium)'}"
    )
    with ReplicaServer(world) as server:
        for label, (codes, flag) in runs.items():
            results = [crawl(server.proxy_url, codes, flag) for _ in range(args.repeat)]
            best = max(results, key=lambda result: result["pages_per_minute"])
            best["peak_browser_pss_mib_worst"] = max(result["peak_browser_pss_mib"] for result in results)
            verdict = "ok" if best["peak_browser_pss_mib_worst"] < TARGET_BROWSER_MIB else "OVER TARGET"
            print(f"{label:13s} {json.dumps(best)}  browser < {TARGET_BROWSER_MIB} MiB: {verdict}")


if __name__ == "__main__":
    main()
