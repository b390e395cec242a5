"""Time series as an SVG line chart rendered on the server (no script, no external resource)."""

from __future__ import annotations

from markupsafe import Markup, escape

WIDTH, HEIGHT = 720, 320
LEFT, RIGHT, TOP, BOTTOM = 60, 160, 20, 40
PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf")

Table = dict[tuple[str, str], dict[int, float | None]]


def _ticks(high: float) -> list[float]:
    if high <= 0:
        return [0.0]
    step = 10 ** len(str(int(high))) / 10
    while high / step > 6:
        step *= 2
    return [step * index for index in range(int(high / step) + 2)]


def series_svg(key: str, table: Table) -> Markup:
    """One line per (district, agency); gaps where a year has no value. Text is escaped."""
    years = sorted({year for values in table.values() for year in values})
    numbers = [value for values in table.values() for value in values.values() if value is not None]
    if not years or not numbers:
        return Markup("")
    ticks = _ticks(max(numbers))
    top_value = ticks[-1] or 1.0
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(year: int) -> float:
        return LEFT + (plot_w * (years.index(year) / max(len(years) - 1, 1)))

    def y(value: float) -> float:
        return TOP + plot_h * (1 - value / top_value)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" class="chart">',
        f"<title>{escape(key)}</title>",
    ]
    for tick in ticks:
        parts.append(
            f'<line x1="{LEFT}" x2="{LEFT + plot_w}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" class="grid"/>'
            f'<text x="{LEFT - 6}" y="{y(tick) + 4:.1f}" text-anchor="end">{tick:g}</text>'
        )
    for year in years:
        parts.append(f'<text x="{x(year):.1f}" y="{HEIGHT - BOTTOM + 18}" text-anchor="middle">{year}</text>')
    for index, ((district, agency), values) in enumerate(sorted(table.items())):
        colour = PALETTE[index % len(PALETTE)]
        runs: list[list[tuple[float, float]]] = [[]]
        for year in years:
            value = values.get(year)
            if value is None:
                runs.append([])
            else:
                runs[-1].append((x(year), y(value)))
        for run in runs:
            if len(run) > 1:
                points = " ".join(f"{px:.1f},{py:.1f}" for px, py in run)
                parts.append(f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2"/>')
            for px, py in run:
                parts.append(f'<circle cx="{px:.1f}" cy="{py:.1f}" r="3" fill="{colour}"/>')
        label = district if agency == district else f"{district} {agency}"
        parts.append(
            f'<text x="{LEFT + plot_w + 10}" y="{TOP + 16 * index + 10}" fill="{colour}">{escape(label[:14])}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
