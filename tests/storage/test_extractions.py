from sqlalchemy import func, select

from storage.archive import Archive
from storage.models import CheckResultRow, ExtractedValue, Extraction, ReportSection, ReportTable
from storage.queries import get_report, list_reports
from storage.records import ExtractionRecord
from tests.storage.builders import add_units, fetch_page, report_record

URL = "http://www.wz.gov.cn/zwgk_266/zfxxgknb/202401/t20240115_1.html"


def _extraction(version: str = "1", *, status: str = "complete", received: int = 120) -> ExtractionRecord:
    return ExtractionRecord(
        extractor_version=version,
        status=status,
        template="2021",
        values={"requests.new_received.total": received, "requests.carried_over.total": None},
        raw={"requests.new_received.total": str(received)},
        sections=[(1, "总体情况", "2023年，万州区……"), (2, "主动公开政府信息情况", "……")],
        tables=[[["信息内容", "本年制发件数"], ["规章", "0"]]],
        checks=[
            ("requests.balance", "total", True, 120.0, 120.0),
            ("requests.row_total", "natural_person", False, 10.0, 9.0),
        ],
        missing=["appeals.review.total"] if status == "partial" else [],
        reason=None,
    )


def _report(archive: Archive) -> tuple[int, int]:
    add_units(archive)
    snapshot_id = fetch_page(archive, URL, b"v1").snapshot_id or 0
    return archive.upsert_report(report_record(snapshot_id)).report_id, snapshot_id


def _rows(archive: Archive, model: type) -> int:
    with archive.Session() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_saved_extraction_is_read_back_in_full(archive: Archive) -> None:
    report_id, snapshot_id = _report(archive)
    archive.save_extraction(report_id, snapshot_id, _extraction())
    detail = get_report(archive, report_id)
    assert detail is not None and detail.extraction is not None
    assert detail.values == {"requests.carried_over.total": None, "requests.new_received.total": 120.0}
    assert detail.raw == {"requests.new_received.total": "120"}
    assert [number for number, _, _ in detail.sections] == [1, 2]
    assert detail.extraction.tables == [[["信息内容", "本年制发件数"], ["规章", "0"]]]
    assert [(c.check_id, c.ok) for c in detail.checks] == [
        ("requests.balance", True),
        ("requests.row_total", False),
    ]
    assert detail.view.status == "complete"
    assert detail.view.failed_checks == 1


def test_saving_the_same_version_again_replaces_it(archive: Archive) -> None:
    report_id, snapshot_id = _report(archive)
    archive.save_extraction(report_id, snapshot_id, _extraction(received=120))
    second = archive.save_extraction(report_id, snapshot_id, _extraction(status="partial", received=121))
    assert _rows(archive, Extraction) == 1
    assert _rows(archive, ExtractedValue) == 2
    assert _rows(archive, ReportSection) == 2
    assert _rows(archive, ReportTable) == 1
    assert _rows(archive, CheckResultRow) == 2
    detail = get_report(archive, report_id)
    assert detail is not None and detail.extraction is not None
    assert detail.extraction.id == second
    assert detail.values["requests.new_received.total"] == 121.0
    assert detail.extraction.missing == ["appeals.review.total"]


def test_another_version_is_kept_beside_and_the_latest_one_shown(archive: Archive) -> None:
    report_id, snapshot_id = _report(archive)
    archive.save_extraction(report_id, snapshot_id, _extraction("1", status="partial"))
    newer = archive.save_extraction(report_id, snapshot_id, _extraction("2", status="complete"))
    assert _rows(archive, Extraction) == 2
    [view] = list_reports(archive)
    assert view.status == "complete"
    detail = get_report(archive, report_id)
    assert detail is not None and detail.extraction is not None and detail.extraction.id == newer


def test_report_with_a_new_body_is_not_extracted_until_extracted_again(archive: Archive) -> None:
    report_id, snapshot_id = _report(archive)
    archive.save_extraction(report_id, snapshot_id, _extraction())
    changed = fetch_page(archive, URL, b"v2", minutes=10).snapshot_id or 0
    archive.upsert_report(report_record(changed))
    [view] = list_reports(archive)
    assert (view.status, view.failed_checks) == ("not extracted", 0)


def test_failed_extraction_keeps_its_reason(archive: Archive) -> None:
    report_id, snapshot_id = _report(archive)
    failed = ExtractionRecord("1", "failed", None, reason="table 三 not found")
    archive.save_extraction(report_id, snapshot_id, failed)
    detail = get_report(archive, report_id)
    assert detail is not None and detail.extraction is not None
    assert (detail.extraction.status, detail.extraction.reason) == ("failed", "table 三 not found")
    assert detail.values == {} and detail.checks == []
