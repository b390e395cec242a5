from datetime import date

from storage.archive import Archive
from storage.queries import archive_counts, get_report, list_reports, list_runs, page_errors
from tests.storage.builders import add_units, fetch_page, report_record


def _seed(archive: Archive) -> dict[str, int]:
    """Three reports in two districts and two years, of a district government, a department and a town."""
    add_units(archive)
    reports = {}
    rows = [
        ("wz", "万州区人民政府", "district", 2023, "http://www.wz.gov.cn/nb/2023.html"),
        ("wz", "万州区教育委员会", "department", 2023, "http://www.wz.gov.cn/jw/nb/2023.html"),
        ("wz", "万州区人民政府", "district", 2022, "http://www.wz.gov.cn/nb/2022.html"),
        ("fl", "涪陵区敦仁街道办事处", "town", 2023, "http://www.fl.gov.cn/drjd/nb/2023.html"),
    ]
    for unit_code, agency, kind, year, url in rows:
        snapshot_id = fetch_page(archive, url, url.encode()).snapshot_id or 0
        record = report_record(
            snapshot_id,
            unit_code=unit_code,
            agency=agency,
            kind=kind,
            year=year,
            url=url,
            title=f"{agency}{year}年政府信息公开工作年度报告",
            published=date(year + 1, 1, 20),
        )
        reports[url] = archive.upsert_report(record).report_id
    return reports


def test_list_orders_by_year_desc_then_district_then_agency(archive: Archive) -> None:
    _seed(archive)
    order = [(view.year, view.district, view.agency) for view in list_reports(archive)]
    assert order == [
        (2023, "万州区", "万州区人民政府"),
        (2023, "万州区", "万州区教育委员会"),
        (2023, "涪陵区", "涪陵区敦仁街道办事处"),
        (2022, "万州区", "万州区人民政府"),
    ]


def test_list_filters(archive: Archive) -> None:
    _seed(archive)
    assert {v.agency for v in list_reports(archive, district="涪陵区")} == {"涪陵区敦仁街道办事处"}
    assert len(list_reports(archive, district="万州")) == 3
    assert len(list_reports(archive, district="wz")) == 3
    assert [v.year for v in list_reports(archive, year=2022)] == [2022]
    assert [v.kind for v in list_reports(archive, kind="department")] == ["department"]
    assert {v.unit_code for v in list_reports(archive, unit_code="fl")} == {"fl"}
    assert [v.agency for v in list_reports(archive, district="万州区", year=2023, kind="district")] == [
        "万州区人民政府"
    ]
    assert list_reports(archive, district="渝中区") == []


def test_list_view_carries_the_report_facts(archive: Archive) -> None:
    _seed(archive)
    [view] = list_reports(archive, unit_code="fl")
    assert view.url == "http://www.fl.gov.cn/drjd/nb/2023.html"
    assert view.title == "涪陵区敦仁街道办事处2023年政府信息公开工作年度报告"
    assert view.published == date(2024, 1, 20)
    assert (view.template, view.status, view.failed_checks) == ("2021", "not extracted", 0)
    assert archive.snapshot_body(view.snapshot_sha256) == view.url.encode()


def test_get_report_by_id_url_and_digit_string(archive: Archive) -> None:
    reports = _seed(archive)
    url = "http://www.wz.gov.cn/jw/nb/2023.html"
    by_url = get_report(archive, url)
    by_id = get_report(archive, reports[url])
    by_text = get_report(archive, str(reports[url]))
    assert by_url is not None and by_id is not None and by_text is not None
    assert by_url.view == by_id.view == by_text.view
    assert by_url.view.agency == "万州区教育委员会"
    assert [snapshot.url for snapshot in by_url.snapshots] == [url]
    assert by_url.extraction is None and by_url.report_status == "active"


def test_get_report_that_does_not_exist(archive: Archive) -> None:
    _seed(archive)
    assert get_report(archive, 9999) is None
    assert get_report(archive, "http://www.wz.gov.cn/missing.html") is None


def test_queries_accept_a_session(archive: Archive) -> None:
    _seed(archive)
    with archive.Session() as session:
        assert len(list_reports(session)) == 4
        assert archive_counts(session)["reports"] == 4


def test_counts_runs_and_page_errors(archive: Archive) -> None:
    first = archive.start_run(["wz"])
    second = archive.start_run(["wz", "fl"])
    _seed(archive)
    archive.record_page_error(
        run_id=first, url="http://www.wz.gov.cn/nb/x.html", snapshot_id=None, kind="http", message="503"
    )
    archive.record_page_error(
        run_id=second, url="http://www.fl.gov.cn/nb/y.html", snapshot_id=1, kind="metadata", message="no year"
    )
    archive.finish_run(first, "interrupted", {"requests": 3, "responses": {"200": 2, "503": 1}})
    counts = archive_counts(archive)
    assert {
        k: counts[k] for k in ("units", "agencies", "reports", "snapshots", "fetches", "page_errors", "runs")
    } == {
        "units": 2,
        "agencies": 3,
        "reports": 4,
        "snapshots": 4,
        "fetches": 4,
        "page_errors": 2,
        "runs": 2,
    }
    runs = list_runs(archive)
    assert [run.id for run in runs] == [second, first]
    assert (runs[1].outcome, runs[1].stats["responses"]["503"]) == ("interrupted", 1)
    assert runs[1].finished_at is not None and runs[0].finished_at is None
    assert runs[0].sites == ["wz", "fl"]
    assert [error.kind for error in page_errors(archive)] == ["http", "metadata"]
    [only] = page_errors(archive, run_id=second)
    assert (only.url, only.snapshot_id, only.message) == ("http://www.fl.gov.cn/nb/y.html", 1, "no year")
