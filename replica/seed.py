"""The real 长寿区 2020 report, rebuilt from its page text (shared/seeds/000_52e44cb05211e8f0.txt).

The stored text has the body word for word and the three tables flattened to
one cell per line, in document order. The tables are rebuilt by pouring those
lines, in order, into the v2019 grids (same shape as the printed tables).
"""

from __future__ import annotations

import html
from functools import cache
from pathlib import Path

from reportformat import canonical_keys

from .tables import NBSP, Grid, Style, appeals_grid, disclosure_grid, grid_values, render_table, requests_grid
from .values import Number

BODY_FILE = Path(__file__).with_name("data") / "cqcs_2020_body.txt"

URL = "http://www.cqcs.gov.cn/zwgk_164/zfxxgknb/qzfxxgknb/csq/202102/t20210203_8859904.html"
TITLE = "重庆市长寿区2020年政府信息公开工作年度报告"
SHOWN = "2021-02-03"

# Headings that close the narrative part and each flattened table.
_TABLE_STARTS = (
    "二、主动公开政府信息情况",
    "三、收到和处理政府信息公开申请情况",
    "四、政府信息公开行政复议、行政诉讼情况",
)
_AFTER_TABLES = "五、存在的主要问题及改进情况"


def _pour(grid: Grid, lines: list[str]) -> Grid:
    cells = [cell for row in grid for cell in row]
    if len(cells) != len(lines):
        raise ValueError(f"seed table has {len(lines)} cells, grid expects {len(cells)}")
    for cell, line in zip(cells, lines, strict=True):
        stripped = line.rstrip()
        indent = len(stripped) - len(stripped.lstrip(" "))
        cell.text = NBSP * indent + stripped.lstrip(" ")
    return grid


def _paragraph(line: str) -> str:
    stripped = line.rstrip()
    indent = len(stripped) - len(stripped.lstrip(" "))
    return f'<p style="text-indent: 2em;">{"&nbsp;" * indent}{html.escape(stripped.lstrip(" "))}</p>'


@cache
def _parts() -> tuple[list[str], list[list[str]], list[str]]:
    lines = [line for line in BODY_FILE.read_text(encoding="utf-8").split("\n") if line.strip()]
    starts = [next(i for i, line in enumerate(lines) if line.strip() == heading) for heading in _TABLE_STARTS]
    end = next(i for i, line in enumerate(lines) if line.strip() == _AFTER_TABLES)
    bounds = [*starts, end]
    tables = [lines[bounds[n] + 1 : bounds[n + 1]] for n in range(3)]
    return lines[: starts[0]], tables, lines[end:]


def seed_grids() -> list[Grid]:
    _, tables, _ = _parts()
    zeros = dict.fromkeys(canonical_keys("v2019"), 0)
    style = Style()
    return [
        _pour(disclosure_grid("v2019", zeros, style), tables[0]),
        _pour(requests_grid("v2019", zeros, style), tables[1]),
        _pour(appeals_grid(zeros, style), tables[2]),
    ]


def seed_values() -> dict[str, Number | None]:
    values: dict[str, Number | None] = {}
    for grid in seed_grids():
        values.update(grid_values(grid))
    return values


def seed_body() -> str:
    """The article body: the page's text word for word, tables as real <table>s."""
    before, _, after = _parts()
    grids = seed_grids()
    out = [_paragraph(line) for line in before]
    for heading, grid in zip(_TABLE_STARTS, grids, strict=True):
        out.append(_paragraph(heading))
        out.append(render_table(grid, Style()))
    out += [_paragraph(line) for line in after]
    return "\n".join(out)
