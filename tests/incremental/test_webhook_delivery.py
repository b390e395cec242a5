"""Webhook notifications against misbehaving local servers: bounded, retried, kept until delivered."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

from sqlalchemy import select

from crawler.webhook import WebhookPolicy, send_notifications
from storage.archive import Archive
from storage.models import Notification
from tests.incremental.helpers import crawl

SMALL_SITE = "ljxq"
FAST = WebhookPolicy(attempt_timeout=1.0, attempts=3, deadline=3.0)


@contextmanager
def raw_server(answer: Callable[[socket.socket], None]) -> Iterator[tuple[str, list[int]]]:
    """A TCP server that reads each request and answers with ``answer``; yields its URL and a hit count."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    hits: list[int] = []
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            hits.append(1)
            threading.Thread(target=_answer, args=(client,), daemon=True).start()

    def _answer(client: socket.socket) -> None:
        with client:
            client.settimeout(30)
            try:
                client.recv(65536)
                answer(client)
            except OSError:
                pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/hook", hits
    finally:
        stop.set()
        thread.join(timeout=5)
        listener.close()


def drip(client: socket.socket) -> None:
    """A status line, then one header line every 5 s, for ever (as the attack did)."""
    client.sendall(b"HTTP/1.1 200 OK\r\n")
    for number in range(100):
        time.sleep(5)
        client.sendall(f"X-Drip-{number}: 1\r\n".encode())


def malformed(client: socket.socket) -> None:
    client.sendall(b"this is not HTTP at all\r\n\r\n{}")


class _Good(BaseHTTPRequestHandler):
    received: ClassVar[list[dict]] = []

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        type(self).received.append(json.loads(self.rfile.read(length)))
        self.send_response(204)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def good_server(port: int = 0) -> Iterator[str]:
    _Good.received = []
    server = ThreadingHTTPServer(("127.0.0.1", port), _Good)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hook"
    finally:
        server.shutdown()
        server.server_close()


def refused_url() -> str:
    probe = socket.create_server(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    return f"http://127.0.0.1:{port}/hook"


def _outbox(archive: Archive) -> list[Notification]:
    with archive.Session() as session:
        return list(session.scalars(select(Notification).order_by(Notification.id)))


def test_a_dripping_webhook_is_given_up_within_the_deadline_and_kept(archive: Archive):
    with raw_server(drip) as (url, hits):
        started = time.monotonic()
        left = send_notifications(archive, FAST, url=url, payload={"run": 1})
        elapsed = time.monotonic() - started
    assert left == 1
    assert elapsed < FAST.deadline + 1.5, elapsed
    assert len(hits) >= 2  # retried within the deadline
    (entry,) = _outbox(archive)
    assert entry.delivered_at is None and entry.attempts == 1
    assert "no complete answer within" in (entry.last_error or "")


def test_a_malformed_answer_is_a_failed_delivery_not_an_exception(archive: Archive):
    with raw_server(malformed) as (url, hits):
        left = send_notifications(archive, FAST, url=url, payload={"run": 1})
    assert left == 1 and len(hits) == FAST.attempts
    (entry,) = _outbox(archive)
    assert entry.delivered_at is None and entry.last_error


def test_undelivered_notifications_are_sent_after_the_next_run_in_order(archive: Archive, monkeypatch):
    monkeypatch.setenv("http_proxy", "http://127.0.0.1:9")  # a crawl proxy is never used for webhooks
    url = refused_url()
    assert send_notifications(archive, FAST, url=url, payload={"run": 1}) == 1
    assert send_notifications(archive, FAST, url=url, payload={"run": 2}) == 2
    port = int(url.rsplit(":", 1)[1].split("/")[0])
    with good_server(port):
        assert send_notifications(archive, FAST) == 0
        assert _Good.received == [{"run": 1}, {"run": 2}]
        assert send_notifications(archive, FAST) == 0
        assert len(_Good.received) == 2  # delivered once
    assert all(entry.delivered_at is not None for entry in _outbox(archive))


def test_a_crawl_with_a_broken_webhook_finishes_and_the_next_crawl_delivers(
    sqlite_target, replica_server_small
):
    proxy = replica_server_small.proxy_url
    limits = ["-s", "REPORTS_WEBHOOK_TIMEOUT=1", "-s", "REPORTS_WEBHOOK_DEADLINE=3"]
    with raw_server(malformed) as (url, _hits):
        started = time.monotonic()
        crawl(proxy, sqlite_target, "--webhook", url, *limits, site=SMALL_SITE)  # exits 0
        took = time.monotonic() - started
    with sqlite_target.open() as archive:
        (entry,) = _outbox(archive)
        assert entry.delivered_at is None and entry.payload["counts"]["new"] > 0
    assert took < 120
    port = int(url.rsplit(":", 1)[1].split("/")[0])
    with good_server(port):
        crawl(proxy, sqlite_target, *limits, site=SMALL_SITE)  # no changes, no webhook given
        assert [document["run"] for document in _Good.received] == [1]
    with sqlite_target.open() as archive:
        assert _outbox(archive)[0].delivered_at is not None
