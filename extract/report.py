"""Entry point: one report document in, its canonical statistics, sections and checks out.

Used by the crawler's pipeline and the CLI. Bad input never raises: a page
without tables, a truncated table, an unknown layout, garbage bytes or a wrong
charset give status 'failed' or 'partial' with a reason.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from typing import Literal

from lxml import etree

from extract.attachments import AttachmentContent, attachment_format, read_attachment
from extract.canonical import Extracted, ExtractionError, TableNotFound, UnknownLayout, read_grids
from extract.flat import looks_like_markdown, markdown_tables, prose_lines, read_flat
from extract.grid import Grid, parse_html, read_tables
from extract.legacy import read_legacy
from extract.limits import (
    MAX_FILE_BYTES,
    MAX_PAGE_BYTES,
    CellBudget,
    LimitExceeded,
    check_size,
)
from extract.narrative import narrative_checks
from extract.rowtext import read_row_lines
from extract.sections import Section, find_sections, html_lines, text_lines
from reportformat import (
    appeal_columns,
    canonical_keys,
    detect_template,
    request_columns,
    request_outcome_rows,
    template_fingerprints,
    template_for_year,
)
from reportformat.checks import CheckResult, check_identities

EXTRACTOR_VERSION = "2.0.0"

# complete / partial / failed: a 2019/2021 report's canonical values. A pre-2019 report is
# "legacy" when it states legacy values, "no statistics" when it states none that can be read.
Status = Literal["complete", "partial", "failed", "legacy", "no statistics"]

_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]+)""", re.IGNORECASE)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_\-:.]+)", re.IGNORECASE)
_HTML_MARKUP = re.compile(r"<(?:html|body|table|p|div|br|td|tr|span|article|h[1-6])\b", re.IGNORECASE)
# The reporting year in the title ("2019年上海市…政府信息公开工作年度报告",
# "…2025年度政府信息公开工作年度报告") or in the statistics period ("2025年1月1日至").
_TITLE_YEAR = re.compile(r"((?:19|20)\d\d)\s*年\s*度?[^。；，,\n]{0,40}?政府信息公开(?:工作)?年度?报告")
_PERIOD_YEAR = re.compile(r"((?:19|20)\d\d)\s*年\s*1\s*月\s*1\s*日")


@dataclass(frozen=True)
class ReportExtraction:
    template: str | None
    template_finding: str | None
    values: dict[str, int | float | None]
    raw: dict[str, str]
    sections: list[Section]
    tables: list[list[list[str]]]
    checks: list[CheckResult]
    status: Status
    missing: list[str]
    reason: str | None
    extractor_version: str = field(default=EXTRACTOR_VERSION)


def decode_document(document: bytes, content_type: str | None = None) -> tuple[str, str | None]:
    """Text of a document: BOM, valid UTF-8, declared charset, GB18030, in that order.

    Valid UTF-8 wins over a declared charset: Chinese government pages often
    declare gb2312 while serving UTF-8, and GBK text is practically never valid UTF-8.
    Returns the text and a note when bytes had to be replaced.
    """
    for bom, codec in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if document.startswith(bom):
            return document.decode(codec, errors="replace"), None
    try:
        return document.decode("utf-8"), None
    except UnicodeDecodeError:
        pass
    declared = []
    if content_type and (header := _HEADER_CHARSET.search(content_type)):
        declared.append(header.group(1))
    if meta := _META_CHARSET.search(document[:8192]):
        declared.append(meta.group(1).decode("ascii", "replace"))
    for name in [*declared, "gb18030"]:
        try:
            codec = codecs.lookup(name).name
        except LookupError:
            continue
        if codec in ("gb2312", "gbk", "euc_cn"):
            codec = "gb18030"  # a superset: pages labelled gb2312 use GBK characters
        try:
            return document.decode(codec), None
        except UnicodeDecodeError:
            continue
    return document.decode("gb18030", errors="replace"), "bytes that no charset decodes were replaced"


def looks_like_html(text: str) -> bool:
    """True when the text carries HTML markup (rather than being a text or Markdown copy)."""
    return bool(_HTML_MARKUP.search(text))


def infer_year(text: str) -> int | None:
    """The reporting year printed in the report's title or statistics period."""
    head = text[:20000]
    for pattern in (_TITLE_YEAR, _PERIOD_YEAR):
        if match := pattern.search(head):
            return int(match.group(1))
    return None


def _resolve_template(text: str, year: int | None) -> tuple[str | None, str | None]:
    detected = detect_template(text)
    expected = template_for_year(year) if year else None
    if detected:
        if expected and expected != detected:
            return (
                detected,
                f"content follows the {detected} template but a {year} report should follow {expected}",
            )
        return detected, None
    if expected == "pre2019":
        return "pre2019", None
    compact = "".join(text.split()).replace("(", "（").replace(")", "）")
    marks = [
        mark for template in ("v2019", "v2021") for mark in template_fingerprints(template) if mark in compact
    ]
    if expected and marks:
        return (
            expected,
            f"content carries fingerprints of both templates; {expected} taken from the year {year}",
        )
    return None, None


def _check_keys(result: CheckResult, template: str) -> list[str]:
    """The canonical keys an identity check reads (to drop checks on values not extracted)."""
    columns = list(request_columns())
    if result.id == "requests.balance":
        rows = ["new_received", "carried_over", "total_processed", "carried_forward"]
        return [f"requests.{row}.{result.where}" for row in rows]
    if result.id == "requests.row_total":
        return [f"requests.{result.where}.{column}" for column in columns]
    if result.id == "requests.outcomes_sum":
        rows = [*request_outcome_rows(template), "total_processed"]
        return [f"requests.{row}.{result.where}" for row in rows]
    if result.id == "appeals.group_total":
        return [f"appeals.{result.where}.{column}" for column in appeal_columns()]
    return []


def _checks(values: dict[str, int | float | None], template: str, missing: set[str]) -> list[CheckResult]:
    """Identities of keys.yaml on the values; a check reading a value not extracted says nothing."""
    return [
        result
        for result in check_identities(values, template)
        if not any(key in missing for key in _check_keys(result, template))
    ]


def _failed(
    template: str | None,
    finding: str | None,
    reason: str,
    tables: list[list[list[str]]] | None = None,
    sections: list[Section] | None = None,
) -> ReportExtraction:
    return ReportExtraction(
        template=template,
        template_finding=finding,
        values={},
        raw={},
        sections=sections or [],
        tables=tables or [],
        checks=[],
        status="failed",
        missing=canonical_keys(template or ""),
        reason=reason,
    )


def failed_extraction(reason: str) -> ReportExtraction:
    """A failed extraction of a document that could not be read at all (a bound, an unreadable file)."""
    return _failed(None, None, reason)


def _summarise(notes: list[str], limit: int = 5) -> str:
    shown = "; ".join(notes[:limit])
    return shown + (f"; … {len(notes) - limit} more" if len(notes) > limit else "")


def extract_report(
    document: bytes | str,
    *,
    url: str | None = None,
    year: int | None = None,
    content_type: str | None = None,
) -> ReportExtraction:
    """Extract one report (HTML page or article body, flattened text or Markdown, PDF or DOCX file).

    A document over a limit of extract.limits (size, unpacked size, table cells) gives a
    failed extraction naming the limit. Run it through extract.bounded in a crawl: time and
    memory are bounded there.
    """
    try:
        check_size(document, MAX_FILE_BYTES)
        if isinstance(document, bytes) and attachment_format(document):
            return _extract_attachment(document, year)
        check_size(document, MAX_PAGE_BYTES, "page")
        return _extract_page(document, year, content_type)
    except LimitExceeded as error:
        return _failed(None, None, f"{type(error).__name__}: {error}")


def _extract_page(document: bytes | str, year: int | None, content_type: str | None) -> ReportExtraction:
    notes: list[str] = []
    if isinstance(document, bytes):
        text, note = decode_document(document, content_type)
        if note:
            notes.append(note)
    else:
        text = document
    text = text.replace("\x00", "")

    is_html = looks_like_html(text)
    grids: list[tuple[Grid, list[str]]] = []
    if is_html:
        root = parse_html(text)
        plain = etree.tostring(root, method="text", encoding=str)
        grids = [(grid, []) for grid in read_tables(root, CellBudget())]
        lines = html_lines(root)
        form = "html"
    elif looks_like_markdown(text):
        plain = text
        grids = markdown_tables(text)
        lines = text_lines("\n".join(prose_lines(text)))
        form = "markdown"
    else:
        plain = text
        lines = text_lines(text)
        form = "text"
    tables = [grid.as_lists() for grid, _ in grids]

    template, finding = _resolve_template(plain, year or infer_year(plain))
    sections = find_sections(lines, template)
    if template is None:
        unknown = f"{UnknownLayout.__name__}: no template fingerprints and no reporting year before 2019"
        return _failed(None, finding, unknown, tables, sections)
    if template == "pre2019":
        prose = "\n".join(line.text for line in lines)
        return _pre2019(finding, [grid for grid, _ in grids], prose, sections, tables)

    try:
        if form == "text":
            extracted, flat_tables = read_flat(text, template)
            tables = flat_tables
            _add_row_lines(extracted, text, template)
        else:
            extracted = read_grids(grids, template)
        if not extracted.values:
            raise TableNotFound(
                "no statistics table of the template was found"
                if not tables
                else f"none of the {len(tables)} tables carries the template's labels"
            )
    except ExtractionError as error:
        return _failed(template, finding, f"{type(error).__name__}: {error}", tables, sections)

    return _result(template, finding, extracted, sections, tables, notes)


def _add_row_lines(extracted: Extracted, text: str, template: str) -> None:
    """Values of a text copy with one row per line (PDF text) that the flattened reading missed."""
    if all(key in extracted.values for key in canonical_keys(template)):
        return
    rows = read_row_lines(text, template)
    added = [key for key in rows.values if key not in extracted.values]
    if added:
        extracted.merge(rows)


def _extract_attachment(document: bytes, year: int | None) -> ReportExtraction:
    """A report published as a PDF or DOCX file: its text and tables, read like a page's."""
    try:
        content = read_attachment(document)
    except ExtractionError as error:
        return _failed(None, None, f"{type(error).__name__}: {error}")
    return extract_attachment_content(content, year)


def extract_attachment_content(content: AttachmentContent, year: int | None = None) -> ReportExtraction:
    """Extract a report from a file already read by ``read_attachment`` (the file is read once)."""
    tables = [grid.as_lists() for grid, _ in content.grids]
    template, finding = _resolve_template(content.text, year or infer_year(content.text))
    sections = find_sections(text_lines(content.text), template)
    if template is None:
        unknown = f"{UnknownLayout.__name__}: no template fingerprints and no reporting year before 2019"
        return _failed(None, finding, unknown, tables, sections)
    if template == "pre2019":
        grids = [grid for grid, _ in content.grids]
        return _pre2019(finding, grids, content.text, sections, tables)
    try:
        extracted = read_grids(content.grids, template)
        if not extracted.values:
            raise TableNotFound(
                f"none of the {len(tables)} tables of the {content.format.upper()} file "
                "carries the template's labels"
            )
    except ExtractionError as error:
        return _failed(template, finding, f"{type(error).__name__}: {error}", tables, sections)
    return _result(template, finding, extracted, sections, tables, content.notes)


def _pre2019(
    finding: str | None,
    grids: list[Grid],
    prose: str,
    sections: list[Section],
    tables: list[list[list[str]]],
) -> ReportExtraction:
    """A report under the 2008 regulation: its legacy values, or what it is when it states none."""
    legacy = read_legacy(grids, prose)
    status: Status
    if any(value is not None for value in legacy.values.values()):
        status, reason = "legacy", None
    elif sections or tables:
        status, reason = "no statistics", "no legacy statistics stated in a form that can be read"
    else:
        status, reason = "failed", "no numbered sections, tables or statistics found"
    if legacy.notes:
        reason = "; ".join(filter(None, [reason, _summarise(legacy.notes)]))
    return ReportExtraction(
        "pre2019", finding, legacy.values, legacy.raw, sections, tables, [], status, [], reason
    )


def _result(
    template: str,
    finding: str | None,
    extracted: Extracted,
    sections: list[Section],
    tables: list[list[list[str]]],
    notes: list[str],
) -> ReportExtraction:
    expected = canonical_keys(template)
    values = {key: extracted.values[key] for key in expected if key in extracted.values}
    raw = {key: extracted.raw[key] for key in values}
    missing = [key for key in expected if key not in values]
    checks = _checks(values, template, set(missing)) + narrative_checks(sections, values, template)
    notes = [*notes, *extracted.notes]
    reason: str | None
    if missing:
        status: Status = "partial"
        reason = f"{len(missing)} of {len(expected)} canonical values not extracted"
        if notes:
            reason = f"{reason} ({_summarise(notes)})"
    else:
        status, reason = "complete", (_summarise(notes) if notes else None)
    return ReportExtraction(template, finding, values, raw, sections, tables, checks, status, missing, reason)
