"""Running ``reports`` in a fresh process with any exit status, and a local webhook receiver."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


def reports(
    args: list[str], proxy_url: str, db_url: str, timeout: int = 600
) -> subprocess.CompletedProcess[str]:
    """``reports ARGS`` through the replica's proxy; the caller checks the exit status."""
    env = {key: value for key, value in os.environ.items() if key.lower() != "no_proxy"}
    # The replica's proxy is on loopback: an explicit opt-in (crawler.guard refuses it by default).
    env.update(
        http_proxy=proxy_url, HTTP_PROXY=proxy_url, REPORTS_DB=db_url, REPORTS_ALLOW_PRIVATE="127.0.0.1"
    )
    return subprocess.run(
        [sys.executable, "-m", "cli.main", *args],
        check=False,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@contextmanager
def webhook_receiver() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """A webhook on 127.0.0.1 (a free port): yields its URL and the JSON documents it received."""
    received: list[dict[str, Any]] = []

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers["Content-Length"])
            received.append(json.loads(self.rfile.read(length)))
            self.send_response(204)
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hook", received
    finally:
        server.shutdown()
        server.server_close()
