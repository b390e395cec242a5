"""Page recognition: is this page a report, which files and pages make it up, which report it is about.

A page is a report when it carries one: the template's numbered sections or its
statistics tables (pre-2019 reports: their numbered report sections). A page that
only links files is judged by the files' content (``recognise_file``); a page that
only talks about a report (news, 解读, 图解, 答记者问, notices) names it, and is
recorded as related to it (``match_report``). The title gives the agency and year,
never the decision. Pure functions of the saved bytes.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import urljoin, urlsplit

from lxml import etree

from extract.attachments import AttachmentContent, read_attachment
from extract.canonical import ExtractionError, classify_table
from extract.grid import Grid
from extract.page import ArticlePage, PageMetadataError, page_body, parse_article
from extract.sections import html_lines, numeral_value, text_lines
from extract.text import clean_text, compact
from extract.titles import (
    ReportMention,
    ReportTitle,
    find_report_mention,
    normalise_title,
    parse_report_title,
)
from reportformat import detect_template, section_headings

Verdict = Literal["report", "points_to_file", "part", "related", "other"]

# Reports published as files: PDF, Word (DOCX, and the old binary DOC) and WPS documents.
FILE_SUFFIXES = (".pdf", ".docx", ".doc", ".wps")
# "附件：", "相关附件", "附件下载:" — the label of a block of attached files, wherever the template puts it.
_ATTACHMENT_LABEL = re.compile(r"^\s*(?:相关)?附\s*件(?:下载|列表)?\s*\d*\s*[:：]?")
_ATTACHMENT_LABEL_NODES = etree.XPath("//text()[contains(., '附') and not(ancestor::script)]")
_LABEL_WRAPPERS = {"span", "strong", "b", "em", "label", "font", "i"}
# The platform (TRS) splits a long article into t<date>_<id>.html, t<date>_<id>_1.html, …
_PART_NAME = re.compile(r"^(?P<base>t\d{8}_\d+)(?:_(?P<part>\d{1,3}))?(?P<ext>\.s?html?)$")
# ... and draws the pager with createPageHTML(<pages>, <current>, "<base>", "<ext>").
_PAGER_SCRIPT = re.compile(r"createPageHTML\(\s*(\d{1,3})\s*,\s*(\d{1,3})\s*,\s*[\"']([\w.-]+)[\"']")
_MAX_PARTS = 50
# A numbered heading: "一、总体情况", "五．存在的主要问题及改进情况".
_NUMBERED = re.compile(r"^(?P<numeral>[一二三四五六七八九十]{1,2})\s*[、.．]\s*(?P<body>\S.*)$")
_MAX_HEADING = 40
_LIKENESS = 0.7
# Pre-2019 reports have no fixed headings; their numbered sections speak of these.
_REPORT_WORDS = re.compile(r"公开|申请|复议|诉讼|收费|费用|问题|改进|事项|概述|总体|基本情况")
# A table is one of the template's when its labels say so and it has the rows of one.
_MIN_TABLE_ROWS = 4
# Three of the six template headings make a report (its tables are not read then: they are costly).
_DECISIVE_SECTIONS = 3
_TOP_LINES = 12
# What a related page is, from its own title (a label only: the decision is by content).
_RELATIONS = (
    ("graphic", ("图解", "一图", "图说", "长图")),
    ("qa", ("答记者问", "问答", "答问")),
    ("interpretation", ("解读",)),
    ("notice", ("通知", "公告", "通告", "公示")),
    ("news", ("发布", "公布", "召开", "新闻")),
)


@dataclass(frozen=True)
class Evidence:
    """What of a report a document carries: template section numbers, template tables (only read
    when the sections do not decide), numbered report headings."""

    sections: tuple[int, ...] = ()
    tables: tuple[str, ...] = ()
    headings: int = 0

    def carries_report(self, year: int | None) -> bool:
        tables = len(set(self.tables))
        if len(self.sections) >= _DECISIVE_SECTIONS or tables >= 2 or (tables and len(self.sections) >= 2):
            return True
        # Pre-2019 reports: free numbered sections about disclosure, requests, fees, appeals.
        return year is not None and year < 2019 and self.headings >= 4


@dataclass(frozen=True)
class PageParts:
    """A page of an article split over several pages: all their URLs in order, and which one this is."""

    index: int
    urls: tuple[str, ...]


@dataclass(frozen=True)
class PageRecognition:
    verdict: Verdict
    page: ArticlePage
    identity: ReportTitle | None
    evidence: Evidence
    files: tuple[str, ...] = ()
    parts: PageParts | None = None
    mention: ReportMention | None = None
    relation: str | None = None
    links: tuple[str, ...] = field(default=(), repr=False)

    def as_dict(self) -> dict[str, Any]:
        """The recognition as plain JSON values (the form of the tests' expected.json)."""
        return {
            "verdict": self.verdict,
            "title": self.page.title,
            "published": self.page.published.isoformat() if self.page.published else None,
            "agency": self.identity.agency if self.identity else None,
            "year": self.identity.year if self.identity else None,
            "sections": list(self.evidence.sections),
            "tables": sorted(set(self.evidence.tables)),
            "files": list(self.files),
            "parts": list(self.parts.urls) if self.parts else [],
            "mention": (
                {"title": self.mention.title, "agency": self.mention.agency, "year": self.mention.year}
                if self.mention
                else None
            ),
            "relation": self.relation,
        }


@dataclass(frozen=True)
class FileRecognition:
    """Whether a linked file is the report, with the agency and year it gives (its own title first)."""

    is_report: bool
    identity: ReportTitle | None
    title: str | None
    evidence: Evidence
    text: str
    unreadable: str | None = None


@dataclass(frozen=True)
class ReportCandidate:
    """An archived report a related page may be about."""

    id: int
    url: str
    title: str
    agency: str
    year: int


# ------------------------------------------------------------------ evidence


def _likeness(printed: str, heading: str) -> float:
    expected = set(compact(heading.split("、", 1)[-1]))
    shown = compact(printed)
    if not expected or len(shown) > 2 * len(expected) + 4:
        return 0.0
    return len(expected & set(shown)) / len(expected)


def _evidence(lines: Sequence[str], tables: Callable[[], Iterable[Sequence[str]]]) -> Evidence:
    """What the lines and tables show; tables are read only when the sections alone do not decide."""
    headings = section_headings()
    sections: set[int] = set()
    numbered: set[int] = set()
    for line in lines:
        match = _NUMBERED.match(line.strip())
        if match is None or len(line) > _MAX_HEADING:
            continue
        number = numeral_value(match["numeral"])
        if number in headings and _likeness(match["body"], headings[number]) >= _LIKENESS:
            sections.add(number)
        if _REPORT_WORDS.search(match["body"]):
            numbered.add(number)
    if len(sections) >= _DECISIVE_SECTIONS:
        return Evidence(tuple(sorted(sections)), (), len(numbered))
    kinds = tuple(kind for cells in tables() if (kind := classify_table(cells)) is not None)
    return Evidence(tuple(sorted(sections)), kinds, len(numbered))


def _html_tables(body: etree._Element) -> list[list[str]]:
    """Cell texts of each table of the body that has the rows of a statistics table."""
    found = []
    for table in body.iter("table"):
        if len(table.findall(".//tr")) < _MIN_TABLE_ROWS:
            continue
        found.append([clean_text("".join(cell.itertext())) for cell in table.iter("td", "th")])
    return found


def _grid_cells(grid: Grid) -> list[str]:
    return [cell for row in grid.cells for cell in row]


# ------------------------------------------------------------------ links


def _absolute(url: str, href: str | None) -> str | None:
    if not href or href.strip().lower().startswith(("javascript:", "mailto:", "#")):
        return None
    absolute = urljoin(url, href.strip())
    return absolute if absolute.startswith(("http://", "https://")) else None


def is_file_url(url: str) -> bool:
    """Whether a URL names a document file a report may be published as (PDF, Word, WPS)."""
    return urlsplit(url).path.lower().endswith(FILE_SUFFIXES)


def _attachment_blocks(root: etree._Element, body: etree._Element) -> list[etree._Element]:
    """Blocks outside the body labelled 附件 (the file list some templates put below the article)."""
    blocks = []
    for node in _ATTACHMENT_LABEL_NODES(root):
        if not _ATTACHMENT_LABEL.match(str(node)):
            continue
        block = node.getparent()
        if block is None:
            continue
        if (
            isinstance(block.tag, str)
            and block.tag.lower() in _LABEL_WRAPPERS
            and block.getparent() is not None
        ):
            block = block.getparent()
        if block is body or any(ancestor is body for ancestor in block.iterancestors()):
            continue
        blocks.append(block)
        sibling = block.getnext()
        if sibling is not None and not block.xpath(".//a[@href]"):
            blocks.append(sibling)  # the label stands alone, the list follows it
    return blocks


def file_links(root: etree._Element | None, body: etree._Element | None, url: str) -> tuple[str, ...]:
    """Absolute URLs of the files linked from the article body or from a 附件 block of the page."""
    links: dict[str, None] = {}
    if body is None or root is None:
        return ()
    for block in [body, *_attachment_blocks(root, body)]:
        for href in block.xpath(".//a/@href"):
            absolute = _absolute(url, str(href))
            if absolute and is_file_url(absolute):
                links[absolute] = None
    return tuple(links)


def _body_links(page: ArticlePage, url: str) -> tuple[str, ...]:
    if page.body is None:
        return ()
    found = (_absolute(url, str(href)) for href in page.body.xpath(".//a/@href"))
    return tuple(dict.fromkeys(link for link in found if link and not is_file_url(link)))


def page_parts(root: etree._Element | None, url: str) -> PageParts | None:
    """The pages of an article split by the CMS (t…_1.html, t…_2.html), when this page is one of them."""
    parts = urlsplit(url)
    folder, _, name = parts.path.rpartition("/")
    match = _PART_NAME.match(name)
    if match is None or root is None:
        return None
    base, ext = match["base"], match["ext"]
    index = int(match["part"] or 0)
    last = index
    for href in root.xpath("//a/@href"):
        absolute = _absolute(url, str(href))
        if absolute is None:
            continue
        other = urlsplit(absolute)
        other_folder, _, other_name = other.path.rpartition("/")
        found = _PART_NAME.match(other_name)
        if other.netloc == parts.netloc and other_folder == folder and found and found["base"] == base:
            last = max(last, int(found["part"] or 0))
    for script in root.xpath("//script/text()"):
        for pages, _current, name in _PAGER_SCRIPT.findall(str(script)):
            if name == base:
                last = max(last, int(pages) - 1)
    last = min(last, _MAX_PARTS - 1)
    if last == 0:
        return None
    prefix = f"{parts.scheme}://{parts.netloc}{folder}/{base}"
    urls = tuple(f"{prefix}{ext}" if number == 0 else f"{prefix}_{number}{ext}" for number in range(last + 1))
    return PageParts(index, urls)


@dataclass(frozen=True)
class ArticleLinks:
    """What an article page asks the crawler to fetch as well: its files and its other pages."""

    files: tuple[str, ...] = ()
    parts: tuple[str, ...] = ()


def links_to_follow(document: bytes | str, url: str, content_type: str | None = None) -> ArticleLinks:
    """The files an article links (body or 附件 block) and the other pages of a split article."""
    try:
        root, body = page_body(document, content_type)
    except PageMetadataError:
        return ArticleLinks()
    parts = page_parts(root, url)
    others = tuple(part for part in parts.urls if part != url) if parts else ()
    return ArticleLinks(file_links(root, body, url), others)


# ------------------------------------------------------------------ identity


def _title_in_lines(lines: Sequence[str]) -> tuple[str, ReportTitle] | None:
    """A report title printed in the first lines (maybe over two: agency, then year and 报告)."""
    top = [line for line in lines[:_TOP_LINES] if len(line) <= 80]
    for index, line in enumerate(top):
        candidates = [line] + ([line + top[index + 1]] if index + 1 < len(top) else [])
        for candidate in candidates:
            if identity := parse_report_title(candidate):
                return candidate, identity
    return None


def _identity(title: str, lines: Sequence[str]) -> ReportTitle | None:
    """Agency and year: the page title when it is a report's title and nothing else, the title the
    body prints, the page title read as one, the report the title names."""
    printed = _title_in_lines(lines)
    identity = plain_report_title(title) or (printed[1] if printed else None) or parse_report_title(title)
    if identity is None and (mention := find_report_mention(title)) and mention.agency:
        identity = ReportTitle(mention.agency, mention.year)
    return identity


def plain_report_title(title: str) -> ReportTitle | None:
    """The title's agency and year when it is a report's title and nothing around it
    ("市教委发布2024年…" parses, but its agency would be "市教委发布")."""
    identity = parse_report_title(title)
    mention = find_report_mention(title)
    if identity is None or mention is None or mention.agency != identity.agency:
        return None
    return identity


def relation_of(title: str) -> str:
    """What kind of page about a report this is, by its title's wording (a label, not a decision)."""
    for relation, words in _RELATIONS:
        if any(word in title for word in words):
            return relation
    return "mention"


# ------------------------------------------------------------------ recognition


def recognise_page(document: bytes | str, url: str, content_type: str | None = None) -> PageRecognition:
    """Whether a saved article page is a report, points to report files, is part of a split page,
    talks about a report, or none of these. Raises PageMetadataError without a title or body."""
    page = parse_article(document, content_type)
    return recognise_article(page, url)


def recognise_article(page: ArticlePage, url: str, *, joined: bool = False) -> PageRecognition:
    """``recognise_page`` on an already parsed page; ``joined``: the pages of a split article joined."""
    lines = [line.text for line in html_lines(page.body)] if page.body is not None else []
    body = page.body
    evidence = _evidence(lines, lambda: _html_tables(body) if body is not None else [])
    identity = _identity(page.title, lines)
    mention = find_report_mention(page.title) or find_report_mention(page.body_text[:400])
    files = file_links(page.root, page.body, url)
    parts = None if joined else page_parts(page.root, url)
    links = _body_links(page, url)
    year = identity.year if identity else mention.year if mention else None
    verdict: Verdict
    if parts is not None:
        verdict = "part"
    elif evidence.carries_report(year):
        verdict = "report"
    elif files:
        verdict = "points_to_file"
    elif mention is not None:
        verdict = "related"
    else:
        verdict = "other"
    about = verdict in ("report", "points_to_file", "part")
    return PageRecognition(
        verdict,
        page,
        identity if about else None,
        evidence,
        files=files,
        parts=parts,
        mention=mention if verdict != "other" else None,
        relation=relation_of(page.title) if verdict == "related" else None,
        links=links,
    )


def recognise_file(document: bytes, article_title: str | None) -> FileRecognition:
    """Whether a file linked from an article is the report (see ``recognise_file_content``),
    reading the file here; the crawl reads it once, in a bounded worker, and passes its content."""
    try:
        content = read_attachment(document)
    except ExtractionError as error:
        return recognise_file_content(None, str(error), article_title)
    return recognise_file_content(content, None, article_title)


def recognise_file_content(
    content: AttachmentContent | None, reason: str | None, article_title: str | None
) -> FileRecognition:
    """Whether a file linked from an article is the report: by its content (template sections or
    tables, or its own report title on a template document), with its own title first for agency
    and year and the article's title second. Behind an article whose title is a report's title, a
    file that cannot be read (``content`` None, ``reason`` why) or that prints no other report's
    title is the report (kept, and its extraction records what it lacks)."""
    fallback = plain_report_title(article_title) if article_title else None
    if content is None:
        return FileRecognition(fallback is not None, fallback, None, Evidence(), "", reason)
    lines = [line.text for line in text_lines(content.text)]
    evidence = _evidence(lines, lambda: [_grid_cells(grid) for grid, _ in content.grids])
    printed = _title_in_lines(lines)
    own = printed[1] if printed else None
    identity = own or fallback
    if identity is None and article_title and (mention := find_report_mention(article_title)):
        identity = ReportTitle(mention.agency, mention.year) if mention.agency else None
    year = identity.year if identity else None
    carries = evidence.carries_report(year) or (own is not None and detect_template(content.text) is not None)
    title = normalise_title(printed[0]) if printed else None
    # Behind an article titled as the report itself, a file printing no other report's title is
    # that report even when nothing in it can be read as one: archived, its extraction says why
    # it holds no values (never dropped in silence).
    titled_by_article = fallback is not None and printed is None
    is_report = (carries and identity is not None) or titled_by_article
    return FileRecognition(is_report, identity, title, evidence, content.text)


def join_parts(pages: Sequence[ArticlePage]) -> str:
    """One HTML document of a split article: the first page's title and date, every page's body in order."""
    first = pages[0]
    title = html.escape(first.title, quote=True)
    published = first.published.isoformat() if first.published else ""
    source = html.escape(first.source or "", quote=True)
    bodies = "\n".join(page.body_html for page in pages)
    return (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8">'
        f'<title>{title}</title><meta name="ArticleTitle" content="{title}">'
        f'<meta name="PubDate" content="{published}"><meta name="ContentSource" content="{source}">'
        f'</head>\n<body><div class="zwxl-title"><p class="tit">{title}</p>'
        f"<span>发布日期:{published}</span></div>\n"
        f'<div class="zwxl-article">\n{bodies}\n</div></body></html>\n'
    )


# ------------------------------------------------------------------ related pages


def _common_subsequence(a: str, b: str) -> int:
    previous = [0] * (len(b) + 1)
    for char in a:
        current = [0]
        for position, other in enumerate(b):
            current.append(
                previous[position] + 1 if char == other else max(previous[position + 1], current[-1])
            )
        previous = current
    return previous[-1]


def match_report(
    mention: ReportMention | None, links: Sequence[str], candidates: Sequence[ReportCandidate]
) -> int | None:
    """The id of the report a related page is about: the one it links, the one whose title it
    prints, or the one of its year whose agency its (maybe shortened) agency name fits best."""
    linked = set(links)
    for candidate in candidates:
        if candidate.url in linked:
            return candidate.id
    if mention is None:
        return None
    same_year = [candidate for candidate in candidates if candidate.year == mention.year]
    wanted = compact(mention.title)
    for candidate in same_year:
        if compact(candidate.title) == wanted:
            return candidate.id
    if not mention.agency:
        return None
    scored = sorted(
        ((_common_subsequence(mention.agency, c.agency), -len(c.agency), c.id) for c in same_year),
        reverse=True,
    )
    if not scored:
        return None
    best = scored[0]
    shortest = min(len(mention.agency), -best[1])
    if best[0] < max(2, round(0.6 * shortest)):
        return None
    if len(scored) > 1 and scored[1][:2] == best[:2]:
        return None  # two agencies fit equally well: better no link than a wrong one
    return best[2]
