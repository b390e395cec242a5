"""Benchmark: how long notifications take to give up on misbehaving webhooks (default policy).

Serves, on 127.0.0.1, a webhook that drips one header line every 5 s (the attack), one that
answers something that is not HTTP, and a port that refuses connections, and times
``send_notifications`` with the default ``WebhookPolicy`` (10 s per POST, 3 attempts, 30 s per
run) into a throwaway SQLite archive. Usage:
    python benchmarks/webhook.py
"""

from __future__ import annotations

import logging
import platform
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from crawler.webhook import WebhookPolicy, send_notifications
from storage.archive import Archive
from tests.incremental.test_webhook_delivery import drip, malformed, raw_server, refused_url


def main() -> None:
    logging.basicConfig(level=logging.ERROR)
    policy = WebhookPolicy()
    print(f"machine: {platform.node()} {platform.machine()}, Python {platform.python_version()}")
    print(
        f"policy: {policy.attempt_timeout:g}s per POST, {policy.attempts} attempts, {policy.deadline:g}s per run"
    )
    cases = {"drip (1 header line / 5 s)": drip, "malformed answer": malformed, "connection refused": None}
    for name, answer in cases.items():
        with tempfile.TemporaryDirectory() as folder:
            archive = Archive.open(f"sqlite:///{folder}/archive.sqlite3", Path(folder) / "snapshots")
            try:
                if answer is None:
                    started = time.monotonic()
                    left = send_notifications(archive, policy, url=refused_url(), payload={"case": name})
                    connections = "-"
                else:
                    with raw_server(answer) as (url, hits):
                        started = time.monotonic()
                        left = send_notifications(archive, policy, url=url, payload={"case": name})
                    connections = str(len(hits))
                took = time.monotonic() - started
                print(
                    f"{name}: gave up after {took:.1f}s, {connections} connection(s), {left} kept in the outbox"
                )
            finally:
                archive.close()


if __name__ == "__main__":
    main()
