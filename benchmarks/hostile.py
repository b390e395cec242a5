"""Benchmark: each attack of the hostile sites (replica/hostile.py) crawled alone, and the browser unit.

For each attack prints the outcome (page errors by kind, hosts the proxy was asked for), the
wall time of the crawl and the peak RSS of the crawl process, on this machine. Usage:
    python benchmarks/hostile.py [ATTACK ...]
"""

from __future__ import annotations

import argparse
import logging
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

logger = logging.getLogger("benchmarks.hostile")

ROOT = Path(__file__).resolve().parent.parent
# Runs its command as its only child and reports that child's peak RSS (KiB on Linux).
_PEAK_WRAPPER = (
    "import resource, subprocess, sys\n"
    "code = subprocess.run(sys.argv[1:]).returncode\n"
    "print(f'PEAK_RSS_KIB={resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}', file=sys.stderr)\n"
    "sys.exit(code)\n"
)
FAST = ["--no-throttle", "-s", "RETRY_BACKOFF_BASE=0.01", "-s", "REPORTS_CHECKPOINT_INTERVAL=0.5"]


@dataclass(frozen=True)
class Measured:
    returncode: int
    seconds: float
    peak_rss_mib: float
    stderr: str


def measured_run(command: list[str], env: dict[str, str], timeout: float = 600) -> Measured:
    """Run ``command`` in a fresh process; its wall time and the peak RSS of its largest process."""
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", _PEAK_WRAPPER, *command],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    seconds = time.perf_counter() - started
    lines = result.stderr.rstrip().splitlines()
    peak = (
        int(lines[-1].removeprefix("PEAK_RSS_KIB=")) if lines and lines[-1].startswith("PEAK_RSS_KIB=") else 0
    )
    return Measured(result.returncode, seconds, peak / 1024, "\n".join(lines[:-1]))


def crawl_command(sites_file: Path, db_url: str, snapshots: Path, *extra: str) -> list[str]:
    return [
        sys.executable, "-m", "cli.main", "crawl", "--sites", str(sites_file), "--db", db_url,
        "--snapshots", str(snapshots), *FAST, *extra,
    ]  # fmt: skip


def crawl_env(proxy_url: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key.lower() != "no_proxy"}
    env.update(http_proxy=proxy_url, HTTP_PROXY=proxy_url, REPORTS_ALLOW_PRIVATE="127.0.0.1")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


def measure_attack(attack: str, world: Any) -> dict[str, Any]:
    from replica.hostile import BROWSER_HOST, HOST, HostileSites, registry, single_attack_registry
    from replica.server import ReplicaServer
    from storage.archive import Archive
    from storage.queries import list_runs, page_errors

    with tempfile.TemporaryDirectory(prefix="bench-hostile-") as folder, ReplicaServer(world) as server:
        server.fault = HostileSites()
        sites = Path(folder) / "sites.yaml"
        entries = registry()[1:] if attack == "browser" else single_attack_registry(attack)
        sites.write_text(yaml.safe_dump(entries, allow_unicode=True), encoding="utf-8")
        db_url = f"sqlite:///{folder}/archive.sqlite3"
        command = crawl_command(
            sites, db_url, Path(folder) / "snapshots", "-s", "REPORTS_MAX_LISTING_PAGES=20"
        )
        measured = measured_run(command, crawl_env(server.proxy_url))
        if measured.returncode != 0:
            raise RuntimeError(measured.stderr[-3000:])
        with Archive.open(db_url, Path(folder) / "snapshots") as archive:
            errors = Counter(error.kind for error in page_errors(archive))
            runs = list_runs(archive)
        blocked = runs[0].stats.get("reports/errors/browser_blocked") if runs else None
        if blocked:
            errors["browser_blocked"] = blocked
        own = BROWSER_HOST if attack == "browser" else HOST
        foreign = sorted({netloc.removesuffix(":80") for netloc in server.hosts_reached()} - {own})
    return {"attack": attack, "errors": dict(errors), "foreign": foreign, "measured": measured}


def main() -> None:
    from replica.hostile import ATTACKS
    from replica.world import build_world

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("attacks", nargs="*", default=[*ATTACKS, "browser"])
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    world = build_world("small", seed=2026)
    print(
        f"machine: {platform.node()} {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    )
    print(f"{'attack':<20} {'page errors':<28} {'foreign hosts':<14} {'time s':>7} {'peak MiB':>9}")
    for attack in args.attacks:
        result = measure_attack(attack, world)
        measured = result["measured"]
        errors = ", ".join(f"{kind} {count}" for kind, count in sorted(result["errors"].items())) or "-"
        foreign = ", ".join(result["foreign"]) or "none"
        print(
            f"{attack:<20} {errors:<28} {foreign:<14} {measured.seconds:>7.1f} {measured.peak_rss_mib:>9.0f}"
        )


if __name__ == "__main__":
    main()
