"""Fixtures of the WARC/WACZ/Datasette tests: one unit of the replica crawled twice while it changed,
and pywb in a virtual environment of its own."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from replica.faults import Faults, GonePages
from replica.server import ReplicaServer
from replica.world import build_world
from tests.incremental.helpers import Target, crawl, reports_env

SENTENCE = "本报告于发布后作了更正。"
PYWB_VERSION = "2.10.0"


@dataclass(frozen=True)
class CrawledUnit:
    """長寿区 crawled twice: between the crawls one report was revised and one answers 404."""

    target: Target
    revised: str
    gone: str


FILE_SITES = Path(__file__).resolve().parents[1] / "browser" / "files" / "browser-sites.yaml"


@pytest.fixture(scope="session")
def crawled_files(tmp_path_factory: pytest.TempPathFactory) -> Target:
    """市教委 of the replica's browser world: plain listings, most reports published as PDF/DOCX files."""
    folder = tmp_path_factory.mktemp("formats-files")
    target = Target(f"sqlite:///{folder / 'archive.sqlite3'}", folder / "snapshots")
    with ReplicaServer(build_world("browser", seed=2026)) as server:
        crawl(server.proxy_url, target, "--sites", str(FILE_SITES), site="cqjw")
    return target


@pytest.fixture(scope="session")
def crawled_unit(tmp_path_factory: pytest.TempPathFactory) -> CrawledUnit:
    folder = tmp_path_factory.mktemp("formats")
    target = Target(f"sqlite:///{folder / 'archive.sqlite3'}", folder / "snapshots")
    world = build_world("small", seed=2026)
    urls = sorted(entry["url"] for entry in world.reports if entry["unit_code"] == "cqcs")
    revised, gone = urls[1], urls[5]
    with ReplicaServer(world) as server:
        crawl(server.proxy_url, target)
        world.revise(revised, SENTENCE)
        server.fault = Faults(world, [GonePages(urls=(gone,))])
        # The report gone is the run's alerts (reports_dropped, year_gap): exit status 3.
        crawl(server.proxy_url, target, expect=3)
    return CrawledUnit(target, revised, gone)


def pywb_venv_dir() -> Path:
    """Where pywb's own virtual environment is kept between sessions (``$REPORTS_PYWB_VENV``)."""
    explicit = os.environ.get("REPORTS_PYWB_VENV")
    if explicit:
        return Path(explicit)
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "cq-reports" / f"pywb-{PYWB_VERSION}"


@pytest.fixture(scope="session")
def pywb_bin() -> Path:
    """The bin/ folder of a virtual environment with pywb (it pins redis 2.10.6, so not ours)."""
    venv = pywb_venv_dir()
    bin_dir = venv / "bin"
    if not (bin_dir / "wayback").exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
        subprocess.run(
            [str(bin_dir / "pip"), "install", "--quiet", f"pywb=={PYWB_VERSION}"], check=True, timeout=600
        )
    return bin_dir


def run_cli(args: list[str], db_url: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "cli.main", *args],
        env={**reports_env("", db_url)},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result


@pytest.fixture(scope="session")
def exported_warc(crawled_unit, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("warc") / "cqcs.warc.gz"
    target = crawled_unit.target
    run_cli(
        ["export", "--format", "warc", "-o", str(path), "--snapshot-dir", str(target.snapshots)],
        target.db_url,
    )
    return path


def unit_report_count(code: str = "cqcs") -> int:
    """How many reports the small replica publishes for a unit (its manifest's truth)."""
    return sum(1 for entry in build_world("small", seed=2026).reports if entry["unit_code"] == code)
