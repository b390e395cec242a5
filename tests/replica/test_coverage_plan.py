"""The replica's missing years, unreadable reports and later state (replica.coverage)."""

from __future__ import annotations

from urllib.parse import urlsplit

from replica.coverage import later_state
from replica.world import World


def _small_part(truth: dict, small_units: set[str], urls: set[str]) -> dict:
    return {
        "removed": [e for e in truth["removed"] if e["unit_code"] in small_units],
        "withdrawn": [e for e in truth["withdrawn"] if e["url"] in urls],
        "unreadable": [e for e in truth["unreadable"] if e["url"] in urls],
    }


def test_the_small_world_makes_the_same_choices_as_the_full_one(replica_small: World, replica_full: World):
    small = replica_small.manifest()
    small_units = {unit["code"] for unit in small["units"]}
    urls = {entry["url"] for entry in small["reports"]}
    full_part = _small_part(replica_full.manifest()["coverage"], small_units, urls)
    assert full_part == _small_part(small["coverage"], small_units, urls)


def test_left_out_years_are_not_served_and_not_in_the_manifest(replica_full: World):
    truth = replica_full.manifest()["coverage"]
    assert {entry["why"] for entry in truth["removed"]} == {"gap", "late"}
    agencies = {(r["unit_code"], r["key"]): r for r in truth["initial"]}
    for entry in truth["removed"]:
        row = agencies[(entry["unit_code"], entry["key"])]
        assert row["cells"][str(entry["year"])] == "missing"
        years = [int(year) for year, state in row["cells"].items() if state != "missing"]
        if entry["why"] == "gap":
            assert min(years) < entry["year"] < max(years)
        else:
            assert entry["year"] == 2025 and max(years) < 2025


def test_unreadable_reports_print_no_table(replica_full: World):
    unreadable = replica_full.manifest()["coverage"]["unreadable"]
    assert {entry["variant"] for entry in unreadable} == {"image-tables", "scanned-tables"}
    for entry in unreadable:
        page = replica_full.page(entry["url"]).decode()
        assert "<table" not in page and "<img" in page
        assert "三、收到和处理政府信息公开申请情况" in page


def test_the_later_state_takes_withdrawn_reports_down(replica_small: World):
    hook = later_state(replica_small)
    withdrawn = replica_small.manifest()["coverage"]["withdrawn"]
    expected = {"gone-404": 404, "gone-410": 410, "unlisted-404": 404}
    for entry in withdrawn:
        parts = urlsplit(entry["url"])
        answer = hook(parts.hostname or "", parts.path)
        assert isinstance(answer, tuple) and answer[0] == expected[entry["variant"]], entry
    some_report = next(
        e["url"] for e in replica_small.reports if e["url"] not in {w["url"] for w in withdrawn}
    )
    parts = urlsplit(some_report)
    assert hook(parts.hostname or "", parts.path) is None


def test_only_the_unlisted_variant_leaves_the_listings(replica_small: World):
    hook = later_state(replica_small)
    withdrawn = replica_small.manifest()["coverage"]["withdrawn"]
    listings = {}
    for entry in withdrawn:
        parts = urlsplit(entry["url"])
        column = parts.path.rsplit("/", 2)[0] + "/"
        name = parts.path.rsplit("/", 1)[1].split(".")[0]
        pages = [column] + [f"{column}index_{n}.html" for n in range(1, 10)]
        served = [replica_small.resolve(parts.hostname or "", page) for page in pages]
        listed = [page for page, body in zip(pages, served, strict=True) if body and name.encode() in body]
        assert listed, entry
        answer = hook(parts.hostname or "", listed[0])
        later = (
            answer[1] if isinstance(answer, tuple) else replica_small.resolve(parts.hostname or "", listed[0])
        )
        listings[entry["variant"]] = name.encode() in (later or b"")
    assert listings == {"gone-404": True, "gone-410": True, "unlisted-404": False}
