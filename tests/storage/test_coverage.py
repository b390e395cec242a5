"""Coverage: the missing-year rule, the deadline, and the matrix built from an archive."""

from __future__ import annotations

import json
import zlib
from datetime import date

import pytest

from storage.archive import Archive
from storage.changes import withdraw_report
from storage.coverage import Deadline, agency_key, coverage, year_states
from storage.records import ExtractionRecord
from tests.storage.builders import T0, add_units, fetch_page, report_record

# -- the rule, without a database -------------------------------------------------------------


def test_a_year_between_the_first_and_last_is_missing() -> None:
    states = year_states({2019: "archived", 2020: "failed", 2022: "withdrawn"}, latest_due_year=2022)
    assert states == {2019: "archived", 2020: "failed", 2021: "missing", 2022: "withdrawn"}


def test_years_before_the_first_report_are_not_missing() -> None:
    assert min(year_states({2021: "archived", 2022: "archived"}, latest_due_year=2022)) == 2021


def test_the_latest_year_is_missing_once_its_deadline_has_passed() -> None:
    deadline = Deadline()  # 31 January
    after = deadline.latest_due_year(date(2025, 2, 1))
    assert after == 2024
    assert year_states({2022: "archived", 2023: "archived"}, after) == {
        2022: "archived",
        2023: "archived",
        2024: "missing",
    }


def test_the_latest_year_is_not_missing_before_or_on_its_deadline() -> None:
    deadline = Deadline()
    for day in (date(2025, 1, 31), date(2025, 1, 2), date(2024, 12, 31)):
        assert deadline.latest_due_year(day) == 2023, day
        assert year_states({2022: "archived", 2023: "archived"}, deadline.latest_due_year(day)) == {
            2022: "archived",
            2023: "archived",
        }


def test_every_year_after_the_last_report_up_to_the_due_year_is_missing() -> None:
    states = year_states({2019: "archived"}, latest_due_year=2022)
    assert states == {2019: "archived", 2020: "missing", 2021: "missing", 2022: "missing"}


def test_an_agency_with_one_year() -> None:
    assert year_states({2023: "archived"}, latest_due_year=2023) == {2023: "archived"}
    assert year_states({2024: "archived"}, latest_due_year=2023) == {2024: "archived"}
    assert year_states({2022: "withdrawn"}, latest_due_year=2023) == {2022: "withdrawn", 2023: "missing"}


def test_no_report_no_years() -> None:
    assert year_states({}, latest_due_year=2023) == {}


def test_the_deadline_is_a_setting() -> None:
    june = Deadline.parse("06-30")
    assert (june.month, june.day) == (6, 30) and str(june) == "06-30"
    assert june.latest_due_year(date(2025, 6, 30)) == 2023
    assert june.latest_due_year(date(2025, 7, 1)) == 2024
    for bad in ("0131", "02-30", "x-1", ""):
        with pytest.raises(ValueError, match="deadline|day|month"):
            Deadline.parse(bad)


def test_an_agency_is_the_same_with_or_without_the_municipality() -> None:
    assert agency_key("重庆市丰都县") == agency_key("丰都县") == "丰都县"
    assert agency_key("重庆两江新区") == agency_key("重庆市两江新区")
    assert agency_key("重庆市 石柱土家族自治县") == "石柱土家族自治县"
    assert agency_key("重庆市长寿区发展和改革委员会") != agency_key("重庆市长寿区")


# -- the matrix from an archive (SQLite and PostgreSQL) -----------------------------------


def _report(archive: Archive, agency: str, year: int, *, unit: str = "wz", kind: str = "district") -> int:
    host = "www.wz.gov.cn" if unit == "wz" else "www.fl.gov.cn"
    url = f"http://{host}/zwgk/zfxxgknb/{zlib.crc32(agency.encode())}/t{year}0115_{year}.html"
    page = fetch_page(archive, url, f"<html>{agency}{year}</html>".encode())
    assert page.snapshot_id is not None
    record = report_record(
        page.snapshot_id,
        unit_code=unit,
        agency=agency,
        kind=kind,
        year=year,
        url=url,
        title=f"{agency}{year}年政府信息公开工作年度报告",
    )
    upsert = archive.upsert_report(record)
    return upsert.report_id


def _extracted(archive: Archive, report_id: int, status: str) -> None:
    from sqlalchemy import select

    from storage.models import Report

    with archive.Session() as session:
        snapshot_id = session.scalar(select(Report.current_snapshot_id).where(Report.id == report_id))
    assert snapshot_id is not None
    archive.save_extraction(report_id, snapshot_id, ExtractionRecord("test", status, "v2021"))


@pytest.fixture
def filled(archive: Archive) -> Archive:
    """万州: the district 2019-2023 without 2021 (2020 under its long name, 2022 failed, 2023 withdrawn),
    a town with 2024 only; 涪陵: its office 2022-2023."""
    add_units(archive)
    for year in (2019, 2023):
        _extracted(archive, _report(archive, "万州区人民政府", year), "complete")
    _extracted(archive, _report(archive, "重庆市万州区人民政府", 2020), "partial")
    _extracted(archive, _report(archive, "万州区人民政府", 2022), "failed")
    withdrawn = _report(archive, "万州区人民政府", 2023)
    with archive.Session() as session:
        from storage.models import Report

        url = session.get_one(Report, withdrawn).url
    assert withdraw_report(archive, url, T0, None) == withdrawn
    _report(archive, "万州区龙都街道办事处", 2024, kind="town")  # not extracted yet
    for year in (2022, 2023):
        _report(archive, "涪陵区人民政府办公室", year, unit="fl", kind="office")
    return archive


def _states(row) -> dict[int, str]:
    return {cell.year: cell.state for cell in row.cells}


def test_matrix_of_an_archive(filled: Archive) -> None:
    result = coverage(filled, as_of=date(2025, 2, 1))
    assert result.latest_due_year == 2024
    rows = {(row.unit_code, row.agency): row for row in result.rows}
    # by district name (code-point order), then district body, office, department, town
    assert list(rows) == [
        ("wz", "万州区人民政府"),
        ("wz", "万州区龙都街道办事处"),
        ("fl", "涪陵区人民政府办公室"),
    ]
    district = rows[("wz", "万州区人民政府")]
    assert _states(district) == {
        2019: "archived",
        2020: "archived",
        2021: "missing",
        2022: "failed",
        2023: "withdrawn",
        2024: "missing",
    }
    assert district.names == ("万州区人民政府", "重庆市万州区人民政府")
    assert district.cell(2020).extraction == "partial"  # type: ignore[union-attr]
    assert district.cell(2021).report_ids == ()  # type: ignore[union-attr]
    assert _states(rows[("wz", "万州区龙都街道办事处")]) == {2024: "archived"}
    assert _states(rows[("fl", "涪陵区人民政府办公室")]) == {
        2022: "archived",
        2023: "archived",
        2024: "missing",
    }
    assert result.counts() == {"archived": 5, "failed": 1, "withdrawn": 1, "missing": 3}
    assert result.years == list(range(2019, 2025))


def test_before_the_deadline_the_latest_year_is_not_missing(filled: Archive) -> None:
    result = coverage(filled, as_of=date(2025, 1, 31))
    assert result.counts()["missing"] == 1  # only 万州 2021
    assert result.to_json()["latest_due_year"] == 2023


def test_filters_by_unit_district_and_kind(filled: Archive) -> None:
    by_code = coverage(filled, as_of=date(2025, 2, 1), unit_code="fl")
    assert [row.agency for row in by_code.rows] == ["涪陵区人民政府办公室"]
    by_name = coverage(filled, as_of=date(2025, 2, 1), district="万州")
    assert {row.unit_code for row in by_name.rows} == {"wz"}
    towns = coverage(filled, as_of=date(2025, 2, 1), kind="town")
    assert [row.agency for row in towns.rows] == ["万州区龙都街道办事处"]
    assert coverage(filled, as_of=date(2025, 2, 1), unit_code="nowhere").rows == ()


def test_json_form_has_integer_counts_and_every_cell(filled: Archive) -> None:
    document = json.loads(json.dumps(coverage(filled, as_of=date(2025, 2, 1)).to_json()))
    assert document["as_of"] == "2025-02-01" and document["deadline"] == "01-31"
    assert all(isinstance(count, int) for count in document["counts"].values())
    district = next(row for row in document["rows"] if row["agency"] == "万州区人民政府")
    assert district["counts"] == {"archived": 2, "failed": 1, "withdrawn": 1, "missing": 2}
    assert [cell["year"] for cell in district["cells"]] == list(range(2019, 2025))
    assert district["cells"][2] == {
        "year": 2021,
        "state": "missing",
        "report_ids": [],
        "url": None,
        "extraction": None,
    }
