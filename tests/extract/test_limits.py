"""Extraction's limits: one cell budget per document, sizes checked before any parsing,
decompression bombs refused, tables joined across PDF pages in linear time."""

from __future__ import annotations

import pytest
from lxml import etree

from extract import attachments
from extract.attachments import read_attachment
from extract.grid import parse_html, read_tables
from extract.limits import (
    MAX_FILE_BYTES,
    MAX_PAGE_BYTES,
    CellBudget,
    DecompressionBomb,
    DocumentTooLarge,
    TooManyCells,
)
from extract.report import extract_report
from extract.summary import describe_document, summarise_document
from tests.extract import hostile


def test_a_page_of_many_small_tables_with_huge_spans_fails_on_the_cell_budget() -> None:
    result = extract_report(hostile.span_bomb_page(4_000_000))
    assert result.status == "failed"
    assert result.reason and result.reason.startswith("TooManyCells")
    assert result.tables == []


def test_the_cell_budget_is_shared_by_all_tables_of_a_document() -> None:
    table = "<table>" + "<tr>" + "<td>1</td>" * 20 + "</tr>" * 1 + "</table>"
    assert len(read_tables(table * 4, CellBudget(100))) == 4  # 80 cells
    with pytest.raises(TooManyCells):
        read_tables(table * 6, CellBudget(100))  # 120 cells, no table over 100 alone


def test_padding_a_span_adds_is_paid_for() -> None:
    # one cell far to the right spanning every row pads each row to its column
    rows = "<tr>" + "<td colspan=100>a</td>" * 10 + "</tr>" + "<tr><td>b</td></tr>" * 999
    late = "<table>" + rows.replace("<tr><td>b</td></tr>", "<tr><td rowspan=1000>c</td></tr>", 1) + "</table>"
    with pytest.raises(TooManyCells):
        read_tables(late, CellBudget(50_000))


def test_a_page_over_the_size_limit_is_refused_before_any_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    page = hostile.oversized_page(MAX_PAGE_BYTES + 1)

    def parse(*args: object) -> None:
        raise AssertionError("parsed")

    monkeypatch.setattr(etree, "fromstring", parse)
    monkeypatch.setattr(etree, "HTML", parse)
    result = extract_report(page)
    assert result.status == "failed" and result.reason and result.reason.startswith("DocumentTooLarge")
    with pytest.raises(DocumentTooLarge):
        parse_html(page)
    with pytest.raises(DocumentTooLarge):
        summarise_document(page)
    described = describe_document(page)
    assert described.summary.title is None
    assert described.extraction.reason and described.extraction.reason.startswith("DocumentTooLarge")


def test_a_file_over_the_size_limit_is_refused_before_any_parsing() -> None:
    document = b"%PDF-1.4\n" + b"0" * MAX_FILE_BYTES
    with pytest.raises(DocumentTooLarge):
        read_attachment(document)
    result = extract_report(document)
    assert result.reason and result.reason.startswith("DocumentTooLarge")


def test_a_docx_decompression_bomb_is_refused_before_unpacking() -> None:
    bomb = hostile.docx_bomb(256 << 20)
    assert len(bomb) < 2 << 20
    with pytest.raises(DecompressionBomb):
        read_attachment(bomb)
    result = extract_report(bomb)
    assert result.status == "failed" and result.reason and result.reason.startswith("DecompressionBomb")


def test_a_docx_whose_cells_span_a_million_columns_fails_on_the_cell_budget() -> None:
    with pytest.raises(TooManyCells):
        read_attachment(hostile.docx_span_bomb(rows=400, span=100_000))


# ------------------------------------------------------------- joining tables across pages


def _page(number: int, rows: int = 8, cols: int = 6) -> attachments._PageTables:
    """A page whose only table starts at the top with a data row (so it continues the one before)."""
    boxes = [
        attachments._Box(72.0 + 20 * r, 92.0 + 20 * r, 50.0 + 80 * c, 130.0 + 80 * c, str(r * cols + c))
        for r in range(rows)
        for c in range(cols)
    ]
    table = attachments._Table(boxes, 72.0, 72.0 + 20 * rows, 50.0, 50.0 + 80 * cols)
    return attachments._PageTables(number, 842.0, [table])


def _operations(pages: int, monkeypatch: pytest.MonkeyPatch) -> tuple[int, int]:
    """Edge comparisons and values sorted while joining ``pages`` pages and building the grid."""
    counts = {"near": 0, "edges": 0, "slots": 0}
    near, edges, slots = attachments._near, attachments._edges, attachments._slots

    def counted_near(a: float, b: float) -> bool:
        counts["near"] += 1
        return near(a, b)

    def counted_edges(values: list[float]) -> list[float]:
        counts["edges"] += len(values)
        return edges(values)

    def counted_slots(*args: object) -> range:
        counts["slots"] += 1
        return slots(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(attachments, "_near", counted_near)
    monkeypatch.setattr(attachments, "_edges", counted_edges)
    monkeypatch.setattr(attachments, "_slots", counted_slots)
    tables = attachments.join_pages(_page(number) for number in range(pages))
    grid = attachments._grid(tables[0], CellBudget(10**9))
    monkeypatch.undo()
    assert len(tables) == 1  # every page continued the table
    assert grid.n_rows == 8 * pages
    return sum(counts.values()), grid.n_rows


def test_joining_a_table_over_many_pages_takes_linear_work(monkeypatch: pytest.MonkeyPatch) -> None:
    hundred, _ = _operations(100, monkeypatch)
    thousand, _ = _operations(1000, monkeypatch)
    three_thousand, _ = _operations(3000, monkeypatch)
    # quadratic joining would multiply the work by 100 and by 9 here
    assert thousand <= 11 * hundred
    assert three_thousand <= 3.3 * thousand


def test_article_metadata_is_not_read_from_a_page_over_the_size_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from extract.page import PageMetadataError, parse_article

    def parse(*args: object, **kwargs: object) -> None:
        raise AssertionError("parsed")

    monkeypatch.setattr("extract.page.Selector", parse)
    with pytest.raises(PageMetadataError, match="DocumentTooLarge"):
        parse_article(hostile.oversized_page(MAX_PAGE_BYTES + 1))
