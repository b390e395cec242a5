"""The pages and the JSON API over the crawled replica: the same answers as the CLI, text shown literally."""

from __future__ import annotations

import json
from typing import Any
from xml.etree import ElementTree as ET

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from sqlalchemy import delete

from cli.main import main
from storage.health import Alert, record_alerts
from storage.models import RunAlert
from tests.web.conftest import HOSTILE_SENTENCE, WebArchive, hostile_page

ATOM = "{http://www.w3.org/2005/Atom}"


def _cli_json(web_archive: WebArchive, *args: str) -> Any:
    result = CliRunner().invoke(main, list(args), env=web_archive.env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def changes_district(client: TestClient) -> str:
    """A district other than 长寿区 that the archive holds."""
    return next(
        row["district"] for row in client.get("/api/coverage").json()["rows"] if row["district"] != "长寿区"
    )


def _report_id(client: TestClient, url: str) -> int:
    hits = client.get("/api/reports", params={"district": "长寿区"}).json()
    return next(hit["id"] for hit in hits if hit["url"] == url)


@pytest.mark.parametrize("path", ["/", "/search?q=公开", "/diff", "/series", "/runs"])
def test_every_page_is_chinese_html_with_a_strict_policy(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert '<html lang="zh-CN">' in response.text
    policy = response.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "script-src 'self'" in policy
    assert response.headers["x-content-type-options"] == "nosniff"


def test_search_api_gives_the_cli_hits(client: TestClient, web_archive: WebArchive) -> None:
    cli = _cli_json(
        web_archive, "search", "复议", "--district", "长寿区", "--format", "json", "--limit", "20"
    )
    api = client.get("/api/search", params={"q": "复议", "district": "长寿区"}).json()
    assert cli and api["hits"] == cli


def test_search_pages_through_every_hit_once(client: TestClient, web_archive: WebArchive) -> None:
    cli = _cli_json(web_archive, "search", "公开", "--format", "json", "--limit", "0")
    seen: list[int] = []
    page = 1
    while True:
        answer = client.get("/api/search", params={"q": "公开", "page": page}).json()
        seen += [hit["id"] for hit in answer["hits"]]
        if not answer["more"]:
            break
        page += 1
    assert page > 1
    assert seen == [hit["id"] for hit in cli]


def test_search_page_highlights_and_filters(client: TestClient) -> None:
    page = client.get("/search", params={"q": "依申请公开", "district": "长寿区", "years": "2020"}).text
    assert "<mark>依申请公开</mark>" in page
    assert "长寿区" in page
    assert client.get("/search", params={"years": "twenty"}).status_code == 400


def test_report_api_is_the_cli_show_json(client: TestClient, web_archive: WebArchive) -> None:
    report_id = _report_id(client, web_archive.revised_url)
    cli = _cli_json(web_archive, "show", str(report_id), "--json")
    assert client.get(f"/api/reports/{report_id}").json() == json.loads(json.dumps(cli, default=str))


def test_report_page_shows_labelled_tables_timeline_and_literal_text(
    client: TestClient, web_archive: WebArchive
) -> None:
    report_id = _report_id(client, web_archive.revised_url)
    page = client.get(f"/reports/{report_id}").text
    for label in ("三、收到和处理政府信息公开申请情况", "自然人", "行政复议", "本年新收政府信息公开申请数量"):
        assert label in page
    assert web_archive.revised_url in page
    assert page.count("/snapshots/") >= 4  # two snapshots: each viewable and downloadable
    assert "<script>window.pwned" not in page
    assert "&lt;script&gt;window.pwned=1&lt;/script&gt;" in page
    assert "{{ 7*7 }}" in page and "49" not in page.split("window.pwned")[1][:200]


def test_failed_checks_are_marked_on_their_cells(client: TestClient, web_archive: WebArchive) -> None:
    broken = next(
        e for e in web_archive.world.reports if e["broken_identities"] and e["template"] != "pre2019"
    )
    report_id = next(hit["id"] for hit in client.get("/api/reports").json() if hit["url"] == broken["url"])
    page = client.get(f"/reports/{report_id}").text
    assert 'class="failed"' in page
    for check_id in broken["broken_identities"]:
        assert check_id in page


def test_values_download_as_csv_and_json(client: TestClient, web_archive: WebArchive) -> None:
    report_id = _report_id(client, web_archive.revised_url)
    detail = client.get(f"/api/reports/{report_id}").json()
    as_json = client.get(f"/reports/{report_id}/values.json").json()
    assert as_json["values"] == detail["extraction"]["values"]
    csv_text = client.get(f"/reports/{report_id}/values.csv").content.decode("utf-8-sig")
    assert csv_text.splitlines()[0] == "key,value,raw"
    assert len(csv_text.splitlines()) == len(detail["extraction"]["values"]) + 1


def test_raw_snapshot_is_the_archived_bytes_as_a_download(
    client: TestClient, web_archive: WebArchive
) -> None:
    response = client.get(f"/snapshots/{web_archive.hostile_sha256}/raw")
    assert response.content == hostile_page("pwned")
    assert response.headers["content-type"] == "application/octet-stream"
    assert response.headers["content-disposition"].startswith("attachment;")


def test_archived_page_is_served_byte_exact_inside_a_sandbox(
    client: TestClient, web_archive: WebArchive
) -> None:
    viewer = client.get(f"/snapshots/{web_archive.hostile_sha256}").text
    assert (
        f'sandbox="" referrerpolicy="no-referrer" title="存档页面 {web_archive.hostile_sha256[:12]}"'
        in viewer
    )
    frame = client.get(f"/snapshots/{web_archive.hostile_sha256}/frame")
    assert frame.content == hostile_page("pwned")
    policy = frame.headers["content-security-policy"]
    assert policy.startswith("sandbox;") and "default-src 'none'" in policy and "script-src" not in policy
    assert client.get("/snapshots/not-a-hash/frame").status_code == 404


def test_diff_api_is_the_cli_diff_json(client: TestClient, web_archive: WebArchive) -> None:
    cli = _cli_json(web_archive, "diff", "长寿区", "2020", "2021", "--json")
    api = client.get("/api/diff", params={"district": "长寿区", "from": 2020, "to": 2021}).json()
    assert api == json.loads(json.dumps(cli, default=str))
    page = client.get("/diff", params={"district": "长寿区", "from": 2020, "to": 2021}).text
    assert "结转校验" in page and "本年新收政府信息公开申请数量" in page
    assert "&lt;script&gt;" in page  # the revised sentence appears as added text, literally


def test_diff_of_two_snapshots_shows_the_silent_edit(client: TestClient, web_archive: WebArchive) -> None:
    report_id = _report_id(client, web_archive.revised_url)
    answer = client.get("/api/diff", params={"report": report_id}).json()
    added = [c["text"] for s in answer["sections"] for c in s["sentences"] if c["change"] == "added"]
    assert any("window.pwned" in text for text in added), added
    assert client.get("/api/diff", params={"district": "长寿区", "from": 1800, "to": 2020}).status_code == 404


def test_series_api_is_the_cli_series_json_and_the_page_has_a_chart(
    client: TestClient, web_archive: WebArchive
) -> None:
    key = "requests.new_received.total"
    cli = _cli_json(web_archive, "series", key, "--district", "长寿区", "--json")
    assert client.get("/api/series", params={"key": key, "district": "长寿区"}).json() == cli
    page = client.get("/series", params={"key": key, "district": ["长寿区", changes_district(client)]}).text
    assert "<svg" in page and "<polyline" in page and "长寿区" in page


def test_changes_feed_is_atom_with_every_change(client: TestClient, web_archive: WebArchive) -> None:
    response = client.get("/changes.atom")
    assert response.headers["content-type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    assert feed.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated"):
        assert feed.find(f"{ATOM}{required}") is not None
    entries = feed.findall(f"{ATOM}entry")
    changes = client.get("/api/changes").json()["changes"]
    assert len(entries) == len(changes) > 0
    for entry in entries:
        for required in ("id", "title", "updated", "link"):
            assert entry.find(f"{ATOM}{required}") is not None
    assert len({entry.findtext(f"{ATOM}id") for entry in entries}) == len(entries)
    revised = [c for c in changes if c["change"] == "revised"]
    assert [c["url"] for c in revised] == [web_archive.revised_url]
    district = changes[-1]["district"]
    only = client.get("/api/changes", params={"district": district[:2]}).json()["changes"]
    assert only and {c["district"] for c in only} == {district}
    assert len(only) < len(changes)


def test_coverage_api_and_home_grid(client: TestClient) -> None:
    coverage = client.get("/api/coverage").json()
    assert coverage["rows"] and all(row["kind"] == "district" for row in coverage["rows"])
    home = client.get("/").text
    for row in coverage["rows"]:
        assert row["district"] in home
    assert home.count('class="cell archived"') >= coverage["counts"]["archived"]


def test_runs_api_lists_the_crawls_and_their_alerts(client: TestClient, web_archive: WebArchive) -> None:
    runs = client.get("/api/runs").json()
    assert len(runs) == 2 and all(run["outcome"] for run in runs)
    message = "<b>listing</b> shows no links [/]"
    with web_archive.open() as archive:
        record_alerts(archive, runs[-1]["id"], [Alert("cqcs", "empty_listing", message)])
    try:
        runs = client.get("/api/runs").json()
        assert [alert["message"] for alert in runs[-1]["alerts"]][-1] == message
        page = client.get("/runs").text
        assert str(runs[0]["id"]) in page
        assert "empty_listing：&lt;b&gt;listing&lt;/b&gt; shows no links [/]" in page
    finally:
        with web_archive.open() as archive, archive.Session.begin() as session:
            session.execute(delete(RunAlert).where(RunAlert.message == message))


def test_the_page_of_a_report_that_does_not_exist_is_404(client: TestClient) -> None:
    assert client.get("/reports/999999").status_code == 404


def test_hostile_sentence_is_in_the_archive(web_archive: WebArchive) -> None:
    with web_archive.open() as archive:
        from storage.queries import get_report

        detail = get_report(archive, web_archive.revised_url)
        assert detail is not None
        assert any(HOSTILE_SENTENCE.rstrip("。") in text for _, _, text in detail.sections)
