"""The site registry: which units to crawl, on which hosts, from which roots.

The registry is data (``sites.yaml`` beside this module); this module only
loads and validates it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import yaml

DEFAULT_REGISTRY = Path(__file__).with_name("sites.yaml")


class RegistryError(ValueError):
    """The registry file is malformed or names an unknown site."""


@dataclass(frozen=True)
class Site:
    """One district/county-level unit and its 年报 columns."""

    code: str
    name: str
    hosts: tuple[str, ...]
    roots: tuple[str, ...]
    until: int | None = None
    mirrors: tuple[str, ...] = ()
    # The 年报 listings are drawn by JavaScript: fetch them through the browser (crawler.browser).
    browser: bool = False

    def canonical_host(self, host: str) -> str | None:
        """The registry's form of ``host``, or None if foreign.

        ``www.``/bare twins fold into the form listed first; a mirror (another
        hostname serving the same pages) folds into the site's first host.
        """
        bare = _bare(host.lower())
        if bare in {_bare(mirror) for mirror in self.mirrors}:
            return self.hosts[0]
        for known in self.hosts:
            if _bare(known) == bare:
                return known
        return None


def _bare(host: str) -> str:
    return host.removeprefix("www.")


def _parse_site(entry: object, source: Path) -> Site:
    if not isinstance(entry, dict):
        raise RegistryError(f"{source}: each entry must be a mapping, got {entry!r}")
    missing = [field for field in ("code", "name", "hosts", "roots") if not entry.get(field)]
    if missing:
        raise RegistryError(f"{source}: site {entry.get('code', '?')!r} lacks {', '.join(missing)}")
    hosts = tuple(str(host).lower() for host in entry["hosts"])
    roots = tuple(str(root) for root in entry["roots"])
    for root in roots:
        host = urlsplit(root).hostname or ""
        if _bare(host) not in {_bare(known) for known in hosts + tuple(entry.get("mirrors") or ())}:
            raise RegistryError(f"{source}: root {root} of {entry['code']} is not on its hosts {hosts}")
    until = entry.get("until")
    mirrors = tuple(str(host).lower() for host in entry.get("mirrors") or ())
    return Site(
        str(entry["code"]),
        str(entry["name"]),
        hosts,
        roots,
        int(until) if until else None,
        mirrors,
        bool(entry.get("browser", False)),
    )


def load_registry(path: str | Path | None = None) -> list[Site]:
    """Load and validate a registry file (the shipped one by default)."""
    source = Path(path) if path else DEFAULT_REGISTRY
    try:
        entries = yaml.safe_load(source.read_text(encoding="utf-8"))
    except OSError as error:
        raise RegistryError(f"cannot read site registry {source}: {error.strerror}") from error
    except yaml.YAMLError as error:
        raise RegistryError(f"{source} is not valid YAML: {error}") from error
    if not isinstance(entries, list) or not entries:
        raise RegistryError(f"{source}: expected a non-empty list of sites")
    sites = [_parse_site(entry, source) for entry in entries]
    codes = [site.code for site in sites]
    duplicates = sorted({code for code in codes if codes.count(code) > 1})
    if duplicates:
        raise RegistryError(f"{source}: duplicate site codes {', '.join(duplicates)}")
    return sites


def select_sites(sites: list[Site], codes: Iterable[str] | None) -> list[Site]:
    """The sites named by ``codes`` (all of them when ``codes`` is empty)."""
    wanted = [code for code in (codes or []) if code]
    if not wanted:
        return sites
    by_code = {site.code: site for site in sites}
    unknown = [code for code in wanted if code not in by_code]
    if unknown:
        raise RegistryError(f"unknown site code(s): {', '.join(unknown)} (see the registry for codes)")
    return [by_code[code] for code in wanted]
