"""Pages related to a report, and documents composed by the crawler (a split article joined)."""

from __future__ import annotations

from storage.archive import Archive, RelatedPageRecord
from storage.queries import get_report, related_pages
from tests.storage.builders import add_units, at, fetch_page, report_record

NEWS = "http://www.wz.gov.cn/zwgk_266/zfxxgknb/202401/t20240116_2.html"


def _news(
    snapshot_id: int, report_id: int | None = None, title: str = "区政府发布2023年年度报告"
) -> RelatedPageRecord:
    return RelatedPageRecord(
        unit_code="wz",
        url=NEWS,
        snapshot_id=snapshot_id,
        relation="news",
        title=title,
        mentioned_title="区政府2023年政府信息公开工作年度报告",
        mentioned_agency="区政府",
        year=2023,
        links=("http://www.wz.gov.cn/x.html",),
        report_id=report_id,
    )


def test_a_related_page_waits_unlinked_then_is_tied_and_shown_with_its_report(archive: Archive) -> None:
    add_units(archive)
    news = fetch_page(archive, NEWS, b"<p>news</p>")
    assert news.snapshot_id is not None
    page_id = archive.record_related_page(_news(news.snapshot_id))
    naming = archive.pages_naming("wz", 2023)
    assert [(page.id, page.report_id, page.mentioned_agency, page.links) for page in naming] == [
        (page_id, None, "区政府", ("http://www.wz.gov.cn/x.html",))
    ]
    assert archive.pages_naming("fl", 2023) == archive.pages_naming("wz", 2022) == []
    report_page = fetch_page(archive, report_record(0).url, b"<p>report</p>")
    assert report_page.snapshot_id is not None
    report_id = archive.upsert_report(report_record(report_page.snapshot_id)).report_id
    refs = archive.report_refs("wz")
    assert [(ref.id, ref.agency, ref.year, ref.snapshot_url) for ref in refs] == [
        (report_id, "万州区人民政府", 2023, report_record(0).url)
    ]
    archive.link_related_page(page_id, report_id)
    assert [page.report_id for page in archive.pages_naming("wz", 2023)] == [report_id]
    detail = get_report(archive, report_id)
    assert detail is not None
    assert [(page.url, page.relation, page.title, page.snapshot_sha256) for page in detail.related] == [
        (NEWS, "news", "区政府发布2023年年度报告", news.sha256)
    ]


def test_recording_a_page_again_updates_it_and_keeps_its_link(archive: Archive) -> None:
    add_units(archive)
    report_page = fetch_page(archive, report_record(0).url, b"<p>report</p>")
    assert report_page.snapshot_id is not None
    report_id = archive.upsert_report(report_record(report_page.snapshot_id)).report_id
    first = fetch_page(archive, NEWS, b"<p>news</p>")
    later = fetch_page(archive, NEWS, b"<p>news, edited</p>", minutes=60)
    assert first.snapshot_id is not None and later.snapshot_id is not None
    page_id = archive.record_related_page(_news(first.snapshot_id, report_id))
    again = archive.record_related_page(
        _news(later.snapshot_id, None, title="区政府发布2023年年度报告（更新）")
    )
    assert again == page_id
    [view] = related_pages(archive, report_id)
    assert (view.title, view.snapshot_sha256, view.first_seen_at, view.last_seen_at) == (
        "区政府发布2023年年度报告（更新）",
        later.sha256,
        at(0),
        at(60),
    )


def test_the_article_publishing_a_file_stays_that(archive: Archive) -> None:
    add_units(archive)
    article = fetch_page(archive, NEWS, b"<p>article</p>")
    assert article.snapshot_id is not None
    publishing = RelatedPageRecord(
        "wz", NEWS, article.snapshot_id, "article", "万州区2023年年度报告", year=2023
    )
    page_id = archive.record_related_page(publishing)
    archive.record_related_page(_news(article.snapshot_id))  # another file of it is no report
    assert archive.pages_naming("wz", 2023) == []
    archive.record_related_page(publishing)
    assert page_id == archive.record_related_page(publishing)


def test_a_composed_document_is_a_snapshot_of_its_own_url(archive: Archive) -> None:
    url = "http://www.wz.gov.cn/zwgk_266/zfxxgknb/202401/t20240115_1.html"
    fetch_page(archive, url, b"<p>page 1</p>")
    first = archive.store_document(url + "#pages", b"<p>page 1</p><p>page 2</p>", at(5), "text/html")
    again = archive.store_document(url + "#pages", b"<p>page 1</p><p>page 2</p>", at(9), "text/html")
    assert first == again
    latest = archive.latest_snapshot(url)
    joined = archive.latest_snapshot(url + "#pages")
    assert latest is not None and archive.snapshot_body(latest.sha256) == b"<p>page 1</p>"
    assert joined is not None and joined.id == first and joined.last_seen_at == at(9)
    assert archive.snapshot_body(joined.sha256) == b"<p>page 1</p><p>page 2</p>"
