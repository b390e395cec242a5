"""Options shared by the search, diff and export commands."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from storage.archive import Archive
from storage.db import resolve_db_url
from storage.filters import ReportFilter, parse_years

KINDS = click.Choice(["district", "office", "department", "town"])
TEMPLATES = click.Choice(["pre2019", "v2019", "v2021"])


def archive_options(function: Callable[..., Any]) -> Callable[..., Any]:
    function = click.option(
        "--snapshot-dir",
        "snapshot_dir",
        envvar="REPORTS_SNAPSHOTS",
        default=None,
        help="Folder of the snapshot store (default: data/snapshots; env REPORTS_SNAPSHOTS).",
    )(function)
    return click.option(
        "--db",
        "db",
        envvar="REPORTS_DB",
        default=None,
        help="SQLAlchemy URL of the archive (env REPORTS_DB).",
    )(function)


def open_archive(db: str | None, snapshot_dir: str | None = None) -> Archive:
    return Archive.open(resolve_db_url(db), snapshot_dir)


def filter_options(function: Callable[..., Any]) -> Callable[..., Any]:
    """--district, --year, --years, --kind, --agency, --template."""
    for option in reversed(
        [
            click.option("--district", help="District/county name or its start (长寿区, 长寿) or unit code."),
            click.option("--year", type=int, help="Reporting year."),
            click.option("--years", help="Range of reporting years, e.g. 2019-2024."),
            click.option("--kind", type=KINDS, help="Kind of publishing body."),
            click.option("--agency", help="Part of the publishing body's name, e.g. 发展和改革."),
            click.option("--template", type=TEMPLATES, help="Template generation."),
        ]
    ):
        function = option(function)
    return function


def report_filter(
    district: str | None,
    year: int | None,
    years: str | None,
    kind: str | None,
    agency: str | None,
    template: str | None,
) -> ReportFilter:
    if year is not None and years:
        raise click.UsageError("give --year or --years, not both")
    span = (year, year) if year is not None else parse_years(years) if years else None
    return ReportFilter(district=district, years=span, kind=kind, agency=agency, template=template)
