"""``reports search``, ``reports export`` and ``reports series``: finding reports and their values."""

from __future__ import annotations

import csv
import dataclasses
import json
import sys
from typing import Any

import click
from rich.table import Table
from rich.text import Text

from cli.diff_render import WIDTH
from cli.display import clean, csv_row, json_text, terminal
from cli.formats import export_web_archive
from cli.options import archive_options, filter_options, open_archive, report_filter
from storage.exports import VALUE_COLUMNS, series_rows, value_rows
from storage.search import SearchHit, search_reports
from storage.serialize import hit_json, series_json, series_table

SEARCH_COLUMNS = (
    "id",
    "year",
    "district",
    "kind",
    "agency",
    "published",
    "template",
    "status",
    "failed_checks",
    "url",
)


@click.command()
@click.argument("query", required=False)
@filter_options
@click.option("--limit", type=int, default=100, show_default=True, help="At most this many hits (0: all).")
@click.option(
    "--failed-check",
    metavar="CHECK",
    help="Only reports that fail this check (narrative, requests.balance, …; any: any check).",
)
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True
)
@click.option(
    "--raw-csv",
    is_flag=True,
    help="CSV cells exactly as stored (default: text starting with = + - @ gets a leading ').",
)
@archive_options
def search(
    query: str | None,
    district: str | None,
    year: int | None,
    years: str | None,
    kind: str | None,
    agency: str | None,
    template: str | None,
    limit: int,
    failed_check: str | None,
    fmt: str,
    raw_csv: bool,
    db: str | None,
    snapshot_dir: str | None,
) -> None:
    """Find reports, newest first. QUERY: words that must all occur in the title or the text
    (substring match, so 2-character Chinese words work: 公开, 复议).

    \b
    Examples:
      reports search --district 长寿区 --year 2020
      reports search 复议 --years 2019-2024 --kind district
      reports search "依申请公开 答复" --agency 发展和改革 --format json
      reports search --failed-check narrative     # prose that contradicts its own tables
    """
    wanted = report_filter(district, year, years, kind, agency, template)
    archive = open_archive(db, snapshot_dir)
    try:
        hits = search_reports(
            archive, query, wanted, limit=limit + 1 if limit else None, failed_check=failed_check
        )
    finally:
        archive.close()
    more = bool(limit) and len(hits) > limit
    hits = hits[:limit] if limit else hits
    if fmt == "json":
        click.echo(json_text([hit_json(hit) for hit in hits], indent=2))
    elif fmt == "csv":
        _write_csv([hit_json(hit) for hit in hits], sys.stdout, raw=raw_csv)
    else:
        _print_hits(hits, more)


def _write_csv(rows: list[dict[str, Any]], stream: Any, *, raw: bool = False) -> None:
    if not rows:
        return
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(list(rows[0]))
    for row in rows:
        writer.writerow(
            csv_row(
                (json.dumps(value) if isinstance(value, list) else value for value in row.values()), raw=raw
            )
        )


def _snippet(hit: SearchHit) -> Text:
    """The snippet, cleaned piece by piece so that the highlights stay on their terms."""
    snippet, text, position = Text(), hit.snippet or "", 0
    for start, end in sorted(hit.highlights):
        if start < position:
            continue
        snippet.append(clean(text[position:start]))
        snippet.append(clean(text[start:end]), style="bold black on yellow")
        position = end
    snippet.append(clean(text[position:]))
    return snippet


def _print_hits(hits: list[SearchHit], more: bool) -> None:
    console = terminal(WIDTH)
    if not hits:
        console.print("No reports match.")
        return
    table = Table(pad_edge=False, show_lines=True)
    for header in ("id", "year", "district", "published", "status"):
        table.add_column(header, no_wrap=True)
    table.add_column("agency · snippet · url", overflow="fold")
    for hit in hits:
        report = hit.report
        status = report.status + (f"\n{report.failed_checks} failed" if report.failed_checks else "")
        cell = Text(clean(report.agency), style="bold")
        if hit.snippet:
            cell.append("\n").append_text(_snippet(hit))
        cell.append("\n" + clean(report.url), style="dim")
        published = report.published.isoformat() if report.published else "-"
        table.add_row(str(report.id), str(report.year), report.district, published, status, cell)
    console.print(table)
    suffix = " (more: raise --limit)" if more else ""
    console.print(f"{len(hits)} report(s){suffix}")


@click.command()
@filter_options
@click.option("--key", "keys", multiple=True, help="Only this canonical key (repeatable).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "jsonl", "parquet", "warc", "wacz"]),
    default="csv",
    show_default=True,
    help="warc/wacz: the reports' fetches as a web archive (see cli.formats); --key does not apply.",
)
@click.option(
    "-o", "--output", "output_file", type=click.Path(dir_okay=False), help="File (default: stdout)."
)
@click.option(
    "--raw-csv",
    is_flag=True,
    help="CSV cells exactly as stored (default: text starting with = + - @ gets a leading ').",
)
@archive_options
def export(
    district: str | None,
    year: int | None,
    years: str | None,
    kind: str | None,
    agency: str | None,
    template: str | None,
    keys: tuple[str, ...],
    fmt: str,
    output_file: str | None,
    raw_csv: bool,
    db: str | None,
    snapshot_dir: str | None,
) -> None:
    """Export canonical values, one row per report and key: agency, district, kind, year, template,
    key, value, raw text, URL and snapshot hash.

    \b
    Examples:
      reports export --years 2019-2024 --kind district -o values.csv
      reports export --district 长寿区 --format jsonl
      reports export --format parquet -o values.parquet     # pandas.read_parquet("values.parquet")
      reports export --district 长寿区 --format warc -o changshou.warc.gz
    """
    if fmt in ("parquet", "warc", "wacz") and not output_file:
        raise click.UsageError(f"{fmt} needs --output FILE")
    wanted = report_filter(district, year, years, kind, agency, template)
    archive = open_archive(db, snapshot_dir)
    try:
        if fmt in ("warc", "wacz"):
            export_web_archive(archive, wanted, fmt, output_file or "")
            return
        rows = value_rows(archive, wanted, list(keys) or None)
        if fmt == "parquet":
            _write_parquet(rows, output_file or "")
            return
        if not output_file:
            _write_text(rows, fmt, sys.stdout, raw_csv)
            return
        with open(output_file, "w", encoding="utf-8", newline="") as stream:
            _write_text(rows, fmt, stream, raw_csv)
    finally:
        archive.close()


def _write_text(rows: Any, fmt: str, stream: Any, raw_csv: bool = False) -> None:
    if fmt == "csv":
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(VALUE_COLUMNS)
        for row in rows:
            writer.writerow(csv_row(dataclasses.astuple(row), raw=raw_csv))
        return
    for row in rows:
        stream.write(json_text(dataclasses.asdict(row)) + "\n")


def _write_parquet(rows: Any, path: str) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.schema(
        [
            ("report_id", pa.int64()),
            ("agency", pa.string()),
            ("district", pa.string()),
            ("kind", pa.string()),
            ("year", pa.int32()),
            ("template", pa.string()),
            ("key", pa.string()),
            ("value", pa.float64()),
            ("raw", pa.string()),
            ("url", pa.string()),
            ("snapshot_sha256", pa.string()),
        ]
    )
    columns: dict[str, list[Any]] = {name: [] for name in VALUE_COLUMNS}
    for row in rows:
        for name, value in zip(VALUE_COLUMNS, dataclasses.astuple(row), strict=True):
            columns[name].append(value)
    pq.write_table(pa.table(columns, schema=schema), path)


@click.command()
@click.argument("key")
@filter_options
@click.option("--plot", "plot_file", type=click.Path(dir_okay=False), help="Draw the series into a PNG file.")
@click.option("--json", "as_json", is_flag=True, help="Print the series as JSON.")
@archive_options
def series(
    key: str,
    district: str | None,
    year: int | None,
    years: str | None,
    kind: str | None,
    agency: str | None,
    template: str | None,
    plot_file: str | None,
    as_json: bool,
    db: str | None,
    snapshot_dir: str | None,
) -> None:
    """One canonical value across years: a row per publishing body, a column per year.
    Without --kind or --agency, the districts' own summary reports. Where a legacy key
    (reports under the 2008 regulation) means the same, its pre-2019 values fill the
    earlier years, marked with * (JSON: ``legacy_years``).

    \b
    Examples:
      reports series requests.new_received.total
      reports series appeals.review.total --district 长寿区 --years 2019-2024 --plot review.png
    """
    wanted = report_filter(district, year, years, kind or (None if agency else "district"), agency, template)
    archive = open_archive(db, snapshot_dir)
    try:
        rows, legacy_key = series_rows(archive, wanted, key)
    finally:
        archive.close()
    table = series_table(rows)
    legacy_years = sorted({row.year for row in rows if row.key == legacy_key})
    if as_json:
        click.echo(json_text(series_json(table, legacy_key, legacy_years), indent=2))
    else:
        _print_series(key, table, legacy_key, legacy_years)
    if plot_file:
        from cli.plot import plot_series

        plot_series(key, table, plot_file)
        click.echo(f"wrote {plot_file}")


def _print_series(
    key: str,
    table: dict[tuple[str, str], dict[int, float | None]],
    legacy_key: str | None = None,
    legacy_years: list[int] | None = None,
) -> None:
    console = terminal(WIDTH)
    if not table:
        console.print(f"No report has {key}.")
        return
    all_years = sorted({year for values in table.values() for year in values})
    caption = f"* legacy years: {legacy_key} (reports under the 2008 regulation)" if legacy_years else None
    grid = Table(title=key, caption=caption, pad_edge=False)
    grid.add_column("district / agency", overflow="fold")
    for year in all_years:
        grid.add_column(f"{year}*" if year in (legacy_years or []) else str(year), justify="right")
    for (district, agency), values in sorted(table.items()):
        label = (
            district
            if agency.endswith(district.rstrip("区县")) or agency == district
            else f"{district} {agency}"
        )
        cells = ["–" if values.get(year) is None else f"{values[year]:g}" for year in all_years]
        grid.add_row(label, *cells)
    console.print(grid)
