"""Datasette's metadata for the archive: tables and views titled and described in Chinese and
English, foreign keys labelled, facets, and the canned search query (see storage.datasette)."""

from __future__ import annotations

from typing import Any

from storage.datasette import FACETS, FAILED_CHECKS, OVERVIEW, SEARCH_SQL, VALUE_TEMPLATES, values_view
from storage.search_index import BIGRAMS, DOCUMENTS


def _table(title_zh: str, title_en: str, description: str, **extra: Any) -> dict[str, Any]:
    return {"title": f"{title_zh} / {title_en}", "description": description, **extra}


def metadata(database: str) -> dict[str, Any]:
    """Datasette metadata for the archive served under the name ``database``."""
    tables = {
        "units": _table(
            "区县",
            "Units",
            "重庆市的区县级单位(站点登记表的一项)。A district- or county-level unit of "
            "Chongqing: one entry of the site registry.",
            label_column="name",
        ),
        "agencies": _table(
            "发布机关",
            "Agencies",
            "在一个区县内发布年报的机关:区县政府、办公室、部门、乡镇街道。A body "
            "that publishes reports within a unit: the government, an office, a department, a town.",
            label_column="name",
        ),
        "reports": _table(
            "年度报告",
            "Reports",
            "一个机关一年的政府信息公开工作年度报告。One agency's annual report "
            "for one year; current_snapshot_id is its current content.",
            label_column="title",
            facets=["kind", "year", "status"],
        ),
        "snapshots": _table(
            "快照",
            "Snapshots",
            "某网址上见到的一个不同的正文,逐字节保存(sha256)。One distinct body "
            "seen at one URL, kept byte for byte under its sha256.",
            label_column="url",
        ),
        "fetches": _table(
            "抓取记录",
            "Fetches",
            "每一次HTTP应答,含状态和头部。Every HTTP response, whatever its "
            "status, with its headers (and since 2026-12 the request's).",
            facets=["status"],
        ),
        "report_snapshots": _table(
            "报告的快照历史", "Report snapshots", "报告有过的每一个正文。Every body a report has had."
        ),
        "extractions": _table(
            "抽取结果",
            "Extractions",
            "某一版抽取程序对报告某一快照的结果。One extractor version's result on one snapshot of a report.",
            label_column="status",
            facets=["status", "template"],
        ),
        "extracted_values": _table(
            "规范值",
            "Canonical values",
            "表二、三、四的规范键值及单元格原文。Canonical values of tables "
            "二, 三 and 四 with the raw cell text.",
            facets=["key"],
        ),
        "report_sections": _table("报告章节", "Sections", "报告的六个章节。The six sections of a report."),
        "report_tables": _table(
            "报告表格", "Tables", "报告中的每个表格(展开合并单元格)。Every table of a report as a grid."
        ),
        "check_results": _table(
            "核对结果",
            "Checks",
            "模板恒等式的核对:期望值和实际值。The template's identities checked: expected and actual.",
            facets=["check_id", "ok"],
        ),
        "crawl_runs": _table(
            "抓取运行",
            "Crawl runs",
            "每一次抓取(或导入)。Every crawl or import run.",
            label_column="started_at",
        ),
        "page_errors": _table(
            "页面错误",
            "Page errors",
            "无法抓取或理解的页面。Pages that could not be fetched or understood.",
            facets=["kind"],
        ),
        "report_changes": _table(
            "报告变动",
            "Report changes",
            "新增、修订、撤回、恢复。New, revised, withdrawn and restored reports.",
            facets=["change"],
        ),
        "crawl_frontier": _table(
            "抓取队列", "Crawl frontier", "抓取决定获取的网址。URLs a crawl decided to fetch.", hidden=True
        ),
        OVERVIEW: _table(
            "报告一览",
            "Report overview",
            "每份报告一行:区县、机关、年份、发布日期、模板、当前抽取状态、"
            "未通过的核对数。One row per report: district, agency, year, publish date, template, the "
            "status of its current extraction and its failed checks.",
            facets=FACETS,
            sort_desc="year",
        ),
        **{
            values_view(template): _table(
                f"规范值宽表({template})",
                f"Values wide ({template})",
                f"{template}模板的报告,每个规范键一列。Reports of the {template} template generation, "
                "one column per canonical key (values; raw cell texts are in extracted_values).",
                facets=FACETS,
            )
            for template in VALUE_TEMPLATES
        },
        FAILED_CHECKS: _table(
            "未通过的核对",
            "Failed checks",
            "当前抽取中未通过的恒等式及其涉及的单元格(键 = 原文)。"
            "Failed identities of current extractions with the cells they read (key = raw text).",
            facets=[*FACETS, "check_id"],
        ),
    }
    for name in (DOCUMENTS, BIGRAMS, "alembic_version"):
        tables[name] = {"hidden": True}
    return {
        "title": "重庆市政府信息公开工作年度报告档案 / Chongqing transparency-report archive",
        "description": "政府信息公开工作年度报告:逐字节保存的页面、规范值与核对。Annual reports on "
        "government information disclosure: pages kept byte for byte, canonical values and checks.",
        "databases": {
            database: {
                "tables": tables,
                "queries": {
                    "search": {
                        "title": "全文检索 / Search reports",
                        "description": "标题和章节全文中包含该词的报告(两个字的词也可以,如“公开”“复议”)。"
                        "Reports whose title or sections contain the word; 2-character words work.",
                        "sql": SEARCH_SQL,
                    }
                },
            }
        },
    }
