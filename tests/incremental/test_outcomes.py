"""Run outcomes a monitor can act on: a site that cannot be reached fails the run; a site whose
listing lost reports since the previous run finishes it with an alert; both reach the webhook."""

from __future__ import annotations

from pathlib import Path

import yaml

from cli.health import EXIT_STATUSES
from crawler.registry import DEFAULT_REGISTRY
from replica.server import ReplicaServer
from storage.health import run_alerts
from tests.health.helpers import reports, webhook_receiver
from tests.incremental.helpers import FAST, Target, crawl, runs

SITE = "ljxq"  # 两江新区: two hosts, eleven columns, 33 reports
QUICK = [*FAST, "-s", "RETRY_TIMES=1"]


def _registry(tmp_path: Path, *extra: dict) -> Path:
    shipped = yaml.safe_load(DEFAULT_REGISTRY.read_text(encoding="utf-8"))
    entries = [entry for entry in shipped if entry["code"] == SITE] + list(extra)
    path = tmp_path / "sites.yaml"
    path.write_text(yaml.safe_dump(entries, allow_unicode=True), encoding="utf-8")
    return path


def _crawl(server: ReplicaServer, target: Target, sites: Path, webhook: str):
    args = ["crawl", "--sites", str(sites), "--snapshots", str(target.snapshots), "--no-throttle", *QUICK]
    return reports([*args, "--webhook", webhook], server.proxy_url, target.db_url)


def test_a_site_that_cannot_be_reached_fails_the_run(replica_server_small, sqlite_target, tmp_path):
    gone = {
        "code": "cqzz",
        "name": "不存在",
        "hosts": ["zz.cq.gov.cn"],
        "roots": ["http://zz.cq.gov.cn/zfxxgknb/"],
    }
    sites = _registry(tmp_path, gone)
    with webhook_receiver() as (url, received):
        result = _crawl(replica_server_small, sqlite_target, sites, url)
    assert result.returncode == EXIT_STATUSES["failed"], result.stderr[-3000:]
    run = runs(sqlite_target)[-1]
    assert run.outcome == "failed"
    listed = sum(entry["unit_code"] == SITE for entry in replica_server_small.world.reports)
    assert run.stats["health"]["cqzz"]["requests_ok"] == 0
    assert run.stats["health"][SITE]["reports"] == listed  # the other site was crawled in full
    with sqlite_target.open() as archive:
        alerts = run_alerts(archive, [run.id])
    assert [(alert.site, alert.kind) for alert in alerts] == [("cqzz", "unreachable")]
    assert "Run 1: failed" in result.stdout
    assert len(received) == 1 and received[0]["outcome"] == "failed"
    assert [alert["kind"] for alert in received[0]["alerts"]] == ["unreachable"]


def test_a_listing_that_lost_reports_finishes_the_run_with_an_alert(own_server, sqlite_target, tmp_path):
    sites = _registry(tmp_path)
    with webhook_receiver() as (url, received):
        first = _crawl(own_server, sqlite_target, sites, url)
        assert first.returncode == 0, first.stderr[-3000:]
        column = "/zwgk_199/zfxxgknb/bm/bgs/"  # the 办公室's nine reports
        own_server.fault = lambda host, path: (404, b"<html>404</html>") if path.startswith(column) else None
        second = _crawl(own_server, sqlite_target, sites, url)
    assert second.returncode == EXIT_STATUSES["finished with alerts"], second.stderr[-3000:]
    history = runs(sqlite_target)
    assert [run.outcome for run in history] == ["finished", "finished with alerts"]
    figures = history[-1].stats["health"][SITE]
    assert figures["reports"] == history[0].stats["health"][SITE]["reports"] - 9
    with sqlite_target.open() as archive:
        alerts = run_alerts(archive, [history[-1].id])
    assert [alert.kind for alert in alerts] == ["reports_dropped"]
    assert alerts[0].details == {"reports": figures["reports"], "previous": figures["reports"] + 9}
    assert received[-1]["outcome"] == "finished with alerts"
    assert [alert["kind"] for alert in received[-1]["alerts"]] == ["reports_dropped"]
    # Nothing withdrawn: the listing failed, the site's crawl was not complete.
    assert received[-1]["changes"] == []
    own_server.fault = None
    third = crawl(own_server.proxy_url, sqlite_target, site=SITE)
    assert "Run 3: finished" in third.stdout and runs(sqlite_target)[-1].outcome == "finished"
