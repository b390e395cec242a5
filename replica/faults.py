"""Switchable fault modes of the replica: the ways a government site misbehaves.

Install with ``server.fault = Faults(world, [ServerErrors(share=0.2), ...])``. Each mode picks
its pages deterministically (a hash of the path) and, for transient faults, misbehaves only on
the first ``times`` requests of each page, like a site that recovers. Modes:

- ``ServerErrors``: bursts of 500/503.
- ``SlowResponses``: no answer for ``delay`` seconds (longer than the crawler's timeout).
- ``ConnectionResets``: the connection is reset (TCP RST) before any byte is sent.
- ``TruncatedBodies``: fewer body bytes than the Content-Length says, then the connection drops.
- ``RedirectLoops``: a page redirects to itself (via ``?loop=1``) for as long as it is installed.
- ``StaleLinks``: listing pages also link to article pages that answer 404.
- ``EmptyListings``: a listing page shows no items.
- ``HiddenArticles``: listings stop showing some articles (the pages still answer).
- ``GonePages``: some pages answer 404 or 410.
"""

from __future__ import annotations

import hashlib
import io
import re
import socket
import struct
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from .world import World

Answer = tuple[int, bytes] | Callable[[Any], None] | None

_LISTING = re.compile(r"(?:/|/index(?:_\d+)?\.html)$")
_ARTICLE = re.compile(r"/\d{6}/t\d{8}_\d+\.html$")
_ROW = re.compile(r'<li class="clearfix">.*?</li>|<tr><td>\d+</td>.*?</tr>', re.DOTALL)
_LISTING_START = '<div class="p-rt rt">'
STALE_LINK = "./209912/t20991231_9999999.html"


def page_kind(path: str) -> str:
    if _ARTICLE.search(path):
        return "article"
    if _LISTING.search(path):
        return "listing"
    return "other"


def chosen(name: str, path: str, share: float) -> bool:
    """A deterministic pick of about ``share`` of all paths for the mode ``name``."""
    digest = hashlib.sha1(f"{name}:{path}".encode()).digest()
    return int.from_bytes(digest[:4], "big") / 2**32 < share


def _drop_connection(handler: Any) -> None:
    """Close the client's socket with a TCP reset; the handler finishes quietly."""
    try:
        handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        handler.connection.close()
    except OSError:
        pass
    handler.wfile = io.BytesIO()
    handler.close_connection = True


@dataclass
class FaultMode:
    """A misbehaviour on pages of one kind: about ``share`` of them, their first ``times`` hits."""

    share: float = 1.0
    times: int | None = 1
    kinds: tuple[str, ...] = ("listing", "article")
    urls: tuple[str, ...] = ()  # if given: exactly these pages (http://host/path)
    hits: Counter[tuple[str, str]] = field(default_factory=Counter, repr=False)

    @property
    def name(self) -> str:
        return type(self).__name__

    def applies(self, host: str, path: str) -> bool:
        if self.urls:
            return any(
                urlsplit(url).path == path and (urlsplit(url).hostname or "") == host for url in self.urls
            )
        return page_kind(path) in self.kinds and chosen(self.name, path, self.share)

    def answer(self, world: World, host: str, path: str, hit: int) -> Answer:
        raise NotImplementedError


@dataclass
class ServerErrors(FaultMode):
    statuses: tuple[int, ...] = (503, 500)

    def answer(self, world: World, host: str, path: str, hit: int) -> Answer:
        status = self.statuses[(hit - 1) % len(self.statuses)]
        return status, f"<html><body><h1>{status}</h1></body></html>".encode()


@dataclass
class SlowResponses(FaultMode):
    delay: float = 2.0

    def answer(self, world: World, host: str, path: str, hit: int) -> Answer:
        def late(handler: Any) -> None:
            handler.server.owner.record(host, path, 0, 0)
            time.sleep(self.delay)
            _drop_connection(handler)

        return late


@dataclass
class ConnectionResets(FaultMode):
    def answer(self, world: World, host: str, path: str, hit: int) -> Answer:
        def reset(handler: Any) -> None:
            handler.server.owner.record(host, path, 0, 0)
            _drop_connection(handler)

        return reset


@dataclass
class TruncatedBodies(FaultMode):
    def answer(self, world: World, host: str, path: str, hit: int) -> Answer:
        body = world.resolve(host, path)
        if body is None:
            return None

        def truncated(handler: Any) -> None:
            sent = body[: len(body) // 2]
            handler.server.owner.record(host, path, 200, len(sent))
            handler.send_response(200)
            handler.send_header("Content-Type", "text/html; charset=utf-8")
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            handler.wfile.write(sent)
            handler.wfile.flush()
            _drop_connection(handler)

        return truncated


@dataclass
class RedirectLoops(FaultMode):
    times: int | None = None

    def answer(self, world: World, host: str, path: str, hit: int) -> Answer:
        def redirect(handler: Any) -> None:
            looping = "loop=1" in urlsplit(handler.path).query
            location = f"http://{host}{path}" + ("" if looping else "?loop=1")
            handler.server.owner.record(host, path, 302, 0)
            handler.send_response(302)
            handler.send_header("Location", location)
            handler.send_header("Content-Length", "0")
            handler.end_headers()

        return redirect


def _listing(world: World, host: str, path: str) -> str | None:
    body = world.resolve(host, path)
    return body.decode("utf-8") if body is not None else None


@dataclass
class StaleLinks(FaultMode):
    times: int | None = None
    kinds: tuple[str, ...] = ("listing",)

    def answer(self, world: World, host: str, path: str, hit: int) -> Answer:
        page = _listing(world, host, path)
        if page is None or _LISTING_START not in page:
            return None
        link = f'<a href="{STALE_LINK}" title="旧链接">旧链接</a>'
        return 200, page.replace(_LISTING_START, _LISTING_START + link, 1).encode("utf-8")


@dataclass
class EmptyListings(FaultMode):
    kinds: tuple[str, ...] = ("listing",)

    def answer(self, world: World, host: str, path: str, hit: int) -> Answer:
        page = _listing(world, host, path)
        if page is None or not _ROW.search(page):
            return None
        return 200, _ROW.sub("", page).encode("utf-8")


@dataclass
class HiddenArticles(FaultMode):
    """Listings no longer show these article URLs (``hidden``); the articles still answer."""

    hidden: tuple[str, ...] = ()
    times: int | None = None
    kinds: tuple[str, ...] = ("listing",)

    def answer(self, world: World, host: str, path: str, hit: int) -> Answer:
        page = _listing(world, host, path)
        if page is None:
            return None
        # Listings may link a page's _wap twin: match on the document name (t<date>_<id>).
        names = [
            urlsplit(url).path.rsplit("/", 1)[-1].split(".")[0] + sep for url in self.hidden for sep in "._"
        ]
        rows = [row for row in _ROW.findall(page) if any(name in row for name in names)]
        if not rows:
            return None
        for row in rows:
            page = page.replace(row, "")
        return 200, page.encode("utf-8")


@dataclass
class GonePages(FaultMode):
    status: int = 404
    times: int | None = None

    def answer(self, world: World, host: str, path: str, hit: int) -> Answer:
        return self.status, b"<html><body><h1>Not Found</h1></body></html>"


class Faults:
    """A fault hook for ``ReplicaServer.fault`` combining modes; the first that answers wins."""

    def __init__(self, world: World, modes: Iterable[FaultMode]) -> None:
        self.world = world
        self.modes = list(modes)
        self.answered: Counter[str] = Counter()  # requests each mode answered or took over
        self._lock = threading.Lock()

    def __call__(self, host: str, path: str) -> Answer:
        if path == "/robots.txt" or not self.world.knows_host(host):
            return None
        for mode in self.modes:
            if not mode.applies(host, path):
                continue
            with self._lock:
                mode.hits[(host, path)] += 1
                hit = mode.hits[(host, path)]
            if mode.times is not None and hit > mode.times:
                continue
            answer = mode.answer(self.world, host, path, hit)
            if answer is not None:
                with self._lock:
                    self.answered[mode.name] += 1
                return answer
        return None
