"""``reports health``: how the last run (or any run) went, per site, against the run before.

Also the crawl's exit statuses, one per run outcome, for cron and systemd.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import click
from rich.table import Table

from cli.display import terminal
from cli.options import archive_options, open_archive

# `reports crawl` (and `reports health`) exit with the status of the run's outcome; 1 means the
# crawl could not start (another crawl holds the lock, a bad registry), 2 a usage error.
EXIT_STATUSES = {"finished": 0, "finished with alerts": 3, "interrupted": 4, "failed": 5}


def exit_status(outcome: str | None) -> int:
    """The exit status of a run's outcome; a run that never recorded one counts as failed."""
    return EXIT_STATUSES.get(outcome or "failed", EXIT_STATUSES["failed"])


def print_run_outcome(stats: dict[str, Any], alerts: list[Any]) -> None:
    """The end of `reports crawl`: the run, its outcome, whether it resumed, its alerts."""
    console = terminal()
    run_id = stats.get("reports/run_id")
    outcome = stats.get("reports/outcome", "failed")
    resumed = stats.get("reports/resumed_from")
    line = f"Run {run_id}: {outcome}" if run_id is not None else "The crawl did not start a run: failed"
    if resumed:
        line += f" (resumed interrupted run {resumed})"
    console.print(line)
    for alert in alerts:
        console.print(f"  alert {alert.kind}: {alert.message}", overflow="ignore", crop=False)


def _figure(current: dict[str, Any], previous: dict[str, Any] | None, name: str) -> str:
    value = current.get(name, 0)
    if previous is None or previous.get(name, 0) == value:
        return str(value)
    return f"{value} (was {previous.get(name, 0)})"


@click.command()
@click.option("--run", "run_id", type=int, help="This run (default: the latest run that ended).")
@click.option("--site", help="Only this site code.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@archive_options
def health(run_id: int | None, site: str | None, fmt: str, db: str | None, snapshot_dir: str | None) -> None:
    """Show a run's health per site: listing pages read, article links, reports, extraction
    failures, year gaps, against the site's previous run; and the run's alerts.

    Exits with the status of the run's outcome (0 finished, 3 finished with alerts, 4
    interrupted, 5 failed), so a monitor can call it.

    \b
    Examples:
      reports health
      reports health --run 12 --site cqcs
      reports health --format json
    """
    from storage.health import health_report, latest_complete_run

    archive = open_archive(db, snapshot_dir)
    try:
        if run_id is None:
            run_id = latest_complete_run(archive)
        if run_id is None:
            raise click.ClickException("no crawl run has ended yet (see `reports runs`)")
        report = health_report(archive, run_id, site)
    finally:
        archive.close()
    if fmt == "json":
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        _print_health(report)
    raise SystemExit(exit_status(report["outcome"]))


def _print_health(report: dict[str, Any]) -> None:
    console = terminal(None if sys.stdout.isatty() else 110)
    resumed = f", resumed run {report['resumed_from']}" if report["resumed_from"] else ""
    console.print(f"Run {report['run']}: {report['outcome']}{resumed}")
    table = Table()
    headers = ("site", "listings", "empty", "articles", "reports", "failed extractions")
    for header in (*headers, "gaps", "alerts"):
        table.add_column(header, overflow="fold")
    for entry in report["sites"]:
        previous = entry["previous"]
        table.add_row(
            entry["site"],
            _figure(entry, previous, "listing_pages"),
            str(len(entry["empty_listings"])),
            _figure(entry, previous, "article_links"),
            _figure(entry, previous, "reports"),
            _figure(entry, previous, "extraction_failures"),
            str(len(entry["gaps"])),
            ", ".join(entry["alerts"]) or "-",
        )
    console.print(table)
    for alert in report["alerts"]:
        console.print(f"alert {alert['kind']}: {alert['message']}", overflow="ignore", crop=False)
        for url in alert["details"].get("urls", []):
            console.print(f"    {url}", overflow="ignore", crop=False)
    if not report["alerts"]:
        console.print("No alerts.")
