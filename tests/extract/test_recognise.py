"""Page recognition on saved pages (tests/extract/pages/<case>/page.html, expected.json beside it):
reports by their content, files linked in the body or below it, split pages, GBK, pages about reports."""

from __future__ import annotations

import io
import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from extract.page import parse_article
from extract.recognise import (
    ReportCandidate,
    links_to_follow,
    match_report,
    recognise_article,
    recognise_file,
    recognise_page,
)
from extract.report import extract_report
from extract.titles import ReportMention, find_report_mention

PAGES = Path(__file__).with_name("pages")
PDFS = Path(__file__).resolve().parents[1] / "browser" / "files"
FIELDS = (
    "verdict",
    "title",
    "published",
    "agency",
    "year",
    "sections",
    "tables",
    "files",
    "parts",
    "mention",
    "relation",
)


@cache
def _cases() -> tuple[str, ...]:
    return tuple(sorted(path.parent.name for path in PAGES.glob("*/expected.json")))


def _expected(case: str) -> dict[str, Any]:
    return json.loads((PAGES / case / "expected.json").read_text(encoding="utf-8"))


@cache
def _recognised(case: str) -> dict[str, Any]:
    expected = _expected(case)
    document = (PAGES / case / expected["document"]).read_bytes()
    return recognise_page(document, expected["url"], expected["content_type"]).as_dict()


@pytest.mark.parametrize("field", FIELDS)
@pytest.mark.parametrize("case", _cases())
def test_saved_page_is_recognised(case: str, field: str) -> None:
    assert _recognised(case)[field] == _expected(case)[field]


def test_every_kind_of_page_has_a_case() -> None:
    verdicts = {_expected(case)["verdict"] for case in _cases()}
    assert verdicts == {"report", "points_to_file", "part", "related"}
    assert len(_cases()) >= 15


def test_a_gbk_page_without_any_declaration_is_still_read() -> None:
    expected = _expected("gbk-header-only")
    document = (PAGES / "gbk-header-only" / "page.html").read_bytes()
    assert recognise_page(document, expected["url"]).as_dict()["title"] == expected["title"]


def test_split_pages_joined_are_one_report_with_every_section() -> None:
    expected = _expected("split-first-pager-script")
    first = parse_article((PAGES / "split-first-pager-script" / "page.html").read_bytes())
    second = parse_article((PAGES / "split-first-pager-script" / "part_1.html").read_bytes())
    from extract.recognise import join_parts

    joined = join_parts([first, second])
    whole = recognise_article(parse_article(joined), expected["url"], joined=True)
    assert whole.verdict == "report"
    assert (
        (whole.identity.agency, whole.identity.year)
        if whole.identity
        else None
        == (
            "重庆市交通运输委员会",
            2019,
        )
    )
    assert whole.evidence.sections == (1, 2, 3, 4, 5, 6)
    assert whole.page.published is not None and whole.page.published.isoformat() == expected["published"]
    extraction = extract_report(joined, year=2019)
    assert extraction.status == "complete" and [s.number for s in extraction.sections if s.number] == [
        1,
        2,
        3,
        4,
        5,
        6,
    ]


def test_links_to_follow_are_the_files_and_the_other_pages() -> None:
    split = _expected("split-first-pager-script")
    body = (PAGES / "split-first-pager-script" / "page.html").read_bytes()
    assert links_to_follow(body, split["url"]).parts == tuple(split["parts"][1:])
    below = _expected("platform-file-below-body")
    page = (PAGES / "platform-file-below-body" / "page.html").read_bytes()
    assert links_to_follow(page, below["url"]).files == tuple(below["files"])  # not the footer's PDF


@pytest.mark.parametrize(
    ("case", "agency", "year"),
    [
        ("hongze-2023", "洪泽区人民政府", 2023),
        ("hongze-2024", "淮安市洪泽区人民政府", 2024),
        ("szfgs-2024", "淮安市人民政府", 2024),
    ],
)
def test_a_report_file_is_known_by_its_content_and_its_own_title(case: str, agency: str, year: int) -> None:
    found = recognise_file(
        (PDFS / case / "report.pdf").read_bytes(), "关于公开政府信息公开工作年度报告的公告"
    )
    assert found.is_report
    assert found.identity is not None and (found.identity.agency, found.identity.year) == (agency, year)
    assert found.evidence.sections == (1, 2, 3, 4, 5, 6)


def _docx(paragraphs: list[str]) -> bytes:
    import docx

    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_a_file_that_is_not_a_report_is_one_only_behind_the_report_s_own_title() -> None:
    """A form is no report behind a notice; behind an article titled as the report itself it is
    taken as that report (archived, its extraction then says it holds none): never dropped in silence."""
    form = _docx(
        ["政府信息公开申请表", "申请人姓名：", "所需信息的内容描述：", "一、申请人信息", "二、所需信息"]
    )
    assert not recognise_file(form, "关于做好2024年政府信息公开工作年度报告编制工作的通知").is_report
    behind_report = recognise_file(form, "重庆市某某局2024年政府信息公开工作年度报告")
    assert behind_report.is_report and behind_report.identity is not None
    assert (behind_report.identity.agency, behind_report.identity.year) == ("重庆市某某局", 2024)


def test_an_unreadable_file_is_the_report_only_behind_a_report_title() -> None:
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512
    behind_report = recognise_file(ole, "重庆市某某局2024年政府信息公开工作年度报告")
    assert behind_report.is_report and behind_report.unreadable
    assert not recognise_file(ole, "市某某局发布2024年政府信息公开工作年度报告").is_report


@pytest.mark.parametrize(
    ("text", "title", "agency", "year"),
    [
        ("市教委发布2024年政府信息公开工作年度报告", "市教委2024年政府信息公开工作年度报告", "市教委", 2024),
        (
            "《重庆市长寿区2020年政府信息公开工作年度报告》解读",
            "重庆市长寿区2020年政府信息公开工作年度报告",
            "重庆市长寿区",
            2020,
        ),
        ("关于做好2020年政府信息公开工作年度报告编制工作的通知", "2020年政府信息公开工作年度报告", "", 2020),
        (
            "一图读懂市发展改革委2022年政府信息公开工作年度报告",
            "市发展改革委2022年政府信息公开工作年度报告",
            "市发展改革委",
            2022,
        ),
    ],
)
def test_a_report_named_in_a_title(text: str, title: str, agency: str, year: int) -> None:
    assert find_report_mention(text) == ReportMention(title, agency, year)


CANDIDATES = [
    ReportCandidate(
        1, "http://a/t1.html", "重庆市生态环境局2024年政府信息公开工作年度报告", "重庆市生态环境局", 2024
    ),
    ReportCandidate(
        2,
        "http://a/t2.html",
        "重庆市生态环境监测中心2024年政府信息公开工作年度报告",
        "重庆市生态环境监测中心",
        2024,
    ),
    ReportCandidate(
        3, "http://a/t3.html", "重庆市生态环境局2023年政府信息公开工作年度报告", "重庆市生态环境局", 2023
    ),
]


@pytest.mark.parametrize(
    ("mention", "links", "report"),
    [
        (None, ("http://a/t3.html",), 3),  # the page links the report
        (
            ReportMention(
                "重庆市生态环境监测中心2024年政府信息公开工作年度报告", "重庆市生态环境监测中心", 2024
            ),
            (),
            2,
        ),
        (ReportMention("市生态环境局2024年政府信息公开工作年度报告", "市生态环境局", 2024), (), 1),
        (ReportMention("市生态环境监测中心2024年…", "市生态环境监测中心", 2024), (), 2),
        (ReportMention("市生态环境局有关负责人就2023年度…", "市生态环境局有关负责人就", 2023), (), 3),
        (ReportMention("2024年政府信息公开工作年度报告", "", 2024), (), None),  # names no agency
        (ReportMention("市生态环境局2022年…", "市生态环境局", 2022), (), None),  # that year is not archived
        (ReportMention("市教委2024年…", "市教委", 2024), (), None),  # another agency
    ],
)
def test_a_related_page_is_tied_to_the_report_it_names(
    mention: ReportMention | None, links: tuple[str, ...], report: int | None
) -> None:
    assert match_report(mention, links, CANDIDATES) == report


def test_two_agencies_that_fit_equally_give_no_link() -> None:
    twins = [
        ReportCandidate(1, "u1", "甲区农业农村委2024年…", "甲区农业农村委", 2024),
        ReportCandidate(2, "u2", "乙区农业农村委2024年…", "乙区农业农村委", 2024),
    ]
    assert match_report(ReportMention("区农业农村委2024年…", "区农业农村委", 2024), (), twins) is None


def test_a_report_page_titled_as_news_takes_its_agency_from_the_report_it_prints() -> None:
    expected = _expected("platform-report")
    page = (PAGES / "platform-report" / "page.html").read_text(encoding="utf-8")
    news_title = "两江新区管委会办公室发布2021年政府信息公开工作年度报告"
    # The page's own title says "发布"; the body still prints the report's title.
    for old in (
        f'<p class="tit">{expected["title"]}',
        f'content="{expected["title"]}"',
        f"<title>{expected['title']}",
    ):
        assert old in page
        page = page.replace(old, old.replace(expected["title"], news_title))
    seen = recognise_page(page, expected["url"])
    assert seen.page.title == news_title and seen.verdict == "report"
    assert seen.identity is not None and (seen.identity.agency, seen.identity.year) == (
        expected["agency"],
        2021,
    )
