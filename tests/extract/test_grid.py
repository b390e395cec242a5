"""Tables as rectangular grids: spans, runs of text inside cells, malformed markup."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extract.grid import read_tables


def test_spans_are_expanded() -> None:
    grids = read_tables(
        "<table><tr><td rowspan=2>A</td><td colspan=2>B</td></tr><tr><td>c</td><td>d</td></tr></table>"
    )
    assert grids[0].as_lists() == [["A", "B", "B"], ["A", "c", "d"]]
    assert grids[0].logical_row(0) == ["A", "B"]


def test_cell_text_joins_runs() -> None:
    html = (
        "<table><tr><td><p>商业</p><p>企业</p></td><td>结果<br/>纠正</td>"
        "<td><span>自然</span><font>人</font></td><td><p>&nbsp;</p></td></tr></table>"
    )
    assert read_tables(html)[0].as_lists() == [["商业 企业", "结果 纠正", "自然人", ""]]


def test_nested_tables_are_separate_grids() -> None:
    html = "<table><tr><td>outer<table><tr><td>inner</td></tr></table></td></tr></table>"
    assert [grid.as_lists() for grid in read_tables(html)] == [[["outer"]], [["inner"]]]


def test_malformed_markup_is_read_as_a_browser_would() -> None:
    html = "<table><tr><td colspan=x>a<td rowspan=0>b<tr><td>c</table><td>stray"
    grid = read_tables(html)[0]
    assert grid.as_lists() == [["a", "b"], ["c", "b"]]


def test_absurd_spans_are_clamped() -> None:
    grid = read_tables("<table><tr><td colspan=99999 rowspan=99999>x</td></tr></table>")[0]
    assert grid.n_rows == 1
    assert grid.n_cols == 100


def test_page_without_tables() -> None:
    assert read_tables("<p>没有表格</p>") == []
    assert read_tables("") == []


_cells = st.tuples(
    st.sampled_from(["td", "th", "TD", "p", "tr"]),
    st.one_of(st.none(), st.integers(-3, 30).map(str), st.sampled_from(["", "x", "2.5", "０"])),
    st.one_of(st.none(), st.integers(-3, 30).map(str), st.sampled_from(["", "abc", "1e3"])),
    st.text(alphabet="数据1 &<>/;\xa0", max_size=6),
)
_garbage = st.sampled_from(
    ["", "</td>", "<tr>", "</tr>", "<table>", "</table>", "<tbody>", "<br>", "<p>", "<!--"]
)


@st.composite
def _tables(draw: st.DrawFn) -> str:
    parts = ["<table>"]
    for _ in range(draw(st.integers(0, 8))):
        parts.append("<tr>")
        for tag, colspan, rowspan, text in draw(st.lists(_cells, max_size=8)):
            attributes = ""
            if colspan is not None:
                attributes += f' colspan="{colspan}"'
            if rowspan is not None:
                attributes += f" rowspan={rowspan}"
            parts.append(f"<{tag}{attributes}>{text}{draw(_garbage)}</{tag}>")
        parts.append(draw(st.sampled_from(["</tr>", ""])))
    parts.append(draw(st.sampled_from(["</table>", ""])))
    return "".join(parts)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_tables())
def test_fuzzed_tables_give_rectangular_grids(html: str) -> None:
    for grid in read_tables(html):
        widths = {len(row) for row in grid.cells} | {len(row) for row in grid.origins}
        assert widths == {grid.n_cols}
        assert grid.n_rows == len(grid.origins)
        for row in range(grid.n_rows):
            assert len(grid.logical_row(row)) <= grid.n_cols


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400))
def test_arbitrary_bytes_never_crash(data: bytes) -> None:
    for grid in read_tables(data):
        assert {len(row) for row in grid.cells} == {grid.n_cols}
