"""Full-text search of reports: substring containment over titles and section text, on any backend.

A report matches a query when every term of it occurs, as written, in its title or in a section
of its current extraction, that is in its search document (``storage.search_index``). That
definition is the same on SQLite and PostgreSQL: the character-pair index proposes candidates,
``instr``/``LIKE`` on their documents decides. When a term is common and only the first few hits
are wanted, reports are read newest first and checked directly instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    ColumnElement,
    Select,
    cast,
    column,
    false,
    func,
    literal,
    literal_column,
    select,
    table,
    text,
)
from sqlalchemy.dialects.postgresql import TSQUERY
from sqlalchemy.orm import Session

from storage.filters import ReportFilter, current_extraction_id, filtered_reports, where_clauses
from storage.models import Agency, CheckResultRow, Extraction, Report, Snapshot, Unit
from storage.queries import NOT_EXTRACTED, ReportView, _session
from storage.search_index import (
    BIGRAMS,
    DOCUMENTS,
    bigrams,
    documents,
    is_indexed,
    is_search_index,
    section_spans,
    sqlite_phrase,
    tsquery,
)

if TYPE_CHECKING:
    from storage.archive import Archive

SNIPPET_CONTEXT = 30
# With a limit, a query whose terms have at least this many candidate reports reads reports in
# order and checks each (a common term is found within the first few hundred) rather than sorting
# every candidate.
COMMON_CANDIDATES = 2_000
ESTIMATED_PAIRS = 6
# Filters that leave fewer reports than this (a district and a few years) are applied first and
# every report left is checked directly: reading the index would cost more than that.
FEW_REPORTS = 2_000

_bigrams = table(BIGRAMS, column("rowid"), column(BIGRAMS))
_tsvector: ColumnElement[Any] = literal_column(f"{DOCUMENTS}.bigrams")


@dataclass(frozen=True)
class SearchHit:
    """A matching report; ``snippet`` is text around the first term, ``highlights`` are
    ``(start, end)`` offsets of every term occurrence within the snippet; ``where`` is the
    section heading the snippet comes from, or ``title``."""

    report: ReportView
    snippet: str | None = None
    highlights: tuple[tuple[int, int], ...] = ()
    where: str | None = None


def query_terms(query: str | None) -> list[str]:
    """Whitespace-separated terms, each of which must occur (duplicates dropped, order kept)."""
    return list(dict.fromkeys((query or "").split()))


def _contains(dialect: str, text_column: Any, term: str) -> ColumnElement[bool]:
    """Exact containment. On PostgreSQL ``strpos`` rather than ``LIKE '%term%'``: the planner
    guesses such a LIKE matches a handful of rows and sorts every report for a term in all of them
    (公开 is in every report's headings), where reading reports in order stops at ``limit`` hits."""
    if dialect == "sqlite":
        return func.instr(text_column, term) > 0
    return func.strpos(text_column, term) > 0


def _candidates(dialect: str, terms: list[str]) -> Select[Any]:
    """Ids of reports whose document has every term's character pairs (a superset of the matches)."""
    if dialect == "sqlite":
        query = " AND ".join(sqlite_phrase(term) for term in terms)
        return select(_bigrams.c.rowid).where(_bigrams.c[BIGRAMS].op("MATCH")(query))
    wanted = " & ".join(f"({tsquery(term)})" for term in terms)
    return select(documents.c.report_id).where(_tsvector.op("@@")(cast(literal(wanted), TSQUERY)))


def _at_least(session: Session, query: Select[Any], count: int) -> bool:
    capped = query.limit(count).subquery()
    return (session.scalar(select(func.count()).select_from(capped)) or 0) >= count


def _use_index(
    session: Session, dialect: str, terms: list[str], filtered: Select[Any] | None, limit: int | None
) -> bool:
    """Whether to narrow by the pair index, rather than check reports in order until ``limit``
    hits (a common term) or check all that the filter leaves (a selective filter)."""
    if not terms:
        return False
    if filtered is not None and not _at_least(session, filtered, FEW_REPORTS):
        return False
    if limit is None:
        return True
    if dialect == "postgresql":
        # Counting candidates of a common term would read their tsvectors; the planner's estimates
        # (from the column's statistics of frequent pairs) tell a common term at no cost. A report
        # has every pair of the query, so the rarest pair bounds the count (a few pairs suffice).
        # Pairs too rare for the statistics are counted, through the index.
        pairs = list(dict.fromkeys(pair for term in terms for pair in bigrams(term)))[:ESTIMATED_PAIRS]
        if min(_estimated_rows(session, _candidates(dialect, [pair])) for pair in pairs) >= COMMON_CANDIDATES:
            return False
    return not _at_least(session, _candidates(dialect, terms), COMMON_CANDIDATES)


def _estimated_rows(session: Session, query: Select[Any]) -> float:
    compiled = query.compile(session.get_bind(), compile_kwargs={"literal_binds": True})
    plan = session.execute(text(f"EXPLAIN (FORMAT JSON) {compiled}")).scalar_one()
    return float(plan[0]["Plan"]["Plan Rows"])


def _view_columns() -> list[Any]:
    """The columns of a ``ReportView``, in order, over ``reports JOIN agencies JOIN units``."""
    # Per-row lookups rather than joins: the planner would hash whole tables for a few hundred ids.
    current = current_extraction_id()
    status = select(Extraction.status).where(Extraction.id == current).scalar_subquery()
    failed = (
        select(func.count())
        .where(CheckResultRow.extraction_id == current, CheckResultRow.ok == false())
        .scalar_subquery()
    )
    sha256 = select(Snapshot.sha256).where(Snapshot.id == Report.current_snapshot_id).scalar_subquery()
    return [
        Report.id,
        Report.url,
        Report.title,
        Agency.name,
        Unit.name,
        Unit.code,
        Report.kind,
        Report.year,
        Report.published,
        Report.template,
        status,
        failed,
        sha256,
    ]


def _view(row: Any) -> ReportView:
    id_, url, title, agency, district, unit_code, kind, year, published, template, status, failed, sha256 = (
        row[:13]
    )
    return ReportView(
        id_,
        url,
        title,
        agency,
        district,
        unit_code,
        kind,
        year,
        published,
        template,
        status=status or NOT_EXTRACTED,
        failed_checks=int(failed or 0),
        snapshot_sha256=sha256,
    )


def search_reports(
    source: Archive | Session,
    query: str | None = None,
    report_filter: ReportFilter | None = None,
    *,
    limit: int | None = None,
    failed_check: str | None = None,
) -> list[SearchHit]:
    """Reports matching the filter and every term of ``query``, newest first (year, publish date),
    then by district, agency and id. ``limit`` None means all. ``failed_check``: only reports whose
    current extraction failed that check (an id such as ``narrative`` or ``requests.balance``;
    ``any``: any check)."""
    terms = query_terms(query)
    with _session(source) as session:
        dialect = session.get_bind().dialect.name
        wanted = report_filter or ReportFilter()
        statement = filtered_reports(wanted, Report.id)
        if wanted.district:
            # The units named, as ids: the planner then reads reports by (unit, year).
            units = select(Unit.id).where(*where_clauses(ReportFilter(district=wanted.district)))
            statement = statement.where(Report.unit_id.in_(list(session.scalars(units))))
        if failed_check:
            failed = [CheckResultRow.extraction_id == current_extraction_id(), CheckResultRow.ok == false()]
            if failed_check != "any":
                failed.append(CheckResultRow.check_id == failed_check)
            statement = statement.where(select(CheckResultRow.id).where(*failed).exists())
        columns = _view_columns()
        if terms:
            filtered = statement if wanted != ReportFilter() else None
            statement = statement.join(documents, documents.c.report_id == Report.id).where(
                *(_contains(dialect, documents.c.body, term) for term in terms)
            )
            indexed = [term for term in terms if is_indexed(term)]
            if _use_index(session, dialect, indexed, filtered, limit):
                statement = statement.where(Report.id.in_(_candidates(dialect, indexed)))
            columns += [documents.c.body, documents.c.outline]
        statement = statement.with_only_columns(*columns).order_by(
            Report.year.desc(), Report.published.desc().nulls_last(), Unit.name, Agency.name, Report.id
        )
        if limit is not None:
            statement = statement.limit(limit)
        rows = session.execute(statement).all()
        hits = sorted(((_view(row), row[13:]) for row in rows), key=lambda hit: _newest_first(hit[0]))
        if not terms:
            return [SearchHit(view) for view, _ in hits]
        return [_hit(view, (body, outline), terms) for view, (body, outline) in hits]


def _newest_first(view: ReportView) -> tuple[Any, ...]:
    published = -view.published.toordinal() if view.published else 0
    return (-view.year, published, view.district, view.agency, view.id)


def _hit(view: ReportView, document: tuple[str, str], terms: list[str]) -> SearchHit:
    """The snippet around the first term: from the first section that has it, else the title."""
    body, outline = document
    spans = section_spans(outline)
    first_heading, first_start, _ = spans[0] if spans else ("", 0, 0)
    found = (
        body.find(terms[0], first_start - (len(first_heading) + 1 if first_heading else 0)) if spans else -1
    )
    for heading, start, end in spans if found >= 0 else []:
        if start <= found < end:
            snippet, highlights = make_snippet(body[start:end], found - start, terms)
            return SearchHit(view, snippet, highlights, heading)
        if heading and start - len(heading) - 1 <= found < start:  # in the heading's own line
            snippet, highlights = make_snippet(heading, found - (start - len(heading) - 1), terms)
            return SearchHit(view, snippet, highlights, heading)
    found = view.title.find(terms[0])
    if found < 0:
        return SearchHit(view)
    snippet, highlights = make_snippet(view.title, found, terms)
    return SearchHit(view, snippet, highlights, "title")


def make_snippet(
    text: str, position: int, terms: list[str], context: int = SNIPPET_CONTEXT
) -> tuple[str, tuple[tuple[int, int], ...]]:
    """One line of ``text`` around ``position`` with ``…`` where cut, and the terms' spans in it."""
    start = max(0, position - context)
    end = min(len(text), position + len(terms[0]) + context)
    body = text[start:end].replace("\n", " ")
    prefix = "…" if start > 0 else ""
    snippet = prefix + body + ("…" if end < len(text) else "")
    spans: list[tuple[int, int]] = []
    for term in terms:
        found = body.find(term)
        while found >= 0:
            spans.append((len(prefix) + found, len(prefix) + found + len(term)))
            found = body.find(term, found + len(term))
    return snippet, tuple(sorted(spans))


__all__ = ["SearchHit", "include_name", "is_search_index", "make_snippet", "query_terms", "search_reports"]


def include_name(name: str | None, type_: str, parent_names: Any) -> bool:
    """Alembic ``include_name`` hook: autogenerate and schema comparison ignore the search index."""
    return not (type_ in ("table", "index") and is_search_index(name))
