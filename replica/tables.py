"""The statistical tables of a report as cell grids, and their HTML with markup hazards.

A grid is a list of rows of ``Cell``; value cells carry their canonical key so
that the manifest can record exactly what the printed cell says. The hazards
copy what real tables do (see ../shared/real-reports/*/source.json).
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass, field

from reportformat import (
    appeal_columns,
    appeal_groups,
    disclosure_column_labels,
    disclosure_rows,
    request_columns,
    request_rows,
)

from .values import Number, parse_cell

NBSP = "\xa0"
REQUESTS_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"


@dataclass(frozen=True)
class Style:
    """The markup hazards of one report's tables (all off = a clean table)."""

    blank_zero: bool = False  # zero cells of tables 三/四 printed as &nbsp; (shanghai 2019)
    halfwidth: bool = False  # "(一)" instead of "（一）"
    split_labels: bool = False  # labels broken over several <p>/<span> (Word export, pingtan)
    br_headers: bool = False  # <br/> inside column headers
    misaligned: bool = False  # table 二 header colspan on another column than data rows (shanghai)
    money: str = "plain"  # plain (header says 万元) | wan ("47222.14万元") | yuan ("251000元")
    old_label: bool = False  # a v2021 table whose row still says 规范性文件
    pad: bool = False  # number cells padded with &nbsp;
    annotated: bool = False  # labels with a trailing annotation
    slash_na: bool = False  # rows the agency cannot have (规章 of a town) printed as "/"


@dataclass
class Cell:
    text: str
    rowspan: int = 1
    colspan: int = 1
    key: str | None = None
    header: bool = False
    attrs: dict[str, str] = field(default_factory=dict)


Grid = list[list[Cell]]


def _bracket(text: str, style: Style) -> str:
    return text.replace("（", "(").replace("）", ")") if style.halfwidth else text


def _format_number(value: Number) -> str:
    if isinstance(value, float):
        return f"{value:.6f}".rstrip("0").rstrip(".")
    return str(value)


def format_value(key: str, value: Number, style: Style) -> str:
    """The printed text of one value cell."""
    table, column = key.split(".", 1)[0], key.rsplit(".", 1)[1]
    if style.slash_na and key.startswith("disclosure.regulations."):
        return "/"
    if column == "amount":
        if style.money == "yuan":
            return f"{round(value * 10000)}元"
        text = _format_number(value)
        return f"{text}万元" if style.money == "wan" else text
    if column == "change" and value > 0:
        text = f"+{value}"
    elif value == 0 and style.blank_zero and table in ("requests", "appeals"):
        return NBSP
    else:
        text = _format_number(value)
    return f"{NBSP * 2}{text}" if style.pad else text


def _value(key: str, values: Mapping[str, Number], style: Style, colspan: int = 1) -> Cell:
    return Cell(format_value(key, values[key], style), colspan=colspan, key=key)


def _column_label(template: str, row: str, column: str, style: Style) -> str:
    labels = disclosure_column_labels()
    if column == "decisions":
        return "本年处理决定数量" if template == "v2021" else "处理决定数量"
    if column == "amount":
        if template == "v2021":
            return "本年收费金额（单位：万元）"
        return "采购总金额" if style.money != "plain" else "采购总金额（万元）"
    return labels[column]


def disclosure_grid(template: str, values: Mapping[str, Number], style: Style) -> Grid:
    """Table 二 (主动公开): one block per 第二十条 item, a header row, then its rows."""
    grid: Grid = []
    blocks: dict[str, list] = {}
    for row in disclosure_rows(template):
        blocks.setdefault(row.block, []).append(row)
    misaligned = style.misaligned and template == "v2019"
    width = 5 if misaligned else 4
    for block, rows in blocks.items():
        grid.append([Cell(_bracket(block, style), colspan=width, header=True)])
        columns = rows[0].columns
        heads = [_column_label(template, rows[0].name, column, style) for column in columns]
        header = [Cell("信息内容", header=True)]
        data_rows = []
        for row in rows:
            label = row.label
            if row.name == "normative_documents" and template == "v2021" and style.old_label:
                label = "规范性文件"
            if style.annotated and row.name == "procurement":
                label += "（含分散采购）"
            data_rows.append((label, row.keys()))
        if len(columns) == 3:
            spans_head = [1, 2, 1] if misaligned else [1, 1, 1]
            # shanghai 2019: the (五)(六) data rows put the colspan on the 2nd column instead
            spans_data = [2, 1, 1] if misaligned and "（一）" not in block else spans_head
        elif len(columns) == 2:
            spans_head = spans_data = [2, 2] if misaligned else [1, 2]
        else:
            spans_head = spans_data = [4 if misaligned else 3]
        header += [
            Cell(text, colspan=span, header=True) for text, span in zip(heads, spans_head, strict=True)
        ]
        grid.append(header)
        for label, keys in data_rows:
            cells = [Cell(label, header=True)]
            cells += [_value(key, values, style, span) for key, span in zip(keys, spans_data, strict=True)]
            grid.append(cells)
    return grid


def _request_label_parts(label: str) -> tuple[str, str | None]:
    group, _, sub = label.partition(" ")
    return (group, sub) if sub else (label, None)


def requests_grid(template: str, values: Mapping[str, Number], style: Style) -> Grid:
    """Table 三 (申请): a 3-row header with rowspan/colspan, then one row per canonical row."""
    columns = list(request_columns())
    labels = request_columns()
    grid: Grid = [
        [
            Cell(_bracket(REQUESTS_NOTE, style), rowspan=3, colspan=3, header=True),
            Cell("申请人情况", colspan=7, header=True),
        ],
        [
            Cell(labels["natural_person"], rowspan=2, header=True),
            Cell("法人或其他组织", colspan=5, header=True),
            Cell(labels["total"], rowspan=2, header=True),
        ],
        [Cell(labels[column], header=True) for column in columns[1:-1]],
    ]
    rows = request_rows(template)
    outcome_rows = [row for row in rows if row not in ("new_received", "carried_over", "carried_forward")]
    group_sizes: dict[str, int] = {}
    for row in outcome_rows:
        group, sub = _request_label_parts(rows[row])
        if sub:
            group_sizes[group] = group_sizes.get(group, 0) + 1
    seen_groups: set[str] = set()
    for row, label in rows.items():
        numbers = [_value(f"requests.{row}.{column}", values, style) for column in columns]
        if row in ("new_received", "carried_over", "carried_forward"):
            grid.append([Cell(_bracket(label, style), colspan=3, header=True), *numbers])
            continue
        cells: list[Cell] = []
        if row == outcome_rows[0]:
            cells.append(Cell("三、本年度办理结果", rowspan=len(outcome_rows), header=True))
        group, sub = _request_label_parts(label)
        if sub is None:
            text = _bracket(group, style)
            if style.annotated and row == "total_processed":
                text += "（件）"
            cells.append(Cell(text, colspan=2, header=True))
        else:
            if group not in seen_groups:
                seen_groups.add(group)
                cells.append(Cell(_bracket(group, style), rowspan=group_sizes[group], header=True))
            cells.append(Cell(_bracket(sub, style), header=True))
        grid.append(cells + numbers)
    return grid


def appeals_grid(values: Mapping[str, Number], style: Style) -> Grid:
    """Table 四 (复议诉讼): 行政复议 (5 columns) and 行政诉讼 (2 x 5 columns)."""
    parts = appeal_columns()
    groups = list(appeal_groups())
    grid: Grid = [
        [Cell("行政复议", colspan=5, header=True), Cell("行政诉讼", colspan=10, header=True)],
        [Cell(parts[column], rowspan=2, header=True) for column in parts]
        + [Cell("未经复议直接起诉", colspan=5, header=True), Cell("复议后起诉", colspan=5, header=True)],
        [Cell(parts[column], header=True) for _ in groups[1:] for column in parts],
        [_value(f"appeals.{group}.{column}", values, style) for group in groups for column in parts],
    ]
    return grid


def grid_values(grid: Grid) -> dict[str, Number | None]:
    """The value a careful reader takes from each keyed cell of a grid."""
    return {cell.key: parse_cell(cell.text) for row in grid for cell in row if cell.key}


def _label_html(text: str, style: Style, header_row: bool) -> str:
    escaped = html.escape(text).replace(NBSP, "&nbsp;")
    if style.br_headers and header_row and len(text) >= 5 and "（" not in text:
        middle = len(text) // 2
        return f"{html.escape(text[:middle])}<br/>{html.escape(text[middle:])}"
    if style.split_labels and len(text) >= 4:
        middle = len(text) // 2
        return f'<span style="font-family: 仿宋_GB2312;">{html.escape(text[:middle])}</span></p><p><span>{html.escape(text[middle:])}</span>'
    return escaped


def render_table(grid: Grid, style: Style) -> str:
    """The <table> markup of a grid."""
    out = ['<table border="1" cellspacing="0" cellpadding="0" align="center" width="600"><tbody>']
    for row in grid:
        out.append("<tr>")
        header_row = all(cell.header for cell in row)
        for cell in row:
            attrs = ""
            if cell.rowspan > 1:
                attrs += f' rowspan="{cell.rowspan}"'
            if cell.colspan > 1:
                attrs += f' colspan="{cell.colspan}"'
            if cell.key:
                text = html.escape(cell.text).replace(NBSP, "&nbsp;")
                if cell.text == NBSP and style.blank_zero and cell.key.startswith("appeals."):
                    out.append(f'<td{attrs} valign="center">&nbsp;</td>')  # bare &nbsp; without <p>
                    continue
                out.append(f'<td{attrs} valign="center"><p align="center">{text}</p></td>')
            else:
                out.append(
                    f'<td{attrs} valign="center"><p align="center">{_label_html(cell.text, style, header_row)}</p></td>'
                )
        out.append("</tr>")
    out.append("</tbody></table>")
    return "".join(out)
