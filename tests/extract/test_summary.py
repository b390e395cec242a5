"""Title, agency, year and publish date of saved documents (read off each document by hand)."""

from datetime import date
from pathlib import Path

import pytest

from extract.summary import summarise_document

FILES = Path(__file__).parent / "files"


@pytest.mark.parametrize(
    ("path", "title", "agency", "year", "published"),
    [
        (
            "changshou-2020/page.txt",
            "重庆市长寿区2020年政府信息公开工作年度报告",
            "重庆市长寿区",
            2020,
            date(2021, 2, 3),
        ),
        (
            "shanghai-gov-office-2019/report.html",
            "2019年上海市人民政府办公厅政府信息公开工作年度报告",
            "上海市人民政府办公厅",
            2019,
            date(2020, 1, 31),
        ),
        (
            "shuyang-county-2025-ocr/report.md",
            "沐阳县人民政府 2025 年 政府信息公开工作年度报告",
            "沐阳县人民政府",
            2025,
            date(2026, 1, 23),
        ),
        (
            "shuyang-fgj-2023/page.html",
            "沭阳县发展和改革局2023年政府信息公开年度报告",
            "沭阳县发展和改革局",
            2023,
            None,
        ),
        # The Pingtan copy is the article body only: no title line in it.
        ("pingtan-2025/report.html", None, None, None, None),
    ],
)
def test_summary_of_real_documents(path, title, agency, year, published):
    summary = summarise_document((FILES / path).read_bytes())
    assert (summary.title, summary.agency, summary.year, summary.published) == (
        title,
        agency,
        year,
        published,
    )


def test_summary_of_a_platform_article_page_uses_its_skeleton(replica_small):
    url = "http://www.cqcs.gov.cn/zwgk_164/zfxxgknb/qzfxxgknb/csq/202102/t20210203_8859904.html"
    summary = summarise_document(replica_small.page(url))
    assert summary.title == "重庆市长寿区2020年政府信息公开工作年度报告"
    assert summary.published == date(2021, 2, 3)
