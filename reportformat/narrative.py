"""Quantities the prose of a 2019/2021 report states about its own tables (``narrative.yaml``)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from reportformat import request_rows

NARRATIVE_FILE = Path(__file__).with_name("narrative.yaml")
NARRATIVE_CHECK = "narrative"


@dataclass(frozen=True)
class ProseQuantity:
    """One quantity: how prose names it, and the canonical keys whose sum is its table value."""

    name: str
    units: tuple[str, ...]
    prose: tuple[re.Pattern[str], ...]
    exclude: re.Pattern[str] | None
    rows: tuple[str, ...]  # table 三 row patterns ("denied.*")
    keys: dict[str, tuple[str, ...]]  # template -> canonical keys

    def table_rows(self, template: str) -> list[str]:
        """The table-三 rows of ``template`` this quantity sums."""
        wanted = []
        for row in request_rows(template):
            for pattern in self.rows:
                if row == pattern or (pattern.endswith(".*") and row.startswith(pattern[:-1])):
                    wanted.append(row)
                    break
        return wanted


def _keys(spec: Any) -> dict[str, tuple[str, ...]]:
    if spec is None:
        return {}
    if isinstance(spec, list):
        return {"v2019": tuple(spec), "v2021": tuple(spec)}
    return {template: tuple(keys) for template, keys in spec.items()}


@cache
def prose_quantities() -> tuple[ProseQuantity, ...]:
    with NARRATIVE_FILE.open(encoding="utf-8") as handle:
        spec = yaml.safe_load(handle)["quantities"]
    return tuple(
        ProseQuantity(
            name=name,
            units=tuple(entry["units"]),
            prose=tuple(re.compile(pattern) for pattern in entry["prose"]),
            exclude=re.compile(entry["exclude"]) if entry.get("exclude") else None,
            rows=tuple(entry.get("rows", [])),
            keys=_keys(entry.get("keys")),
        )
        for name, entry in spec.items()
    )
