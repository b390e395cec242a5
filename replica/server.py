"""An HTTP server for the replica world: routes by Host, and works as a forward proxy.

Scrapy with ``http_proxy`` set sends absolute-form request lines
(``GET http://www.cqcs.gov.cn/... HTTP/1.1``); plain requests carry the host
in the Host header. Both are answered from the same world.
"""

from __future__ import annotations

import hashlib
import logging
import sys
import threading
from collections.abc import Callable
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from urllib.parse import urlsplit

from .world import World

log = logging.getLogger(__name__)

# A fault hook may answer a request instead of the world: (host, path) -> (status, body), or an
# action that takes over the connection (a reset, a short body, a redirect: see replica.faults),
# or None to let the world answer.
FaultAction = Callable[["_Handler"], None]
FaultHook = Callable[[str, str], tuple[int, bytes] | FaultAction | None]


class _Handler(BaseHTTPRequestHandler):
    server: _ReplicaHTTPServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        log.debug("%s " + format, self.address_string(), *args)

    def _target(self) -> tuple[str, str]:
        if self.path.startswith(("http://", "https://")):
            parts = urlsplit(self.path)
            return parts.netloc, parts.path or "/"
        return self.headers.get("Host", ""), urlsplit(self.path).path or "/"

    def _send(self, status: int, body: bytes, headers: dict[str, str], head_only: bool) -> None:
        # Recorded before the bytes go out, so a client that has its answer finds it logged.
        self.server.owner.record(self._host, self._path, status, 0 if head_only else len(body))
        agent = self.headers.get("User-Agent", "")
        self.server.owner.user_agents.append((self._host, self._path, status, agent))
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head_only:
            self.wfile.write(body)

    def _answer(self, head_only: bool) -> None:
        host, path = self._target()
        # Every request that reached the server, whatever answers it (tests count where requests went).
        self.server.owner.log_request(self.command, host.lower(), path)
        host = host.lower().split(":")[0]
        self._host, self._path = host, path
        owner = self.server.owner
        world = owner.world
        fault = owner.fault(host, path) if owner.fault else None
        if callable(fault):
            fault(self)
        elif fault is not None:
            status, body = fault
            self._send(status, body, {"Content-Type": "text/html; charset=utf-8"}, head_only)
        elif (challenge := world.challenge(host, self.headers.get("Cookie", ""))) is not None:
            self._send(521, challenge, {"Content-Type": "text/html; charset=utf-8"}, head_only)
        elif not world.knows_host(host):
            status, body = 502, f"502 Bad Gateway: unknown host {host}\n".encode()
            self._send(status, body, {"Content-Type": "text/plain; charset=utf-8"}, head_only)
        else:
            page = world.resolve(host, path)
            if page is None:
                status, body = 404, b"<html><body><h1>404 Not Found</h1></body></html>\n"
                self._send(status, body, {"Content-Type": "text/html; charset=utf-8"}, head_only)
            else:
                self._conditional(page, world.last_modified(host, path), path, head_only)

    def _conditional(self, page: bytes, modified, path: str, head_only: bool) -> tuple[int, bytes]:
        etag = '"' + hashlib.sha1(page).hexdigest()[:20] + '"'
        kind = self.server.owner.world.content_type(path)
        headers = {
            "Content-Type": kind,
            "ETag": etag,
            "Last-Modified": format_datetime(modified, usegmt=True),
        }
        if_none_match = self.headers.get("If-None-Match")
        if_modified_since = self.headers.get("If-Modified-Since")
        not_modified = False
        if if_none_match is not None:
            not_modified = (
                etag in [tag.strip() for tag in if_none_match.split(",")] or if_none_match.strip() == "*"
            )
        elif if_modified_since:
            try:
                not_modified = modified <= parsedate_to_datetime(if_modified_since)
            except (TypeError, ValueError):
                not_modified = False
        if not_modified:
            self._send(304, b"", {"ETag": etag, "Last-Modified": headers["Last-Modified"]}, head_only=True)
            return 304, b""
        self._send(200, page, headers, head_only)
        return 200, page

    def do_GET(self) -> None:
        self._answer(head_only=False)

    def do_HEAD(self) -> None:
        self._answer(head_only=True)

    def do_POST(self) -> None:
        self._answer(head_only=False)

    def do_CONNECT(self) -> None:
        """A tunnel request (HTTPS through the proxy): logged, and refused (the replica is plain HTTP)."""
        self.server.owner.log_request("CONNECT", self.path.lower(), "")
        self.send_response(405)
        self.send_header("Content-Length", "0")
        self.end_headers()


class _ReplicaHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    owner: ReplicaServer

    def handle_error(self, request: object, client_address: object) -> None:
        # A client that gave up (a timeout, a fault mode's reset) is not a server error.
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)  # type: ignore[arg-type]


class ReplicaServer:
    """The replica served on 127.0.0.1 in a background thread; use as a context manager."""

    def __init__(self, world: World, host: str = "127.0.0.1", port: int = 0) -> None:
        self.world = world
        self.fault: FaultHook | None = None
        self.requests: list[tuple[str, str, int, int]] = []
        # (method, host[:port] as requested, path) of every request received, before it is answered.
        self.request_log: list[tuple[str, str, str]] = []
        # (host, path, status, User-Agent) of each answer: tells the crawler's browser from its downloader.
        self.user_agents: list[tuple[str, str, int, str]] = []
        self._lock = threading.Lock()
        self._httpd = _ReplicaHTTPServer((host, port), _Handler)
        self._httpd.owner = self
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return self._httpd.server_address[1]

    @property
    def proxy_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def record(self, host: str, path: str, status: int, size: int) -> None:
        with self._lock:
            self.requests.append((host, path, status, size))

    def log_request(self, method: str, netloc: str, path: str) -> None:
        with self._lock:
            self.request_log.append((method, netloc, path))

    def hosts_reached(self) -> set[str]:
        """Every host[:port] a request was made for (through the proxy or by Host header)."""
        with self._lock:
            return {netloc for _, netloc, _ in self.request_log}

    def start(self) -> ReplicaServer:
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="replica-server", daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self._httpd.serve_forever()

    def stop(self) -> None:
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._httpd.server_close()

    def __enter__(self) -> ReplicaServer:  # noqa: PYI034 - not meant to be subclassed
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
