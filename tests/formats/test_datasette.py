"""`reports datasette`: Datasette's test client on the crawled archive: views, facets, labels, search."""

from __future__ import annotations

import asyncio
import json
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.operations import Operations
from alembic.runtime.migration import MigrationContext
from datasette.app import Datasette
from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import OperationalError

from reportformat import canonical_keys
from storage.datasette import VIEW_NAMES, create_views
from storage.db import alembic_config, make_engine, migrate
from storage.filters import ReportFilter
from storage.queries import get_report, list_reports
from storage.search import search_reports
from tests.formats.conftest import run_cli


@pytest.fixture(scope="module")
def datasette(crawled_unit) -> Datasette:
    """Datasette on the archive, with the views and metadata `reports datasette --no-serve` made."""
    printed = run_cli(["datasette", "--no-serve"], crawled_unit.target.db_url).stdout
    metadata_file = Path(printed.strip().splitlines()[-1])
    database = crawled_unit.target.db_url.removeprefix("sqlite:///")
    return Datasette([database], metadata=json.loads(metadata_file.read_text(encoding="utf-8")))


def get(datasette: Datasette, path: str) -> Any:
    response = asyncio.run(datasette.client.get(path))
    assert response.status_code == 200, response.text[:500]
    return response.json() if ".json" in path else response.text


def rows(datasette: Datasette, path: str) -> list[dict[str, Any]]:
    joiner = "&" if "?" in path else "?"
    return get(datasette, f"{path}{joiner}_shape=array&_size=max")


def test_the_overview_has_one_row_per_report_with_its_current_extraction(crawled_unit, datasette):
    overview = rows(datasette, "/archive/report_overview.json")
    with crawled_unit.target.open() as archive:
        expected = {r.id: r for r in list_reports(archive)}
    assert sorted(row["report_id"] for row in overview) == sorted(expected)
    for row in overview:
        report = expected[row["report_id"]]
        assert row["extraction_status"] == report.status
        assert row["published"] == (report.published.isoformat() if report.published else None)
        assert (row["district"], row["year"], row["kind"]) == (report.district, report.year, report.kind)
        assert row["failed_checks"] == report.failed_checks
    statuses = {row["report_id"]: row["report_status"] for row in overview}
    assert Counter(statuses.values()) == {"active": len(expected) - 1, "withdrawn": 1}


def test_facets_by_district_year_and_kind(crawled_unit, datasette):
    result = get(datasette, "/archive/report_overview.json?_facet=district&_facet=year&_facet=kind&kind=town")
    facets = result["facet_results"]
    facets = facets.get("results", facets)  # the layout of facet_results differs across versions
    with crawled_unit.target.open() as archive:
        towns = [r for r in list_reports(archive) if r.kind == "town"]
    assert {v["value"]: v["count"] for v in facets["kind"]["results"]} == {"town": len(towns)}
    assert {v["value"]: v["count"] for v in facets["year"]["results"]} == Counter(r.year for r in towns)
    assert {v["value"]: v["count"] for v in facets["district"]["results"]} == {"长寿区": len(towns)}


def test_values_wide_have_a_column_per_canonical_key(crawled_unit, datasette):
    wide = rows(datasette, "/archive/values_v2021.json")
    assert wide and set(canonical_keys("v2021")) <= set(wide[0])
    with crawled_unit.target.open() as archive:
        v2021 = [r for r in list_reports(archive) if r.template == "v2021" and r.status != "not extracted"]
        assert sorted(row["report_id"] for row in wide) == sorted(r.id for r in v2021)
        for row in wide[:5]:
            detail = get_report(archive, row["report_id"])
            assert detail is not None and len(detail.values) > 50
            assert {key: row[key] for key in detail.values} == detail.values


def test_failed_checks_name_the_cells_they_concern(crawled_unit, datasette):
    failed = rows(datasette, "/archive/failed_checks.json")
    with crawled_unit.target.open() as archive:
        expected = sum(report.failed_checks for report in list_reports(archive))
    assert len(failed) == expected > 0
    for row in failed:
        if row["check_id"] == "narrative":  # prose against the table: the sentence it read
            assert row["source"] and row["cells"] is None
            continue
        cells = dict(pair.split(" = ") for pair in row["cells"].split("; "))
        assert any(key.endswith(f".{row['where']}") or f".{row['where']}." in key for key in cells)
        assert row["difference"] == row["actual"] - row["expected"] != 0


def test_labelled_foreign_keys_and_human_titles(datasette):
    report = rows(datasette, "/archive/reports.json?_labels=on")[0]
    assert report["unit_id"]["label"] == "长寿区"
    assert report["current_snapshot_id"]["label"].startswith("http://")
    page = get(datasette, "/archive/report_overview")
    assert "报告一览 / Report overview" in page


@pytest.mark.parametrize("word", ["复议", "公开", "依申请公开", "长寿"])
def test_the_canned_search_finds_what_reports_search_finds(crawled_unit, datasette, word):
    found = rows(datasette, f"/archive/search.json?q={word}")
    with crawled_unit.target.open() as archive:
        expected = {hit.report.id for hit in search_reports(archive, word, ReportFilter())}
    assert expected and {row["report_id"] for row in found} == expected
    assert all(word in row["snippet"] for row in found)


def test_no_report_matches_a_word_that_is_not_there(datasette):
    assert rows(datasette, "/archive/search.json?q=不存在的词语") == []


def _rebuild_reports_table(engine: Engine) -> None:
    """What a batch migration does to a table on SQLite: copy, drop, rename."""
    with engine.begin() as connection:
        operations = Operations(MigrationContext.configure(connection))
        with operations.batch_alter_table("reports", recreate="always"):
            pass


def test_migrating_with_the_views_in_place_drops_them_first(tmp_path):
    path = tmp_path / "archive.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    try:
        with engine.begin() as connection:
            config = alembic_config()
            config.attributes["connection"] = connection
            command.upgrade(config, "0008")
            create_views(connection)
        engine.dispose()
        shutil.copy(path, tmp_path / "copy.sqlite3")
        copy = make_engine(f"sqlite:///{tmp_path / 'copy.sqlite3'}")
        with pytest.raises(OperationalError, match="error in view"):
            _rebuild_reports_table(copy)  # why the views must go before a migration
        copy.dispose()
        migrate(engine)
        assert not set(inspect(engine).get_view_names()) & set(VIEW_NAMES)
        _rebuild_reports_table(engine)
        with engine.begin() as connection:
            create_views(connection)
            connection.execute(text("SELECT * FROM report_overview")).all()
        migrate(engine)  # nothing pending: the views stay
        assert set(inspect(engine).get_view_names()) >= set(VIEW_NAMES)
    finally:
        engine.dispose()
