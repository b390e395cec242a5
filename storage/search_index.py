"""The search document of each report and its character-bigram index (created by migration 0007).

A report's search document is its title and the text of every section of its *current*
extraction, one per line. Query terms never contain whitespace, so a term occurs in the document
exactly when it occurs in the title or in one section: ``storage.search`` checks that with
``instr``/``LIKE`` on the candidates the index gives. The index holds the document's overlapping
character pairs (公开 -> 公开; 政务公开 -> 政务 务公 公开), which any term of two or more characters
can be looked up by: on SQLite an FTS5 table (the pairs of a term as a phrase), on PostgreSQL a
``tsvector`` of the pairs with a GIN index (all pairs of a term present). The index only narrows;
the exact check decides, so both backends return the same reports.

Documents are refreshed by ``Archive.save_extraction`` and ``Archive.upsert_report``; a bulk load
calls ``rebuild_search_documents``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import NamedTuple

from sqlalchemy import Column, Connection, Integer, MetaData, Table, Text, bindparam, func, select, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session, aliased

from storage.models import Extraction, Report, ReportSection

DOCUMENTS = "report_search_documents"
BIGRAMS = "report_search_bigrams"
BIGRAMS_INDEX = "ix_report_search_bigrams"
ORDER_INDEX = "ix_report_search_order"
# Objects of migrations 0002 and 0007 that the models do not declare (FTS5 shadow tables included).
SEARCH_INDEX_NAMES = (
    "report_sections_fts",
    "ix_report_sections_text_trgm",
    "report_search",
    "ix_report_search",
)

CHUNK = 2_000

documents = Table(
    DOCUMENTS,
    MetaData(),
    Column("report_id", Integer, primary_key=True),
    Column("body", Text, nullable=False),
    Column("outline", Text, nullable=False),
)


class Document(NamedTuple):
    """A search document: the text, and the JSON list of ``[heading, start, end]`` of its sections."""

    body: str
    outline: str


def is_search_index(name: str | None) -> bool:
    return name is not None and name.startswith(SEARCH_INDEX_NAMES)


def bigrams(text: str) -> list[str]:
    """Overlapping character pairs of ``text``, leaving out pairs with whitespace in them."""
    return [text[i : i + 2] for i in range(len(text) - 1) if not (text[i].isspace() or text[i + 1].isspace())]


def is_indexed(term: str) -> bool:
    """Whether the bigram index can narrow ``term``: two characters or more, and some Chinese
    letter or ASCII letter or digit (pairs of punctuation alone give SQLite's tokenizer no token)."""
    return len(term) >= 2 and any(
        char.isascii() and char.isalnum() or "\u3400" <= char <= "\u9fff" for char in term
    )


def section_spans(outline: str) -> list[tuple[str, int, int]]:
    """``(heading, start, end)`` of each section's text within the document body."""
    return [(heading, start, end) for heading, start, end in json.loads(outline)]


def sqlite_phrase(term: str) -> str:
    """An FTS5 phrase matching the term's pairs in a row."""
    return '"' + " ".join(bigrams(term)).replace('"', '""') + '"'


def tsquery(term: str) -> str:
    """A ``tsquery`` literal requiring every pair of ``term`` (quoted, so nothing is normalized)."""
    return " & ".join(_lexeme(pair) for pair in dict.fromkeys(bigrams(term)))


def _lexeme(pair: str) -> str:
    return "'" + pair.replace("\\", "\\\\").replace("'", "''") + "'"


def _current_documents(connection: Connection, report_ids: Sequence[int] | None) -> dict[int, Document]:
    """The search document of each report (all of them when ``report_ids`` is None)."""
    latest = aliased(Extraction)
    current = (
        select(func.max(latest.id))
        .where(latest.report_id == Report.id, latest.snapshot_id == Report.current_snapshot_id)
        .correlate(Report)
        .scalar_subquery()
    )
    titles = select(Report.id, Report.title)
    sections = (
        select(Report.id, ReportSection.heading, ReportSection.text)
        .join(ReportSection, ReportSection.extraction_id == current)
        .order_by(Report.id, ReportSection.number, ReportSection.id)
    )
    if report_ids is not None:
        titles = titles.where(Report.id.in_(report_ids))
        sections = sections.where(Report.id.in_(report_ids))
    parts: dict[int, list[tuple[str, str]]] = {
        report_id: [("title", title)] for report_id, title in connection.execute(titles)
    }
    for report_id, heading, section_text in connection.execute(sections):
        parts[report_id].append((heading, section_text))
    return {report_id: _document(texts) for report_id, texts in parts.items()}


def _document(parts: list[tuple[str, str]]) -> Document:
    """Title and sections joined by newlines, and where each section's text lies in the result.

    A section's heading as printed ("一、总体情况") is searchable too: it stands on its own
    line before the section's text (the preamble, section 0, has none).
    """
    title = parts[0][1]
    chunks, spans, start = [title], [], len(title) + 1
    for heading, part in parts[1:]:
        if heading:
            chunks.append(heading)
            start += len(heading) + 1
        chunks.append(part)
        spans.append((heading, start, start + len(part)))
        start += len(part) + 1
    return Document("\n".join(chunks), json.dumps(spans, ensure_ascii=False))


def refresh_search_documents(source: Session | Connection, report_ids: Sequence[int]) -> None:
    """Bring the search documents of these reports up to date with their current extraction."""
    connection = source.connection() if isinstance(source, Session) else source
    for start in range(0, len(report_ids), CHUNK):
        chunk = list(report_ids[start : start + CHUNK])
        rows = connection.execute(select(documents).where(documents.c.report_id.in_(chunk)))
        old = {report_id: Document(body, outline) for report_id, body, outline in rows}
        new = _current_documents(connection, chunk)
        changed = {
            report_id: document for report_id, document in new.items() if old.get(report_id) != document
        }
        _write(
            connection, {report_id: old[report_id].body for report_id in changed if report_id in old}, changed
        )


def rebuild_search_documents(connection: Connection) -> None:
    """Drop every search document and build them all again (after a bulk load, or a migration)."""
    connection.execute(documents.delete())
    if connection.dialect.name == "sqlite":
        connection.execute(text(f"INSERT INTO {BIGRAMS}({BIGRAMS}) VALUES ('delete-all')"))
    built = _current_documents(connection, None)
    ids = sorted(built)
    for start in range(0, len(ids), CHUNK):
        _write(connection, {}, {report_id: built[report_id] for report_id in ids[start : start + CHUNK]})


def _write(connection: Connection, old: dict[int, str], new: dict[int, Document]) -> None:
    """Replace the documents ``old`` (id -> body as indexed) with ``new``."""
    if not new:
        return
    dialect = connection.dialect.name
    if old:
        connection.execute(documents.delete().where(documents.c.report_id.in_(list(old))))
    if dialect == "sqlite":
        if old:
            connection.execute(
                text(f"INSERT INTO {BIGRAMS}({BIGRAMS}, rowid, bigrams) VALUES ('delete', :id, :pairs)"),
                [{"id": report_id, "pairs": " ".join(bigrams(body))} for report_id, body in old.items()],
            )
        connection.execute(
            documents.insert(),
            [{"report_id": i, "body": body, "outline": outline} for i, (body, outline) in new.items()],
        )
        connection.execute(
            text(f"INSERT INTO {BIGRAMS}(rowid, bigrams) VALUES (:id, :pairs)"),
            [
                {"id": report_id, "pairs": " ".join(bigrams(document.body))}
                for report_id, document in new.items()
            ],
        )
    else:
        statement = text(
            f"INSERT INTO {DOCUMENTS} (report_id, body, outline, bigrams) "
            "VALUES (:id, :body, :outline, array_to_tsvector(:pairs))"
        ).bindparams(bindparam("pairs", type_=ARRAY(Text)))
        connection.execute(
            statement,
            [
                {"id": i, "body": body, "outline": outline, "pairs": sorted(set(bigrams(body)))}
                for i, (body, outline) in new.items()
            ],
        )
