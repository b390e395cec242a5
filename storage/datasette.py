"""The SQLite archive for Datasette: views a researcher wants, and a search that works (titles: datasette_metadata).

Views (SQLite only; created by ``create_views``, which ``reports datasette`` runs on every start):

- ``report_overview``: one row per report with its current extraction's status and template
  and its published date (the current extraction is ``storage.filters.current_extraction_id``);
- ``values_v2019``, ``values_v2021``: one row per report of that template generation, one
  column per canonical key of ``reportformat`` (the value; the raw cell text is in
  ``extracted_values``);
- ``failed_checks``: every failed check of a current extraction: an identity with the cells it
  reads (``reportformat.checks.identity_cells``), as ``key = raw text`` pairs; a narrative check
  (prose against tables) with the sentence it read (``source``).

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
        "  c.source, o.url\n"
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
