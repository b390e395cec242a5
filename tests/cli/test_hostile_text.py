"""Crawled text reaches the terminal literally and without control characters; CSV cells cannot run."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from cli import output, search
from cli.diff_render import print_diff
from cli.display import clean, csv_cell, terminal
from cli.main import main
from compare.reports import ReportSide, diff_reports
from storage.queries import CheckView, ExtractionView, ReportDetail, ReportView
from storage.search import SearchHit
from tests.cli.archives import SmallArchive, build_archive, set_crawled_text

# What a hostile page can put in a title, an agency name or a section.
ATTACKS = [
    "[/]",
    "[bold red]",
    "[link=http://evil.example/]点这里[/link]",
    "\x1b]0;owned window title\x07",
    "\x1b]8;;http://evil.example/\x1b\\link\x1b]8;;\x1b\\",
    "\x1b[31mred\x1b[0m",
    "\x1b[2J\x1b[H",
    "\x9b2J",
    "\x1bP+q544e\x1b\\",
    "\u202eevil\u202c",
    "\u2066isolated\u2069",
    ":smiley:",
    "safe\roverwritten",
    "\x00\x07\x08\x7f",
    '=HYPERLINK("http://evil.example")',
]
# Characters that must never reach the terminal (ESC included); newline is the only control kept.
FORBIDDEN = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
SGR = re.compile(r"\x1b\[[0-9;]*m")  # Rich's own colours, allowed in a colour terminal

crawled_text = st.lists(st.one_of(st.text(max_size=12), st.sampled_from(ATTACKS)), max_size=6).map("".join)


def _commands(small: SmallArchive) -> dict[str, list[str]]:
    first, second = (str(report_id) for report_id in small.report_ids)
    db = small.args()
    return {
        "list": ["list", *db],
        "show": ["show", second, *db],
        "history": ["history", second, *db, "--snapshot-dir", str(small.snapshots)],
        "diff": ["diff", first, second, *db, "--snapshot-dir", str(small.snapshots)],
        "changes": ["changes", "--run", str(small.run_id), *db],
        "search": ["search", *db],
        "search-query": ["search", "总体", *db],
        "series": ["series", "requests.new_received.total", *db],
        "runs": ["runs", *db],
    }


def _run(args: list[str]) -> str:
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, (args, result.output, result.exception)
    return result.output


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> SmallArchive:
    return build_archive(tmp_path_factory.mktemp("hostile"))


def test_markup_links_and_escapes_in_crawled_text_are_shown_literally_or_removed(small):
    title = "标题[/]尾 [link=http://evil.example/]点这里[/link] \x1b]0;owned\x07\x1b[31m红\u202eevil"
    set_crawled_text(small, title=title, agency="[bold]机关[/bold]:smiley:", section="节[/]\x1b]8;;x\x1b\\文")
    outputs = {name: _run(args) for name, args in _commands(small).items()}
    for name, text in outputs.items():
        assert not FORBIDDEN.search(text), (name, text)
        assert "owned" not in text, (name, text)  # the OSC window-title string is gone whole
    assert "标题[/]尾 [link=http://evil.example/]点这里[/link] 红evil" in outputs["list"]
    assert "标题[/]尾" in outputs["show"] and "节[/]文" in outputs["show"]
    assert "[bold]机关[/bold]:smiley:" in outputs["show"]
    assert "[bold]机关[/bold]:smiley:" in outputs["history"]


@settings(
    max_examples=10,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],  # each example runs ten commands: no shrinking
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(title=crawled_text, agency=crawled_text, section=crawled_text)
def test_every_command_prints_arbitrary_crawled_text_without_control_characters(
    small, title, agency, section
):
    set_crawled_text(small, title=title, agency=agency, section=section)
    for name, args in _commands(small).items():
        text = _run(args)
        assert not FORBIDDEN.search(text), (name, text)
    listed = _run(["list", *small.args()])
    assert "".join(clean(title).split()) in "".join(listed.split())
    shown = _run(["list", "--json", *small.args()])
    assert json.loads(shown)[0]["title"] == title  # JSON keeps the data whole
    assert not re.search("[\x7f-\x9f\u202a-\u202e\u2066-\u2069]", shown)


def _view(title: str, agency: str) -> ReportView:
    return ReportView(
        1, "http://www.wz.gov.cn/a.html", title, agency, "万州区", "wz", "district", 2023,
        date(2024, 1, 15), "v2019", "complete", 1, "0" * 64,
    )  # fmt: skip


def _detail(title: str, agency: str, section: str) -> ReportDetail:
    extraction = ExtractionView(
        1, 1, "test", "partial", "v2019", [section], section, datetime(2024, 1, 1, tzinfo=UTC),
        {"requests.new_received.total": 3.0}, {}, [(1, section, section)], [],
        [CheckView("requests.balance", section, False, 1.0, 2.0)],
    )  # fmt: skip
    moment = datetime(2024, 1, 1, tzinfo=UTC)
    return ReportDetail(_view(title, agency), "active", moment, moment, [], extraction)


@settings(max_examples=150, deadline=None)
@given(title=crawled_text, agency=crawled_text, section=crawled_text)
def test_a_colour_terminal_gets_only_rich_colours_never_links_or_crawled_escapes(
    monkeypatch_module, title, agency, section
):
    buffer = io.StringIO()
    console = terminal(100, file=buffer, color=True)
    monkeypatch_module.setattr(output, "console", console)
    monkeypatch_module.setattr(search, "terminal", lambda width=None: console)
    output.print_report_list([_view(title, agency)])
    output.print_report_detail(_detail(title, agency, section))
    snippet = clean(section)[:40]
    search._print_hits(
        [SearchHit(_view(title, agency), section, [(0, min(3, len(section)))], section)], False
    )
    old = ReportSide(
        agency, 2022, "v2019", {"requests.new_received.total": 1.0}, [(1, section, title)], {"url": title}
    )
    new = ReportSide(
        title, 2023, "v2019", {"requests.new_received.total": 2.0}, [(1, section, agency)], {"url": agency}
    )
    print_diff(diff_reports(old, new), console)
    printed = buffer.getvalue()
    assert not FORBIDDEN.search(SGR.sub("", printed)), printed
    assert "".join(snippet.split()) in "".join(SGR.sub("", printed).split()) or not snippet.strip()


@pytest.fixture(scope="module")
def monkeypatch_module():
    patcher = pytest.MonkeyPatch()
    yield patcher
    patcher.undo()


@given(text=crawled_text)
def test_a_csv_cell_never_starts_a_formula_and_keeps_the_text(text):
    stream = io.StringIO()
    csv.writer(stream).writerow([csv_cell(text), csv_cell(-3.5)])
    cell, number = next(csv.reader(io.StringIO(stream.getvalue())))
    assert number == "-3.5"
    assert cell in (text, "'" + text)
    risky = bool(text) and (text[0] in "=+-@" or ord(text[0]) < 32 or 0x7F <= ord(text[0]) <= 0x9F)
    plain_number = re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?", text) is not None
    assert cell == ("'" + text if risky and not plain_number else text)


def _export(small: SmallArchive, *extra: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(_run(["export", *small.args(), *extra]))))


def test_export_and_search_csv_neutralise_formulas_unless_raw_csv_is_asked(small):
    formula = '=HYPERLINK("http://evil.example","点")'
    set_crawled_text(small, title="@SUM(1+1)", agency=formula, section="节")
    rows = _export(small)
    agency_column = rows[0].index("agency")
    assert {row[agency_column] for row in rows[1:]} == {"'" + formula}
    value_column = rows[0].index("value")
    assert all(not row[value_column].startswith("'") for row in rows[1:])  # numbers stay numbers
    raw = _export(small, "--raw-csv")
    assert {row[agency_column] for row in raw[1:]} == {formula}
    hits = list(csv.reader(io.StringIO(_run(["search", "--format", "csv", *small.args()]))))
    header = hits[0]
    assert {row[header.index("title")] for row in hits[1:]} == {"'@SUM(1+1)"}
    assert {row[header.index("agency")] for row in hits[1:]} == {"'" + formula}
    raw_hits = list(csv.reader(io.StringIO(_run(["search", "--format", "csv", "--raw-csv", *small.args()]))))
    assert {row[header.index("title")] for row in raw_hits[1:]} == {"@SUM(1+1)"}


def test_json_output_escapes_bidi_and_c1_characters_losslessly(small, tmp_path: Path):
    title = "题\u202e目\x85"
    set_crawled_text(small, title=title, agency="机关", section="节")
    printed = _run(["list", "--json", *small.args()])
    assert "\\u202e" in printed and "\\u0085" in printed
    assert json.loads(printed)[0]["title"] == title
