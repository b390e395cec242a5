"""Rendering archive query results for the terminal and as JSON."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from rich.table import Table
from rich.text import Text

from cli.display import clean, terminal
from storage.serialize import iso as _iso

# Crawled text is printed literally, without control characters (cli/display.py).
console = terminal()
err_console = terminal(stderr=True)


def _bold(text: object) -> Text:
    return Text(clean(text), style="bold")


def print_report_list(reports: list[Any]) -> None:
    """One block per report: its facts on one line, its title and URL below (URLs stay whole)."""
    if not reports:
        console.print("No reports match.")
        return
    for report in reports:
        status = report.status + (f", {report.failed_checks} failed checks" if report.failed_checks else "")
        console.print(
            Text.assemble(
                _bold(f"#{report.id}"),
                f"  {report.year}  {report.district}  {report.kind}  "
                f"published {_iso(report.published) or '-'}  {report.template or '-'}  ({status})",
            )
        )
        console.print(f"    {report.title}")
        console.print(f"    {report.url}", overflow="ignore", crop=False)
    console.print(f"{len(reports)} report(s)")


def print_crawl_summary(archive: Any, stats: dict[str, Any]) -> None:
    """What the crawl archived: reports per district and year, and the run's figures."""
    from storage.queries import archive_counts, list_reports

    reports = list_reports(archive)
    by_district: dict[str, list[int]] = defaultdict(list)
    for report in reports:
        by_district[report.district].append(report.year)
    table = Table(title="Reports in the archive")
    for header in ("district", "reports", "years", "kinds"):
        table.add_column(header)
    kinds_by_district: dict[str, Counter[str]] = defaultdict(Counter)
    for report in reports:
        kinds_by_district[report.district][report.kind] += 1
    for district in sorted(by_district):
        years = by_district[district]
        kinds = ", ".join(f"{kind} {count}" for kind, count in sorted(kinds_by_district[district].items()))
        table.add_row(district, str(len(years)), f"{min(years)}-{max(years)}", kinds)
    console.print(table)
    counts = archive_counts(archive)
    console.print(
        "This run: {requests} requests, {new} new reports, {revised} revised, {unchanged} unchanged, "
        "{snapshots} new snapshots, {errors} page errors.".format(
            requests=stats.get("downloader/request_count", 0),
            new=stats.get("reports/new", 0),
            revised=stats.get("reports/revised", 0),
            unchanged=stats.get("reports/unchanged", 0),
            snapshots=stats.get("reports/snapshots_new", 0),
            errors=sum(value for key, value in stats.items() if key.startswith("reports/errors/")),
        )
    )
    console.print("Archive: " + ", ".join(f"{count} {name}" for name, count in counts.items()))


def print_runs(runs: list[Any], alerts: dict[int, list[str]] | None = None) -> None:
    """One row per run, then each run's alerts; ``alerts`` maps a run id to its alerts' messages."""
    alerts = alerts or {}
    table = Table()
    headers = ("run", "started", "finished", "outcome", "requests", "bytes", "304s")
    for header in (*headers, "new", "revised", "withdrawn", "errors by kind", "alerts"):
        table.add_column(header, overflow="fold")
    for run in runs:
        stats = run.stats or {}
        errors = {
            key.split("/", 2)[2]: value
            for key, value in stats.items()
            if key.startswith(("reports/errors/", "reports/failed/")) and value
        }
        outcome = run.outcome + (f" (resumes {stats['resumed_from']})" if stats.get("resumed_from") else "")
        table.add_row(
            str(run.id),
            (_iso(run.started_at) or "-")[:16],
            (_iso(run.finished_at) or "-")[:16],
            outcome,
            str(stats.get("downloader/request_count", 0)),
            str(stats.get("downloader/response_bytes", 0)),
            str(stats.get("downloader/response_status_count/304", 0)),
            str(stats.get("reports/new", 0)),
            str(stats.get("reports/revised", 0)),
            str(stats.get("reports/withdrawn", 0)),
            ", ".join(f"{kind} {count}" for kind, count in sorted(errors.items())) or "-",
            str(len(alerts.get(run.id, []))),
        )
    console.print(table)
    for run in runs:
        for message in alerts.get(run.id, []):
            console.print(f"run {run.id} alert {message}", overflow="ignore", crop=False)


def _value(values: dict[str, Any], key: str) -> str:
    if key not in values:
        return ""
    value = values[key]
    if value is None:
        return "-"
    return f"{value:g}" if isinstance(value, float) else str(value)


def _short_request_label(label: str) -> str:
    """ "（三）不予公开 1.属于国家秘密" -> "（三）1.属于国家秘密": the group number and the item."""
    group, _, item = label.partition(" ")
    return f"{group[:3]}{item}" if item else label


def _legacy_table(values: dict[str, Any], raw: dict[str, Any]) -> Table:
    """Legacy values of a pre-2019 report with the row or sentence each was read from."""
    table = Table(title="Legacy values (2008 regulation)", pad_edge=False)
    table.add_column("key")
    table.add_column("value", justify="right")
    table.add_column("source", overflow="fold")
    for key, value in values.items():
        table.add_row(key, "–" if value is None else f"{value:g}", Text(str(raw.get(key) or "")))
    return table


def _values_tables(values: dict[str, Any], template: str) -> list[Table]:
    """Tables 二, 三 and 四 of the template, filled with the extracted values ("-" = no number printed)."""
    import reportformat as rf

    disclosure = Table(title="二、主动公开政府信息情况")
    for header in ("信息内容", "", ""):
        disclosure.add_column(header, no_wrap=True)
    labels = rf.disclosure_column_labels()
    for row in rf.disclosure_rows(template):
        for position, column in enumerate(row.columns):
            value = _value(values, f"disclosure.{row.name}.{column}")
            disclosure.add_row(row.label if position == 0 else "", labels[column], value)
    requests = Table(title="三、收到和处理政府信息公开申请情况")
    requests.add_column("", no_wrap=True)
    applicant_columns = rf.request_columns()
    for label in applicant_columns.values():
        requests.add_column(label, justify="right")
    for row, label in rf.request_rows(template).items():
        cells = [_value(values, f"requests.{row}.{column}") for column in applicant_columns]
        requests.add_row(_short_request_label(label)[:16], *cells)
    appeals = Table(title="四、政府信息公开行政复议、行政诉讼情况")
    appeals.add_column("", no_wrap=True)
    for label in rf.appeal_columns().values():
        appeals.add_column(label, justify="right")
    for group, label in rf.appeal_groups().items():
        appeals.add_row(
            label, *[_value(values, f"appeals.{group}.{column}") for column in rf.appeal_columns()]
        )
    return [disclosure, requests, appeals]


def print_report_detail(detail: Any, store_problems: dict[str, str] | None = None) -> None:
    """A report as a reader wants it: what it is, its tables, its sections, what fails.

    ``store_problems`` names the snapshots whose stored file is missing or corrupt.
    """
    problems = store_problems or {}
    view = detail.view
    console.print(_bold(view.title))
    console.print(
        f"{view.agency} | {view.district} | {view.kind} | {view.year} | published {_iso(view.published) or '-'}"
        f" | template {view.template or '-'} | extraction {view.status}"
    )
    console.print(view.url)
    console.print(
        "Snapshots: "
        + ", ".join(
            f"{snapshot.sha256[:12]} ({snapshot.size} bytes, first seen {_iso(snapshot.first_seen_at)}"
            + (f"; stored file {problems[snapshot.sha256]}" if snapshot.sha256 in problems else "")
            + ")"
            for snapshot in detail.snapshots
        )
    )
    if problems:
        err_console.print(
            f"{len(problems)} snapshot file(s) of this report missing or corrupt: "
            "`reports verify --repair` fetches them again"
        )
    for page in getattr(detail, "related", []):
        console.print(f"Related ({page.relation}): {page.title}  {page.url}")
    extraction = detail.extraction
    if extraction is None:
        console.print("Not extracted yet.")
        return
    if extraction.reason:
        console.print(f"Extraction {extraction.status}: {extraction.reason}")
    if extraction.template in ("v2019", "v2021") and extraction.values:
        for table in _values_tables(extraction.values, extraction.template):
            console.print(table)
    elif extraction.values:
        console.print(_legacy_table(extraction.values, extraction.raw))
    if extraction.missing:
        console.print(
            f"Not extracted ({len(extraction.missing)} keys): " + ", ".join(extraction.missing[:20])
        )
    for number, heading, text in extraction.sections:
        console.print()
        console.print(_bold(heading or "(preamble)"))
        console.print(text)
    failed = [check for check in extraction.checks if not check.ok]
    console.print(f"\nChecks: {len(extraction.checks)} evaluated, {len(failed)} failed")
    for check in failed:
        console.print(
            f"  FAILED {check.check_id} ({check.where}): expected {check.expected:g}, found {check.actual:g}"
        )
        if check.source:
            console.print(f"    prose: {check.source}", markup=False)


def extraction_fingerprint(extraction: Any) -> tuple[Any, ...] | None:
    """What a re-extraction can change: status, template, values, sections and checks."""
    if extraction is None:
        return None
    return (
        extraction.status,
        extraction.template,
        sorted(extraction.values.items()),
        [tuple(section) for section in extraction.sections],
        sorted((c.check_id, c.where, c.ok, c.expected, c.actual) for c in extraction.checks),
    )


def print_extraction(result: dict[str, Any]) -> None:
    """A stand-alone extraction (``reports extract``) for the terminal."""
    console.print(_bold(result["title"] or "(no title found)"))
    console.print(
        f"agency {result['agency'] or '-'} | year {result['year'] or '-'} | published {result['published'] or '-'}"
        f" | template {result['template'] or '-'} | status {result['status']}"
    )
    if result["reason"]:
        console.print(f"reason: {result['reason']}")
    if result["template_finding"]:
        console.print(f"finding: {result['template_finding']}")
    if result["template"] in ("v2019", "v2021") and result["values"]:
        for table in _values_tables(result["values"], result["template"]):
            console.print(table)
    elif result["values"]:
        console.print(_legacy_table(result["values"], result["raw"]))
    for section in result["sections"]:
        console.print()
        console.print(_bold(section["heading"] or "(preamble)"))
        console.print(section["text"])
    failed = [check for check in result["checks"] if not check["ok"]]
    console.print(f"\nChecks: {len(result['checks'])} evaluated, {len(failed)} failed")
    for check in failed:
        console.print(
            f"  FAILED {check['id']} ({check['where']}): expected {check['expected']:g}, found {check['actual']:g}"
        )
        if check.get("source"):
            console.print(f"    prose: {check['source']}", markup=False)
