"""The rules of run health: which figures raise which alert, and which outcome a run ends with;
and the listing pages that lead nowhere (rendered in the browser) against those that do not."""

from __future__ import annotations

import pytest

from cli.health import EXIT_STATUSES, exit_status
from crawler.listing import parse_column_page
from replica.world import build_world
from storage.health import Alert, SiteHealth, evaluate, outcome_of


def _health(**figures: object) -> SiteHealth:
    base: dict[str, object] = {"site": "cqx", "listing_pages": 3, "article_links": 20, "requests_ok": 24}
    return SiteHealth(**{**base, **figures})  # type: ignore[arg-type]


def _kinds(alerts: list[Alert]) -> list[str]:
    return [alert.kind for alert in alerts]


def test_a_healthy_site_raises_nothing_on_its_first_run_or_its_next() -> None:
    current = _health(reports=20, gaps=[["A", 2020]])
    assert evaluate(current, None) == []
    assert evaluate(current, _health(reports=20, gaps=[["A", 2020]])) == []


def test_an_unreachable_site_raises_only_that() -> None:
    alerts = evaluate(_health(requests_ok=0, requests_failed=4, reports=0), _health(reports=20))
    assert _kinds(alerts) == ["unreachable"]


def test_an_empty_listing_and_a_site_without_reports() -> None:
    alerts = evaluate(_health(empty_listings=["http://x/a/"], reports=0), None)
    assert _kinds(alerts) == ["empty_listing", "no_reports"]
    assert alerts[0].details == {"urls": ["http://x/a/"]}


def test_fewer_reports_than_the_previous_run() -> None:
    alerts = evaluate(_health(reports=18), _health(reports=20))
    assert _kinds(alerts) == ["reports_dropped"]
    assert alerts[0].details == {"reports": 18, "previous": 20}
    assert evaluate(_health(reports=21), _health(reports=20)) == []


def test_only_a_new_year_gap_is_an_alert() -> None:
    previous = _health(reports=10, gaps=[["A", 2020]])
    alerts = evaluate(_health(reports=10, gaps=[["A", 2020], ["B", 2022]]), previous)
    assert _kinds(alerts) == ["year_gap"] and alerts[0].details == {"gaps": [["B", 2022]]}
    assert evaluate(_health(reports=10, gaps=[]), previous) == []  # a gap closed


def test_a_jump_of_the_extraction_failure_rate() -> None:
    previous = _health(reports=20, extraction_failures=1)
    assert _kinds(evaluate(_health(reports=20, extraction_failures=5), previous)) == ["extraction_failures"]
    assert evaluate(_health(reports=20, extraction_failures=2), previous) == []  # 10% -> 5%: no jump
    assert evaluate(_health(reports=20, extraction_failures=3), previous, jump=0.05) != []


@pytest.mark.parametrize(
    ("cleanly", "figures", "alerts", "outcome"),
    [
        (True, {"a": _health()}, [], "finished"),
        (True, {"a": _health()}, [Alert("a", "no_reports", "")], "finished with alerts"),
        (True, {"a": _health(), "b": _health(requests_ok=0)}, [Alert("b", "unreachable", "")], "failed"),
        (False, {}, [], "interrupted"),
    ],
)
def test_outcomes_and_their_exit_statuses(cleanly, figures, alerts, outcome) -> None:
    assert outcome_of(cleanly, figures, alerts) == outcome
    assert exit_status(outcome) == EXIT_STATUSES[outcome]


def test_exit_statuses_are_distinct_and_a_missing_outcome_is_a_failure() -> None:
    assert len(set(EXIT_STATUSES.values())) == 4 and EXIT_STATUSES["finished"] == 0
    assert 1 not in EXIT_STATUSES.values() and 2 not in EXIT_STATUSES.values()  # errors and usage
    assert exit_status(None) == EXIT_STATUSES["failed"]


def test_no_listing_page_of_the_full_replica_leads_nowhere(replica_full) -> None:
    """Parent columns list only their sub-columns: they lead somewhere, no browser needed."""
    listings = [url for url in replica_full.urls() if url.endswith(("/", ".html")) and "/t20" not in url]
    nowhere = [url for url in listings if parse_column_page(replica_full.page(url), url).leads_nowhere(url)]
    assert len(listings) > 200 and nowhere == []


def test_the_listings_world_pages_that_lead_nowhere() -> None:
    world = build_world("listings", seed=2026)
    listings = world.manifest()["listings"]
    drawn = {url for url, mode in listings["modes"].items() if "iframe" not in mode}
    for url in listings["modes"]:
        page = parse_column_page(world.page(url), url)
        assert page.needs_rendering(url) == (url in drawn), url
        assert page.leads_nowhere(url) == (url in drawn and "sub-columns" not in page_text(world, url)), url
    for url in listings["empty_listings"]:
        assert parse_column_page(world.page(url), url).leads_nowhere(url)
    for shell, frame in listings["frames"].items():
        assert frame in parse_column_page(world.page(shell), shell).frame_links
    assert (
        listings["foreign_frames"][0]
        in parse_column_page(
            world.page("http://rlsbj.cq.gov.cn/zwgk_182/zfxxgknb/"),
            "http://rlsbj.cq.gov.cn/zwgk_182/zfxxgknb/",
        ).frame_links
    )


def page_text(world, url: str) -> str:
    return world.page(url).decode("utf-8")


def test_a_parent_column_with_only_the_pager_script_is_read_as_it_is_one_with_a_script_is_rendered() -> None:
    url = "http://x.cq.gov.cn/zwgk/zfxxgknb/"
    nav = '<a href="./bj/">本级</a><a href="./zsdw/">直属</a><ul></ul>'
    pager = '<script>createPage(1, 0, "index", "html");</script>'
    plain = parse_column_page(f"<html><body>{nav}{pager}</body></html>", url)
    assert not plain.needs_rendering(url) and not plain.scripted
    for script in ('<script src="/js/list.js"></script>', '<script>loadList("12")</script>'):
        page = parse_column_page(f"<html><body>{nav}{pager}{script}</body></html>", url)
        assert page.scripted and page.needs_rendering(url) and not page.leads_nowhere(url), script


def test_a_breadcrumb_is_not_a_lead_but_a_sibling_or_a_sub_column_is() -> None:
    url = "http://x.cq.gov.cn/zwgk/zfxxgknb/bj/"
    crumbs = '<a href="/">首页</a><a href="/zwgk/zfxxgknb/">年报</a><a href="./">本级</a>'
    assert parse_column_page(f"<html><body>{crumbs}<ul></ul></body></html>", url).leads_nowhere(url)
    for lead in (
        '<a href="/zwgk/zfxxgknb/zsdw/">直属</a>',
        '<a href="./sub/">下级</a>',
        '<iframe src="/l/"></iframe>',
    ):
        page = parse_column_page(f"<html><body>{crumbs}{lead}<ul></ul></body></html>", url)
        assert not page.leads_nowhere(url), lead
