"""The real PDF-only reports (drawn tables, WPS exports): every value a person reads off the
page is extracted, what cannot be read is reported missing, and no value is ever wrong."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from extract.attachments import UnreadableAttachment, attachment_format, read_attachment
from extract.report import ReportExtraction, extract_report

FILES = Path(__file__).with_name("files")
REPORTS = ["hongze-2023", "hongze-2024", "szfgs-2024"]


@cache
def expected(name: str) -> dict[str, Any]:
    return json.loads((FILES / name / "expected.json").read_text(encoding="utf-8"))


@cache
def extraction(name: str) -> ReportExtraction:
    return extract_report((FILES / name / "report.pdf").read_bytes())


@pytest.mark.parametrize("name", REPORTS)
def test_every_value_read_by_hand_is_extracted(name: str) -> None:
    result = extraction(name)
    wrong = {
        key: (value, result.values.get(key, "not extracted"))
        for key, value in expected(name)["values"].items()
        if result.values.get(key, "not extracted") != value
    }
    assert wrong == {}


@pytest.mark.parametrize("name", REPORTS)
def test_no_value_beyond_what_the_document_shows(name: str) -> None:
    assert sorted(set(extraction(name).values) - set(expected(name)["values"])) == []


@pytest.mark.parametrize("name", REPORTS)
def test_rows_the_document_lacks_are_reported_missing(name: str) -> None:
    result = extraction(name)
    assert sorted(result.missing) == sorted(expected(name)["not_extracted"])
    assert result.status == expected(name)["status"]
    if result.status == "partial":
        assert result.reason and "not extracted" in result.reason


@pytest.mark.parametrize("name", REPORTS)
def test_template_sections_and_failed_checks(name: str) -> None:
    result = extraction(name)
    assert result.template == expected(name)["template"]
    numbered = [section for section in result.sections if section.number]
    assert [section.heading for section in numbered] == expected(name)["section_headings"]
    failed = sorted([check.id, check.where] for check in result.checks if not check.ok)
    assert failed == sorted(expected(name)["failed_checks"])


def test_tables_broken_by_a_page_break_are_joined() -> None:
    content = read_attachment((FILES / "szfgs-2024" / "report.pdf").read_bytes())
    requests = [grid for grid, _ in content.grids if any("本年新收" in cell for cell in grid.cells[3])]
    assert len(requests) == 1
    labels = [row[1] for row in requests[0].cells]
    assert "（四）无法提供" in labels  # "（四）无" on one page, "法提供" on the next


def test_unreadable_files_are_named_not_guessed() -> None:
    assert attachment_format(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100)) == "ole"
    with pytest.raises(UnreadableAttachment, match="OLE2"):
        read_attachment(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100))
    result = extract_report(b"%PDF-1.4 broken")
    assert result.status == "failed" and result.values == {}
    assert result.reason and result.reason.startswith("UnreadableAttachment")


@pytest.mark.parametrize("name", REPORTS)
def test_the_document_gives_its_own_title_agency_and_year(name: str) -> None:
    from extract.summary import describe_document

    summary = describe_document((FILES / name / "report.pdf").read_bytes()).summary
    assert (summary.title, summary.agency, summary.year) == (
        expected(name)["title"],
        expected(name)["agency"],
        expected(name)["year"],
    )
