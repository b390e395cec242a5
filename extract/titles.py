"""Report titles: is this the title of an annual report, for which year and agency?

Titles follow ``<agency><year>年政府信息公开工作年度报告`` with real-world
variants: ``年度工作报告``, ``Y年度…``, a missing 年 (``…2018政府信息公开…``),
a space before the year, ``政府信息公开年度报告`` without 工作.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# The year is the four digits right before 政府信息公开, optionally followed by 年/年度.
REPORT_TITLE = re.compile(
    r"^(?P<agency>.*?)\s*(?P<year>(?:19|20)\d{2})\s*(?:年度|年)?\s*"
    r"政府信息公开(?:工作)?(?:情况)?(?:年度)?(?:工作)?(?:情况)?(?:年报|报告)$"
)
# Some sites put the year first: "2019年上海市人民政府办公厅政府信息公开工作年度报告".
YEAR_FIRST_TITLE = re.compile(
    r"^(?P<year>(?:19|20)\d{2})\s*(?:年度|年)\s*(?P<agency>.+?)\s*"
    r"政府信息公开(?:工作)?(?:情况)?(?:年度)?(?:工作)?(?:情况)?(?:年报|报告)$"
)
# Articles *about* a report carry its full title in their own: 图解/解读/关于…通知.
_DERIVED_MARKERS = ("图解", "解读", "《", "》", "关于", "通知", "问答", "一图读懂")
_WHITESPACE = re.compile(r"[\s\u3000\xa0]+")

_TOWN = re.compile(r"(?:镇|乡|街道)(?:人民政府)?$|街道办事处$|(?:镇|乡)人民政府")
# The government's own office (区政府办公室, 管委会办公室), not a 信访办公室-style department.
_OFFICE = re.compile(r"(?:人民政府|政府|管理委员会|管委会)办公(?:室|厅)$")
_DISTRICT_PREFIX = re.compile(r"^(?:重庆市|重庆)")
_DISTRICT_SUFFIX = re.compile(r"(?:人民政府及其办公室|人民政府)$")
# 酉阳县 publishes as 酉阳土家族苗族自治县, 石柱县 as 石柱土家族自治县.
_AUTONOMOUS_COUNTY_SUFFIX = re.compile(r"(?:[\u4e00-\u9fff]{1,2}族)+自治县")


# A report title anywhere in a text: news, 解读, notices and 答记者问 embed it in many wordings.
_EMBEDDED_TITLE = re.compile(
    r"(?P<agency>[^\s《》「」“”\"'：:，,。！？!?（）()]{0,40}?)\s*(?P<year>(?:19|20)\d{2})\s*(?:年度|年)?\s*"
    r"政府信息公开(?:工作)?(?:情况)?(?:年度)?(?:工作)?(?:情况)?(?:年报|报告)"
)
_QUOTED = re.compile(r"[《「“\"](?P<title>[^《》「」“”\"]{4,80})[》」”\"]")
# Words around an embedded title that are not the agency's: "市教委发布…", "关于做好…", "图解…".
_NOT_AGENCY = re.compile(r"发布|公布|印发|公开|关于|做好|解读|图解|读懂|一图|新闻|答记者问|聚焦|看|的$")


@dataclass(frozen=True)
class ReportTitle:
    agency: str
    year: int


@dataclass(frozen=True)
class ReportMention:
    """A report that a text names: its title as printed, the agency as printed (maybe short), the year."""

    title: str
    agency: str
    year: int


def normalise_title(title: str) -> str:
    return _WHITESPACE.sub(" ", title).strip()


def parse_report_title(title: str) -> ReportTitle | None:
    """Agency and reporting year of an annual report title, or None for other articles."""
    clean = normalise_title(title)
    if any(marker in clean for marker in _DERIVED_MARKERS):
        return None
    match = REPORT_TITLE.match(clean)
    if not match or not match.group("agency").strip():
        match = YEAR_FIRST_TITLE.match(clean)
    if not match:
        return None
    agency = match.group("agency").replace(" ", "")
    if not agency:
        return None
    return ReportTitle(agency=agency, year=int(match.group("year")))


def find_report_mention(text: str) -> ReportMention | None:
    """The report a title or sentence names ("市教委发布2024年政府信息公开工作年度报告"), or None.

    A quoted title (《…》) is taken whole; otherwise the agency is what stands before the
    year once words that are not part of a name (发布, 关于, 解读 …) are cut off. The agency
    may be empty ("关于做好2024年政府信息公开工作年度报告编制工作的通知").
    """
    clean = normalise_title(text)
    for quoted in _QUOTED.finditer(clean):
        identity = parse_report_title(quoted["title"])
        if identity is not None:
            return ReportMention(normalise_title(quoted["title"]), identity.agency, identity.year)
    match = _EMBEDDED_TITLE.search(clean)
    if match is None:
        return None
    pieces = [piece for piece in _NOT_AGENCY.split(match["agency"]) if piece.strip()]
    agency = pieces[-1].replace(" ", "") if pieces else ""
    rest = clean[match.start("year") : match.end()]
    return ReportMention(agency + rest, agency, int(match["year"]))


def classify_kind(agency: str, unit_name: str) -> str:
    """district (the 区县 summary), office, department or town, from the agency's name.

    The 人民政府机关 reports (城口, 永川, 彭水) cover the government's own organs
    and are published in the office's column: they count as office reports.
    """
    if _OFFICE.search(agency) or agency.endswith("人民政府机关"):
        return "office"
    if _TOWN.search(agency):
        return "town"
    core = _DISTRICT_SUFFIX.sub("", _DISTRICT_PREFIX.sub("", agency))
    if core == unit_name:
        return "district"
    short = unit_name.removesuffix("县")
    if (
        short != unit_name
        and core.startswith(short)
        and _AUTONOMOUS_COUNTY_SUFFIX.fullmatch(core[len(short) :])
    ):
        return "district"
    return "department"
