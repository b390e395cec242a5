"""The read-only web interface: HTML pages and a JSON API over the archive's query functions.

Views call the storage layer's query functions only (no SQL here). Everything taken from crawled
pages is escaped by Jinja2's autoescaping; the one exception, an archived page itself, is served
on its own URL under a Content-Security-Policy sandbox and shown inside a sandboxed iframe.
"""

from __future__ import annotations

import csv
import io
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from compare.reports import diff_json, diff_reports
from extract.report import extract_report
from reportformat.layout import key_labels
from storage.archive import Archive
from storage.changes import changes_json, list_changes
from storage.comparisons import (
    NotFound,
    diff_pair,
    history_of,
    pick_snapshots,
    report_detail,
    report_side,
    snapshot_side,
    store_problems,
)
from storage.exports import series_rows
from storage.filters import ReportFilter, parse_years
from storage.health import run_alerts
from storage.history import snapshot_record
from storage.queries import list_runs
from storage.search import search_reports
from storage.serialize import SeriesTable, detail_json, hit_json, report_json, series_json, series_table
from web.charts import series_svg
from web.feeds import atom_feed
from web.views import coverage_grid, report_tables, run_json

log = logging.getLogger(__name__)

HERE = Path(__file__).parent
PAGE_SIZE = 20
KINDS = ("district", "office", "department", "town")
TEMPLATES = ("pre2019", "v2019", "v2021")

# Every page of the interface: its own scripts and styles only, nothing from anywhere else.
PAGE_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "frame-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
# An archived page: a sandbox of its own origin where no script runs and nothing is fetched.
ARCHIVED_PAGE_POLICY = (
    "sandbox; default-src 'none'; style-src 'unsafe-inline'; form-action 'none'; "
    "base-uri 'none'; frame-ancestors 'self'"
)


@dataclass(frozen=True)
class Settings:
    db_url: str | None = None
    snapshot_dir: str | None = None


SEARCH_FIELDS = ("q", "district", "years", "kind", "agency", "template")


@dataclass
class SearchQuery:
    """The search form: query words, filters, page (1-based)."""

    q: str | None = None
    district: str | None = None
    years: str | None = None
    kind: str | None = None
    agency: str | None = None
    template: str | None = None
    page: int = 1


class DiffQuery:
    """What to compare: reports ``a`` and ``b``; a district's years ``from`` and ``to`` (with
    ``agency``/``kind``); or two snapshots (``old``, ``new``) of ``report``."""

    def __init__(
        self,
        a: str | None = None,
        b: str | None = None,
        district: str | None = None,
        first: Annotated[int | None, Query(alias="from")] = None,
        second: Annotated[int | None, Query(alias="to")] = None,
        kind: str | None = None,
        agency: str | None = None,
        report: int | None = None,
        old: str | None = None,
        new: str | None = None,
    ) -> None:
        self.a, self.b, self.district, self.first, self.second = a, b, district, first, second
        self.kind, self.agency, self.report, self.old, self.new = kind, agency, report, old, new


def _filter(
    district: str | None, years: str | None, kind: str | None, agency: str | None, template: str | None
) -> ReportFilter:
    try:
        span = parse_years(years) if years else None
    except ValueError as error:
        raise HTTPException(400, str(error)) from None
    if kind and kind not in KINDS:
        raise HTTPException(400, f"kind must be one of {', '.join(KINDS)}")
    if template and template not in TEMPLATES:
        raise HTTPException(400, f"template must be one of {', '.join(TEMPLATES)}")
    return ReportFilter(
        district=district or None,
        years=span,
        kind=kind or None,
        agency=agency or None,
        template=template or None,
    )


def _urlencode_except(params: Any, name: str) -> str:
    return urlencode([(key, value) for key, value in params.multi_items() if key != name and value])


def create_app(archive: Archive) -> FastAPI:
    """The application over an open archive (read-only: no view writes)."""
    app = FastAPI(
        title="政府信息公开年报档案", docs_url=None, redoc_url=None, openapi_url="/api/openapi.json"
    )
    templates = Jinja2Templates(directory=HERE / "templates")
    templates.env.globals["KINDS"] = KINDS
    templates.env.globals["TEMPLATES"] = TEMPLATES
    templates.env.filters["urlencode_except"] = _urlencode_except
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Callable[..., Any]) -> Response:
        response: Response = await call_next(request)
        response.headers.setdefault("Content-Security-Policy", PAGE_POLICY)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        return response

    def page(request: Request, name: str, **context: Any) -> HTMLResponse:
        return templates.TemplateResponse(request, name, context)

    def detail_or_404(report_id: int) -> Any:
        try:
            return report_detail(archive, str(report_id))
        except NotFound as error:
            raise HTTPException(404, str(error)) from None

    # ---------------------------------------------------------------- home
    def home_data() -> dict[str, Any]:
        changes = list_changes(archive, since=datetime.now(UTC) - timedelta(days=3650))[-20:][::-1]
        return {"coverage": coverage_grid(archive), "changes": changes}

    @app.get("/", response_class=HTMLResponse)
    def home(request: Request) -> HTMLResponse:
        return page(request, "home.html", **home_data())

    @app.get("/api/coverage")
    def api_coverage() -> Any:
        return home_data()["coverage"]

    # ---------------------------------------------------------------- search
    def run_search(wanted: SearchQuery) -> tuple[list[Any], bool]:
        report_filter = _filter(wanted.district, wanted.years, wanted.kind, wanted.agency, wanted.template)
        page_number = max(wanted.page, 1)
        hits = search_reports(archive, wanted.q or None, report_filter, limit=page_number * PAGE_SIZE + 1)
        start = (page_number - 1) * PAGE_SIZE
        return hits[start : start + PAGE_SIZE], len(hits) > page_number * PAGE_SIZE

    @app.get("/search", response_class=HTMLResponse)
    def search(request: Request, wanted: Annotated[SearchQuery, Depends()]) -> HTMLResponse:
        hits, more = run_search(wanted)
        query = {name: getattr(wanted, name) for name in SEARCH_FIELDS}
        return page(
            request, "search.html", hits=hits, more=more, page_number=max(wanted.page, 1), query=query
        )

    @app.get("/api/search")
    def api_search(wanted: Annotated[SearchQuery, Depends()]) -> Any:
        hits, more = run_search(wanted)
        return {"hits": [hit_json(hit) for hit in hits], "page": max(wanted.page, 1), "more": more}

    # ---------------------------------------------------------------- report
    @app.get("/reports/{report_id}", response_class=HTMLResponse)
    def report(request: Request, report_id: int) -> HTMLResponse:
        detail = detail_or_404(report_id)
        history = history_of(archive, detail)
        problems = store_problems(archive, [entry.snapshot.sha256 for entry in history])
        return page(
            request,
            "report.html",
            detail=detail,
            history=history,
            tables=report_tables(detail),
            problems=problems,
        )

    @app.get("/api/reports/{report_id}")
    def api_report(report_id: int) -> Any:
        detail = detail_or_404(report_id)
        problems = store_problems(archive, [snapshot.sha256 for snapshot in detail.snapshots])
        document = {**detail_json(detail), "store_problems": problems}
        return JSONResponse(json.loads(json.dumps(document, default=str)))

    @app.get("/api/reports")
    def api_reports(
        district: str | None = None,
        years: str | None = None,
        kind: str | None = None,
        agency: str | None = None,
        template: str | None = None,
    ) -> Any:
        hits = search_reports(archive, None, _filter(district, years, kind, agency, template))
        return [report_json(hit.report) for hit in hits]

    @app.get("/reports/{report_id}/values.{fmt}")
    def report_values(report_id: int, fmt: str) -> Response:
        detail = detail_or_404(report_id)
        raw = detail.raw
        rows = [{"key": key, "value": value, "raw": raw.get(key)} for key, value in detail.values.items()]
        name = f"report-{report_id}-values"
        if fmt == "json":
            return JSONResponse(
                {"report": report_json(detail.view), "values": detail.values, "raw": raw},
                headers={"Content-Disposition": f'attachment; filename="{name}.json"'},
            )
        if fmt != "csv":
            raise HTTPException(404, "values come as .csv or .json")
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=["key", "value", "raw"])
        writer.writeheader()
        writer.writerows(rows)
        return Response(
            buffer.getvalue().encode("utf-8-sig"),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
        )

    # ---------------------------------------------------------------- snapshots
    def snapshot_or_404(sha256: str) -> Any:
        record = snapshot_record(archive, sha256)
        if record is None:
            raise HTTPException(404, f"no snapshot {sha256}")
        return record

    @app.get("/snapshots/{sha256}", response_class=HTMLResponse)
    def snapshot_viewer(request: Request, sha256: str) -> HTMLResponse:
        return page(request, "snapshot.html", snapshot=snapshot_or_404(sha256))

    @app.get("/snapshots/{sha256}/frame")
    def snapshot_frame(sha256: str) -> Response:
        record = snapshot_or_404(sha256)
        if not record.is_html:
            raise HTTPException(415, "this snapshot is not an HTML page: download it instead")
        return Response(
            archive.snapshot_body(record.sha256),
            media_type=record.content_type or "text/html",
            headers={"Content-Security-Policy": ARCHIVED_PAGE_POLICY, "Cache-Control": "no-store"},
        )

    @app.get("/snapshots/{sha256}/raw")
    def snapshot_raw(sha256: str) -> Response:
        record = snapshot_or_404(sha256)
        return Response(
            archive.snapshot_body(record.sha256),
            media_type="application/octet-stream",
            headers={
                "Content-Disposition": f'attachment; filename="{record.sha256}{record.suffix}"',
                "Content-Security-Policy": ARCHIVED_PAGE_POLICY,
            },
        )

    # ---------------------------------------------------------------- diff
    def make_diff(wanted: DiffQuery) -> Any:
        a, b, district, first, second = wanted.a, wanted.b, wanted.district, wanted.first, wanted.second
        kind, agency, report_id, old, new = wanted.kind, wanted.agency, wanted.report, wanted.old, wanted.new
        try:
            if report_id is not None:
                detail = detail_or_404(report_id)
                older, newer = pick_snapshots(history_of(archive, detail), old or None, new or None)
                entries = history_of(archive, detail)
                return diff_reports(
                    snapshot_side(archive, detail, older, entries.index(older) + 1, extract_report),
                    snapshot_side(archive, detail, newer, entries.index(newer) + 1, extract_report),
                )
            if a and b:
                args: tuple[str, ...] = (a, b)
            elif district and first and second:
                args = (district, str(first), str(second))
            else:
                return None
            left, right = diff_pair(archive, args, kind or None, agency or None)
            return diff_reports(report_side(left), report_side(right))
        except (NotFound, ValueError) as error:
            raise HTTPException(404, str(error)) from None

    @app.get("/diff", response_class=HTMLResponse)
    def diff(request: Request, wanted: Annotated[DiffQuery, Depends()]) -> HTMLResponse:
        result = make_diff(wanted)
        query: dict[str, str | int | None] = {"a": wanted.a, "b": wanted.b, "district": wanted.district}
        query |= {"agency": wanted.agency, "from": wanted.first, "to": wanted.second}
        labels = key_labels(result.new.template) | key_labels(result.old.template) if result else {}
        return page(request, "diff.html", diff=result, query=query, labels=labels)

    @app.get("/api/diff")
    def api_diff(wanted: Annotated[DiffQuery, Depends()]) -> Any:
        result = make_diff(wanted)
        if result is None:
            raise HTTPException(
                400, "name two reports (a, b), a district and two years, or a report's snapshots"
            )
        return json.loads(json.dumps(diff_json(result), default=str))

    # ---------------------------------------------------------------- series
    def make_series(
        key: str, districts: list[str], years: str | None, kind: str | None, agency: str | None
    ) -> tuple[SeriesTable, str | None, list[int]]:
        """The series of one key for each district (pre-2019 years from its legacy key, if any)."""
        table: SeriesTable = {}
        legacy_key: str | None = None
        legacy_years: set[int] = set()
        wanted_districts: list[str | None] = list(districts) or [None]
        for district in wanted_districts:
            wanted = _filter(district, years, kind or (None if agency else "district"), agency, None)
            rows, legacy_key = series_rows(archive, wanted, key)
            table.update(series_table(rows))
            legacy_years |= {row.year for row in rows if row.key == legacy_key}
        return table, legacy_key, sorted(legacy_years)

    @app.get("/series", response_class=HTMLResponse)
    def series(
        request: Request,
        key: str = "requests.new_received.total",
        district: Annotated[list[str] | None, Query()] = None,
        years: str | None = None,
        kind: str | None = None,
        agency: str | None = None,
    ) -> HTMLResponse:
        districts = [name for name in district or [] if name]
        table, legacy_key, legacy_years = make_series(key, districts, years, kind, agency)
        all_years = sorted({year for values in table.values() for year in values})
        return page(
            request,
            "series.html",
            key=key,
            districts=districts,
            table=table,
            years=all_years,
            chart=series_svg(key, table),
            legacy_key=legacy_key,
            legacy_years=legacy_years,
            query={"years": years, "kind": kind, "agency": agency},
        )

    @app.get("/api/series")
    def api_series(
        key: str,
        district: Annotated[list[str] | None, Query()] = None,
        years: str | None = None,
        kind: str | None = None,
        agency: str | None = None,
    ) -> Any:
        return series_json(*make_series(key, [name for name in district or [] if name], years, kind, agency))

    # ---------------------------------------------------------------- runs
    def runs_json() -> list[dict[str, Any]]:
        alerts = run_alerts(archive)
        return [run_json(run, alerts) for run in list_runs(archive)]

    @app.get("/runs", response_class=HTMLResponse)
    def runs(request: Request) -> HTMLResponse:
        return page(request, "runs.html", runs=runs_json()[::-1])

    @app.get("/api/runs")
    def api_runs() -> Any:
        return runs_json()

    # ---------------------------------------------------------------- changes
    def changes_of(district: str | None) -> list[Any]:
        changes = list_changes(archive)
        if district:
            changes = [c for c in changes if c.district == district or c.district.startswith(district)]
        return changes[::-1][:200]

    @app.get("/changes.atom")
    def changes_atom(request: Request, district: str | None = None) -> Response:
        feed = atom_feed(changes_of(district), base_url=str(request.base_url), district=district)
        return Response(feed, media_type="application/atom+xml; charset=utf-8")

    @app.get("/changes.json")
    @app.get("/api/changes")
    def changes_api(district: str | None = None) -> Any:
        return changes_json(changes_of(district), run_id=None, since=None)

    return app


def create_app_from_settings(settings: Settings) -> FastAPI:
    """Open the archive read-only (no migration) and build the application over it."""
    archive = Archive.open(settings.db_url, settings.snapshot_dir, migrate=False)
    return create_app(archive)
