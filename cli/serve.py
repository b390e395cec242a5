"""``reports serve``: the web interface over the archive (read-only)."""

from __future__ import annotations

import logging

import click

from cli.options import archive_options

log = logging.getLogger(__name__)


@click.command()
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to bind (localhost unless told otherwise).",
)
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
@archive_options
def serve(host: str, port: int, db: str | None, snapshot_dir: str | None) -> None:
    """Serve the archive's web interface: coverage, search, reports, diffs, series, runs, feeds.

    \b
    Examples:
      reports serve                       # http://127.0.0.1:8000/
      reports serve --port 8080 --db sqlite:///data/archive.sqlite3 --snapshot-dir data/snapshots
    """
    import uvicorn

    from storage.db import resolve_db_url
    from web.app import Settings, create_app_from_settings

    app = create_app_from_settings(Settings(resolve_db_url(db), snapshot_dir))
    if host not in ("127.0.0.1", "localhost", "::1"):
        log.warning("serving on %s: the archive is readable by anyone who can reach this address", host)
    uvicorn.run(app, host=host, port=port, log_level="info")
