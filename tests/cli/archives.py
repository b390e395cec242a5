"""A small archive for command tests: one agency's reports of two years, crawled by one run."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import update

from storage.archive import Archive
from storage.models import Agency, Report, ReportSection
from storage.records import ExtractionRecord
from storage.search_index import refresh_search_documents
from tests.storage.builders import add_units, fetch_page, report_record

URLS = (
    "http://www.wz.gov.cn/zwgk_266/zfxxgknb/202301/t20230115_1.html",
    "http://www.wz.gov.cn/zwgk_266/zfxxgknb/202401/t20240115_2.html",
)
VALUES = {"requests.new_received.total": 12.0, "requests.carried_over.total": 3.0}


@dataclass(frozen=True)
class SmallArchive:
    db_url: str
    snapshots: Path
    report_ids: tuple[int, int]
    run_id: int

    def open(self) -> Archive:
        return Archive.open(self.db_url, self.snapshots)

    def args(self) -> list[str]:
        return ["--db", self.db_url]


def build_archive(
    folder: Path, *, title: str = "万州区人民政府{year}年政府信息公开工作年度报告"
) -> SmallArchive:
    """Two reports (2022, 2023) of 万州区人民政府 with values, sections and a failed check."""
    db_url = f"sqlite:///{folder / 'archive.sqlite3'}"
    snapshots = folder / "snapshots"
    ids: list[int] = []
    with Archive.open(db_url, snapshots) as archive:
        add_units(archive)
        run_id = archive.start_run(["wz"])
        for position, (year, url) in enumerate(zip((2022, 2023), URLS, strict=True)):
            body = f"<html><body><h1>{title.format(year=year)}</h1><p>正文 {year}</p></body></html>"
            fetched = fetch_page(archive, url, body.encode(), minutes=position, run_id=run_id)
            assert fetched.snapshot_id is not None
            record = report_record(
                fetched.snapshot_id, year=year, url=url, title=title.format(year=year), template="v2019"
            )
            report_id = archive.upsert_report(record, run_id).report_id
            archive.save_extraction(
                report_id,
                fetched.snapshot_id,
                ExtractionRecord(
                    extractor_version="test",
                    status="complete",
                    template="v2019",
                    values={key: value + position for key, value in VALUES.items()},
                    sections=[
                        (1, "一、总体情况", f"{year}年，本机关依申请公开。"),
                        (2, "二、主动公开", "公开。"),
                    ],
                    checks=[("requests.balance", "total", False, 15.0, 14.0 + position)],
                ),
            )
            ids.append(report_id)
        archive.finish_run(run_id, "finished", {"downloader/request_count": 2, "reports/new": 2})
    return SmallArchive(db_url, snapshots, (ids[0], ids[1]), run_id)


def set_crawled_text(small: SmallArchive, *, title: str, agency: str, section: str) -> None:
    """Put ``title``, ``agency`` and ``section`` where crawled text lives (as a hostile site would)."""
    with small.open() as archive, archive.Session.begin() as session:
        session.execute(update(Report).values(title=title))
        session.execute(update(Agency).values(name=agency))
        session.execute(update(ReportSection).values(heading=section, text=section + "。" + section))
        refresh_search_documents(session, list(small.report_ids))
