"""``reports changes``: what crawls found new, revised, withdrawn or restored."""

from __future__ import annotations

from datetime import datetime

import click
from rich.table import Table

from cli.display import json_text, terminal
from cli.options import archive_options, open_archive


@click.command()
@click.option(
    "--since",
    type=click.DateTime(formats=["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S"]),
    help="Changes from this date (UTC) on, of every run.",
)
@click.option("--run", "run_id", type=int, help="Changes found by this run (and the runs it resumed).")
@click.option("--json", "as_json", is_flag=True, help="Print the JSON document the webhook receives.")
@archive_options
def changes(
    since: datetime | None, run_id: int | None, as_json: bool, db: str | None, snapshot_dir: str | None
) -> None:
    """List reports that crawls found new, revised, withdrawn or restored.

    Without --since or --run: the changes of the latest run.

    \b
    Examples:
      reports changes
      reports changes --run 12 --json
      reports changes --since 2026-01-01
    """
    from storage.changes import changes_json, latest_run_id, list_changes
    from storage.frontier import run_chain

    if since is not None and run_id is not None:
        raise click.UsageError("give --since or --run, not both")
    archive = open_archive(db, snapshot_dir)
    try:
        if since is None and run_id is None:
            run_id = latest_run_id(archive)
        if since is not None:
            found = list_changes(archive, since=since)
        elif run_id is None:
            found = []
        else:
            found = list_changes(archive, run_ids=run_chain(archive, run_id))
    finally:
        archive.close()
    document = changes_json(found, run_id=run_id if since is None else None, since=since)
    if as_json:
        click.echo(json_text(document, indent=2))
        return
    console = terminal()
    if not found:
        console.print("No changes." if run_id is not None or since is not None else "No crawl runs yet.")
        return
    table = Table()
    for header in ("change", "when", "run", "district", "agency", "year", "url"):
        table.add_column(header, overflow="fold")
    for entry in document["changes"]:
        table.add_row(
            entry["change"],
            entry["changed_at"][:19],
            str(entry["run"] or "-"),
            entry["district"],
            entry["agency"],
            str(entry["year"]),
            entry["url"],
        )
    console.print(table)
    console.print(", ".join(f"{count} {kind}" for kind, count in document["counts"].items()))
