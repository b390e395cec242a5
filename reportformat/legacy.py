"""The legacy key set: what reports under the 2008 regulation state, and the canonical key
each one corresponds to (``legacy.yaml`` is the single source of truth)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

LEGACY_FILE = Path(__file__).with_name("legacy.yaml")
LEGACY_PREFIX = "legacy."


@dataclass(frozen=True)
class LegacyKey:
    """One legacy quantity, with the labels and phrases that print it."""

    key: str
    label: str
    unit: str  # count | money (万元)
    corresponds: str | None
    table: tuple[str, ...]
    prose: tuple[re.Pattern[str], ...]
    exclude: re.Pattern[str] | None
    zero: re.Pattern[str] | None


@cache
def legacy_keys() -> tuple[LegacyKey, ...]:
    """Every legacy key, in the order of legacy.yaml."""
    with LEGACY_FILE.open(encoding="utf-8") as handle:
        spec = yaml.safe_load(handle)["keys"]
    return tuple(
        LegacyKey(
            key=key,
            label=entry["label"],
            unit=entry["unit"],
            corresponds=entry.get("corresponds"),
            table=tuple(entry.get("table", [])),
            prose=tuple(re.compile(pattern) for pattern in entry.get("prose", [])),
            exclude=re.compile(entry["exclude"]) if entry.get("exclude") else None,
            zero=re.compile(entry["zero"]) if entry.get("zero") else None,
        )
        for key, entry in spec.items()
    )


def legacy_key_names() -> list[str]:
    return [item.key for item in legacy_keys()]


def legacy_counterpart(canonical_key: str) -> str | None:
    """The legacy key that means the same as ``canonical_key`` (for a series across 2014-2025)."""
    for item in legacy_keys():
        if item.corresponds == canonical_key:
            return item.key
    return None


def is_legacy_key(key: str) -> bool:
    return key.startswith(LEGACY_PREFIX)
