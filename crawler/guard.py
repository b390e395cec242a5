"""The crawl's reach: only the registry's hosts, never an internal address, never an unbounded body.

Crawled pages are hostile input: a redirect, a meta refresh, a resumed frontier entry or a
page's own scripts must not carry the crawler anywhere the registry does not name. Checked:

- every request Scrapy downloads (start, resumed, retried, each redirect hop and meta refresh
  before it is sent, robots.txt, the browser's navigation): its host must be one of the
  registry's (``RegistryGuardMiddleware``), on a port of the site's roots (or 80/443);
- every response: one whose final URL is off-registry is dropped, never archived;
- the addresses connected to: a private, loopback or link-local address is refused unless the
  registry names it literally or ``REPORTS_ALLOW_PRIVATE`` allows it (the proxy in
  ``ProxyGuardMiddleware``, resolved host names in ``GuardedResolver``). The resolver only ever
  sees hosts that passed the registry check, and it checks the address actually connected to,
  so DNS adds no new reach and no second lookup to race against;
- each download's size: pages (listings, articles, robots.txt) ``REPORTS_PAGE_MAXSIZE``, report
  files ``DOWNLOAD_MAXSIZE``; Scrapy cancels a larger one while it streams in.

A refused request ends in the request's errback, which records it as a page error.
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Iterable, Sequence
from typing import Any, ClassVar
from urllib.parse import urlsplit

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import DownloadCancelledError, IgnoreRequest
from scrapy.http import Response
from scrapy.resolver import CachingThreadedResolver
from twisted.internet.defer import Deferred
from twisted.internet.error import DNSLookupError

from crawler.registry import Site

logger = logging.getLogger(__name__)

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class OffRegistryRequest(IgnoreRequest):
    """A request (or the final URL of a response) that leaves the registry's hosts."""


class PrivateAddressRefused(DNSLookupError):
    """A host that resolves to (or a proxy at) a private, loopback or link-local address."""


def allowed_networks(values: Iterable[str]) -> tuple[Network, ...]:
    """``REPORTS_ALLOW_PRIVATE``: addresses or networks (``127.0.0.1``, ``10.0.0.0/8``)."""
    return tuple(ipaddress.ip_network(value.strip(), strict=False) for value in values if value.strip())


def is_internal(address: str) -> bool:
    """Private, loopback, link-local, reserved or unspecified: never a government web server."""
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


def _literal_ip(host: str) -> str | None:
    try:
        return str(ipaddress.ip_address(host.strip("[]")))
    except ValueError:
        return None


def refused_address(address: str, allowed: Sequence[Network]) -> bool:
    ip = ipaddress.ip_address(address)
    return is_internal(address) and not any(ip in network for network in allowed)


class RegistryScope:
    """Which URLs the crawl may fetch: the registry's hosts, on the ports of its roots."""

    def __init__(self, sites: Iterable[Site]) -> None:
        self.sites = list(sites)
        self.ports: dict[str, set[int]] = {}
        for site in self.sites:
            ports = {80, 443} | {urlsplit(root).port or 80 for root in site.roots}
            self.ports[site.code] = ports

    def refusal(self, url: str) -> str | None:
        """Why ``url`` may not be fetched, or None when it may."""
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError:
            return f"malformed URL {url!r}"
        if parts.scheme not in ("http", "https"):
            return f"scheme {parts.scheme!r} is not crawled"
        host = (parts.hostname or "").lower()
        for site in self.sites:
            if site.canonical_host(host) is None:
                continue
            if port is None or port in self.ports[site.code]:
                return None
            return f"port {port} of {host} is not a port of the registry's roots"
        return f"host {host or '(none)'} is not in the site registry"


def registry_scope(crawler: Crawler) -> RegistryScope:
    """The registry of the crawl's spider, built on first use (the spider exists by then)."""
    scope: RegistryScope | None = getattr(crawler, "reports_scope", None)
    if scope is None:
        scope = RegistryScope(getattr(crawler.spider, "sites", []))
        crawler.reports_scope = scope  # type: ignore[attr-defined]
    return scope


class RegistryGuardMiddleware:
    """Downloader middleware (first in line): refuses every request and response off the registry."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.page_maxsize = crawler.settings.getint("REPORTS_PAGE_MAXSIZE", 8 * 2**20)
        self.page_warnsize = crawler.settings.getint("REPORTS_PAGE_WARNSIZE", 2 * 2**20)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RegistryGuardMiddleware:
        return cls(crawler)

    def _refuse(self, request: Request, url: str, reason: str, what: str) -> None:
        origin = request.meta.get("frontier_url")
        self.crawler.stats.inc_value("reports/refused/off_registry")  # type: ignore[union-attr]
        logger.warning("Refused %s %s%s: %s", what, url, f" (from {origin})" if origin else "", reason)
        raise OffRegistryRequest(f"refused {what} {url}: {reason}")

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        reason = registry_scope(self.crawler).refusal(request.url)
        if reason is not None:
            hop = request.meta.get("redirect_urls")
            self._refuse(request, request.url, reason, "redirect to" if hop else "request to")
        if request.meta.get("page_type") != "attachment":
            request.meta.setdefault("download_maxsize", self.page_maxsize)
            request.meta.setdefault("download_warnsize", self.page_warnsize)

    def process_exception(self, request: Request, exception: Exception, spider: Spider | None = None) -> None:
        """A lookup the resolver refused comes back as a plain lookup failure: say why."""
        host = urlsplit(request.url).hostname or ""
        if host in GuardedResolver.refusals and not isinstance(exception, OffRegistryRequest):
            raise OffRegistryRequest(
                f"refused request to {request.url}: {host} {GuardedResolver.refusals[host]}"
            )

    def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Response:
        reason = registry_scope(self.crawler).refusal(response.url)
        if reason is not None:
            self._refuse(request, response.url, reason, "response from")
        return response


class ProxyGuardMiddleware:
    """Downloader middleware after HttpProxyMiddleware: a proxy at an internal address needs opt-in."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.allowed = allowed_networks(crawler.settings.getlist("REPORTS_ALLOW_PRIVATE"))

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ProxyGuardMiddleware:
        return cls(crawler)

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        proxy = request.meta.get("proxy")
        if not proxy:
            return
        address = _literal_ip(urlsplit(proxy if "://" in proxy else f"http://{proxy}").hostname or "")
        if address is not None and refused_address(address, self.allowed):
            raise IgnoreRequest(
                f"proxy {proxy} is at internal address {address}; "
                "allow it with REPORTS_ALLOW_PRIVATE (e.g. the local replica's proxy)"
            )


class GuardedResolver(CachingThreadedResolver):
    """Scrapy's caching resolver, refusing host names that resolve to internal addresses.

    Only host names that passed the registry check (or the configured proxy) get here; literal
    addresses are not resolved (the registry named them, or ProxyGuardMiddleware checked them).
    """

    allowed: tuple[Network, ...] = ()
    # host name -> why it was refused; Scrapy reports a failed lookup without the reason.
    refusals: ClassVar[dict[str, str]] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler, reactor: Any) -> GuardedResolver:
        resolver = super().from_crawler(crawler, reactor)
        resolver.allowed = allowed_networks(crawler.settings.getlist("REPORTS_ALLOW_PRIVATE"))
        return resolver

    def getHostByName(self, name: str, timeout: Sequence[int] = ()) -> Deferred[str]:
        if _literal_ip(name) is not None:
            return super().getHostByName(name, timeout)
        return super().getHostByName(name, timeout).addCallback(self._checked, name)

    def _checked(self, address: str, name: str) -> str:
        if refused_address(address, self.allowed):
            reason = f"resolves to internal address {address} (not allowed by REPORTS_ALLOW_PRIVATE)"
            logger.warning("Refused %s: it %s", name, reason)
            GuardedResolver.refusals[name] = reason
            raise PrivateAddressRefused(name, reason)
        return address


def failure_kind(error: BaseException) -> str:
    """The page-error kind of a request that failed for good."""
    if isinstance(error, (OffRegistryRequest, PrivateAddressRefused)) or "internal address" in str(error):
        return "offsite"
    if isinstance(error, DownloadCancelledError) or "maxsize" in str(error):
        return "too_large"
    return "http"
