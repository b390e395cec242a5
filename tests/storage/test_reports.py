from collections.abc import Callable
from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from storage.archive import Archive, UnknownUnit
from storage.models import Agency, Base, Report, ReportSnapshot, Snapshot, Unit
from tests.storage.builders import T0, add_units, at, fetch_page, report_record

URL = "http://www.wz.gov.cn/zwgk_266/zfxxgknb/202401/t20240115_1.html"


def _history(archive: Archive, report_id: int) -> list[int]:
    with archive.Session() as session:
        return list(
            session.scalars(
                select(ReportSnapshot.snapshot_id)
                .where(ReportSnapshot.report_id == report_id)
                .order_by(ReportSnapshot.snapshot_id)
            )
        )


def _count(archive: Archive, model: type[Report] | type[Agency] | type[Unit]) -> int:
    with archive.Session() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_first_upsert_creates_report_and_agency(archive: Archive) -> None:
    add_units(archive)
    snapshot_id = fetch_page(archive, URL, b"v1").snapshot_id
    assert snapshot_id is not None
    result = archive.upsert_report(report_record(snapshot_id))
    assert result.created and result.new_snapshot
    with archive.Session() as session:
        report = session.get_one(Report, result.report_id)
        agency = session.get_one(Agency, report.agency_id)
        assert (agency.name, agency.kind) == ("万州区人民政府", "district")
        assert (report.year, report.kind, report.status) == (2023, "district", "active")
        assert report.current_snapshot_id == snapshot_id
        assert report.published == date(2024, 1, 15)
        assert report.first_seen_at == report.last_seen_at == T0
    assert _history(archive, result.report_id) == [snapshot_id]


def test_recrawl_of_same_body_updates_without_duplicating(archive: Archive) -> None:
    add_units(archive)
    first = archive.upsert_report(report_record(fetch_page(archive, URL, b"v1", minutes=0).snapshot_id or 0))
    again = fetch_page(archive, URL, b"v1", minutes=60).snapshot_id or 0
    second = archive.upsert_report(report_record(again, title="新标题"))
    assert second.report_id == first.report_id
    assert not second.created and not second.new_snapshot
    assert _count(archive, Report) == 1 and _count(archive, Agency) == 1
    assert len(_history(archive, first.report_id)) == 1
    with archive.Session() as session:
        report = session.get_one(Report, first.report_id)
        assert report.title == "新标题"
        assert (report.first_seen_at, report.last_seen_at) == (at(0), at(60))


def test_history_grows_only_when_the_body_changes(archive: Archive) -> None:
    add_units(archive)
    v1 = fetch_page(archive, URL, b"v1", minutes=0).snapshot_id or 0
    created = archive.upsert_report(report_record(v1))
    v2 = fetch_page(archive, URL, b"v2", minutes=10).snapshot_id or 0
    changed = archive.upsert_report(report_record(v2))
    unchanged = archive.upsert_report(
        report_record(fetch_page(archive, URL, b"v2", minutes=20).snapshot_id or 0)
    )
    assert changed.new_snapshot and not changed.created
    assert not unchanged.new_snapshot
    assert _history(archive, created.report_id) == sorted([v1, v2])
    with archive.Session() as session:
        assert session.get_one(Report, created.report_id).current_snapshot_id == v2


def test_same_agency_different_year_is_another_report(archive: Archive) -> None:
    add_units(archive)
    snapshot_id = fetch_page(archive, URL, b"v1").snapshot_id or 0
    a = archive.upsert_report(report_record(snapshot_id, year=2023))
    b = archive.upsert_report(report_record(snapshot_id, year=2022))
    assert a.report_id != b.report_id
    assert _count(archive, Agency) == 1


def test_report_for_unknown_unit_is_refused(archive: Archive) -> None:
    snapshot_id = fetch_page(archive, URL, b"v1").snapshot_id or 0
    with pytest.raises(UnknownUnit):
        archive.upsert_report(report_record(snapshot_id, unit_code="nowhere"))
    assert _count(archive, Report) == 0


def test_ensure_unit_is_idempotent_and_updates(archive: Archive) -> None:
    first = archive.ensure_unit("wz", "万州", ["www.wz.gov.cn"])
    second = archive.ensure_unit("wz", "万州区", ["www.wz.gov.cn", "wz.gov.cn"])
    assert first == second
    with archive.Session() as session:
        unit = session.get_one(Unit, first)
        assert (unit.name, unit.hosts) == ("万州区", ["www.wz.gov.cn", "wz.gov.cn"])
    assert _count(archive, Unit) == 1


def test_withdrawn_report_seen_again_is_active(archive: Archive) -> None:
    add_units(archive)
    snapshot_id = fetch_page(archive, URL, b"v1").snapshot_id or 0
    report_id = archive.upsert_report(report_record(snapshot_id)).report_id
    with archive.Session.begin() as session:
        report = session.get_one(Report, report_id)
        report.status, report.withdrawn_at = "withdrawn", T0
    archive.upsert_report(report_record(snapshot_id))
    with archive.Session() as session:
        report = session.get_one(Report, report_id)
        assert (report.status, report.withdrawn_at) == ("active", None)


def test_unique_constraints_are_enforced_by_the_database(archive: Archive) -> None:
    add_units(archive)
    snapshot_id = fetch_page(archive, URL, b"v1").snapshot_id or 0
    report_id = archive.upsert_report(report_record(snapshot_id)).report_id
    duplicates: list[Callable[[], Base]] = [
        lambda: Unit(code="wz", name="again", hosts=[]),
        lambda: Snapshot(
            url=URL, sha256=_sha(archive, snapshot_id), size=2, first_seen_at=T0, last_seen_at=T0
        ),
        lambda: Agency(unit_id=_unit_id(archive), name="万州区人民政府", kind="district"),
        lambda: ReportSnapshot(report_id=report_id, snapshot_id=snapshot_id, linked_at=T0),
    ]
    for make in duplicates:
        with pytest.raises(IntegrityError), archive.Session.begin() as session:
            session.add(make())
    with archive.Session() as session:
        report = session.get_one(Report, report_id)
        names = [column.name for column in Report.__table__.columns if column.name != "id"]
        copy = {name: getattr(report, name) for name in names}
    with pytest.raises(IntegrityError), archive.Session.begin() as session:
        session.add(Report(**copy))


def _sha(archive: Archive, snapshot_id: int) -> str:
    with archive.Session() as session:
        return session.get_one(Snapshot, snapshot_id).sha256


def _unit_id(archive: Archive) -> int:
    with archive.Session() as session:
        return session.scalars(select(Unit.id).where(Unit.code == "wz")).one()
