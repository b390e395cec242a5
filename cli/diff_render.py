"""Rendering a report comparison: coloured for a terminal of 100 columns, and as one HTML page."""

from __future__ import annotations

import html
from typing import Any

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from cli.display import clean, terminal
from compare.reports import ReportDiff, ReportSide
from compare.values import ValueChange

WIDTH = 100


def _number(value: Any) -> str:
    if value is None:
        return "–"
    return f"{value:g}" if isinstance(value, float) else str(value)


def _percent(value: float | None) -> str:
    return "" if value is None else f"{value:+.1f}%"


def _share(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.0f}%"


def _side_text(side: ReportSide) -> str:
    meta = side.meta
    lines = [f"{side.label}  ·  {side.template or 'no template'}"]
    if meta.get("published"):
        lines.append(f"published {meta['published']}  ·  id {meta.get('report_id')}")
    lines.append(str(meta.get("url", "")))
    return clean("\n".join(lines))


def _carry_over_panel(diff: ReportDiff) -> Panel:
    if diff.carry_over is None:
        return Panel("not applicable: same reporting year", title="carry-over check", border_style="dim")
    if not diff.carry_over:
        return Panel(
            "not evaluated: a side has no carried-over / carried-forward requests",
            title="carry-over check",
            border_style="yellow",
        )
    table = Table(box=None, pad_edge=False)
    for header in ("column", "carried forward (N-1)", "carried over (N)", ""):
        table.add_column(header)
    for check in diff.carry_over:
        mark = Text("ok", style="green") if check.ok else Text("MISMATCH", style="bold red")
        table.add_row(check.where, _number(check.expected), _number(check.actual), mark)
    failed = sum(1 for check in diff.carry_over if not check.ok)
    style = "red" if failed else "green"
    title = f"carry-over check: {'FAILED in ' + str(failed) + ' column(s)' if failed else 'passes'}"
    return Panel(table, title=title, border_style=style)


def _contradiction_lines(diff: ReportDiff) -> list[Text]:
    """The prose-against-table contradictions of each side, one line each."""
    lines = []
    for side in (diff.old, diff.new):
        for quantity, table, prose, source in side.contradictions:
            lines.append(
                Text(
                    f"{side.label}: prose says {quantity} {_number(prose)}, table {_number(table)} — {source}",
                    style="red",
                )
            )
    return lines


def _values_table(values: list[ValueChange], changed_only: bool) -> Table:
    table = Table(title="Values", pad_edge=False, expand=False)
    table.add_column("key", overflow="fold", max_width=52)
    for header in ("old", "new", "change", "%"):
        table.add_column(header, justify="right")
    for value in values:
        if changed_only and not value.changed:
            continue
        style = "" if value.changed else "dim"
        key = value.key + (f" [only {value.only_in}]" if value.only_in else "")
        change = _number(value.change) if value.change is not None else ""
        if value.change:
            change = f"{value.change:+g}"
        table.add_row(
            key, _number(value.old), _number(value.new), change, _percent(value.percent), style=style
        )
    return table


def _only_in(values: list[ValueChange]) -> Text | None:
    by_template: dict[str, int] = {}
    for value in values:
        if value.only_in:
            by_template[value.only_in] = by_template.get(value.only_in, 0) + 1
    if not by_template:
        return None
    parts = ", ".join(f"{count} keys only in {template}" for template, count in sorted(by_template.items()))
    return Text(f"Template generations differ: {parts} (marked [only …]).", style="yellow")


def print_diff(diff: ReportDiff, console: Console | None = None, *, changed_only: bool = False) -> None:
    console = console or terminal(WIDTH)
    header = Table.grid(expand=True, padding=(0, 2))
    header.add_column(ratio=1, overflow="fold")
    header.add_column(ratio=1, overflow="fold")
    header.add_row(Text("old", style="bold red"), Text("new", style="bold green"))
    header.add_row(Text(_side_text(diff.old)), Text(_side_text(diff.new)))
    console.print(Panel(header, title="reports diff", border_style="blue"))
    console.print(_carry_over_panel(diff))
    for line in _contradiction_lines(diff):
        console.print(line)
    changed = diff.changed_values
    console.print(
        Text(
            f"{len(changed)} of {len(diff.values)} values differ; reused text: {_share(diff.reused)}",
            style="bold",
        )
    )
    notice = _only_in(diff.values)
    if notice is not None:
        console.print(notice)
    if diff.values:
        console.print(_values_table(diff.values, changed_only))
    console.print(Text("Narrative", style="bold"))
    for section in diff.sections:
        console.print(_section_group(section))


def _section_group(section: Any) -> Group:
    lines: list[Text] = [
        Text(
            clean(
                f"{section.heading or ('(preamble)' if section.number == 0 else section.number)}"
                f"  (reused {_share(section.reused)})"
            ),
            style="bold cyan",
        )
    ]
    unchanged = 0
    for change in section.changes:
        if change.change == "same":
            unchanged += 1
            continue
        if unchanged:
            lines.append(Text(f"    … {unchanged} unchanged sentence(s)", style="dim"))
            unchanged = 0
        # No space after the sign: rich wraps at spaces, and Chinese text has none of its own.
        sign, style = ("+", "green") if change.change == "added" else ("−", "red")
        lines.append(Text(sign + clean(change.text), style=style))
    if unchanged:
        lines.append(Text(f"    … {unchanged} unchanged sentence(s)", style="dim"))
    return Group(*lines)


_CSS = """
body{font-family:system-ui,"Noto Sans CJK SC","PingFang SC",sans-serif;max-width:1100px;margin:2em auto;
padding:0 1em;color:#222}
table{border-collapse:collapse;font-size:14px}td,th{border:1px solid #ccc;padding:2px 8px}
td.n{text-align:right;font-variant-numeric:tabular-nums}tr.same{color:#999}
.ok{color:#070}.bad{color:#b00;font-weight:bold}.added{background:#e6ffe6}.removed{background:#ffe6e6;
text-decoration:line-through}.box{border:2px solid #888;padding:.5em 1em;margin:1em 0}
.box.bad{border-color:#b00}.box.ok{border-color:#070}.only{color:#a60}.same-s{color:#777}
"""


def _e(value: Any) -> str:
    return html.escape(str(value))


def diff_html(diff: ReportDiff) -> str:
    """A self-contained page (inline CSS, no scripts or external resources)."""
    parts = [
        "<!DOCTYPE html><html lang='zh'><head><meta charset='utf-8'>",
        f"<title>{_e(diff.old.label)} → {_e(diff.new.label)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{_e(diff.old.label)} → {_e(diff.new.label)}</h1>",
        "<table><tr><th></th><th>old</th><th>new</th></tr>",
    ]
    for field in ("agency", "district", "published", "url", "snapshot_sha256"):
        parts.append(
            f"<tr><th>{field}</th><td>{_e(diff.old.meta.get(field, ''))}</td>"
            f"<td>{_e(diff.new.meta.get(field, ''))}</td></tr>"
        )
    parts.append(
        f"<tr><th>template</th><td>{_e(diff.old.template)}</td><td>{_e(diff.new.template)}</td></tr></table>"
    )
    parts.append(_carry_over_html(diff))
    for side in (diff.old, diff.new):
        for quantity, table, prose, source in side.contradictions:
            parts.append(
                f"<div class='box bad'>{_e(side.label)}: prose says {_e(quantity)} {_number(prose)}, "
                f"table {_number(table)} — {_e(source or '')}</div>"
            )
    parts.append(
        f"<p><b>{len(diff.changed_values)}</b> of {len(diff.values)} values differ; "
        f"reused text: <b>{_share(diff.reused)}</b></p>"
    )
    if diff.values:
        parts.append(
            "<h2>Values</h2><table><tr><th>key</th><th>old</th><th>new</th><th>change</th><th>%</th></tr>"
        )
        for value in diff.values:
            only = f" <span class='only'>[only {_e(value.only_in)}]</span>" if value.only_in else ""
            change = f"{value.change:+g}" if value.change else _number(value.change)
            parts.append(
                f"<tr class='{'changed' if value.changed else 'same'}'><td>{_e(value.key)}{only}</td>"
                f"<td class='n'>{_number(value.old)}</td><td class='n'>{_number(value.new)}</td>"
                f"<td class='n'>{_e(change)}</td><td class='n'>{_percent(value.percent)}</td></tr>"
            )
        parts.append("</table>")
    parts.append("<h2>Narrative</h2>")
    for section in diff.sections:
        parts.append(
            f"<h3>{_e(section.heading or ('(preamble)' if section.number == 0 else section.number))} <small>(reused {_share(section.reused)})</small></h3>"
        )
        for change in section.changes:
            css = {"same": "same-s", "added": "added", "removed": "removed"}[change.change]
            sign = {"same": "", "added": "+ ", "removed": "− "}[change.change]
            parts.append(f"<p class='{css}'>{sign}{_e(change.text)}</p>")
    parts.append("</body></html>")
    return "\n".join(parts)


def _carry_over_html(diff: ReportDiff) -> str:
    if diff.carry_over is None:
        return "<div class='box'>Carry-over check: not applicable (same reporting year).</div>"
    if not diff.carry_over:
        return (
            "<div class='box'>Carry-over check: not evaluated (no carried-over / carried-forward rows).</div>"
        )
    failed = [check for check in diff.carry_over if not check.ok]
    rows = "".join(
        f"<tr><td>{_e(c.where)}</td><td class='n'>{_number(c.expected)}</td><td class='n'>{_number(c.actual)}</td>"
        f"<td class='{'ok' if c.ok else 'bad'}'>{'ok' if c.ok else 'MISMATCH'}</td></tr>"
        for c in diff.carry_over
    )
    verdict = f"FAILED in {len(failed)} column(s)" if failed else "passes"
    return (
        f"<div class='box {'bad' if failed else 'ok'}'><h2>Carry-over check: {verdict}</h2>"
        "<table><tr><th>column</th><th>carried forward (N-1)</th><th>carried over (N)</th><th></th></tr>"
        f"{rows}</table></div>"
    )
