"""The ``reports`` command: crawl the platform, list and show archived reports."""

from __future__ import annotations

import dataclasses
import logging
import sys
from typing import Any

import click
from sqlalchemy.exc import SQLAlchemyError

from cli import extraction, output
from cli.display import clean, json_text
from crawler.registry import RegistryError
from storage.db import resolve_db_url
from storage.serialize import detail_json, report_json

logger = logging.getLogger("reports")

_KINDS = click.Choice(["district", "office", "department", "town"])


class ReportsGroup(click.Group):
    """Turns expected failures into one clear line on stderr instead of a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.ClickException as error:
            error.message = clean(error.message)  # it may quote crawled text
            raise
        except (RegistryError, SQLAlchemyError, OSError, LookupError, ValueError) as error:
            message = str(error).splitlines()[0] if str(error) else type(error).__name__
            raise click.ClickException(clean(message)) from error


def _db_option(function: Any) -> Any:
    return click.option(
        "--db",
        "db",
        envvar="REPORTS_DB",
        default=None,
        help="SQLAlchemy URL of the archive (default: SQLite under data/; env REPORTS_DB).",
    )(function)


def _open_archive(db: str | None, snapshot_dir: str | None = None) -> Any:
    from storage.archive import Archive

    return Archive.open(resolve_db_url(db), snapshot_dir)


@click.group(cls=ReportsGroup)
@click.option("-v", "--verbose", is_flag=True, help="Log debug detail.")
def main(verbose: bool) -> None:
    """Archive of Chongqing government information disclosure annual reports.

    \b
    Examples:
      reports crawl --replica full      # crawl the offline replica into data/
      reports list --district 长寿区 --year 2020
      reports show 1
    """
    level = logging.DEBUG if verbose else logging.INFO
    handler = logging.StreamHandler(sys.stderr)
    # On the handler: Scrapy gives its own loggers DEBUG level, which a root level would not filter.
    handler.setLevel(level)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=level, handlers=[handler])
    logging.getLogger("alembic").setLevel(logging.WARNING)


@main.command()
@click.option(
    "--sites",
    "sites_file",
    type=click.Path(exists=True, dir_okay=False),
    help="Site registry YAML to crawl (default: the shipped registry).",
)
@click.option(
    "--site", "site_codes", multiple=True, help="Only this site code (repeatable), e.g. --site cqcs."
)
@_db_option
@click.option(
    "--snapshots",
    "snapshot_dir",
    envvar="REPORTS_SNAPSHOTS",
    default=None,
    help="Folder of the snapshot store (default: data/snapshots; env REPORTS_SNAPSHOTS).",
)
@click.option(
    "--replica",
    type=click.Choice(["small", "full"]),
    default=None,
    help="Serve the offline replica of the platform in-process and crawl it (no internet needed).",
)
@click.option("--seed", type=int, default=2026, show_default=True, help="Seed of the replica.")
@click.option(
    "--no-throttle", is_flag=True, help="Turn politeness off (only for the local replica and benchmarks)."
)
@click.option(
    "-s",
    "--set",
    "overrides",
    multiple=True,
    metavar="NAME=VALUE",
    help="A Scrapy setting, e.g. -s DOWNLOAD_TIMEOUT=5.",
)
@click.option(
    "--webhook", envvar="REPORTS_WEBHOOK", help="URL POSTed the changes JSON after a run that found changes."
)
@click.option(
    "--fresh", is_flag=True, help="Start a new run even if the last one was interrupted (default: resume it)."
)
def crawl(
    sites_file: str | None,
    site_codes: tuple[str, ...],
    db: str | None,
    snapshot_dir: str | None,
    replica: str | None,
    seed: int,
    no_throttle: bool,
    overrides: tuple[str, ...],
    webhook: str | None,
    fresh: bool,
) -> None:
    """Crawl the registry's 年报 columns into the archive and print what was archived.

    Plain HTTP goes through the standard ``http_proxy`` variable when it is set.

    \b
    Examples:
      reports crawl --replica full                 # the offline demo
      reports crawl --site cqcs --site cqna        # two live sites
      reports crawl --sites my-sites.yaml --db postgresql+psycopg://localhost/reports
      reports crawl -s DOWNLOAD_TIMEOUT=10 --webhook http://localhost:9000/changes

    One crawl runs at a time per archive: a second one says so and exits with status 1. A crawl
    that was killed or stopped (Ctrl-C, SIGTERM) is resumed where it stopped (unless --fresh).

    Exit status: 0 finished, 3 finished with alerts (see `reports health`), 4 interrupted,
    5 failed (a site could not be reached, or every request failed).
    """
    from contextlib import nullcontext

    from cli.crawl_settings import crawl_overrides
    from cli.crawling import REPLICA_POLITE, CrawlRequest, replica_proxy, run_crawl
    from crawler.registry import load_registry, select_sites
    from storage.locks import CrawlLocked, crawl_lock

    registry = load_registry(sites_file)
    select_sites(registry, site_codes)  # fail fast on a bad registry or code
    db_url = resolve_db_url(db)
    request = CrawlRequest(db_url, snapshot_dir, sites_file, site_codes, throttle=not no_throttle)
    extra = {
        **(REPLICA_POLITE if replica and not no_throttle else {}),
        **crawl_overrides(overrides, webhook, fresh),
    }
    try:
        lock = crawl_lock(db_url).acquire()
    except CrawlLocked as error:
        raise click.ClickException(str(error)) from error
    with lock, replica_proxy(replica, seed) if replica else nullcontext() as served:
        if served and not site_codes:
            # The small replica serves a few units: crawl those rather than every registry site.
            codes = tuple(site.code for site in registry if site.code in served)
            request = dataclasses.replace(request, site_codes=codes)
        stats = run_crawl(request, extra)
    if stats.get("finish_reason") == "lock_lost":
        raise click.ClickException(
            "the crawl lost its archive lock and stopped (another crawl may hold it); the next crawl resumes it"
        )
    from cli.health import exit_status, print_run_outcome
    from storage.health import run_alerts

    archive = _open_archive(db_url)
    try:
        output.print_crawl_summary(archive, stats)
        run_id = stats.get("reports/run_id")
        print_run_outcome(stats, run_alerts(archive, [run_id]) if run_id is not None else [])
    finally:
        archive.close()
    status = exit_status(stats.get("reports/outcome"))
    if status:
        sys.exit(status)


@main.command(name="list")
@click.option("--district", help="District/county name, e.g. 长寿区.")
@click.option("--year", type=int, help="Reporting year.")
@click.option("--kind", type=_KINDS, help="Kind of publishing body.")
@_db_option
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list of report objects.")
def list_reports(
    district: str | None, year: int | None, kind: str | None, db: str | None, as_json: bool
) -> None:
    """List archived reports, newest first.

    \b
    Examples:
      reports list --district 长寿区 --year 2020
      reports list --kind town --json
    """
    from storage.queries import list_reports as query

    archive = _open_archive(db)
    try:
        reports = query(archive, district=district, year=year, kind=kind)
    finally:
        archive.close()
    if as_json:
        click.echo(json_text([report_json(report) for report in reports], indent=2))
    else:
        output.print_report_list(reports)


@main.command()
@click.argument("report")
@_db_option
@click.option(
    "--snapshot-dir",
    "snapshot_dir",
    envvar="REPORTS_SNAPSHOTS",
    default=None,
    help="Folder of the snapshot store (default: data/snapshots; env REPORTS_SNAPSHOTS).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def show(report: str, db: str | None, snapshot_dir: str | None, as_json: bool) -> None:
    """Show one archived report: metadata, snapshots, tables, sections, failed checks.

    REPORT is the report id (from ``reports list``) or its URL.

    \b
    Examples:
      reports show 12
      reports show http://www.cqcs.gov.cn/zwgk_164/zfxxgknb/qzfxxgknb/csq/202102/t20210203_8859904.html
    """
    from storage.comparisons import store_problems
    from storage.queries import get_report

    archive = _open_archive(db, snapshot_dir)
    try:
        detail = get_report(archive, int(report) if report.isdigit() else report)
        problems = store_problems(archive, [s.sha256 for s in detail.snapshots]) if detail else {}
    finally:
        archive.close()
    if detail is None:
        raise click.ClickException(f"no report {report!r} in the archive (see `reports list`)")
    if as_json:
        click.echo(json_text({**detail_json(detail), "store_problems": problems}, indent=2, default=str))
    else:
        output.print_report_detail(detail, problems)


@main.command()
@_db_option
def runs(db: str | None) -> None:
    """List crawl runs with their outcome, statistics and alerts (details: `reports health`).

    \b
    Example:
      reports runs
    """
    from storage.health import run_alerts
    from storage.queries import list_runs

    archive = _open_archive(db)
    try:
        alerts: dict[int, list[str]] = {}
        for alert in run_alerts(archive):
            alerts.setdefault(alert.run_id, []).append(f"{alert.kind}: {alert.message}")
        output.print_runs(list_runs(archive), alerts)
    finally:
        archive.close()


# Commands in modules of their own, registered once the group exists.
from cli.diff import diff, history
from cli.search import export, search, series

for _command in (search, diff, history, export, series):
    main.add_command(_command)


main.add_command(extraction.extract)
main.add_command(extraction.reextract)

from cli.changes import changes
from cli.coverage import coverage
from cli.health import health
from cli.schedule import schedule
from cli.verify import verify

main.add_command(health)

main.add_command(changes)
main.add_command(coverage)
main.add_command(schedule)
main.add_command(verify)

from cli.serve import serve

main.add_command(serve)

from cli.formats import datasette, import_warc

main.add_command(import_warc)
main.add_command(datasette)

if __name__ == "__main__":
    main()
