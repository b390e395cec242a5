"""A permanent storage error on one page is recorded with the page, and the crawl goes on."""

from __future__ import annotations

import hashlib
import re
from urllib.parse import urlsplit

import pytest

from storage.queries import page_errors
from tests.fixtures_db import drop_postgres_schema
from tests.incremental.conftest import new_target
from tests.incremental.helpers import archive_state, crawl, runs
from tests.test_crawl_e2e import REAL_CHANGSHOU_2020

_TITLE = re.compile(r'(<p class="tit">)(.*?)(</p>)', re.DOTALL)


@pytest.mark.postgres
def test_a_report_the_database_refuses_is_recorded_and_every_other_report_archived(
    own_server, postgres_admin, tmp_path, clean_state
):
    """PostgreSQL refuses an agency name longer than its column: a permanent error, not retried forever."""
    page = own_server.world.page(REAL_CHANGSHOU_2020).decode("utf-8")
    too_long = "重庆市长寿区" + "政务公开" * 100 + "2020年政府信息公开工作年度报告"
    refused = _TITLE.sub(lambda match: match.group(1) + too_long + match.group(3), page, count=1).encode(
        "utf-8"
    )
    assert refused != page.encode("utf-8")
    path = urlsplit(REAL_CHANGSHOU_2020).path
    own_server.fault = lambda host, request_path: (200, refused) if request_path == path else None
    target, cleanup = new_target("postgres", tmp_path, postgres_admin)
    try:
        crawl(own_server.proxy_url, target)
        state = archive_state(target)
        with target.open() as archive:
            errors = [error for error in page_errors(archive) if error.kind == "storage"]
        assert [error.url for error in errors] == [REAL_CHANGSHOU_2020]
        assert "DataError" in errors[0].message or "StringDataRightTruncation" in errors[0].message
        assert runs(target)[-1].outcome == "finished"
        assert REAL_CHANGSHOU_2020 not in state.reports
        assert set(state.reports) == set(clean_state.reports) - {REAL_CHANGSHOU_2020}
        # The refused page is still kept byte for byte as a snapshot.
        assert (REAL_CHANGSHOU_2020, hashlib.sha256(refused).hexdigest()) in state.snapshots
    finally:
        if cleanup:
            drop_postgres_schema(*cleanup)
