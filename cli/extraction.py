"""``reports extract`` and ``reports reextract``: extraction outside a crawl."""

from __future__ import annotations

import logging
import os
import urllib.request
from pathlib import Path
from typing import Any

import click

from cli import output
from cli.display import json_text

logger = logging.getLogger(__name__)


def _too_large(size: int) -> click.ClickException:
    from extract.limits import MAX_FILE_BYTES

    return click.ClickException(
        f"DocumentTooLarge: {size:,} bytes or more, over the limit of {MAX_FILE_BYTES:,}; nothing was parsed"
    )


def _read_document(path_or_url: str) -> tuple[bytes, str | None]:
    """The document's bytes and declared content type: a local file, or a URL fetched once.

    Never more than the file size limit is read (extract.limits.MAX_FILE_BYTES).
    """
    from extract.limits import MAX_FILE_BYTES

    if path_or_url.startswith(("http://", "https://")):
        request = urllib.request.Request(path_or_url, headers={"User-Agent": "cq-transparency-archive/0.1"})
        with urllib.request.urlopen(request, timeout=30) as response:  # honours http_proxy
            body = response.read(MAX_FILE_BYTES + 1)  # raises IncompleteRead on a truncated body
            if len(body) > MAX_FILE_BYTES:
                raise _too_large(len(body))
            return body, response.headers.get("Content-Type")
    path = Path(path_or_url)
    if not path.is_file():
        raise click.ClickException(f"no such file: {path_or_url}")
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise _too_large(size)
    return path.read_bytes(), None


def extraction_json(document: bytes, content_type: str | None, url: str | None) -> dict[str, Any]:
    """The documented JSON form of one extracted document, extracted in a bounded worker."""
    from extract.bounded import ExtractionRunner, run_bounded
    from extract.summary import describe_document

    with ExtractionRunner(_cli_bounds()) as runner:
        described = run_bounded(runner, describe_document, document, content_type, url)
    if isinstance(described, str):  # the worker ran over a bound
        from extract.report import failed_extraction
        from extract.summary import DescribedDocument, DocumentSummary

        described = DescribedDocument(DocumentSummary(None, None, None, None), failed_extraction(described))
    summary, result = described.summary, described.extraction
    return {
        "title": summary.title,
        "agency": summary.agency,
        "year": summary.year,
        "published": summary.published.isoformat() if summary.published else None,
        "template": result.template,
        "template_finding": result.template_finding,
        "values": result.values,
        "raw": result.raw,
        "sections": [{"number": s.number, "heading": s.heading, "text": s.text} for s in result.sections],
        "checks": [
            {
                "id": c.id,
                "ok": c.ok,
                "expected": c.expected,
                "actual": c.actual,
                "where": c.where,
                "source": c.source,
            }
            for c in result.checks
        ],
        "status": result.status,
        "missing": result.missing,
        "reason": result.reason,
        "extractor_version": result.extractor_version,
    }


def _cli_bounds() -> Any:
    """The workers' bounds: the crawl's settings (REPORTS_EXTRACTION_*, env overrides), one worker."""
    from extract.bounded import Bounds

    default = Bounds()
    return Bounds(
        seconds=float(os.environ.get("REPORTS_EXTRACTION_SECONDS", default.seconds)),
        memory_bytes=int(os.environ.get("REPORTS_EXTRACTION_MEMORY_MB", default.memory_bytes // 2**20))
        * 2**20,
        workers=1,
    )


@click.command()
@click.argument("path_or_url")
@click.option("--json", "as_json", is_flag=True, help="Print the extraction as JSON.")
def extract(path_or_url: str, as_json: bool) -> None:
    """Extract one saved report document without touching the archive.

    PATH_OR_URL is an HTML page or article body, a text or Markdown copy of a
    report, or a URL (fetched once, through http_proxy if set).

    \b
    Examples:
      reports extract saved/report.html
      reports extract changshou-2020.txt --json
    """
    document, content_type = _read_document(path_or_url)
    url = path_or_url if path_or_url.startswith(("http://", "https://")) else None
    result = extraction_json(document, content_type, url)
    if as_json:
        click.echo(json_text(result, indent=2))
    else:
        output.print_extraction(result)


@click.command()
@click.argument("reports", nargs=-1)
@click.option("--all", "all_reports", is_flag=True, help="Re-extract every report in the archive.")
@click.option(
    "--db", envvar="REPORTS_DB", default=None, help="SQLAlchemy URL of the archive (env REPORTS_DB)."
)
def reextract(reports: tuple[str, ...], all_reports: bool, db: str | None) -> None:
    """Re-run extraction over stored snapshots (nothing is fetched) and say how many results changed.

    REPORT is a report id or URL; use --all for every report.

    \b
    Examples:
      reports reextract --all
      reports reextract 12 57
    """
    from rich.progress import track

    from crawler.pipelines import extract_and_store
    from extract.bounded import ExtractionRunner
    from storage.archive import Archive
    from storage.comparisons import stored_body
    from storage.db import resolve_db_url
    from storage.queries import get_report, list_reports

    if not reports and not all_reports:
        raise click.UsageError("name one or more reports, or use --all")
    with Archive.open(resolve_db_url(db)) as archive, ExtractionRunner(_cli_bounds()) as runner:
        refs: list[int | str] = [view.id for view in list_reports(archive)] if all_reports else list(reports)
        changed = unchanged = 0
        for ref in track(
            refs, description="Re-extracting", disable=not os.isatty(2), console=output.err_console
        ):
            detail = get_report(archive, int(ref) if str(ref).isdigit() else ref)
            if detail is None:
                raise click.ClickException(f"no report {ref!r} in the archive (see `reports list`)")
            before = output.extraction_fingerprint(detail.extraction)
            snapshot = detail.snapshots[-1] if detail.snapshots else None
            current = next((s for s in detail.snapshots if s.sha256 == detail.view.snapshot_sha256), snapshot)
            if current is None:
                continue
            extract_and_store(
                archive,
                detail.view.id,
                current.id,
                stored_body(archive, current.sha256, current.url),
                url=detail.view.url,
                year=detail.view.year,
                runner=runner,
            )
            after = output.extraction_fingerprint(get_report(archive, detail.view.id).extraction)  # type: ignore[union-attr]
            if before == after:
                unchanged += 1
            else:
                changed += 1
                logger.info("Extraction of report %s changed", detail.view.id)
    click.echo(f"Re-extracted {changed + unchanged} report(s): {changed} changed, {unchanged} unchanged.")
