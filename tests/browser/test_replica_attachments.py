"""Reports the replica publishes as attached files (drawn-table PDF, Word DOCX) extract to the
values of their manifest entry, and the files are byte-for-byte deterministic."""

from __future__ import annotations

import pytest

from extract.attachments import attachment_format
from extract.report import extract_report
from replica.attachments import FORMATS, attachment_path, render_attachment, short_body
from replica.world import World


def _tabular(world: World, count: int) -> list:
    reports = [
        a for a in world.articles if a.report and a.report.template != "pre2019" and not a.report.is_seed
    ]
    return reports[:: max(1, len(reports) // count)][:count]


@pytest.mark.parametrize("fmt", FORMATS)
def test_attachment_values_match_the_manifest(replica_small: World, fmt: str) -> None:
    mismatches = []
    for article in _tabular(replica_small, 12):
        document = render_attachment(article, fmt, replica_small.seed)
        assert attachment_format(document) == fmt
        result = extract_report(document, year=article.report.year)
        if result.values != article.report.values or result.template != article.report.template:
            mismatches.append((article.url, result.status, result.reason))
        broken = sorted({check.id for check in result.checks if not check.ok})
        assert broken == sorted(article.report.broken), article.url
    assert mismatches == []


@pytest.mark.parametrize("fmt", FORMATS)
def test_attachments_are_deterministic_and_named_like_the_platform(replica_small: World, fmt: str) -> None:
    article = _tabular(replica_small, 1)[0]
    assert render_attachment(article, fmt, 2026) == render_attachment(article, fmt, 2026)
    path = attachment_path(article, fmt)
    assert path.startswith(article.column.path + f"{article.url_day:%Y%m}/")
    assert path.rsplit("/", 1)[1][:10] in (f"W0{article.url_day:%Y%m%d}", f"P0{article.url_day:%Y%m%d}")
    body = short_body(article, fmt)
    assert path.rsplit("/", 1)[1] in body and "<table" not in body
