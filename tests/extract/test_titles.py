"""Report titles: the 125 real report titles of the portal facts, and derived articles."""

import json
import re
from pathlib import Path

import pytest

from extract.titles import classify_kind, parse_report_title

URLS = Path(__file__).resolve().parents[2] / "tests" / "files" / "portal-urls.jsonl"


def test_real_report_titles_give_their_reporting_year():
    checked, wrong = 0, []
    for line in URLS.read_text(encoding="utf-8").splitlines():
        entry = json.loads(line)
        if entry["kind"] != "report" or not entry["title"]:
            continue
        # Annotations in parentheses were added by whoever collected the URLs;
        # the traditional-Chinese mirror and the bare "年报" labels are not page titles.
        title = re.sub(r"\s*\([^()]*\)\s*$", "", entry["title"])
        if "重慶" in title or title.endswith("年报"):
            continue
        parsed = parse_report_title(title)
        checked += 1
        if parsed is None or parsed.year != entry["year"] or " " in parsed.agency:
            wrong.append((title, entry["year"], parsed))
    assert checked >= 120
    assert wrong == []


@pytest.mark.parametrize(
    ("title", "agency", "year"),
    [
        ("重庆市长寿区2018年政府信息公开年度工作报告", "重庆市长寿区", 2018),
        ("重庆市开州区2018政府信息公开工作年度报告", "重庆市开州区", 2018),
        ("重庆市黔江区金洞乡人民政府 2025年政府信息公开工作年度报告", "重庆市黔江区金洞乡人民政府", 2025),
        (
            "重庆解放碑中央商务区管理委员会2024年度政府信息公开工作年度报告",
            "重庆解放碑中央商务区管理委员会",
            2024,
        ),
        ("重庆市綦江区人民政府2018年度政府信息公开工作情况报告", "重庆市綦江区人民政府", 2018),
        ("  重庆市长寿区2020年政府信息公开工作年度报告 ", "重庆市长寿区", 2020),
        ("2019年上海市人民政府办公厅政府信息公开工作年度报告", "上海市人民政府办公厅", 2019),
    ],
)
def test_irregular_titles(title, agency, year):
    parsed = parse_report_title(title)
    assert (parsed.agency, parsed.year) == (agency, year)


@pytest.mark.parametrize(
    "title",
    [
        "图解：重庆市长寿区2020年政府信息公开工作年度报告",
        "《重庆市长寿区2020年政府信息公开工作年度报告》解读",
        "关于做好2020年政府信息公开工作年度报告编制工作的通知",
        "重庆市长寿区人民政府关于印发2021年政务公开工作要点的通知",
        "2020年政府信息公开工作年度报告",
    ],
)
def test_articles_about_reports_are_not_reports(title):
    assert parse_report_title(title) is None


@pytest.mark.parametrize(
    ("agency", "unit", "kind"),
    [
        ("重庆市长寿区", "长寿区", "district"),
        ("重庆市九龙坡区人民政府", "九龙坡区", "district"),
        ("彭水苗族土家族自治县人民政府机关", "彭水县", "office"),
        ("石柱土家族自治县", "石柱县", "district"),
        ("彭水苗族土家族自治县", "彭水县", "district"),
        ("重庆璧山现代服务业发展区管理委员会", "璧山区", "department"),
        ("酉阳土家族苗族自治县", "酉阳县", "district"),
        ("重庆两江新区", "两江新区", "district"),
        ("重庆市铜梁区人民政府办公室", "铜梁区", "office"),
        ("重庆两江新区管理委员会办公室", "两江新区", "office"),
        ("重庆市长寿区双龙镇人民政府", "长寿区", "town"),
        ("重庆市渝中区人民政府朝天门街道办事处", "渝中区", "town"),
        ("重庆市黔江区金洞乡人民政府", "黔江区", "town"),
        ("重庆市长寿区区招商投资促进局", "长寿区", "department"),
        ("重庆市武隆区统计局", "武隆区", "department"),
        ("重庆市沙坪坝区信访办公室", "沙坪坝区", "department"),
    ],
)
def test_kind_from_agency(agency, unit, kind):
    assert classify_kind(agency, unit) == kind
