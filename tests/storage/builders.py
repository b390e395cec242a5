"""Small builders for storage tests: a fetched page, a registered unit, a report pointing at a snapshot."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from storage.archive import Archive
from storage.records import FetchRecord, ReportRecord

T0 = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def fetch_page(
    archive: Archive,
    url: str,
    body: bytes | None,
    *,
    minutes: int = 0,
    status: int = 200,
    run_id: int | None = None,
    headers: dict[str, str] | None = None,
) -> FetchRecord:
    return archive.record_fetch(
        run_id=run_id,
        url=url,
        canonical_url=url,
        status=status,
        headers=headers or {"Content-Type": "text/html; charset=utf-8"},
        body=body,
        fetched_at=at(minutes),
    )


def report_record(
    snapshot_id: int,
    *,
    unit_code: str = "wz",
    agency: str = "万州区人民政府",
    kind: str = "district",
    year: int = 2023,
    url: str = "http://www.wz.gov.cn/zwgk_266/zfxxgknb/202401/t20240115_1.html",
    title: str = "万州区人民政府2023年政府信息公开工作年度报告",
    published: date | None = date(2024, 1, 15),
    template: str | None = "2021",
) -> ReportRecord:
    return ReportRecord(unit_code, agency, kind, year, url, title, published, template, snapshot_id)


def add_units(archive: Archive) -> None:
    archive.ensure_unit("wz", "万州区", ["www.wz.gov.cn", "wz.gov.cn"])
    archive.ensure_unit("fl", "涪陵区", ["www.fl.gov.cn", "fl.gov.cn"])
