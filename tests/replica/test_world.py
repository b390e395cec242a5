"""The replica world: determinism, manifest schema, identities, titles, dates and docids."""

from __future__ import annotations

import itertools
import re
from collections import Counter

from replica.catalog import agency_of
from replica.world import World, build_world
from reportformat import canonical_keys
from reportformat.checks import failed_identity_ids
from reportformat.legacy import legacy_key_names


def test_same_seed_same_bytes(replica_small: World) -> None:
    again = build_world("small", seed=2026)
    urls = replica_small.urls()
    assert urls == again.urls()
    for url in urls:
        assert replica_small.page(url) == again.page(url), url
    assert replica_small.manifest() == again.manifest()


def test_other_seed_other_values(replica_small: World) -> None:
    other = build_world("small", seed=7)
    assert other.manifest()["reports"] != replica_small.manifest()["reports"]


def test_manifest_schema(replica_small: World) -> None:
    manifest = replica_small.manifest()
    assert manifest["seed"] == 2026 and manifest["size"] == "small"
    assert {unit["code"] for unit in manifest["units"]} == {"cqcs", "cqyz", "cqspb", "ljxq"}
    for report in manifest["reports"]:
        assert report["kind"] in ("district", "office", "department", "town")
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", report["published"])
        if report["extraction"] == "failed":
            # A report whose tables are pictures shows no number a reader could take (replica.coverage).
            assert report["values"] == {} and report["status"] == "failed"
        elif report["template"] == "pre2019":
            assert set(report["values"]) <= set(legacy_key_names())
            assert report["status"] in ("legacy", "no statistics")
        else:
            assert set(report["values"]) == set(canonical_keys(report["template"]))
            assert report["status"] == "complete"
        assert report["url"].startswith("http://") and "_wap" not in report["url"]
        assert agency_of(report["title"]) == report["agency"]
        assert str(report["year"]) in report["title"]
    assert {item["category"] for item in manifest["non_reports"]} >= {"notice", "graphic"}


def test_one_report_per_agency_and_year(replica_full: World) -> None:
    counts = Counter((report["agency"], report["year"]) for report in replica_full.reports)
    assert max(counts.values()) == 1


def test_identities_hold_except_recorded_breakers(replica_full: World, replica_small: World) -> None:
    for world in (replica_small, replica_full):
        tabular = [r for r in world.reports if r["template"] != "pre2019"]
        for report in tabular:
            assert failed_identity_ids(report["values"], report["template"]) == report["broken_identities"]
        broken = [r for r in tabular if r["broken_identities"]]
        assert len(broken) >= 3
        assert len(broken) <= 0.08 * len(tabular)


def test_blank_cells_are_null_in_manifest(replica_small: World) -> None:
    nulls = [
        key for report in replica_small.reports for key, value in report["values"].items() if value is None
    ]
    assert nulls, "some reports print zero cells as blank"


def test_docids_rise_with_url_date(replica_full: World) -> None:
    pattern = re.compile(r"/(\d{6})/t(\d{8})_(\d+)\.html$")
    items = []
    for report in replica_full.reports:
        folder, day, docid = pattern.search(report["url"]).groups()
        assert day.startswith(folder)
        items.append((day, int(docid)))
    platform = sorted(item for item in items if item[0] >= "20200201")
    by_day: dict[str, list[int]] = {}
    for day, docid in platform:
        by_day.setdefault(day, []).append(docid)
    days = sorted(by_day)
    late = sum(1 for a, b in itertools.pairwise(days) if max(by_day[a]) > min(by_day[b]))
    assert late <= 0.05 * len(days)  # a few real ids sit slightly out of line


def test_migrated_reports_show_original_date(replica_full: World) -> None:
    nanan = next(r for r in replica_full.reports if r["url"].endswith("/naq/202003/t20200327_6287143.html"))
    assert nanan["year"] == 2015 and nanan["published"] == "2016-10-21"
    page = replica_full.page(nanan["url"]).decode()
    assert "日期:2016-10-21 00:00" in page
    migrated = [r for r in replica_full.reports if r["published"] < "2020-02-01" and "/2020" in r["url"]]
    assert len(migrated) > 50


def test_irregular_units(replica_full: World) -> None:
    by_url = {r["url"]: r for r in replica_full.reports}
    yz = by_url[
        "http://www.cqyz.gov.cn/zwgk_229/zfxxgknan_ew/2020_504392/qzfbgs/202601/t20260129_15364021.html"
    ]
    assert yz["year"] == 2025 and yz["kind"] == "office"
    ljxq_2025 = [r for r in replica_full.reports if r["unit_code"] == "ljxq" and r["year"] == 2025]
    assert ljxq_2025 and all(r["url"].startswith("http://www.ljxq.gov.cn/") for r in ljxq_2025)
    assert all(
        r["url"].startswith("http://ljxq.cq.gov.cn/")
        for r in replica_full.reports
        if r["unit_code"] == "ljxq" and r["year"] < 2025
    )
    assert not [r for r in replica_full.reports if r["unit_code"] in ("cqjb", "ybq") and r["year"] == 2025]
    shizhu_office = [r for r in replica_full.reports if "/zwgk_260/xzfbgs/" in r["url"]]
    assert shizhu_office and all(r["kind"] == "office" for r in shizhu_office)
    assert any("/zwgk_260/xzfbgs/" in item["url"] for item in replica_full.manifest()["non_reports"])


def test_pages_are_utf8_html(replica_small: World) -> None:
    for url in replica_small.urls()[:50]:
        replica_small.page(url).decode("utf-8")


def test_revise_changes_page() -> None:
    world = build_world("small", seed=2026)
    url = world.reports[0]["url"]
    before = world.page(url)
    world.revise(url, "本报告于发布后作了更正。")
    after = world.page(url)
    assert before != after and "本报告于发布后作了更正。" in after.decode()
