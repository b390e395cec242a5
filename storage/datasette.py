"""The SQLite archive for Datasette: views a researcher wants, titled tables, and a search that works.

Views (SQLite only; created by ``create_views``, which ``reports datasette`` runs on every start):

- ``report_overview``: one row per report with its current extraction's status and template
  and its published date (the current extraction is ``storage.filters.current_extraction_id``);
- ``values_v2019``, ``values_v2021``: one row per report of that template generation, one
  column per canonical key of ``reportformat`` (the value; the raw cell text is in
  ``extracted_values``);
- ``failed_checks``: every failed identity of a current extraction with the cells it reads
  (``reportformat.checks.identity_cells``), as ``key = raw text`` pairs.

Why the command creates them rather than a migration: they are derived from ``keys.yaml`` and
the checks, which change without any schema change, so they are rebuilt from the code that
runs; and on SQLite a view over a table that a batch migration rebuilds makes the rebuild fail
(``ALTER TABLE … RENAME`` checks every view), so ``storage.db.migrate`` drops them first
(``drop_views``). Dropping loses nothing: they hold no data.

Datasette's own full-text search cannot use the character-pair index (``storage.search_index``);
the canned query ``search`` does: it builds the term's pairs in SQL, narrows by the FTS5 table
and keeps the reports whose document contains the term, so 2-character words (公开, 复议) work.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, false, func, literal, select, text
from sqlalchemy.dialects import sqlite

from reportformat import canonical_keys
from reportformat.checks import identity_cells
from storage.filters import current_extraction_id
from storage.models import Agency, CheckResultRow, Extraction, Report, Snapshot, Unit
from storage.search_index import BIGRAMS, DOCUMENTS

OVERVIEW = "report_overview"
FAILED_CHECKS = "failed_checks"
VALUE_TEMPLATES = ("v2019", "v2021")
FACETS = ["district", "year", "kind"]


def values_view(template: str) -> str:
    return f"values_{template}"


VIEW_NAMES = (OVERVIEW, *(values_view(template) for template in VALUE_TEMPLATES), FAILED_CHECKS)


def _sql(statement: Any) -> str:
    return str(statement.compile(dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True}))


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def overview_sql() -> str:
    failed = (
        select(func.count())
        .where(CheckResultRow.extraction_id == Extraction.id, CheckResultRow.ok == false())
        .scalar_subquery()
    )
    statement = (
        select(
            Report.id.label("report_id"),
            Report.title,
            Unit.name.label("district"),
            Unit.code.label("unit_code"),
            Agency.name.label("agency"),
            Report.kind,
            Report.year,
            Report.published,
            func.coalesce(Extraction.template, Report.template).label("template"),
            func.coalesce(Extraction.status, literal("not extracted")).label("extraction_status"),
            Report.status.label("report_status"),
            Report.withdrawn_at,
            func.coalesce(failed, 0).label("failed_checks"),
            Extraction.id.label("extraction_id"),
            Extraction.extractor_version,
            Report.url,
            Snapshot.sha256.label("snapshot_sha256"),
            Report.first_seen_at,
            Report.last_seen_at,
        )
        .select_from(Report)
        .join(Unit, Unit.id == Report.unit_id)
        .join(Agency, Agency.id == Report.agency_id)
        .join(Snapshot, Snapshot.id == Report.current_snapshot_id)
        .outerjoin(Extraction, Extraction.id == current_extraction_id())
    )
    return _sql(statement)


def values_sql(template: str) -> str:
    # One indexed lookup per cell (extracted_values is unique on extraction_id, key): a GROUP BY
    # over a join with the overview is evaluated far more slowly by SQLite.
    columns = ",\n  ".join(
        "(SELECT v.value FROM extracted_values AS v "
        f"WHERE v.extraction_id = o.extraction_id AND v.key = {_literal(key)}) AS {_quote(key)}"
        for key in canonical_keys(template)
    )
    return (
        "SELECT o.report_id, o.district, o.agency, o.kind, o.year, o.published, o.extraction_status,\n  "
        f"{columns}\n"
        f"FROM {OVERVIEW} AS o\n"
        f"WHERE o.template = {_literal(template)}"
    )


def failed_checks_sql() -> str:
    cells = ",\n    ".join(
        f"({_literal(template)}, {_literal(check_id)}, {_literal(where)}, {_literal(key)})"
        for template in VALUE_TEMPLATES
        for check_id, where, keys in identity_cells(template)
        for key in keys
    )
    return (
        f"WITH cells(template, check_id, place, key) AS (VALUES\n    {cells})\n"
        "SELECT o.report_id, o.district, o.agency, o.kind, o.year, o.template, c.check_id,\n"
        '  c."where" AS "where", c.expected, c.actual, c.actual - c.expected AS difference,\n'
        "  (SELECT group_concat(m.key || ' = ' || coalesce(v.raw, '(blank)'), '; ')\n"
        "     FROM cells AS m LEFT JOIN extracted_values AS v\n"
        "       ON v.extraction_id = o.extraction_id AND v.key = m.key\n"
        '     WHERE m.template = o.template AND m.check_id = c.check_id AND m.place = c."where") AS cells,\n'
        "  o.url\n"
        f"FROM check_results AS c JOIN {OVERVIEW} AS o ON o.extraction_id = c.extraction_id\n"
        "WHERE c.ok = 0"
    )


def view_definitions() -> dict[str, str]:
    """View name -> its SELECT, in creation order (the overview first: the others read it)."""
    return {
        OVERVIEW: overview_sql(),
        **{values_view(template): values_sql(template) for template in VALUE_TEMPLATES},
        FAILED_CHECKS: failed_checks_sql(),
    }


def drop_views(connection: Connection) -> None:
    for name in reversed(VIEW_NAMES):
        connection.execute(text(f"DROP VIEW IF EXISTS {_quote(name)}"))


def create_views(connection: Connection) -> None:
    """(Re)create the views in a SQLite archive, from the code that runs."""
    if connection.dialect.name != "sqlite":
        raise ValueError("the Datasette views are for a SQLite archive")
    drop_views(connection)
    for name, select_sql in view_definitions().items():
        connection.execute(text(f"CREATE VIEW {_quote(name)} AS\n{select_sql}"))


# A single search word: its character pairs (those without whitespace) as an FTS5 phrase narrow
# the reports, containment in the search document decides (as storage.search does).
SEARCH_SQL = f"""WITH RECURSIVE pairs(i, pair) AS (
    SELECT 1, substr(:q, 1, 2)
    UNION ALL SELECT i + 1, substr(:q, i + 1, 2) FROM pairs WHERE i + 1 < length(:q)
),
phrase(text) AS (
    SELECT '"' || group_concat(replace(pair, '"', '""'), ' ') || '"'
    FROM (SELECT pair FROM pairs WHERE instr(pair, ' ') = 0 AND instr(pair, char(9)) = 0 AND instr(pair, char(10)) = 0 ORDER BY i)
)
SELECT o.report_id, o.year, o.district, o.agency, o.kind, o.published, o.extraction_status,
       '…' || substr(d.body, max(instr(d.body, :q) - 30, 1), length(:q) + 60) || '…' AS snippet,
       o.url
FROM {DOCUMENTS} AS d JOIN {OVERVIEW} AS o ON o.report_id = d.report_id
WHERE length(:q) > 0 AND instr(d.body, :q) > 0
  AND (length(:q) < 2 OR d.report_id IN (
        SELECT rowid FROM {BIGRAMS} WHERE {BIGRAMS} MATCH (SELECT text FROM phrase)))
ORDER BY o.year DESC, o.published DESC, o.district, o.agency
LIMIT 500"""


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
