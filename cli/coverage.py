"""``reports coverage``: which reports of each agency and year the archive holds, and which it lacks."""

from __future__ import annotations

import csv
import sys
from datetime import UTC, datetime
from typing import TextIO

import click
from rich.cells import cell_len

from cli.display import clean, csv_row, json_text
from cli.options import KINDS, archive_options, open_archive
from storage.coverage import STATES, AgencyCoverage, Coverage, Deadline
from storage.coverage import coverage as query_coverage

WIDTH = 80
SYMBOLS = {"archived": "#", "failed": "F", "withdrawn": "W", "missing": "?"}
LEGEND = "# archived  F extraction failed  W withdrawn  ? missing  (blank: none expected)"


def _deadline(ctx: click.Context, param: click.Parameter, value: str) -> Deadline:
    try:
        return Deadline.parse(value)
    except ValueError as error:
        raise click.BadParameter(str(error)) from error


@click.command()
@click.option("--site", "unit_code", help="Only this unit (site code), e.g. cqcs.")
@click.option("--district", help="District/county name or its start (长寿区, 长寿) or unit code.")
@click.option("--kind", type=KINDS, help="Kind of publishing body.")
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True
)
@click.option("--json", "as_json", is_flag=True, help="Shorthand for --format json.")
@click.option(
    "--as-of",
    "as_of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Judge overdue reports on this day (default: today, UTC).",
)
@click.option(
    "--deadline",
    envvar="REPORTS_REPORT_DEADLINE",
    default="01-31",
    show_default=True,
    callback=_deadline,
    help="Month-day of the following year by which a year's report is due (env REPORTS_REPORT_DEADLINE).",
)
@archive_options
def coverage(
    unit_code: str | None,
    district: str | None,
    kind: str | None,
    fmt: str,
    as_json: bool,
    as_of: datetime | None,
    deadline: Deadline,
    db: str | None,
    snapshot_dir: str | None,
) -> None:
    """Show, per unit and agency, which reporting years are archived, withdrawn, failed or missing.

    A year is missing when it lies between an agency's first and last report, or after its last
    report up to the latest year whose report is overdue (due by 31 January of the next year).

    \b
    Examples:
      reports coverage
      reports coverage --site cqcs --kind department
      reports coverage --district 长寿区 --format csv > coverage.csv
      reports coverage --json --as-of 2026-03-01
    """
    day = as_of.date() if as_of is not None else datetime.now(UTC).date()
    archive = open_archive(db, snapshot_dir)
    try:
        result = query_coverage(
            archive, as_of=day, deadline=deadline, unit_code=unit_code, district=district, kind=kind
        )
    finally:
        archive.close()
    fmt = "json" if as_json else fmt
    if fmt == "json":
        click.echo(json_text(result.to_json(), indent=2))
    elif fmt == "csv":
        write_csv(result, sys.stdout)
    else:
        click.echo("\n".join(clean(line) for line in table_lines(result)))


def write_csv(result: Coverage, stream: TextIO) -> None:
    """One line per agency: who, counts per state, then the state of each year (empty: outside its span)."""
    years = result.years
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(
        ["unit_code", "district", "agency", "kind", "first_year", "last_year", *STATES, *map(str, years)]
    )
    for row in result.rows:
        counts = row.counts()
        states = {cell.year: cell.state for cell in row.cells}
        writer.writerow(
            csv_row(
                [
                    row.unit_code,
                    row.district,
                    row.agency,
                    row.kind,
                    row.first_year,
                    row.last_year,
                    *(counts[state] for state in STATES),
                    *(states.get(year, "") for year in years),
                ]
            )
        )


def _fit(text: str, width: int) -> str:
    """``text`` cut to ``width`` terminal cells (CJK characters take two) and padded to it."""
    if cell_len(text) > width:
        while text and cell_len(text) > width - 1:
            text = text[:-1]
        text += "…"
    return text + " " * (width - cell_len(text))


def _short_name(row: AgencyCoverage) -> str:
    """The agency's name without its unit's name in front (重庆市长寿区发展和改革委员会 -> 发展和改革委员会)."""
    for prefix in (f"重庆市{row.district}", row.district, f"重庆{row.district}"):
        rest = row.agency.removeprefix(prefix)
        if rest != row.agency and rest:
            return rest
    return row.agency


def table_lines(result: Coverage, width: int = WIDTH) -> list[str]:
    """The matrix for an 80-column terminal: a line per unit, a line per agency, a symbol per year."""
    lines = [
        (
            f"Coverage on {result.as_of.isoformat()}: reports due by {result.deadline} of the next year, "
            f"latest due {result.latest_due_year}"
        )
    ]
    if not result.rows:
        return [*lines, "No reports match."]
    years = result.years
    step = 3 if width - 3 * len(years) >= 28 else 2
    name_width = max(12, width - step * len(years) - 1)
    header = _fit("", name_width) + " " + "".join(f"{year % 100:02d}".ljust(step) for year in years)
    lines += ["", header.rstrip()]
    unit = None
    for row in result.rows:
        if row.unit_code != unit:
            unit = row.unit_code
            lines.append(_fit(f"{row.district} ({row.unit_code})", width).rstrip())
        cells = {cell.year: SYMBOLS[cell.state] for cell in row.cells}
        marks = "".join(cells.get(year, " ").ljust(step) for year in years)
        lines.append((_fit("  " + _short_name(row), name_width) + " " + marks).rstrip())
    counts = result.counts()
    lines += [
        "",
        LEGEND,
        f"{len(result.rows)} agencies, {years[0]}-{years[-1]}: "
        + ", ".join(f"{counts[state]} {state}" for state in STATES),
    ]
    return lines
