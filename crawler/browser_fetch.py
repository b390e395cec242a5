"""One HTTP exchange on behalf of the browser: no redirect followed, bounded, address checked.

Chromium follows redirects inside its network stack, where a Playwright route never sees the
hops; so the guarded route (crawler.browser_handler) fetches each allowed request itself and
hands the answer to the page, and the page's next hop is routed and checked again. The
exchange goes through ``http_proxy`` when set (a plain forward-proxy request, as Scrapy's
own), else to the host's address, checked against the internal ranges and then connected to
(no second lookup). The body is read up to the page size limit.
"""

from __future__ import annotations

import http.client
import os
import socket
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from crawler.guard import Network, refused_address

# Not forwarded: the connection's own headers, and compression (the page gets the bytes as sent).
_HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "upgrade", "host"}
_NOT_RETURNED = _HOP_BY_HOP | {"content-length", "content-encoding"}


class FetchRefused(Exception):
    """The exchange would reach an internal address, or its body exceeds the size limit."""


@dataclass(frozen=True)
class FetchLimits:
    maxsize: int
    timeout: float
    allowed: Sequence[Network]


def _address(host: str, port: int, allowed: Sequence[Network]) -> str:
    """The host's first address, refused if internal and not allowed."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    address = str(infos[0][4][0])
    if refused_address(address, allowed):
        raise FetchRefused(f"{host} resolves to internal address {address}")
    return address


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to ``host`` (certificate and SNI) at an address resolved and checked beforehand."""

    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(self.sock, server_hostname=self.host)  # type: ignore[attr-defined]


def fetch_once(
    method: str, url: str, headers: dict[str, str], body: bytes | None, limits: FetchLimits
) -> tuple[int, dict[str, str], bytes]:
    """Send one request; returns status, headers (repeated ones joined by newlines) and body."""
    parts = urlsplit(url)
    proxy = os.environ.get("http_proxy") or os.environ.get("HTTP_PROXY")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    connection: http.client.HTTPConnection
    if proxy:
        proxy_parts = urlsplit(proxy if "://" in proxy else f"http://{proxy}")
        proxy_port = proxy_parts.port or 80
        address = _address(proxy_parts.hostname or "", proxy_port, limits.allowed)
        if parts.scheme == "https":
            connection = http.client.HTTPSConnection(address, proxy_port, timeout=limits.timeout)
            connection.set_tunnel(parts.hostname or "", port)
        else:
            connection = http.client.HTTPConnection(address, proxy_port, timeout=limits.timeout)
            target = url.split("#", 1)[0]
    elif parts.scheme == "https":
        # Certificates are checked against the host name, the connection goes to the checked address.
        address = _address(parts.hostname or "", port, limits.allowed)
        connection = _PinnedHTTPSConnection(parts.hostname or "", port, address, timeout=limits.timeout)
    else:
        address = _address(parts.hostname or "", port, limits.allowed)
        connection = http.client.HTTPConnection(address, port, timeout=limits.timeout)
    sent = {name: value for name, value in headers.items() if name.lower() not in _HOP_BY_HOP}
    sent = {name: value for name, value in sent.items() if not name.startswith(":")}
    sent.pop("accept-encoding", None)
    sent["Host"] = parts.netloc
    try:
        # Header values as bytes: our User-Agent's Chinese words go out as UTF-8, as Scrapy sends them.
        connection.putrequest(method, target, skip_host=True, skip_accept_encoding=True)
        for name, value in sent.items():
            connection.putheader(name, value.encode("utf-8"))
        connection.endheaders(body)
        response = connection.getresponse()
        length = response.getheader("Content-Length")
        if length and length.isdigit() and int(length) > limits.maxsize:
            raise FetchRefused(f"body of {length} bytes exceeds the size limit of {limits.maxsize}")
        content = response.read(limits.maxsize + 1)
        if len(content) > limits.maxsize:
            raise FetchRefused(f"body exceeds the size limit of {limits.maxsize} bytes")
        returned: dict[str, str] = {}
        for name, value in response.getheaders():
            key = name.lower()
            if key not in _NOT_RETURNED:
                returned[key] = f"{returned[key]}\n{value}" if key in returned else value
        return response.status, returned, content
    finally:
        connection.close()
