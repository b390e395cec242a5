"""``reports verify``: check the snapshot store against the database, and repair it by fetching again."""

from __future__ import annotations

import json
import logging
import tempfile
from contextlib import nullcontext
from dataclasses import asdict
from pathlib import Path

import click
from rich.table import Table

from cli.display import json_text, terminal
from cli.options import archive_options, open_archive
from storage.archive import Archive
from storage.db import resolve_db_url
from storage.verify import StoreCheck, orphans, refetch_targets, verify_store

logger = logging.getLogger(__name__)


@click.command()
@archive_options
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--repair", is_flag=True, help="Fetch the URLs of missing or corrupt snapshots again.")
@click.option("--delete-orphans", is_flag=True, help="Delete files that no snapshot of the database names.")
@click.option(
    "--sites",
    "sites_file",
    type=click.Path(exists=True, dir_okay=False),
    help="With --repair: the site registry YAML (default: the shipped registry).",
)
@click.option(
    "--replica",
    type=click.Choice(["small", "full"]),
    help="With --repair: fetch from the offline replica served in-process.",
)
@click.option("--seed", type=int, default=2026, show_default=True, help="Seed of the replica.")
@click.option("--no-throttle", is_flag=True, help="With --repair: politeness off (local replica only).")
@click.option("-s", "--set", "overrides", multiple=True, metavar="NAME=VALUE", help="A Scrapy setting.")
def verify(
    db: str | None,
    snapshot_dir: str | None,
    fmt: str,
    repair: bool,
    delete_orphans: bool,
    sites_file: str | None,
    replica: str | None,
    seed: int,
    no_throttle: bool,
    overrides: tuple[str, ...],
) -> None:
    """Check every stored snapshot against the database: missing files, corrupt files (undecodable
    gzip, or content that does not hash to its name) and orphan files. Exits 1 if problems remain.

    --repair fetches the affected URLs again through the crawler (registry, robots.txt,
    http_proxy or --replica as for `reports crawl`) and rewrites the files; a page that now serves
    other content keeps its damaged old snapshot and gets a new one (reported as unrepaired).

    \b
    Examples:
      reports verify
      reports verify --format json
      reports verify --repair --replica small
    """
    archive = open_archive(db, snapshot_dir)
    try:
        found = verify_store(archive)
        if repair and (found.of_kind("missing") or found.of_kind("corrupt")):
            _repair(archive, found, db, snapshot_dir, sites_file, replica, seed, no_throttle, overrides)
            before = {problem.sha256 for problem in found.problems}
            found = verify_store(archive)
            repaired = len(before - {problem.sha256 for problem in found.problems})
            logger.info("Repaired %d snapshot(s)", repaired)
        if delete_orphans and found.of_kind("orphan"):
            _delete_orphans(archive, found, resolve_db_url(db))
    finally:
        archive.close()
    if fmt == "json":
        click.echo(
            json_text({"checked": found.checked, "problems": [asdict(p) for p in found.problems]}, indent=2)
        )
    else:
        _print(found)
    if found.problems:
        raise SystemExit(1)


def _repair(
    archive: Archive,
    found: StoreCheck,
    db: str | None,
    snapshot_dir: str | None,
    sites_file: str | None,
    replica: str | None,
    seed: int,
    no_throttle: bool,
    overrides: tuple[str, ...],
) -> None:
    from cli.crawl_settings import crawl_overrides
    from cli.crawling import REPLICA_POLITE, CrawlRequest, replica_proxy, run_crawl
    from storage.locks import CrawlLocked, crawl_lock

    urls = list(
        dict.fromkeys(url for problem in found.problems if problem.kind != "orphan" for url in problem.urls)
    )
    targets = [asdict(target) for target in refetch_targets(archive, urls)]
    db_url = resolve_db_url(db)
    with tempfile.TemporaryDirectory(prefix="reports-verify-") as folder:
        listing = Path(folder) / "targets.json"
        listing.write_text(json.dumps(targets), encoding="utf-8")
        request = CrawlRequest(
            db_url,
            snapshot_dir,
            sites_file,
            (),
            throttle=not no_throttle,
            spider="refetch",
            spider_args=(("targets", str(listing)),),
        )
        extra = {
            **(REPLICA_POLITE if replica and not no_throttle else {}),
            **crawl_overrides(overrides, None, fresh=True),
        }
        try:
            lock = crawl_lock(db_url).acquire()
        except CrawlLocked as error:
            raise click.ClickException(str(error)) from error
        logger.info("Fetching %d URL(s) again to repair %d snapshot(s)", len(urls), len(found.problems))
        with lock, replica_proxy(replica, seed) if replica else nullcontext():
            run_crawl(request, extra)


def _delete_orphans(archive: Archive, found: StoreCheck, db_url: str) -> None:
    """Under the crawl lock: a running crawl writes a file just before the row that names it."""
    from storage.locks import CrawlLocked, crawl_lock

    try:
        lock = crawl_lock(db_url).acquire()
    except CrawlLocked as error:
        raise click.ClickException(f"orphans not deleted: {error}") from error
    with lock:
        still = orphans(archive)
        for problem in found.of_kind("orphan"):
            if problem.sha256 in still:
                archive.store.remove(problem.sha256)  # type: ignore[attr-defined]
    found.problems = [problem for problem in found.problems if problem.kind != "orphan"]


def _print(found: StoreCheck) -> None:
    console = terminal()
    if not found.problems:
        console.print(f"{found.checked} snapshot(s) checked: all intact.")
        return
    table = Table(pad_edge=False)
    for header in ("problem", "sha256", "snapshots", "url", "detail"):
        table.add_column(header, overflow="fold")
    for problem in found.problems:
        table.add_row(
            problem.kind,
            problem.sha256[:16],
            ", ".join(str(snapshot_id) for snapshot_id in problem.snapshot_ids) or "-",
            "\n".join(problem.urls) or "-",
            problem.detail,
        )
    console.print(table)
    counts = {kind: len(found.of_kind(kind)) for kind in ("missing", "corrupt", "orphan")}
    console.print(
        f"{found.checked} snapshot(s) checked: "
        + ", ".join(f"{count} {kind}" for kind, count in counts.items())
        + (
            " (reports verify --repair fetches missing and corrupt ones again)"
            if counts["missing"] + counts["corrupt"]
            else ""
        )
    )
