"""Narrative paragraphs of generated reports, from phrase banks.

The wording imitates the real Chongqing reports (e.g. the 长寿区 2020 seed):
long official sentences, numbered 一是/二是 lists, the same six headings.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field

from .dates import stable_rng

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
    ("（二）依申请公开", "{requests}"),
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


Wording = tuple[list[tuple[str, str]], list[tuple[str, str]]]


def overview(
    rng: random.Random,
    printed: Mapping[str, float | int | None] | None = None,
    wording: Wording | None = None,
    slip: tuple[str, int] | None = None,
) -> list[tuple[str, str]]:
    """Sub-headed paragraphs of section 一 (总体情况).

    With the report's printed values, the 依申请公开 paragraph restates them (each
    quantity once); ``slip`` makes the prose contradict the table for one quantity.
    """
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
    if printed is None or wording is None:
        requests = (
            "依法依规办理政府信息公开申请，均在法定期限内予以答复，未发生因答复不规范引发的行政复议纠错。"
        )
    else:
        requests = requests_paragraph(wording, printed, slip)
    numbers["requests"] = requests  # type: ignore[assignment]
    if not any(heading == "（二）依申请公开" for heading, _ in chosen) and wording is not None:
        chosen.append(_OVERVIEW[1])
    return [(heading, text.format(**numbers)) for heading, text in sorted(chosen, key=_OVERVIEW.index)]


# What the 依申请公开 paragraph restates: quantity -> the canonical keys it sums.
STATED_QUANTITIES: dict[str, tuple[str, ...]] = {
    "received": ("requests.new_received.total",),
    "carried_over": ("requests.carried_over.total",),
    "processed": ("requests.total_processed.total",),
    "carried_forward": ("requests.carried_forward.total",),
    "granted": ("requests.granted.total",),
    "partially_granted": ("requests.partially_granted.total",),
    "denied": tuple(
        f"requests.denied.{reason}.total"
        for reason in (
            "state_secret",
            "prohibited_by_law",
            "security_stability",
            "third_party",
            "internal_affairs",
            "process_info",
            "enforcement_file",
            "admin_query",
        )
    ),
    "unable": (
        "requests.unable.not_held.total",
        "requests.unable.needs_creation.total",
        "requests.unable.unclear.total",
    ),
    "not_processed": tuple(
        f"requests.not_processed.{reason}.total"
        for reason in (
            "complaint",
            "duplicate",
            "publication",
            "excessive",
            "confirmation",
        )
    ),
    "reviews": ("appeals.review.total",),
    "suits": ("appeals.litigation_direct.total", "appeals.litigation_after_review.total"),
}
# Sentence variants (several wordings per quantity, as real reports vary); {q} is the number.
_REQUEST_SENTENCES = [
    [
        ("received", "全年共收到政府信息公开申请{received}件"),
        ("carried_over", "上年结转{carried_over}件"),
        ("processed", "办结{processed}件"),
        ("carried_forward", "结转下年度继续办理{carried_forward}件"),
    ],
    [
        ("received", "本年度新收政府信息公开申请{received}件"),
        ("granted", "其中予以公开{granted}件"),
        ("partially_granted", "部分公开{partially_granted}件"),
        ("denied", "不予公开{denied}件"),
        ("unable", "无法提供{unable}件"),
        ("not_processed", "不予处理{not_processed}件"),
    ],
    [
        ("received", "共受理政府信息公开申请{received}件"),
        ("processed", "已全部依法答复{processed}件"),
        ("granted", "同意公开{granted}件"),
    ],
    [
        ("carried_over", "上一年度结转申请{carried_over}件"),
        ("received", "收到依申请公开申请{received}件"),
        ("carried_forward", "转入下一年办理{carried_forward}件"),
    ],
]
_APPEAL_SENTENCES = [
    [("reviews", "全年因政府信息公开申请引发行政复议{reviews}件"), ("suits", "行政诉讼{suits}件")],
    [("reviews", "涉及政府信息公开的行政复议{reviews}起"), ("suits", "行政诉讼{suits}起")],
]


def stated_value(printed: Mapping[str, float | int | None], quantity: str) -> int:
    return int(sum(printed.get(key) or 0 for key in STATED_QUANTITIES[quantity]))


# Share of tabular reports whose prose contradicts their table for one quantity.
SLIP_RATE = 0.05


def prose_wording(seed: int, key: str) -> Wording:
    """The wording of one report's 依申请公开 paragraph."""
    rng = stable_rng(seed, "prose", key)
    return rng.choice(_REQUEST_SENTENCES), rng.choice(_APPEAL_SENTENCES)


def prose_slip(seed: int, key: str, printed: Mapping[str, float | int | None]) -> tuple[str, int] | None:
    """(quantity, error) when the report's prose misstates a number its table prints, else None."""
    rng = stable_rng(seed, "slip", key)
    if rng.random() >= SLIP_RATE:
        return None
    requests, appeals = prose_wording(seed, key)
    candidates = [quantity for quantity, _ in requests + appeals if stated_value(printed, quantity) > 0]
    if not candidates:
        return None
    return rng.choice(candidates), rng.choice([-1, 1, 2, 3, 10])


def requests_paragraph(
    wording: Wording, printed: Mapping[str, float | int | None], slip: tuple[str, int] | None
) -> str:
    requests, appeals = wording
    numbers = {quantity: stated_value(printed, quantity) for quantity, _ in requests + appeals}
    if slip:
        numbers[slip[0]] += slip[1]
    first = "，".join(template.format(**numbers) for _, template in requests)
    second = "，".join(template.format(**numbers) for _, template in appeals)
    return f"{first}。{second}。"


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


@dataclass
class LegacyReport:
    """A pre-2019 report: sections, an optional statistics table (after section 二 or 三),
    and the legacy values it states (the manifest's truth)."""

    sections: list[tuple[str, list[str]]]
    table: list[list[str]] | None
    table_after: int
    stated: dict[str, int | float] = field(default_factory=dict)


def _legacy_numbers(rng: random.Random) -> dict[str, int]:
    published = rng.randint(300, 12000)
    received = rng.choice([0, rng.randint(1, 12), rng.randint(5, 90)])
    answered = received - rng.randint(0, min(received, 3))
    left = answered
    numbers = {"published": published, "website": published - rng.randint(0, 200)}
    numbers["normative"] = rng.randint(0, 30)
    for name in ("granted", "partial", "denied", "not_held", "not_competent", "already_public"):
        numbers[name] = rng.randint(0, left // 2) if left else 0
        left -= numbers[name]
    numbers["granted"] += left  # every answered request has one outcome
    numbers.update(
        received=received, answered=answered, online=rng.randint(0, received), cumulative=published * 6
    )
    numbers["review"] = rng.choice([0, 0, 0, 1, 2])
    numbers["litigation"] = rng.choice([0, 0, 0, 1])
    numbers["fees"] = rng.choice([0, 0, 0, 10, 35, 120, 260])  # 元
    return numbers


# Sentences of the 主动公开 section: (wording, legacy keys stated by name in ``numbers``).
_LEGACY_DISCLOSURE = [
    (
        "全年主动公开政府信息{published}条，其中通过政府网站公开{website}条，主要包括机构职能、财政预决算等内容。",
        {"legacy.disclosure.total": "published", "legacy.disclosure.website": "website"},
    ),
    (
        "本年度共主动公开各类政府信息{published}条。截至年底，累计主动公开政府信息{cumulative}条。",
        {"legacy.disclosure.total": "published"},
    ),
    (
        "主动公开政府信息共{published}条，公开规范性文件{normative}件，均通过区政府门户网站发布。",
        {"legacy.disclosure.total": "published", "legacy.disclosure.normative": "normative"},
    ),
    (
        "通过政府网站公开政府信息{website}条，政府公报、政务微博等渠道同步发布。",
        {"legacy.disclosure.website": "website"},
    ),
]
_LEGACY_REQUESTS = [
    (
        (
            "全年共受理政府信息公开申请{received}件，其中同意公开{granted}件，同意部分公开{partial}件，"
            "不同意公开{denied}件，信息不存在{not_held}件，非本机关职责范围{not_competent}件。"
        ),
        {
            "legacy.requests.received": "received",
            "legacy.requests.granted": "granted",
            "legacy.requests.partially_granted": "partial",
            "legacy.requests.denied": "denied",
            "legacy.requests.not_held": "not_held",
            "legacy.requests.not_competent": "not_competent",
        },
    ),
    (
        "本年度共收到政府信息公开申请{received}件，已答复{answered}件，其余在法定期限内继续办理。",
        {"legacy.requests.received": "received", "legacy.requests.answered": "answered"},
    ),
    (
        (
            "受理依申请公开{received}件，按时办结{answered}件，其中予以公开{granted}件，部分公开{partial}件，"
            "申请信息不存在的{not_held}件。其中网上申请{online}件。"
        ),
        {
            "legacy.requests.received": "received",
            "legacy.requests.answered": "answered",
            "legacy.requests.granted": "granted",
            "legacy.requests.partially_granted": "partial",
            "legacy.requests.not_held": "not_held",
        },
    ),
    ("依申请公开工作规范有序，详见附表。", {}),
]
_LEGACY_APPEALS = [
    (
        "全年因政府信息公开申请行政复议{review}件，提起行政诉讼{litigation}件。",
        {"legacy.appeals.review": "review", "legacy.appeals.litigation": "litigation"},
    ),
    (
        "本年度未发生因政府信息公开申请行政复议、提起行政诉讼的情况。",
        {"legacy.appeals.review": "zero", "legacy.appeals.litigation": "zero"},
    ),
    ("行政复议和行政诉讼均为{review}件。", {}),  # which one? neither is stated without doubt
]
_LEGACY_FEES = [
    ("本年度未收取政府信息公开相关费用，无减免情况。", {"legacy.fees.amount": "zero"}),
    ("本年度共收取检索复制费用{fees}元，均按规定标准收取。", {"legacy.fees.amount": "fees_wan"}),
    ("严格执行收费标准，无违规收费情况。", {}),
]
_TABLE_ROWS = [  # (label, unit, name in numbers or None for a row no legacy key names)
    ("一、主动公开情况", "", ""),
    ("（一）主动公开政府信息数", "条", "published"),
    ("其中：主动公开规范性文件数", "条", "normative"),
    ("（二）通过不同渠道和方式公开政府信息的情况", "", ""),
    ("1.政府网站公开政府信息数", "条", "website"),
    ("2.政府公报公开政府信息数", "条", "gazette"),
    ("二、依申请公开情况", "", ""),
    ("（一）收到申请数", "件", "received"),
    ("1.网络申请数", "件", "online"),
    ("（二）申请办结数", "件", "answered"),
    ("（三）申请答复数", "件", "answered"),
    ("1.属于已主动公开范围数", "件", "already_public"),
    ("2.同意公开答复数", "件", "granted"),
    ("3.同意部分公开答复数", "件", "partial"),
    ("4.不同意公开答复数", "件", "denied"),
    ("5.不属于本行政机关公开数", "件", "not_competent"),
    ("6.申请信息不存在数", "件", "not_held"),
    ("三、行政复议数量", "件", "review"),
    ("四、行政诉讼数量", "件", "litigation"),
    ("五、依申请公开信息收取的费用", "万元", "fees_wan"),
]
_TABLE_KEYS = {
    "published": "legacy.disclosure.total",
    "normative": "legacy.disclosure.normative",
    "website": "legacy.disclosure.website",
    "received": "legacy.requests.received",
    "answered": "legacy.requests.answered",
    "already_public": "legacy.requests.already_public",
    "granted": "legacy.requests.granted",
    "partial": "legacy.requests.partially_granted",
    "denied": "legacy.requests.denied",
    "not_competent": "legacy.requests.not_competent",
    "not_held": "legacy.requests.not_held",
    "review": "legacy.appeals.review",
    "litigation": "legacy.appeals.litigation",
    "fees_wan": "legacy.fees.amount",
}
_SIMPLE_ROWS = [
    ("主动公开政府信息（条）", "published"),
    ("收到申请数（件）", "received"),
    ("同意公开（件）", "granted"),
    ("同意部分公开（件）", "partial"),
    ("不同意公开（件）", "denied"),
    ("信息不存在（件）", "not_held"),
    ("行政复议（件）", "review"),
    ("行政诉讼（件）", "litigation"),
]


def _state(stated: dict[str, int | float], keys: dict[str, str], numbers: dict[str, int | float]) -> None:
    for key, name in keys.items():
        stated[key] = 0 if name == "zero" else numbers[name]


def legacy_report(rng: random.Random, who: str, year: int) -> LegacyReport:
    """A narrative report under the 2008 regulation, with the legacy values it states."""
    numbers: dict[str, int | float] = dict(_legacy_numbers(rng))
    numbers["fees_wan"] = numbers["fees"] / 10000 if numbers["fees"] else 0
    numbers["gazette"] = rng.randint(0, 60)
    stated: dict[str, int | float] = {}
    disclosure, disclosure_keys = rng.choice(_LEGACY_DISCLOSURE)
    if numbers["received"] == 0 and rng.random() < 0.5:
        requests, request_keys = "全年未收到政府信息公开申请。", {"legacy.requests.received": "zero"}
    else:
        requests, request_keys = rng.choice(_LEGACY_REQUESTS)
    appeals, appeal_keys = rng.choice(_LEGACY_APPEALS)
    if (
        appeal_keys
        and next(iter(appeal_keys.values())) == "zero"
        and (numbers["review"] or numbers["litigation"])
    ):
        appeals, appeal_keys = _LEGACY_APPEALS[0]
    fees, fee_keys = rng.choice(_LEGACY_FEES)
    if fee_keys.get("legacy.fees.amount") == "zero" and numbers["fees"]:
        fees, fee_keys = _LEGACY_FEES[1]
    if fee_keys.get("legacy.fees.amount") == "fees_wan" and not numbers["fees"]:
        fees, fee_keys = _LEGACY_FEES[0]
    for keys in (disclosure_keys, request_keys, appeal_keys, fee_keys):
        _state(stated, keys, numbers)
    table_style = rng.choices(["provincial", "simple", "none"], weights=[45, 25, 30])[0]
    table: list[list[str]] | None = None
    if table_style == "provincial":
        table = [["指标", "单位", "数量"]]
        for label, unit, name in _TABLE_ROWS:
            table.append([label, unit, f"{numbers[name]:g}" if name else ""])
            if name in _TABLE_KEYS:
                stated[_TABLE_KEYS[name]] = numbers[name]
    elif table_style == "simple":
        table = [["项目", "数量"]] + [[label, str(numbers[name])] for label, name in _SIMPLE_ROWS]
        for _, name in _SIMPLE_ROWS:
            stated[_TABLE_KEYS[name]] = numbers[name]
    sections = [
        (
            PRE2019_HEADINGS[0],
            [f"{year}年，{who}认真贯彻落实《中华人民共和国政府信息公开条例》，政府信息公开工作有序推进。"],
        ),
        (PRE2019_HEADINGS[1], [disclosure.format(**numbers)]),
        (PRE2019_HEADINGS[2], [requests.format(**numbers)]),
        (PRE2019_HEADINGS[3], [fees.format(**numbers)]),
        (PRE2019_HEADINGS[4], [appeals.format(**numbers)]),
        (PRE2019_HEADINGS[5], [rng.choice(_PROBLEMS), rng.choice(_IMPROVE)]),
        (PRE2019_HEADINGS[6], ["无。"]),
    ]
    return LegacyReport(sections, table, rng.choice([1, 2]), stated)
