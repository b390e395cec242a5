"""Benchmark: search and diff latency on an archive of 100,000 synthetic reports.

Builds the archive by bulk insert (no crawl, then the search documents) on SQLite and on PostgreSQL, then prints the median
latency of a district+year search, full-text searches of 2-, 3- and 6-character Chinese terms
(rare and common) and a year-to-year diff, with the machine they ran on. Usage:
    python benchmarks/search.py [--reports 100000] [--backend sqlite|postgres|both] [--pg URL]
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from reportformat import canonical_keys, section_headings
from storage.archive import Archive
from storage.search_index import rebuild_search_documents

NOW = datetime(2026, 3, 1, tzinfo=UTC).replace(tzinfo=None)
YEARS = list(range(2014, 2026))
KINDS = ("district", "office", "department", "town")
PG_SCHEMA = "bench_search"
CHUNK = 20_000

# Narrative building blocks: common sentences, and rarer ones whose terms the searches look for.
COMMON = [
    "全年通过政府网站主动公开政府信息{n}条，其中政策文件{m}条、政策解读{k}条。",
    "全年共收到政府信息公开申请{k}件，均在法定期限内予以答复。",
    "严格落实信息发布“三审三校”制度和保密审查制度，对{n}条拟公开信息逐条审核。",
    "依托集约化政府网站平台，优化政府信息公开专栏设置，政务新媒体{k}个全部纳入统一监管。",
    "将政务公开工作纳入年度目标考核，组织业务培训{k}次，参训{m}人次。",
    "一是部分栏目信息更新不够及时；二是公众参与的渠道还需拓宽。",
    "针对上述问题，将进一步压实工作责任，强化栏目日常监测。",
    "本年度未收取政府信息公开信息处理费。",
]
RARE = [
    ("因答复不规范引发行政复议{k}件，已依法纠正。", 0.05),
    ("开展“政府开放日”活动{k}场，邀请群众代表现场观摩。", 0.01),
    ("试点建设基层政务公开标准化规范化示范点{k}个。", 0.002),
]


def _sections(rng: random.Random) -> list[tuple[int, str, str]]:
    headings = section_headings()
    sentences = [
        s.format(n=rng.randint(100, 9000), m=rng.randint(1, 300), k=rng.randint(1, 90)) for s in COMMON
    ]
    for sentence, share in RARE:
        if rng.random() < share:
            sentences.insert(rng.randrange(len(sentences)), sentence.format(k=rng.randint(1, 30)))
    return [
        (1, headings[1], "\n".join(sentences[:5])),
        (2, headings[2], ""),
        (3, headings[3], ""),
        (4, headings[4], ""),
        (5, headings[5], "\n".join(sentences[5:-1])),
        (6, headings[6], sentences[-1]),
    ]


def synthetic_rows(
    count: int, values_per_report: int, seed: int = 7
) -> Iterator[tuple[str, list[tuple[Any, ...]]]]:
    """(table, rows) chunks for ``count`` reports of 41 units, 12 years and a few agencies each."""
    rng = random.Random(seed)
    units = [(i, f"u{i:02d}", f"区县{i:02d}区", "[]") for i in range(1, 41)]
    units.append((41, "cqcs", "长寿区", "[]"))
    yield "units", units
    per_year = -(-count // len(YEARS))
    agencies_per_unit = -(-per_year // len(units))
    agencies = []
    for unit_id, _, name, _ in units:
        for index in range(agencies_per_unit):
            kind = "district" if index == 0 else KINDS[1 + index % 3]
            agency = name if index == 0 else f"{name}第{index}局"
            agencies.append((len(agencies) + 1, unit_id, agency, kind))
    yield "agencies", agencies
    keys = canonical_keys("v2021")[:values_per_report]
    report_id = 0
    batches: dict[str, list[tuple[Any, ...]]] = {
        name: []
        for name in (
            "snapshots",
            "reports",
            "report_snapshots",
            "extractions",
            "extracted_values",
            "report_sections",
        )
    }
    for year in YEARS:
        for agency_id, unit_id, agency, kind in agencies:
            if report_id >= count:
                break
            report_id += 1
            url = f"http://www.example{unit_id}.gov.cn/zfxxgknb/{year}/t{report_id}.html"
            template = "v2021" if year >= 2021 else "v2019" if year >= 2019 else "pre2019"
            batches["snapshots"].append((report_id, url, f"{report_id:064x}", 40_000, "text/html", NOW, NOW))
            batches["reports"].append(
                (
                    report_id,
                    agency_id,
                    unit_id,
                    year,
                    kind,
                    url,
                    f"{agency}{year}年政府信息公开工作年度报告",
                    date(year + 1, 1, 1 + report_id % 28),
                    template,
                    "active",
                    None,
                    NOW,
                    NOW,
                    report_id,
                )
            )
            batches["report_snapshots"].append((report_id, report_id, report_id, NOW))
            batches["extractions"].append(
                (report_id, report_id, report_id, "1.0.0", "complete", template, "[]", None, NOW)
            )
            for key in keys if template != "pre2019" else []:
                value = float(rng.randint(0, 500))
                batches["extracted_values"].append((report_id, key, value, str(int(value))))
            for number, heading, body in _sections(rng):
                batches["report_sections"].append((report_id, number, heading, body))
            if report_id % CHUNK == 0:
                yield from _flush(batches)
    yield from _flush(batches)


def _flush(batches: dict[str, list[tuple[Any, ...]]]) -> Iterator[tuple[str, list[tuple[Any, ...]]]]:
    for name, rows in batches.items():
        if rows:
            yield name, list(rows)
            rows.clear()


COLUMNS = {
    "units": "id, code, name, hosts",
    "agencies": "id, unit_id, name, kind",
    "snapshots": "id, url, sha256, size, content_type, first_seen_at, last_seen_at",
    "reports": "id, agency_id, unit_id, year, kind, url, title, published, template, status, withdrawn_at, "
    "first_seen_at, last_seen_at, current_snapshot_id",
    "report_snapshots": "id, report_id, snapshot_id, linked_at",
    "extractions": "id, report_id, snapshot_id, extractor_version, status, template, missing, reason, created_at",
    "extracted_values": "extraction_id, key, value, raw",
    "report_sections": "extraction_id, number, heading, text",
}


def bulk_load(archive: Archive, count: int, values_per_report: int) -> None:
    raw = archive.engine.raw_connection()
    try:
        cursor = raw.cursor()
        postgres = archive.engine.dialect.name == "postgresql"
        for table, rows in synthetic_rows(count, values_per_report):
            columns = COLUMNS[table]
            if postgres:
                with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                marks = ", ".join("?" for _ in columns.split(","))
                cursor.executemany(
                    f"INSERT INTO {table} ({columns}) VALUES ({marks})", [_sqlite(row) for row in rows]
                )
        raw.commit()
    finally:
        raw.close()
    with archive.engine.begin() as connection:
        rebuild_search_documents(connection)
    raw = archive.engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("ANALYZE")
        raw.commit()
    finally:
        raw.close()


def _sqlite(row: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(value.isoformat(sep=" ") if isinstance(value, datetime) else value for value in row)


def median_ms(action: Callable[[], Any], repeat: int = 15) -> float:
    action()  # warm the caches
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def measure(archive: Archive) -> dict[str, float]:
    from compare.reports import diff_reports
    from storage.comparisons import diff_pair, report_side
    from storage.filters import ReportFilter
    from storage.search import search_reports

    def diff() -> None:
        old, new = diff_pair(archive, ("长寿区", "2022", "2023"), None, None)
        diff_reports(report_side(old), report_side(new))

    def hits(query: str | None, limit: int | None = 100, **wanted: Any) -> Callable[[], int]:
        return lambda: len(search_reports(archive, query, ReportFilter(**wanted), limit=limit))

    cases: dict[str, Callable[[], Any]] = {
        "district+year search (长寿区 2020)": hits(None, district="长寿区", years=(2020, 2020)),
        "full-text 2 chars, common (公开), first 100": hits("公开"),
        "full-text 2 chars, rare (观摩), first 100": hits("观摩"),
        "full-text 3 chars, rare (开放日), first 100": hits("开放日"),
        "full-text 3 chars, rare (开放日), all": hits("开放日", None),
        "full-text 6 chars, rare (基层政务公开), all": hits("基层政务公开", None),
        "full-text 5 chars, 5% (行政复议), first 100": hits("行政复议"),
        "full-text + district + years (复议, 长寿区, 2019-2024)": hits(
            "复议", None, district="长寿区", years=(2019, 2024)
        ),
        "diff 长寿区 2022 2023 (load both + compare)": diff,
    }
    results = {}
    for name, action in cases.items():
        results[name] = median_ms(action)
        found = action() if name.startswith(("district", "full")) else ""
        print(f"  {name:<58} {results[name]:8.1f} ms  {found}", flush=True)
    return results


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()} {platform.release()}"


def _schema(pg_url: str, create: bool) -> None:
    admin = create_engine(pg_url)
    with admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA IF EXISTS "{PG_SCHEMA}" CASCADE'))
        if create:
            connection.execute(text(f'CREATE SCHEMA "{PG_SCHEMA}"'))
    admin.dispose()


def build_archive(
    backend: str, count: int, values_per_report: int, pg_url: str, folder: Path, keep: bool = False
) -> Iterator[Archive]:
    """A synthetic archive of ``count`` reports on SQLite (in ``folder``) or PostgreSQL (a schema of
    its own, dropped afterwards unless ``keep``); use with ``contextlib.contextmanager``."""
    if backend == "sqlite":
        url = f"sqlite:///{folder / 'bench.sqlite3'}"
    else:
        _schema(pg_url, create=True)
        url = (
            make_url(pg_url)
            .update_query_dict({"options": f"-csearch_path={PG_SCHEMA}"})
            .render_as_string(False)
        )
    started = time.perf_counter()
    with Archive.open(url, folder / "snapshots") as archive:
        bulk_load(archive, count, values_per_report)
        print(f"{backend}: built {count} reports in {time.perf_counter() - started:.0f} s", flush=True)
        yield archive
    if backend == "postgres" and not keep:
        _schema(pg_url, create=False)


synthetic_archive = contextmanager(build_archive)


def run(
    backend: str, count: int, values_per_report: int, pg_url: str, folder: Path, keep: bool = False
) -> None:
    with synthetic_archive(backend, count, values_per_report, pg_url, folder, keep) as archive:
        measure(archive)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reports", type=int, default=100_000)
    parser.add_argument("--values-per-report", type=int, default=200)
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--keep", type=Path, help="Build the SQLite archive in this folder and keep it.")
    parser.add_argument(
        "--pg",
        default=os.environ.get("REPORTS_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"),
    )
    args = parser.parse_args()
    print(f"machine: {machine()}")
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    with tempfile.TemporaryDirectory() as folder:
        for backend in backends:
            run(
                backend,
                args.reports,
                args.values_per_report,
                args.pg,
                args.keep or Path(folder),
                bool(args.keep),
            )


if __name__ == "__main__":
    main()
