"""`reports extract` and `reports reextract` through click's CliRunner."""

import json
from datetime import UTC, datetime
from pathlib import Path

from click.testing import CliRunner

from cli.main import main
from storage.archive import Archive, ReportRecord
from storage.queries import get_report

FILES = Path(__file__).resolve().parents[1] / "extract" / "files"
SEED_URL = "http://www.cqcs.gov.cn/zwgk_164/zfxxgknb/qzfxxgknb/csq/202102/t20210203_8859904.html"


def test_extract_prints_the_documented_json():
    result = CliRunner().invoke(main, ["extract", str(FILES / "changshou-2020" / "page.txt"), "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    expected = json.loads((FILES / "changshou-2020" / "expected.json").read_text(encoding="utf-8"))
    assert {
        "title",
        "agency",
        "year",
        "published",
        "template",
        "values",
        "sections",
        "checks",
        "status",
    } <= set(document)
    assert document["published"] == "2021-02-03"
    assert document["year"] == 2020
    assert document["template"] == "v2019"
    assert document["values"] == expected["values"]
    assert [section["number"] for section in document["sections"]] == [0, 1, 2, 3, 4, 5, 6]
    assert document["status"] == "complete"
    assert all(
        {"id", "ok", "expected", "actual", "where", "source"} == set(check) for check in document["checks"]
    )


def test_extract_renders_tables_for_the_terminal():
    result = CliRunner().invoke(main, ["extract", str(FILES / "shanghai-gov-office-2019" / "report.html")])
    assert result.exit_code == 0, result.output
    assert "三、收到和处理政府信息公开申请情况" in result.output
    assert "859" in result.output and "805" in result.output


def test_extract_of_a_missing_file_is_one_clear_line(tmp_path):
    result = CliRunner().invoke(main, ["extract", str(tmp_path / "nope.html")])
    assert result.exit_code != 0
    assert result.output.strip().splitlines() == [f"Error: no such file: {tmp_path / 'nope.html'}"]


def test_extract_of_garbage_reports_failure_without_crashing(tmp_path):
    garbage = tmp_path / "garbage.html"
    garbage.write_bytes(bytes(range(256)) * 50)
    result = CliRunner().invoke(main, ["extract", str(garbage), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["status"] == "failed"


def test_reextract_uses_stored_snapshots_and_counts_changes(tmp_path, replica_small):
    db_url = f"sqlite:///{tmp_path / 'archive.sqlite3'}"
    with Archive.open(db_url, tmp_path / "snapshots") as archive:
        archive.ensure_unit("cqcs", "长寿区", ["www.cqcs.gov.cn", "cqcs.gov.cn"])
        fetch = archive.record_fetch(
            run_id=None,
            url=SEED_URL,
            canonical_url=SEED_URL,
            status=200,
            headers={},
            body=replica_small.page(SEED_URL),
            fetched_at=datetime.now(UTC),
        )
        archive.upsert_report(
            ReportRecord(
                "cqcs", "重庆市长寿区", "district", 2020, SEED_URL, "t", None, "v2019", fetch.snapshot_id
            )
        )
    runner = CliRunner(env={"REPORTS_DB": db_url, "REPORTS_SNAPSHOTS": str(tmp_path / "snapshots")})
    first = runner.invoke(main, ["reextract", "--all"])
    assert first.exit_code == 0, first.output
    assert "1 changed, 0 unchanged" in first.output
    second = runner.invoke(main, ["reextract", SEED_URL])
    assert "0 changed, 1 unchanged" in second.output
    with Archive.open(db_url, tmp_path / "snapshots") as archive:
        detail = get_report(archive, SEED_URL)
    assert detail.extraction.status == "complete"
    assert detail.values["requests.new_received.natural_person"] == 102


def test_reextract_needs_reports_or_all():
    result = CliRunner().invoke(main, ["reextract"])
    assert result.exit_code == 2
    assert "--all" in result.output


PDF_FILES = Path(__file__).resolve().parents[1] / "browser" / "files"


def test_extract_of_a_pdf_prints_the_title_agency_and_year_the_document_prints():
    for name in ("hongze-2023", "hongze-2024", "szfgs-2024"):
        expected = json.loads((PDF_FILES / name / "expected.json").read_text(encoding="utf-8"))
        result = CliRunner().invoke(main, ["extract", str(PDF_FILES / name / "report.pdf"), "--json"])
        assert result.exit_code == 0, result.output
        document = json.loads(result.output)
        assert (document["title"], document["agency"], document["year"]) == (
            expected["title"],
            expected["agency"],
            expected["year"],
        )
        assert document["status"] == expected["status"]


def test_extract_of_a_file_over_the_size_limit_reads_none_of_it(tmp_path):
    from extract.limits import MAX_FILE_BYTES

    huge = tmp_path / "huge.pdf"
    with huge.open("wb") as out:
        out.write(b"%PDF-1.4\n")
        out.truncate(MAX_FILE_BYTES + 1)
    result = CliRunner().invoke(main, ["extract", str(huge), "--json"])
    assert result.exit_code != 0
    assert "DocumentTooLarge" in result.output and "nothing was parsed" in result.output
