"""The replica's reporting units, their hosts and their column trees (from units.yaml)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

UNITS_FILE = Path(__file__).with_name("units.yaml")

KINDS = ("district", "office", "department", "town")

# Reporting years a column covers unless units.yaml says otherwise (portal §7:
# summaries and offices reach back to the 2010s; sub-sites mostly start in 2019/2020).
_DEFAULT_YEARS = {
    "district": (2014, 2025),
    "office": (2014, 2025),
    "department": (2019, 2025),
    "town": (2020, 2025),
}


@dataclass(frozen=True)
class Site:
    """A group of hostnames serving the same pages; ``hosts[0]`` is the canonical form."""

    unit_code: str
    index: int
    hosts: tuple[str, ...]

    @property
    def canonical_host(self) -> str:
        return self.hosts[0]


@dataclass
class Column:
    """One column (栏目) of a site: a listing of articles and links to its sub-columns."""

    unit_code: str
    site: Site
    path: str
    name: str
    kind: str | None = None
    agency: str | None = None
    years: tuple[int, int] | None = None
    root: bool = False
    documents: bool = False
    parent: Column | None = None
    children: list[Column] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://{self.site.canonical_host}{self.path}"

    def ancestors(self) -> list[Column]:
        """The chain from the top column down to this one (inclusive)."""
        chain: list[Column] = []
        node: Column | None = self
        while node is not None:
            chain.append(node)
            node = node.parent
        return chain[::-1]


@dataclass
class Unit:
    """One 区县-level reporting unit with its sites and columns."""

    code: str
    name: str
    prefix: str
    sites: list[Site]
    columns: list[Column]
    small: bool = False
    until: int = 2025
    listing: str = "list"

    @property
    def hosts(self) -> list[str]:
        return [host for site in self.sites for host in site.hosts]

    @property
    def roots(self) -> list[str]:
        return [column.url for column in self.columns if column.root]

    def report_columns(self) -> list[Column]:
        return [column for column in self.columns if column.kind]


def _agency(unit: dict[str, Any], spec: dict[str, Any]) -> str | None:
    kind = spec.get("kind")
    if not kind:
        return None
    if "agency" in spec:
        return spec["agency"]
    if "who" in spec:
        return unit["prefix"] + spec["who"]
    if kind == "district":
        return unit["prefix"]
    if kind == "office":
        return unit["prefix"] + "人民政府办公室"
    raise ValueError(f"{unit['code']} {spec['path']}: a {kind} column needs `who` or `agency`")


def _build_unit(raw: dict[str, Any]) -> Unit:
    sites = [Site(raw["code"], index, tuple(hosts)) for index, hosts in enumerate(raw["sites"])]
    until = raw.get("until", 2025)
    columns: list[Column] = []
    for spec in raw["columns"]:
        kind = spec.get("kind")
        years = None
        if kind:
            first, last = spec.get("years", _DEFAULT_YEARS[kind])
            years = (first, min(last, until))
        columns.append(
            Column(
                unit_code=raw["code"],
                site=sites[spec.get("site", 0)],
                path=spec["path"],
                name=spec["name"],
                kind=kind,
                agency=_agency(raw, spec),
                years=years,
                root=spec.get("root", False),
                documents=spec.get("documents", False),
            )
        )
    by_key = {(column.site.index, column.path): column for column in columns}
    for column, spec in zip(columns, raw["columns"], strict=True):
        if "parent" in spec:
            column.parent = by_key[(column.site.index, spec["parent"])]
        else:
            prefixes = [
                other
                for other in columns
                if other is not column
                and other.site is column.site
                and column.path.startswith(other.path)
                and len(other.path) < len(column.path)
            ]
            column.parent = max(prefixes, key=lambda other: len(other.path)) if prefixes else None
        if column.parent is not None:
            column.parent.children.append(column)
    return Unit(
        code=raw["code"],
        name=raw["name"],
        prefix=raw["prefix"],
        sites=sites,
        columns=columns,
        small=raw.get("small", False),
        until=until,
        listing="table" if raw.get("listing") == "table" else "list",
    )


@cache
def _raw_units() -> list[dict[str, Any]]:
    with UNITS_FILE.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def load_units(size: str) -> list[Unit]:
    """The units of a world size: ``small`` (four units) or ``full`` (all 41)."""
    if size not in ("small", "full"):
        raise ValueError(f"unknown world size {size!r}")
    return [_build_unit(raw) for raw in _raw_units() if size == "full" or raw.get("small")]
