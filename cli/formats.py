"""The archive where other tools read it: ``reports export --format warc|wacz``, ``reports import-warc``
and ``reports datasette``."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

import click

from cli.options import archive_options, open_archive
from storage.archive import Archive
from storage.filters import ReportFilter


def export_web_archive(archive: Archive, wanted: ReportFilter, fmt: str, output_file: str) -> None:
    """Write the chosen reports' fetches as a WARC file, or as a WACZ package of one."""
    from storage.wacz import write_wacz
    from storage.warc import write_warc

    target = Path(output_file)
    if fmt == "warc":
        with target.open("wb") as stream:
            summary = write_warc(archive, stream, wanted, filename=target.name)
    else:
        with tempfile.TemporaryDirectory() as folder:
            warc = Path(folder) / (target.stem + ".warc.gz")
            with warc.open("wb") as stream:
                summary = write_warc(archive, stream, wanted, filename=warc.name)
            write_wacz(
                warc,
                target,
                summary.pages,
                title="政府信息公开工作年度报告 / Government information disclosure annual reports",
                description=f"{len(summary.pages)} report page(s) archived from the Chongqing platform",
            )
    records = ", ".join(f"{count} {kind}" for kind, count in sorted(summary.records.items()))
    click.echo(f"wrote {target}: {records}; {len(summary.pages)} report page(s)")
    if summary.no_answer:
        click.echo(f"{summary.no_answer} fetch(es) that got no answer have no record", err=True)


@click.command(name="import-warc")
@click.argument("warc_file", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--sites",
    "sites_file",
    type=click.Path(exists=True, dir_okay=False),
    help="Site registry YAML whose hosts the WARC's pages belong to (default: the shipped one).",
)
@archive_options
def import_warc(warc_file: str, sites_file: str | None, db: str | None, snapshot_dir: str | None) -> None:
    """Read a WARC file (ours or another crawler's) into the archive as if it had been crawled:
    fetches, snapshots, reports and their extraction, as one run.

    \b
    Examples:
      reports import-warc reports.warc.gz
      reports import-warc old-crawl.warc.gz --db sqlite:///data/other.sqlite3
    """
    from crawler.registry import load_registry
    from crawler.warc_import import import_warc as run_import

    archive = open_archive(db, snapshot_dir)
    try:
        summary = run_import(archive, warc_file, load_registry(sites_file))
    finally:
        archive.close()
    counts = summary.counts
    click.echo(
        f"Run {summary.run_id}: {counts['fetches']} fetches, {counts['snapshots_new']} new snapshots, "
        f"{counts['reports_new']} new reports, {counts['reports_revised']} revised, "
        f"{counts['withdrawn']} withdrawn; {counts['foreign']} record(s) of hosts outside the registry."
    )
    if counts["revisits_unresolved"]:
        raise click.ClickException(
            f"{counts['revisits_unresolved']} revisit record(s) refer to responses not in the file"
        )


@click.command()
@click.option(
    "--db", "db", envvar="REPORTS_DB", default=None, help="SQLite URL of the archive (env REPORTS_DB)."
)
@click.option(
    "--metadata",
    "metadata_file",
    type=click.Path(dir_okay=False),
    help="Where to write Datasette's metadata (default: beside the database, NAME.datasette.json).",
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address Datasette listens on.")
@click.option("--port", type=int, default=8001, show_default=True, help="Port Datasette listens on.")
@click.option(
    "--no-serve", is_flag=True, help="Create the views and write the metadata, then print its path."
)
def datasette(db: str | None, metadata_file: str | None, host: str, port: int, no_serve: bool) -> None:
    """Open the archive in Datasette: titled tables (中文/English), labelled foreign keys, views
    (report_overview, values_v2019, values_v2021, failed_checks) with facets by district, year and
    kind, and a search query that finds 2-character words.

    \b
    Examples:
      reports datasette                     # serves http://127.0.0.1:8001/
      reports datasette --no-serve          # prints the metadata file: datasette DB -m FILE
    """
    from sqlalchemy.engine import make_url

    from storage.archive import Archive
    from storage.datasette import create_views
    from storage.datasette_metadata import metadata
    from storage.db import resolve_db_url

    url = make_url(resolve_db_url(db))
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        raise click.UsageError("Datasette reads a SQLite archive file; give --db sqlite:///PATH")
    database = Path(url.database)
    with Archive.open(str(url)) as archive, archive.engine.begin() as connection:
        create_views(connection)
    target = Path(metadata_file) if metadata_file else database.with_suffix(".datasette.json")
    target.write_text(json.dumps(metadata(database.stem), ensure_ascii=False, indent=2), encoding="utf-8")
    command = [sys.executable, "-m", "datasette", "serve", str(database), "--metadata", str(target)]
    if no_serve:
        click.echo(str(target))
        return
    click.echo(f"Datasette on http://{host}:{port}/ ({database}, metadata {target})")
    subprocess.run([*command, "--host", host, "--port", str(port)], check=True)
