from crawler.listing import column_base, listing_page_urls, parse_column_page
from crawler.registry import load_registry
from crawler.urls import canonical_url, is_article_url

CQCS = next(site for site in load_registry() if site.code == "cqcs")


def test_canonical_url_folds_twins_scheme_and_wap():
    expected = "http://www.cqcs.gov.cn/zwgk_164/zfxxgknb/xzndbg/slz_65326/202501/t20250122_14194815.html"
    for variant in (
        "http://cqcs.gov.cn/zwgk_164/zfxxgknb/xzndbg/slz_65326/202501/t20250122_14194815_wap.html",
        "https://www.cqcs.gov.cn/zwgk_164/zfxxgknb/xzndbg/slz_65326/202501/t20250122_14194815.html#top",
        "http://CQCS.gov.cn/zwgk_164/zfxxgknb/xzndbg/slz_65326/202501/t20250122_14194815.html?x=1",
    ):
        assert canonical_url(variant, CQCS) == expected


def test_canonical_url_refuses_foreign_hosts():
    assert canonical_url("http://www.cqna.gov.cn/zwgk_254/zfxxgknb/", CQCS) is None


def test_article_urls_are_recognised_by_the_cms_grammar():
    assert is_article_url("http://x.gov.cn/a/b/202102/t20210203_8859904.html")
    assert is_article_url("http://x.gov.cn/a/b/202102/t20210203_8859904_wap.html")
    assert not is_article_url("http://x.gov.cn/a/b/index_2.html")
    assert not is_article_url("http://x.gov.cn/a/b/")


LISTING = """<html><body>
<div class="nav"><a href="./csq/">长寿区</a><a href="/bm/qfzggw/zwgk_73772/zfxxgknb_73782/index.html">发改委</a>
<a href="javascript:void(0)">x</a></div>
<ul class="tab-item">
<li class="clearfix"><a href="./202102/t20210203_8859904.html" title="t">t</a><span class="rt">2021-02-03</span></li>
<li class="clearfix"><a href="http://cqcs.gov.cn/zwgk_164/zfxxgknb/202001/t20200110_1_wap.html">w</a></li>
</ul>
<div id="page"></div><script>createPage(4, 0, "index", "html");</script>
</body></html>"""


def test_parse_column_page_reads_links_and_the_scripted_page_count():
    page = parse_column_page(LISTING, "http://www.cqcs.gov.cn/zwgk_164/zfxxgknb/index.html")
    assert page.page_count == 4
    assert page.article_links == (
        "http://www.cqcs.gov.cn/zwgk_164/zfxxgknb/202102/t20210203_8859904.html",
        "http://cqcs.gov.cn/zwgk_164/zfxxgknb/202001/t20200110_1_wap.html",
    )
    assert page.column_links == (
        "http://www.cqcs.gov.cn/zwgk_164/zfxxgknb/csq/",
        "http://www.cqcs.gov.cn/bm/qfzggw/zwgk_73772/zfxxgknb_73782/",
    )


def test_listing_pages_are_numbered_from_one():
    assert column_base("http://h/a/b/index_3.html") == "http://h/a/b/"
    assert listing_page_urls("http://h/a/b/", 3) == ["http://h/a/b/index_1.html", "http://h/a/b/index_2.html"]
    assert listing_page_urls("http://h/a/b/index.html", 1) == []


def test_page_without_pager_script_has_no_count():
    assert parse_column_page("<html><body><ul></ul></body></html>", "http://h/a/").page_count is None
