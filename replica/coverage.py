"""What the replica leaves out, takes down later, or publishes unreadable, and the coverage truth.

- **Missing years.** Some agencies skip a year in the middle of their series (a gap), some never
  publish the latest report that is due (``AS_OF`` is after the 31 January deadline of 2025's).
  The article is simply not there, nor its 图解/解读.
- **Unreadable reports.** Some reports print their statistics tables as pictures (one per table,
  or one scan of all three): the text is there, the numbers are not; extraction fails.
- **Withdrawn reports**, in the *later state* (``later_state``, a fault hook for
  ``ReplicaServer.fault``): a report present in a first crawl is gone from a later one. Variants:
  the listing still links it and the page answers 404 (``gone-404``) or 410 (``gone-410``), or
  the listing dropped it and the page answers 404 (``unlisted-404``; the archive withdraws such a
  report after ``REPORTS_WITHDRAW_AFTER_RUNS`` complete crawls that no longer list it).

Choices are drawn per agency or per report from ``stable_rng``, so the small world's units have
the same ones in both worlds; each kind is guaranteed a few cases among the small world's units.
The truth (``coverage_truth``) is a row per agency (unit and name without the leading 重庆/重庆市,
as 重庆市丰都县 and 丰都县 are one body) with the state of each year from its first report on.
"""

from __future__ import annotations

import html
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from .catalog import Article, _real_entries
from .dates import stable_rng
from .units import Unit

if TYPE_CHECKING:
    from .faults import Faults
    from .world import World

AS_OF = date(2026, 3, 1)  # the replica's clock (pages' Last-Modified)
DEADLINE = "01-31"  # of the year after the reporting year
LATEST_DUE_YEAR = 2025  # on AS_OF with that deadline

GAP_RATE = 0.05
LATE_RATE = 0.05
WITHDRAW_RATE = 0.006
UNREADABLE_RATE = 0.006
MIN_IN_SMALL = 2  # cases of each kind among the small world's units

WITHDRAWALS = ("gone-404", "gone-410", "unlisted-404")
UNREADABLE = ("image-tables", "scanned-tables")


@dataclass
class CoveragePlan:
    """What was left out (``removed``: article key -> gap|late), withdrawn later and unreadable."""

    removed: dict[str, str] = field(default_factory=dict)
    removed_years: list[tuple[str, str, int, str]] = field(default_factory=list)  # unit, agency, year, why
    withdrawn: dict[str, str] = field(default_factory=dict)  # article key -> variant
    unreadable: dict[str, str] = field(default_factory=dict)  # article key -> variant


def body_key(article: Article) -> tuple[str, str]:
    """The publishing body of a report: its unit and its name without the municipality."""
    assert article.report is not None
    name = "".join(article.report.agency.split())
    return article.column.unit_code, re.sub(r"^重庆市?", "", name) or name


def _is_real(article: Article) -> bool:
    report = article.report
    assert report is not None
    return report.is_seed or (
        (article.column.site.canonical_host, article.column.path, report.year) in _real_entries()
    )


def _pick(
    candidates: list[Any],
    draw: Callable[[Any], float],
    rate: float,
    in_small: Callable[[Any], bool],
    minimum: int = MIN_IN_SMALL,
) -> list[Any]:
    """Candidates drawn below ``rate``, plus the lowest draws among the small units' up to ``minimum``."""
    picked = [index for index, c in enumerate(candidates) if draw(c) < rate]
    small = sum(1 for index in picked if in_small(candidates[index]))
    rest = sorted(
        (index for index, c in enumerate(candidates) if in_small(c) and index not in set(picked)),
        key=lambda index: draw(candidates[index]),
    )
    return [candidates[index] for index in picked + rest[: max(0, minimum - small)]]


def _variants(
    chosen: list[Article], variants: tuple[str, ...], in_small: Callable[[Article], bool]
) -> list[tuple[Article, str]]:
    """Variants in turn, counted separately in the small units (so both worlds agree on them)."""
    pairs = []
    for group in ([a for a in chosen if in_small(a)], [a for a in chosen if not in_small(a)]):
        for number, article in enumerate(sorted(group, key=lambda a: a.key)):
            pairs.append((article, variants[number % len(variants)]))
    return pairs


def plan_coverage(
    units: list[Unit], articles: list[Article], seed: int
) -> tuple[list[Article], CoveragePlan]:
    """The articles the world serves, and the plan of what it leaves out, withdraws and garbles."""
    small_units = {unit.code for unit in units if unit.small}
    plan = CoveragePlan()
    bodies: dict[tuple[str, str], dict[int, Article]] = defaultdict(dict)
    for article in articles:
        if article.report is not None:
            bodies[body_key(article)][article.report.year] = article

    def body_draw(name: str) -> Callable[[tuple[str, str]], float]:
        return lambda key: stable_rng(seed, name, *key).random()

    def small_body(key: tuple[str, str]) -> bool:
        return key[0] in small_units

    per_column: dict[int, int] = defaultdict(int)
    for article in articles:
        if article.report is not None:
            per_column[id(article.column)] += 1

    def removable(article: Article) -> bool:
        # Never a real report, nor a column's only report (an empty 年报 column is another story).
        return not _is_real(article) and per_column[id(article.column)] >= 2

    interior = {
        key: [a for year, a in sorted(years.items())[1:-1] if removable(a)] for key, years in bodies.items()
    }
    gaps = _pick(sorted(k for k in bodies if interior[k]), body_draw("gap"), GAP_RATE, small_body)
    for key in gaps:
        article = stable_rng(seed, "gap-year", *key).choice(interior[key])
        plan.removed[article.key] = "gap"
    late_candidates = sorted(
        key
        for key, years in bodies.items()
        if max(years) == LATEST_DUE_YEAR
        and len(years) >= 3
        and removable(years[max(years)])
        and key not in gaps
    )
    for key in _pick(late_candidates, body_draw("late"), LATE_RATE, small_body):
        plan.removed[bodies[key][LATEST_DUE_YEAR].key] = "late"
    for key, years in bodies.items():
        for year, article in years.items():
            if article.key in plan.removed:
                plan.removed_years.append((key[0], key[1], year, plan.removed[article.key]))
    plan.removed_years.sort()

    # A report left out takes its 图解/解读 (keyed "<report key>#graphic") with it.
    kept = [a for a in articles if a.key not in plan.removed and a.key.rsplit("#", 1)[0] not in plan.removed]
    reports = sorted((a for a in kept if a.report is not None and not _is_real(a)), key=lambda a: a.key)

    def report_draw(name: str) -> Callable[[Article], float]:
        return lambda article: stable_rng(seed, name, article.key).random()

    def small_report(article: Article) -> bool:
        return article.column.unit_code in small_units

    tabular = [a for a in reports if a.report and a.report.template != "pre2019" and not a.report.broken]
    unreadable = _pick(tabular, report_draw("unreadable"), UNREADABLE_RATE, small_report)
    for article, variant in _variants(unreadable, UNREADABLE, small_report):
        plan.unreadable[article.key] = variant
        assert article.report is not None
        article.report.unreadable = variant
        article.report.values = {}  # a reader learns no number from a picture
        article.report.broken = []
    others = [a for a in reports if a.key not in plan.unreadable]
    withdrawn = _pick(others, report_draw("withdraw"), WITHDRAW_RATE, small_report, len(WITHDRAWALS))
    for article, variant in _variants(withdrawn, WITHDRAWALS, small_report):
        plan.withdrawn[article.key] = variant
    return kept, plan


# -- unreadable tables -------------------------------------------------------------------------


def unreadable_table(article: Article, number: int) -> str:
    """What stands where table ``number`` (2, 3, 4) of an unreadable report would be."""
    report = article.report
    assert report is not None and report.unreadable
    stem = f"W0{article.url_day:%Y%m%d}{article.docid % 1000000:06d}"
    if report.unreadable == "image-tables":
        # [inference] each table pasted as a picture, named like the platform's files (W0<date><id>).
        return (
            f'<p style="text-align: center;"><img src="./{stem}{number}.png" '
            f'width="600" height="{300 + 40 * number}" title="表{number - 1}" alt="" '
            'oldsrc="W0.png" /></p>'
        )
    # [inference] one scan of all three tables under heading 二; the other headings point at it.
    if number == 2:
        return (
            '<div class="scan" style="text-align:center">'
            f'<img data-src="/images/{stem}.jpg" src="/images/{stem}.jpg" style="width:100%;max-width:680px" />'
            f"<p>{html.escape(report.agency)}{report.year}年度统计表（扫描件）</p></div>"
        )
    return '<p style="text-indent: 2em;">详见上图。</p>'


# -- the later state ---------------------------------------------------------------------------


def later_state(world: World) -> Faults:
    """The fault hook of the later state: withdrawn reports are gone (see the module docstring)."""
    from .faults import Faults, GonePages, HiddenArticles  # faults imports the world, which imports this

    plan = world.coverage_plan or CoveragePlan()
    by_variant: dict[str, list[str]] = defaultdict(list)
    for article in world.articles:
        variant = plan.withdrawn.get(article.key)
        if variant:
            base = f"http://{article.column.site.canonical_host}"
            by_variant[variant] += [base + article.path, base + article.wap_path]
    return Faults(
        world,
        [
            HiddenArticles(hidden=tuple(by_variant["unlisted-404"])),
            GonePages(urls=tuple(by_variant["gone-404"] + by_variant["unlisted-404"]), status=404),
            GonePages(urls=tuple(by_variant["gone-410"]), status=410),
        ],
    )


# -- the truth ---------------------------------------------------------------------------------


def _rows(world: World, later: bool) -> list[dict[str, Any]]:
    plan = world.coverage_plan or CoveragePlan()
    bodies: dict[tuple[str, str], dict[int, Article]] = defaultdict(dict)
    for article in world.articles:
        if article.report is not None:
            bodies[body_key(article)][article.report.year] = article
    rows = []
    for (unit_code, name), years in sorted(bodies.items()):
        states: dict[str, str] = {}
        for year in range(min(years), max(max(years), LATEST_DUE_YEAR) + 1):
            article = years.get(year)
            if article is None:
                states[str(year)] = "missing"
            elif later and article.key in plan.withdrawn:
                states[str(year)] = "withdrawn"
            elif article.key in plan.unreadable:
                states[str(year)] = "failed"
            else:
                states[str(year)] = "archived"
        latest = years[max(years)]
        assert latest.report is not None
        rows.append(
            {
                "unit_code": unit_code,
                "key": name,
                "agency": latest.report.agency,
                "kind": latest.report.kind,
                "cells": states,
            }
        )
    return rows


def coverage_truth(world: World) -> dict[str, Any]:
    """The manifest's ``coverage``: what a coverage of a complete crawl must show, on ``as_of``.

    ``initial``: after crawls of the world as built; ``later``: after a crawl of the later state
    (``later_state``). Rows: ``{unit_code, key, agency, kind, cells: {year: state}}``.
    """
    plan = world.coverage_plan or CoveragePlan()
    urls = {article.key: article.url for article in world.articles}
    return {
        "as_of": AS_OF.isoformat(),
        "deadline": DEADLINE,
        "removed": [
            {"unit_code": unit, "key": name, "year": year, "why": why}
            for unit, name, year, why in plan.removed_years
        ],
        "withdrawn": [{"url": urls[key], "variant": v} for key, v in sorted(plan.withdrawn.items())],
        "unreadable": [{"url": urls[key], "variant": v} for key, v in sorted(plan.unreadable.items())],
        "initial": _rows(world, later=False),
        "later": _rows(world, later=True),
    }
