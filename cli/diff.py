"""``reports diff`` and ``reports history``: what changed between years and between snapshots."""

from __future__ import annotations

import logging
from pathlib import Path

import click
from rich.table import Table

from cli.diff_render import WIDTH, diff_html, print_diff
from cli.display import clean, json_text, terminal
from cli.options import KINDS, archive_options, open_archive
from compare.reports import ReportDiff, diff_json, diff_reports
from extract.report import extract_report
from storage.comparisons import (
    diff_pair,
    history_of,
    pick_snapshots,
    report_detail,
    report_side,
    snapshot_side,
    store_problems,
)

logger = logging.getLogger(__name__)


@click.command()
@click.argument("reports", nargs=-1, required=True)
@click.option("--agency", help="With DISTRICT YEAR: the publishing body (part of its name).")
@click.option("--kind", type=KINDS, help="With DISTRICT YEAR: the kind of body (default: district).")
@click.option("--snapshots", "between_snapshots", is_flag=True, help="Compare two snapshots of one report.")
@click.option("--changed-only", is_flag=True, help="List only the values that differ.")
@click.option("--json", "as_json", is_flag=True, help="Print the comparison as JSON.")
@click.option(
    "--html", "html_file", type=click.Path(dir_okay=False), help="Also write a self-contained page."
)
@archive_options
def diff(
    reports: tuple[str, ...],
    agency: str | None,
    kind: str | None,
    between_snapshots: bool,
    changed_only: bool,
    as_json: bool,
    html_file: str | None,
    db: str | None,
    snapshot_dir: str | None,
) -> None:
    """Compare two reports (values, carry-over check, narrative), or two snapshots of one report.

    Reports are ids, URLs, or DISTRICT YEAR (the district's own summary report unless --agency or
    --kind say otherwise). With --snapshots: REPORT [OLD NEW], snapshots by position in
    `reports history` (1 = oldest) or sha256 prefix; default the last two.

    \b
    Examples:
      reports diff 长寿区 2019 2020
      reports diff 长寿区 2021 2022 --agency 发展和改革 --html cs.html
      reports diff 12 40 --json
      reports diff --snapshots 12
      reports diff --snapshots 12 1 3
    """
    archive = open_archive(db, snapshot_dir)
    try:
        result = (
            _snapshot_diff(archive, reports)
            if between_snapshots
            else _report_diff(archive, reports, kind, agency)
        )
    finally:
        archive.close()
    if html_file:
        Path(html_file).write_text(diff_html(result), encoding="utf-8")
    if as_json:
        click.echo(json_text(diff_json(result), indent=2))
    else:
        print_diff(result, changed_only=changed_only)
        if html_file:
            click.echo(f"wrote {html_file}")


def _report_diff(archive: object, refs: tuple[str, ...], kind: str | None, agency: str | None) -> ReportDiff:
    old, new = diff_pair(archive, refs, kind, agency)
    for detail in (old, new):
        problem = store_problems(archive, [detail.view.snapshot_sha256]).get(detail.view.snapshot_sha256)
        if problem:
            logger.warning(
                "Snapshot %s of %s is %s: the comparison uses its stored extraction; "
                "`reports verify --repair` fetches it again",
                detail.view.snapshot_sha256[:12],
                clean(detail.view.url),
                problem,
            )
    return diff_reports(report_side(old), report_side(new))


def _snapshot_diff(archive: object, refs: tuple[str, ...]) -> ReportDiff:
    if len(refs) not in (1, 3):
        raise click.UsageError("with --snapshots give REPORT, or REPORT OLD NEW")
    detail = report_detail(archive, refs[0])
    entries = history_of(archive, detail)
    old, new = pick_snapshots(entries, *(refs[1:] if len(refs) == 3 else (None, None)))
    return diff_reports(
        snapshot_side(archive, detail, old, entries.index(old) + 1, extract_report),
        snapshot_side(archive, detail, new, entries.index(new) + 1, extract_report),
    )


@click.command()
@click.argument("report")
@click.option("--json", "as_json", is_flag=True, help="Print the snapshots as JSON.")
@archive_options
def history(report: str, as_json: bool, db: str | None, snapshot_dir: str | None) -> None:
    """List a report's snapshots: when each was first and last seen, its hash and size.

    \b
    Examples:
      reports history 12
      reports history http://www.cqcs.gov.cn/zwgk_164/zfxxgknb/qzfxxgknb/csq/202102/t20210203_8859904.html
    """
    archive = open_archive(db, snapshot_dir)
    try:
        detail = report_detail(archive, report)
        entries = history_of(archive, detail)
        problems = store_problems(archive, [entry.snapshot.sha256 for entry in entries])
    finally:
        archive.close()
    if as_json:
        rows = [
            {
                "position": position,
                "snapshot_id": entry.snapshot.id,
                "sha256": entry.snapshot.sha256,
                "size": entry.snapshot.size,
                "first_seen_at": entry.snapshot.first_seen_at.isoformat(),
                "last_seen_at": entry.snapshot.last_seen_at.isoformat(),
                "current": entry.current,
                "extraction_status": entry.extraction_status,
                "stored": problems.get(entry.snapshot.sha256, "ok"),
            }
            for position, entry in enumerate(entries, start=1)
        ]
        click.echo(json_text(rows, indent=2))
        return
    table = Table(
        title=f"{detail.view.agency} {detail.view.year}: {len(entries)} snapshot(s)", pad_edge=False
    )
    for header in ("#", "first seen", "last seen", "sha256", "bytes", "stored", "extraction", ""):
        table.add_column(header)
    for position, entry in enumerate(entries, start=1):
        snapshot = entry.snapshot
        table.add_row(
            str(position),
            f"{snapshot.first_seen_at:%Y-%m-%d %H:%M:%S}",
            f"{snapshot.last_seen_at:%Y-%m-%d %H:%M:%S}",
            snapshot.sha256[:16],
            str(snapshot.size),
            problems[snapshot.sha256].split(":")[0].upper() if snapshot.sha256 in problems else "ok",
            entry.extraction_status or "not extracted",
            "current" if entry.current else "",
        )
    console = terminal(WIDTH)
    console.print(table)
    if problems:
        console.print(
            f"{len(problems)} snapshot file(s) missing or corrupt: `reports verify --repair` fetches them again"
        )
