"""The archive in web-archive formats: ``reports export --format warc|wacz`` and ``reports import-warc``."""

from __future__ import annotations

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
