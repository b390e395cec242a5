"""What each column publishes: reports and non-report articles, with titles, dates and values.

Every choice is drawn from ``stable_rng(seed, <item key>)`` so that an item does
not change when other items are added (the small world is a subset of the full one).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from reportformat import canonical_keys, template_for_year
from reportformat.checks import failed_identity_ids

from . import seed as seed_report
from .dates import assign_docids, shown_date, stable_rng, url_date
from .tables import Style, appeals_grid, disclosure_grid, grid_values, requests_grid
from .units import Column, Unit
from .values import Number, carry_forward_to, carry_over_from, generate_values

REAL_FILE = Path(__file__).with_name("data") / "real_reports.yaml"
_REAL_URL = re.compile(
    r"^http://(?P<host>[^/]+)(?P<column>/.*/)(?P<folder>\d{6})/t(?P<day>\d{8})_(?P<docid>\d+)\.html$"
)

BROKEN_RATE = 0.04
MIN_BROKEN = 3


@dataclass
class Report:
    """The facts of one report: what the manifest records about it."""

    agency: str
    year: int
    kind: str
    template: str
    values: dict[str, Number | None] = field(default_factory=dict)
    printed: dict[str, Number] = field(default_factory=dict)  # the numbers the tables print
    style: Style = field(default_factory=Style)
    broken: list[str] = field(default_factory=list)
    is_seed: bool = False
    split_title: bool = False
    unreadable: str | None = None  # tables printed as pictures (replica.coverage)


@dataclass
class Article:
    """One article page of a column (a report or a non-report)."""

    key: str
    column: Column
    title: str
    shown: date
    shown_time: str | None
    url_day: date
    category: str  # report | notice | graphic | interpretation | document
    report: Report | None = None
    docid: int = 0
    revisions: list[str] = field(default_factory=list)

    @property
    def path(self) -> str:
        return f"{self.column.path}{self.url_day:%Y%m}/t{self.url_day:%Y%m%d}_{self.docid}.html"

    @property
    def wap_path(self) -> str:
        return self.path[: -len(".html")] + "_wap.html"

    @property
    def url(self) -> str:
        return f"http://{self.column.site.canonical_host}{self.path}"


@cache
def _real_entries() -> dict[tuple[str, str, int], dict[str, Any]]:
    with REAL_FILE.open(encoding="utf-8") as handle:
        entries = yaml.safe_load(handle)
    result: dict[tuple[str, str, int], dict[str, Any]] = {}
    for entry in entries:
        match = _REAL_URL.match(entry["url"])
        if match is None:
            raise ValueError(f"bad real URL {entry['url']}")
        result.setdefault((match["host"], match["column"], entry["year"]), {**entry, **match.groupdict()})
    return result


def _title(rng_draw: float, agency: str, year: int) -> str:
    """The title, with the irregular variants of portal §5.1 in a few reports."""
    if rng_draw < 0.02:
        return f"{agency}{year}年政府信息公开年度工作报告"
    if rng_draw < 0.035:
        return f"{agency}{year}年度政府信息公开工作年度报告"
    if rng_draw < 0.05:
        return f"{agency}{year}政府信息公开工作年度报告"
    if rng_draw < 0.07:
        return f"{agency} {year}年政府信息公开工作年度报告"
    return f"{agency}{year}年政府信息公开工作年度报告"


def agency_of(title: str) -> str:
    """The agency as a crawler reads it: the title text before the year, without whitespace."""
    match = re.match(r"^(.*?)\s*\d{4}", title)
    return "".join((match[1] if match else title).split())


def _style(seed: int, key: str, template: str, kind: str) -> Style:
    rng = stable_rng(seed, "style", key)
    money = rng.choices(["plain", "wan", "yuan"], weights=[70, 20, 10])[0]
    if template == "v2021" and money == "yuan":
        money = "plain"
    return Style(
        blank_zero=rng.random() < 0.25,
        halfwidth=rng.random() < 0.3,
        split_labels=rng.random() < 0.1,
        br_headers=rng.random() < 0.15,
        misaligned=template == "v2019" and rng.random() < 0.3,
        money=money,
        old_label=template == "v2021" and rng.random() < 0.15,
        pad=rng.random() < 0.1,
        annotated=rng.random() < 0.1,
        slash_na=kind == "town" and rng.random() < 0.5,
    )


def report_grids(report: Report) -> list:
    """The three table grids of a tabular report (the seed report has its own)."""
    if report.is_seed:
        return seed_report.seed_grids()
    return [
        disclosure_grid(report.template, report.printed, report.style),
        requests_grid(report.template, report.printed, report.style),
        appeals_grid(report.printed, report.style),
    ]


def _read_values(report: Report) -> None:
    values: dict[str, Number | None] = dict.fromkeys(canonical_keys(report.template))
    for grid in report_grids(report):
        values.update(grid_values(grid))
    report.values = values
    report.broken = failed_identity_ids(values, report.template)


def _plan_report(seed: int, column: Column, year: int) -> Article:
    assert column.kind and column.agency
    key = f"{column.site.canonical_host}{column.path}#{year}"
    rng = stable_rng(seed, "report", key)
    real = _real_entries().get((column.site.canonical_host, column.path, year))
    title = _title(rng.random(), column.agency, year)
    shown = shown_date(rng, column.kind, year)
    day = url_date(rng, shown)
    shown_time = f"{rng.randint(8, 18):02d}:{rng.randint(0, 59):02d}"
    docid = 0
    if real:
        day = date(int(real["day"][:4]), int(real["day"][4:6]), int(real["day"][6:]))
        docid = int(real["docid"])
        title = real.get("title", title)
        shown_text = str(real.get("shown") or day.isoformat())
        shown = date.fromisoformat(shown_text[:10])
        shown_time = shown_text[11:] or shown_time
    template = template_for_year(year)
    report = Report(agency=agency_of(title), year=year, kind=column.kind, template=template)
    report.split_title = rng.random() < 0.15
    if real and real["url"] == seed_report.URL:
        report.is_seed = True
    elif template != "pre2019":
        report.printed = generate_values(rng, template, column.kind)
        report.style = _style(seed, key, template, column.kind)
    article = Article(key, column, title, shown, shown_time, day, "report", report, docid)
    return article


def _chain_carry_over(seed: int, reports: list[Article]) -> None:
    """Most agencies carry over last year's carried-forward requests; a few, as in real reports, do not."""
    previous: dict[tuple[str, str], Article] = {}
    for article in sorted(
        reports, key=lambda a: (a.column.site.canonical_host, a.column.path, a.report.year)
    ):  # type: ignore[union-attr]
        report = article.report
        assert report is not None
        key = (article.column.site.canonical_host, article.column.path)
        before = previous.get(key)
        previous[key] = article
        if (
            not (report.printed or report.is_seed)
            or before is None
            or before.report is None
            or before.report.year != report.year - 1
        ):
            continue
        slip = stable_rng(seed, "carry", article.key).random() < CARRY_OVER_SLIP_RATE
        if report.printed and before.report.printed and not slip:
            carry_over_from(report.printed, before.report.printed)
        if report.is_seed and before.report.printed:
            # The real 长寿区 2020 report carried over 16 requests: last year's replica report carried them forward.
            carry_forward_to(before.report.printed, seed_report.seed_values())


def _break(seed: int, article: Article) -> None:
    """Make one identity fail on purpose (a report with an arithmetic slip)."""
    report = article.report
    assert report is not None
    rng = stable_rng(seed, "break", article.key)
    choice = rng.choice(
        ["requests.total_processed.total", "appeals.review.total", "requests.granted.natural_person"]
    )
    report.printed[choice] = report.printed[choice] + rng.randint(1, 3)


def _non_reports(seed: int, unit: Unit, reports: list[Article]) -> list[Article]:
    articles: list[Article] = []
    tops = [column for column in unit.columns if column.parent is None and column.kind is None]
    for top in tops:
        for year in range(2019, unit.until + 1):
            key = f"{top.site.canonical_host}{top.path}#notice{year}"
            rng = stable_rng(seed, key)
            shown = date(year, 12, rng.randint(5, 28))
            title = f"关于做好{year}年政府信息公开工作年度报告编制工作的通知"
            articles.append(Article(key, top, title, shown, None, shown, "notice"))
    for report in reports:
        assert report.report is not None
        if report.report.kind != "district" or report.report.year < 2020:
            continue
        rng = stable_rng(seed, "explainers", report.key)
        for category, title, chance in (
            ("graphic", f"图解：{report.title}", 0.35),
            ("interpretation", f"《{report.title}》解读", 0.2),
        ):
            if rng.random() < chance:
                day = date.fromordinal(report.shown.toordinal() + rng.randint(0, 2))
                key = f"{report.key}#{category}"
                articles.append(Article(key, report.column, title, day, None, day, category))
    for column in unit.columns:
        if not column.documents:
            continue
        for number in range(14):
            key = f"{column.site.canonical_host}{column.path}#doc{number}"
            rng = stable_rng(seed, key)
            year = 2019 + number % 7
            shown = date(year, rng.randint(2, 12), rng.randint(1, 28))
            subject = rng.choice(_DOCUMENT_SUBJECTS)
            title = f"{unit.prefix}人民政府办公室关于印发{subject}的通知"
            articles.append(Article(key, column, title, shown, None, shown, "document"))
    return articles


_DOCUMENT_SUBJECTS = [
    "《森林火灾应急预案》",
    "《城区停车管理办法》",
    "《农村人居环境整治工作方案》",
    "《防汛抗旱应急预案》",
    "《优化营商环境若干措施》",
    "《城乡居民医疗保险实施细则》",
    "《安全生产专项整治方案》",
    "《政务公开工作要点》",
]


# Share of reports whose carried-over requests do not match last year's carried-forward ones.
CARRY_OVER_SLIP_RATE = 0.05


def plan_articles(units: list[Unit], seed: int) -> list[Article]:
    """Every article of the world, with docids assigned and broken reports chosen."""
    reports: list[Article] = []
    articles: list[Article] = []
    for unit in units:
        unit_reports = [
            _plan_report(seed, column, year)
            for column in unit.report_columns()
            for year in range(column.years[0], column.years[1] + 1)  # type: ignore[index]
        ]
        reports += unit_reports
        articles += unit_reports + _non_reports(seed, unit, unit_reports)
    _chain_carry_over(seed, reports)
    tabular = [a for a in reports if a.report and a.report.template != "pre2019" and not a.report.is_seed]
    draws = sorted(tabular, key=lambda a: stable_rng(seed, "broken", a.key).random())
    chosen = [a for a in draws if stable_rng(seed, "broken", a.key).random() < BROKEN_RATE]
    for article in chosen if len(chosen) >= MIN_BROKEN else draws[:MIN_BROKEN]:
        _break(seed, article)
    for article in reports:
        if article.report and article.report.template != "pre2019":
            _read_values(article.report)
    missing = [(a.url_day, a.key) for a in articles if not a.docid]
    real = [
        (date(int(e["day"][:4]), int(e["day"][4:6]), int(e["day"][6:])), int(e["docid"]))
        for e in _real_entries().values()
    ]
    docids = assign_docids(missing, seed, real)
    for article in articles:
        if not article.docid:
            article.docid = docids[article.key]
    return articles
