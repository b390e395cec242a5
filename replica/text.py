"""Narrative paragraphs of generated reports, from phrase banks.

The wording imitates the real Chongqing reports (e.g. the 长寿区 2020 seed):
long official sentences, numbered 一是/二是 lists, the same six headings.
"""

from __future__ import annotations

import random

_INTRO = [
    (
        "{year}年，{who}在{upper}的坚强领导下，认真贯彻落实《中华人民共和国政府信息公开条例》，紧紧围绕中心工作，"
        "深化重点领域信息公开，加强政策解读和回应关切，持续提升政务公开质量和实效。"
    ),
    (
        "{year}年，{who}坚持以公开为常态、不公开为例外，按照{upper}关于政务公开工作的各项部署，"
        "统筹推进政府信息主动公开和依申请公开，切实保障人民群众的知情权、参与权、表达权和监督权。"
    ),
]
_UPPER = {
    "district": "市委、市政府",
    "office": "区委、区政府",
    "department": "区委、区政府",
    "town": "区委、区政府",
}

_OVERVIEW = [
    (
        "（一）主动公开",
        "全年通过政府网站主动公开政府信息{a}条，其中政策文件{b}条、政策解读{c}条，及时发布财政预决算等重点领域信息。",
    ),
    (
        "（二）依申请公开",
        "全年共收到政府信息公开申请{d}件，均在法定期限内予以答复，未发生因答复不规范引发的行政复议纠错。",
    ),
    (
        "（三）政府信息管理",
        "严格落实信息发布“三审三校”制度和保密审查制度，对{a}条拟公开信息逐条审核，动态更新公开指南。",
    ),
    ("（四）平台建设", "依托集约化政府网站平台，优化政府信息公开专栏设置，政务新媒体{e}个全部纳入统一监管。"),
    (
        "（五）监督保障",
        "将政务公开工作纳入年度目标考核，组织业务培训{f}次，参训{g}人次，推动各项工作落地落实。",
    ),
]
_PROBLEMS = [
    "一是主动公开的深度和广度还需进一步拓展；二是政策解读的形式还不够丰富；三是工作人员业务能力有待提升。",
    "一是部分栏目信息更新不够及时；二是依申请公开办理的规范化水平有待提高；三是公众参与的渠道还需拓宽。",
    "一是公开内容与群众需求的契合度不够高；二是基层政务公开标准化规范化建设还需深化。",
]
_IMPROVE = [
    "下一步，将加强业务培训，健全信息发布审核机制，丰富图文、音视频等解读形式，不断提升政务公开工作水平。",
    "针对上述问题，将进一步压实工作责任，强化栏目日常监测，规范依申请公开办理流程，切实提高公开实效。",
]
_OTHER = [
    "本年度未收取政府信息公开信息处理费。",
    "本机关{year}年度未收取信息处理费。本报告中所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。",
    "无其他需要报告的事项。",
]


def intro(rng: random.Random, who: str, year: int, kind: str) -> str:
    return rng.choice(_INTRO).format(year=year, who=who, upper=_UPPER[kind])


def overview(rng: random.Random) -> list[tuple[str, str]]:
    """Sub-headed paragraphs of section 一 (总体情况)."""
    numbers = {
        "a": rng.randint(120, 9000),
        "b": rng.randint(5, 300),
        "c": rng.randint(2, 60),
        "d": rng.randint(0, 120),
        "e": rng.randint(1, 25),
        "f": rng.randint(1, 8),
        "g": rng.randint(20, 400),
    }
    chosen = rng.sample(_OVERVIEW, k=rng.randint(3, len(_OVERVIEW)))
    return [(heading, text.format(**numbers)) for heading, text in sorted(chosen, key=_OVERVIEW.index)]


def problems(rng: random.Random) -> list[str]:
    return [rng.choice(_PROBLEMS), rng.choice(_IMPROVE)]


def other_matters(rng: random.Random, year: int) -> str:
    return rng.choice(_OTHER).format(year=year)


# Pre-2019 reports follow the 2008 regulation: their own section names (portal §4.3).
PRE2019_HEADINGS = [
    "一、概述",
    "二、主动公开政府信息情况",
    "三、依申请公开政府信息情况",
    "四、政府信息公开的收费及减免情况",
    "五、因政府信息公开申请行政复议、提起行政诉讼的情况",
    "六、政府信息公开工作存在的主要问题及改进措施",
    "七、其他需要报告的事项",
]


def pre2019_sections(rng: random.Random, who: str, year: int) -> list[tuple[str, list[str]]]:
    """Headings and paragraphs of a narrative report under the 2008 regulation."""
    published = rng.randint(300, 12000)
    received = rng.randint(0, 90)
    answered = received - rng.randint(0, min(received, 3))
    on_site = published - rng.randint(0, 200)
    return [
        (
            PRE2019_HEADINGS[0],
            [f"{year}年，{who}认真贯彻落实《中华人民共和国政府信息公开条例》，政府信息公开工作有序推进。"],
        ),
        (
            PRE2019_HEADINGS[1],
            [
                f"全年主动公开政府信息{published}条，其中通过政府网站公开{on_site}条，主要包括机构职能、财政预决算等内容。"
            ],
        ),
        (
            PRE2019_HEADINGS[2],
            [f"全年共受理政府信息公开申请{received}件，已答复{answered}件，其余在法定期限内继续办理。"],
        ),
        (PRE2019_HEADINGS[3], ["本年度未收取政府信息公开相关费用，无减免情况。"]),
        (
            PRE2019_HEADINGS[4],
            [f"全年因政府信息公开申请行政复议{rng.randint(0, 4)}件，提起行政诉讼{rng.randint(0, 2)}件。"],
        ),
        (PRE2019_HEADINGS[5], [rng.choice(_PROBLEMS), rng.choice(_IMPROVE)]),
        (PRE2019_HEADINGS[6], ["无。"]),
    ]


def pre2019_table(rng: random.Random) -> list[list[str]]:
    """A local statistics table of a pre-2019 report (kept as a grid; no canonical keys)."""
    rows = [["统计指标", "单位", "数量"]]
    for label in (
        "主动公开政府信息数",
        "其中：全文电子化率",
        "依申请公开信息数",
        "申请行政复议数",
        "提起行政诉讼数",
    ):
        unit = "%" if "率" in label else "条" if "信息" in label else "件"
        rows.append([label, unit, "100" if unit == "%" else str(rng.randint(0, 3000))])
    return rows
