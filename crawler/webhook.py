"""Delivering webhook notifications: bounded in time, retried a few times, never lost, never raised.

A webhook is a server of someone else's: it may refuse, answer nonsense, or drip its answer one
byte at a time. Every POST has a hard deadline (a watchdog shuts the socket, so a slow drip
cannot outlive it), transient failures are retried with backoff (tenacity) within one overall
deadline per run, and every notification is written to the outbox (``storage.outbox``) first:
what was not delivered is sent again after the next run. Notifications go straight to the
webhook, never through the crawl's ``http_proxy`` (the replica's, with ``--replica``), unless
``REPORTS_WEBHOOK_PROXY`` names a proxy. Nothing here imports Scrapy: alerts can use it too.
"""

from __future__ import annotations

import http.client
import json
import logging
import os
import socket
import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from storage.archive import Archive
from storage.outbox import enqueue, pending, record_attempt

logger = logging.getLogger(__name__)

USER_AGENT = "cq-transparency-archive/0.1 (webhook)"
MAX_ANSWER_BYTES = 64 * 1024


class WebhookError(Exception):
    """A notification was not delivered."""


class TransientWebhookError(WebhookError):
    """Worth trying again: refused, timed out, a 5xx or 429, or an answer that is not HTTP."""


@dataclass(frozen=True)
class WebhookPolicy:
    """How hard to try: per POST, attempts per notification, and for all notifications of a run."""

    attempt_timeout: float = 10.0
    attempts: int = 3
    deadline: float = 30.0
    proxy: str | None = None

    @classmethod
    def from_settings(cls, settings: Any) -> WebhookPolicy:
        """From Scrapy settings (or any mapping with ``get``): ``REPORTS_WEBHOOK_TIMEOUT``,
        ``REPORTS_WEBHOOK_ATTEMPTS``, ``REPORTS_WEBHOOK_DEADLINE``, ``REPORTS_WEBHOOK_PROXY``."""
        default = cls()
        return cls(
            attempt_timeout=float(settings.get("REPORTS_WEBHOOK_TIMEOUT") or default.attempt_timeout),
            attempts=int(settings.get("REPORTS_WEBHOOK_ATTEMPTS") or default.attempts),
            deadline=float(settings.get("REPORTS_WEBHOOK_DEADLINE") or default.deadline),
            proxy=settings.get("REPORTS_WEBHOOK_PROXY") or os.environ.get("REPORTS_WEBHOOK_PROXY") or None,
        )


def _connection(url: str, proxy: str | None, timeout: float) -> tuple[http.client.HTTPConnection, str]:
    """A connection to the webhook (or the named proxy) and the request target."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise WebhookError(f"not an http(s) URL: {url}")
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    secure = parts.scheme == "https"
    if proxy:
        via = urlsplit(proxy if "://" in proxy else f"http://{proxy}")
        if secure:
            connection: http.client.HTTPConnection = http.client.HTTPSConnection(
                via.hostname or "", via.port or 8080, timeout=timeout
            )
            connection.set_tunnel(parts.hostname, parts.port or 443)
            return connection, target
        return http.client.HTTPConnection(via.hostname or "", via.port or 8080, timeout=timeout), url
    kind = http.client.HTTPSConnection if secure else http.client.HTTPConnection
    return kind(parts.hostname, parts.port, timeout=timeout), target


def _abort(connection: http.client.HTTPConnection, expired: threading.Event) -> None:
    expired.set()
    sock = connection.sock
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def post_once(url: str, payload: dict[str, Any], *, timeout: float, proxy: str | None = None) -> int:
    """One POST of ``payload`` as JSON that ends within ``timeout`` seconds, whatever the server does."""
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    connection, target = _connection(url, proxy, timeout)
    expired = threading.Event()
    watchdog = threading.Timer(timeout, _abort, (connection, expired))
    watchdog.daemon = True
    watchdog.start()
    try:
        connection.request(
            "POST",
            target,
            body,
            {"Content-Type": "application/json; charset=utf-8", "User-Agent": USER_AGENT},
        )
        response = connection.getresponse()
        response.read(MAX_ANSWER_BYTES)
        status = response.status
        if expired.is_set():  # cut short by the watchdog: whatever was parsed is incomplete
            raise TransientWebhookError(f"no complete answer within {timeout:.1f}s")
    except (OSError, http.client.HTTPException, ValueError) as error:
        if expired.is_set():
            raise TransientWebhookError(f"no complete answer within {timeout:.1f}s") from error
        raise TransientWebhookError(f"{type(error).__name__}: {error}") from error
    finally:
        watchdog.cancel()
        connection.close()
    if status == 429 or status >= 500:
        raise TransientWebhookError(f"HTTP {status}")
    if not 200 <= status < 300:
        raise WebhookError(f"HTTP {status}")
    return status


def deliver(url: str, payload: dict[str, Any], policy: WebhookPolicy, *, until: float | None = None) -> None:
    """POST with retries on transient failures, all ending by ``until`` (monotonic time)."""
    until = until if until is not None else time.monotonic() + policy.deadline

    failures: list[WebhookError] = []

    def attempt() -> None:
        left = until - time.monotonic()
        if left <= 0.05:
            raise WebhookError(f"deadline reached; {failures[-1] if failures else 'no time to try'}")
        try:
            post_once(url, payload, timeout=min(policy.attempt_timeout, left), proxy=policy.proxy)
        except WebhookError as error:
            failures.append(error)
            raise

    backoff = wait_exponential(multiplier=0.5, max=5)
    retrying = Retrying(
        stop=stop_after_attempt(policy.attempts),
        wait=lambda state: min(backoff(state), max(0.0, until - time.monotonic())),
        retry=retry_if_exception_type(TransientWebhookError),
        before_sleep=lambda state: logger.info(
            "Webhook %s: %s; trying again", url, state.outcome and state.outcome.exception()
        ),
        reraise=True,
    )
    retrying(attempt)


def send_notifications(
    archive: Archive,
    policy: WebhookPolicy,
    *,
    url: str | None = None,
    payload: dict[str, Any] | None = None,
    kind: str = "changes",
    run_id: int | None = None,
) -> int:
    """Store the new notification (if any), then deliver every undelivered one, oldest first,
    within ``policy.deadline`` in all. Returns how many remain undelivered; never raises."""
    try:
        if url and payload is not None:
            enqueue(archive, url, payload, kind=kind, run_id=run_id)
        until = time.monotonic() + policy.deadline
        failed_urls: set[str] = set()
        left = pending(archive)
        remaining = len(left)
        for entry in left:
            if entry.url in failed_urls or time.monotonic() >= until:
                continue  # sent after the next run
            try:
                deliver(entry.url, entry.payload, policy, until=until)
            except WebhookError as error:
                failed_urls.add(entry.url)
                record_attempt(archive, entry.id, str(error))
                logger.warning(
                    "Webhook %s: notification %d not delivered (%s); kept for the next run",
                    entry.url,
                    entry.id,
                    error,
                )
                continue
            record_attempt(archive, entry.id, None)
            remaining -= 1
            logger.info("Webhook %s: notification %d (%s) delivered", entry.url, entry.id, entry.kind)
        if remaining:
            logger.warning("%d webhook notification(s) undelivered, kept in the outbox", remaining)
        return remaining
    except Exception:
        logger.exception("Webhook notifications failed; they stay in the outbox")
        return -1
