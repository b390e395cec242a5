"""The template's tables 二, 三 and 四 as printed: titles, Chinese row and column labels, and the
canonical key of every cell; and which cells an identity check concerns."""

from __future__ import annotations

from dataclasses import dataclass

from reportformat import (
    appeal_columns,
    appeal_groups,
    disclosure_column_labels,
    disclosure_rows,
    request_columns,
    request_rows,
)
from reportformat.checks import identity_cells


@dataclass(frozen=True)
class LayoutRow:
    label: str
    keys: tuple[str | None, ...]  # one per column; None where the template has no cell


@dataclass(frozen=True)
class TableLayout:
    title: str
    columns: tuple[str, ...]
    rows: tuple[LayoutRow, ...]


def _disclosure(template: str) -> TableLayout:
    labels = disclosure_column_labels()
    rows = disclosure_rows(template)
    columns = tuple(dict.fromkeys(column for row in rows for column in row.columns))
    layout_rows = tuple(
        LayoutRow(
            f"{row.label}（{row.block}）",
            tuple(f"disclosure.{row.name}.{column}" if column in row.columns else None for column in columns),
        )
        for row in rows
    )
    return TableLayout("二、主动公开政府信息情况", tuple(labels[column] for column in columns), layout_rows)


def _requests(template: str) -> TableLayout:
    columns = request_columns()
    rows = tuple(
        LayoutRow(label, tuple(f"requests.{row}.{column}" for column in columns))
        for row, label in request_rows(template).items()
    )
    return TableLayout("三、收到和处理政府信息公开申请情况", tuple(columns.values()), rows)


def _appeals() -> TableLayout:
    columns = appeal_columns()
    rows = tuple(
        LayoutRow(label, tuple(f"appeals.{group}.{column}" for column in columns))
        for group, label in appeal_groups().items()
    )
    return TableLayout("四、政府信息公开行政复议、行政诉讼情况", tuple(columns.values()), rows)


def template_tables(template: str | None) -> list[TableLayout]:
    """Tables 二, 三, 四 of a tabular template generation; none for pre-2019 or unknown."""
    if template not in ("v2019", "v2021"):
        return []
    return [_disclosure(template), _requests(template), _appeals()]


def check_cells(check_id: str, where: str, template: str | None) -> set[str]:
    """The canonical keys of the cells an identity check reads (empty for checks on no cells)."""
    return {
        key
        for cell_check, cell_where, keys in identity_cells(template or "")
        if cell_check == check_id and cell_where == where
        for key in keys
    }


def key_labels(template: str | None) -> dict[str, str]:
    """Canonical key -> "table row label / column label" as printed in the template."""
    labels: dict[str, str] = {}
    for layout in template_tables(template):
        for row in layout.rows:
            for column, key in zip(layout.columns, row.keys, strict=True):
                if key:
                    labels[key] = f"{row.label} / {column}"
    return labels
