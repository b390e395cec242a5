"""Canonical values of two reports side by side, and the carry-over check between two years."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from reportformat import canonical_keys
from reportformat.checks import CheckResult, check_carry_over

Number = int | float
Values = Mapping[str, Number | None]


@dataclass(frozen=True)
class ValueChange:
    """One canonical key: ``only_in`` names the template generation that alone has the key."""

    key: str
    old: Number | None
    new: Number | None
    only_in: str | None = None

    @property
    def change(self) -> Number | None:
        if self.old is None or self.new is None:
            return None
        return self.new - self.old

    @property
    def percent(self) -> float | None:
        change = self.change
        if change is None or not self.old:
            return None
        return 100.0 * change / abs(self.old)

    @property
    def changed(self) -> bool:
        return self.old != self.new


def _template_order(old_template: str | None, new_template: str | None) -> list[str]:
    keys = canonical_keys(new_template or "") + canonical_keys(old_template or "")
    return list(dict.fromkeys(keys))


def _only_in(key: str, old_template: str | None, new_template: str | None) -> str | None:
    if old_template == new_template:
        return None
    in_old = key in canonical_keys(old_template or "")
    in_new = key in canonical_keys(new_template or "")
    if in_old and not in_new:
        return old_template
    if in_new and not in_old:
        return new_template
    return None


def compare_values(
    old: Values, new: Values, old_template: str | None = None, new_template: str | None = None
) -> list[ValueChange]:
    """Every key either side has, in the template's printed order (unknown keys last, sorted)."""
    present = old.keys() | new.keys()
    ordered = [key for key in _template_order(old_template, new_template) if key in present]
    ordered += sorted(present - set(ordered))
    return [
        ValueChange(key, old.get(key), new.get(key), _only_in(key, old_template, new_template))
        for key in ordered
    ]


def carry_over(previous: Values, current: Values) -> list[CheckResult]:
    """requests.carry_over between consecutive years (``previous`` is year N-1)."""
    return check_carry_over(previous, current)
