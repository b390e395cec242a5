"""``reports schedule``: run ``reports crawl`` on a cron expression or an interval, in the foreground.

Each crawl runs in a process of its own (Twisted's reactor cannot be restarted) and takes the
archive's crawl lock like any crawl, so a scheduled run never overlaps a manual one: if the
lock is taken the tick is logged as skipped. Stop with Ctrl-C or SIGTERM; a crawl in progress
is asked to stop and is resumed by the next run. A crawl that outlives ``--time-limit`` is asked
to stop (SIGTERM), and killed if it has not after a grace period; the next run resumes it.

The database URL and the webhook URL may hold passwords or tokens: they reach the crawl
through its environment (``REPORTS_DB``, ``REPORTS_WEBHOOK``, readable only by the same user),
never on its command line, which every user of the machine can read in ``ps``.
"""

from __future__ import annotations

import logging
import os
import re
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import click
import yaml

from cli.health import EXIT_STATUSES

logger = logging.getLogger("reports.schedule")

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$")
_UNIT_SECONDS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}
# Seconds a crawl has to stop after SIGTERM (at its time limit) before it is killed.
STOP_GRACE_SECONDS = 60.0
# Options that may carry secrets: given to the crawl in its environment, not its arguments.
SECRET_OPTIONS = {"db": "REPORTS_DB", "webhook": "REPORTS_WEBHOOK"}


def parse_duration(text: str) -> float:
    """Seconds of ``90``, ``90s``, ``15m``, ``6h`` or ``1d``."""
    match = _DURATION.match(text)
    if not match or float(match.group(1)) <= 0:
        raise click.BadParameter(f"expected a duration like 90s, 15m, 6h or 1d, got {text!r}")
    return float(match.group(1)) * _UNIT_SECONDS[match.group(2)]


@dataclass
class Schedule:
    """When to crawl (a cron expression or an interval) and the ``reports crawl`` arguments."""

    cron: str | None = None
    every: float | None = None
    crawl_args: list[str] = field(default_factory=list)
    crawl_env: dict[str, str] = field(default_factory=dict)
    time_limit: float | None = None

    def __post_init__(self) -> None:
        if (self.cron is None) == (self.every is None):
            raise click.UsageError("give exactly one of --cron and --every (or cron:/every: in the config)")
        if self.cron is not None:
            from croniter import croniter

            if not croniter.is_valid(self.cron):
                raise click.BadParameter(f"not a cron expression: {self.cron!r}")

    def next_after(self, moment: datetime) -> datetime:
        """The next start strictly after ``moment`` (local time, as cron has it)."""
        if self.every is not None:
            return moment + timedelta(seconds=self.every)
        from croniter import croniter

        result: datetime = croniter(self.cron, moment).get_next(datetime)
        return result


def load_config(path: str) -> dict[str, Any]:
    """A schedule file: ``cron`` or ``every``, and crawl options (see ``reports schedule --help``)."""
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise click.BadParameter(f"{path}: expected a mapping of options")
    unknown = set(data) - {
        "cron",
        "every",
        "site",
        "sites",
        "db",
        "snapshots",
        "webhook",
        "settings",
        "no_throttle",
        "time_limit",
    }
    if unknown:
        raise click.BadParameter(f"{path}: unknown keys {sorted(unknown)}")
    return data


def crawl_arguments(options: dict[str, Any]) -> list[str]:
    """``reports crawl`` arguments from schedule options (config file keys or command-line values)."""
    args: list[str] = []
    sites = options.get("site") or []
    for code in [sites] if isinstance(sites, str) else sites:
        args.append(f"--site={code}")
    for key in ("sites", "snapshots"):
        if options.get(key):
            args.append(f"--{key}={options[key]}")
    settings = options.get("settings") or {}
    pairs = (
        [f"{name}={value}" for name, value in settings.items()] if isinstance(settings, dict) else settings
    )
    for pair in pairs:
        args += ["-s", str(pair)]
    if options.get("no_throttle"):
        args.append("--no-throttle")
    return args


def crawl_environment(options: dict[str, Any]) -> dict[str, str]:
    """The secrets among the options (database URL, webhook URL), as the crawl's environment variables."""
    return {variable: str(options[key]) for key, variable in SECRET_OPTIONS.items() if options.get(key)}


class _Stop:
    def __init__(self) -> None:
        self.requested = False
        self.child: subprocess.Popen[bytes] | None = None

    def __call__(self, signum: int, frame: Any) -> None:
        self.requested = True
        if self.child is not None and self.child.poll() is None:
            self.child.send_signal(signal.SIGTERM)


def _sleep_until(moment: datetime, stop: _Stop) -> None:
    while not stop.requested:
        left = (moment - datetime.now()).total_seconds()
        if left <= 0:
            return
        time.sleep(min(left, 1.0))


def _limit(
    child: subprocess.Popen[bytes], seconds: float, grace: float, fired: threading.Event
) -> threading.Timer:
    """A timer that stops ``child`` at its time limit: SIGTERM, then SIGKILL after ``grace``."""

    def stop() -> None:
        if child.poll() is not None:
            return
        fired.set()
        logger.warning("Crawl reached its time limit of %.0fs: asking it to stop", seconds)
        child.send_signal(signal.SIGTERM)
        try:
            child.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            logger.error("Crawl did not stop within %.0fs: killing it", grace)
            child.kill()

    timer = threading.Timer(seconds, stop)
    timer.daemon = True
    timer.start()
    return timer


def run_once(
    crawl_args: list[str],
    stop: _Stop,
    crawl_env: dict[str, str] | None = None,
    time_limit: float | None = None,
    grace: float = STOP_GRACE_SECONDS,
) -> int:
    """One ``reports crawl`` in a child process; returns its exit status."""
    command = [sys.executable, "-m", "cli.main", "crawl", *crawl_args]
    started = time.monotonic()
    logger.info("Crawl starting: reports crawl %s", " ".join(crawl_args))
    environment = {**os.environ, **(crawl_env or {})}
    child = stop.child = subprocess.Popen(command, stderr=subprocess.PIPE, env=environment)
    limited = threading.Event()
    timer = _limit(child, time_limit, grace, limited) if time_limit else None
    assert child.stderr is not None
    message: list[str] = []
    for raw in child.stderr:  # the crawl's log goes on to ours; its last line tells why it failed
        sys.stderr.buffer.write(raw)
        line = raw.decode("utf-8", errors="replace").strip()
        if line:
            message = [line]
    status = child.wait()
    if timer is not None:
        timer.cancel()
    stop.child = None
    seconds = time.monotonic() - started
    if limited.is_set():
        logger.error(
            "Crawl stopped at its time limit after %.1fs (exit status %d); the next run resumes it",
            seconds,
            status,
        )
    elif status == 0:
        logger.info("Crawl finished in %.1fs", seconds)
    elif status == EXIT_STATUSES["finished with alerts"]:
        logger.warning("Crawl finished with alerts in %.1fs (see `reports health`)", seconds)
    elif status == EXIT_STATUSES["interrupted"]:
        logger.warning("Crawl interrupted after %.1fs; the next run resumes it", seconds)
    elif message and "another crawl is running" in message[-1]:
        logger.warning("Crawl skipped: %s", message[-1])
    else:
        logger.error("Crawl failed (exit status %d) after %.1fs: %s", status, seconds, " ".join(message))
    return status


def run_schedule(schedule: Schedule, *, now_first: bool, max_runs: int | None) -> int:
    """Crawl on the schedule until stopped (or ``max_runs`` crawls); returns how many ran."""
    stop = _Stop()
    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    runs = 0
    try:
        moment = datetime.now() if now_first else schedule.next_after(datetime.now())
        while not stop.requested and (max_runs is None or runs < max_runs):
            logger.info("Next crawl at %s", moment.isoformat(timespec="seconds"))
            _sleep_until(moment, stop)
            if stop.requested:
                break
            run_once(schedule.crawl_args, stop, schedule.crawl_env, schedule.time_limit)
            runs += 1
            # Cron: the next tick after now (ticks missed during a long crawl are skipped).
            # Interval: one interval after the last start, or right away if the crawl overran it.
            if schedule.cron:
                moment = schedule.next_after(datetime.now())
            else:
                moment = max(schedule.next_after(moment), datetime.now())
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    logger.info("Schedule stopped after %d crawl(s)", runs)
    return runs


@click.command()
@click.option("--cron", help='Cron expression (local time), e.g. "0 3 * * *" for 03:00 every day.')
@click.option("--every", help="Interval between crawl starts, e.g. 6h, 30m, 1d.")
@click.option(
    "--config",
    "config_file",
    type=click.Path(exists=True, dir_okay=False),
    help="YAML file with cron/every and crawl options (site, sites, db, snapshots, webhook, time_limit, settings).",
)
@click.option("--now", "now_first", is_flag=True, help="Crawl once right away, then follow the schedule.")
@click.option("--max-runs", type=int, help="Stop after this many crawls.")
@click.option(
    "--time-limit",
    help="Stop a crawl that runs longer than this (e.g. 2h); the next run resumes it. Default: none.",
)
@click.option("--site", "site_codes", multiple=True, help="Only this site code (repeatable).")
@click.option(
    "--sites", "sites_file", type=click.Path(exists=True, dir_okay=False), help="Site registry YAML."
)
@click.option("--db", envvar="REPORTS_DB", help="SQLAlchemy URL of the archive (env REPORTS_DB).")
@click.option("--snapshots", "snapshot_dir", envvar="REPORTS_SNAPSHOTS", help="Snapshot folder.")
@click.option(
    "--webhook", envvar="REPORTS_WEBHOOK", help="URL POSTed the changes JSON after runs with changes."
)
@click.option("-s", "--set", "overrides", multiple=True, metavar="NAME=VALUE", help="A Scrapy setting.")
@click.option("--no-throttle", is_flag=True, help="Politeness off (local replica only).")
def schedule(
    cron: str | None,
    every: str | None,
    config_file: str | None,
    now_first: bool,
    max_runs: int | None,
    time_limit: str | None,
    site_codes: tuple[str, ...],
    sites_file: str | None,
    db: str | None,
    snapshot_dir: str | None,
    webhook: str | None,
    overrides: tuple[str, ...],
    no_throttle: bool,
) -> None:
    """Crawl on a schedule, in the foreground, logging each run (stop with Ctrl-C).

    Runs never overlap: each crawl takes the archive's lock, and a tick that finds another
    crawl running is logged as skipped. Command-line options override the config file.

    \b
    Examples:
      reports schedule --cron "0 3 * * *"
      reports schedule --every 6h --now --site cqcs --webhook http://localhost:9000/changes
      reports schedule --cron "0 3 * * *" --time-limit 3h
      reports schedule --config schedule.yaml

    \b
    schedule.yaml:
      cron: "30 2 * * 1"        # or every: 12h
      site: [cqcs, cqyz]
      webhook: http://localhost:9000/changes
      time_limit: 3h            # a longer crawl is stopped (and resumed next time)
      settings: {DOWNLOAD_TIMEOUT: 20}

    The database and webhook URLs reach each crawl in its environment, not its command line.
    """
    options: dict[str, Any] = load_config(config_file) if config_file else {}
    given = {
        "site": list(site_codes) or None,
        "sites": sites_file,
        "db": db,
        "snapshots": snapshot_dir,
        "webhook": webhook,
        "no_throttle": no_throttle or None,
        "time_limit": time_limit,
    }
    options.update({key: value for key, value in given.items() if value})
    if overrides:
        settings = dict(options.get("settings") or {})
        settings.update(pair.split("=", 1) for pair in overrides if "=" in pair)
        options["settings"] = settings
    cron = cron or (None if every else options.get("cron"))
    every = every or (None if cron else options.get("every"))
    plan = Schedule(
        cron=cron,
        every=parse_duration(str(every)) if every is not None else None,
        crawl_args=crawl_arguments(options),
        crawl_env=crawl_environment(options),
        time_limit=parse_duration(str(options["time_limit"])) if options.get("time_limit") else None,
    )
    run_schedule(plan, now_first=now_first, max_runs=max_runs)
