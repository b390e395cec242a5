"""The template's own accounting identities, checked on one report's values.

Values are the canonical ``{key: number | None}`` mapping. A ``None`` addend
counts as 0 (real tables leave zero cells blank); a check whose printed total
is ``None``, or whose addends are all ``None``, is not evaluated: a blank
total says nothing, and neither does a column of blanks (the 上海 2019 table
leaves the 总计 column blank for every outcome row).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from reportformat import appeal_columns, appeal_groups, request_columns, request_outcome_rows, request_rows

Number = int | float
Values = Mapping[str, Number | None]

_APPLICANT_COLUMNS = [column for column in request_columns() if column != "total"]
_TOLERANCE = 1e-6


@dataclass(frozen=True)
class CheckResult:
    """One evaluated check: ``id`` from keys.yaml (or ``narrative``), ``where`` names the column,
    row, group or prose quantity; ``source`` is the sentence a narrative check read."""

    id: str
    ok: bool
    expected: Number
    actual: Number
    where: str
    source: str | None = None


def _sum(values: Values, keys: list[str]) -> Number:
    return sum((values.get(key) or 0) for key in keys)


def _result(
    check_id: str, where: str, expected: Number | None, values: Values, keys: list[str]
) -> CheckResult | None:
    if expected is None or all(values.get(key) is None for key in keys):
        return None
    actual = _sum(values, keys)
    return CheckResult(check_id, abs(expected - actual) <= _TOLERANCE, expected, actual, where)


def _has_any(values: Values, prefix: str) -> bool:
    return any(key.startswith(prefix) for key in values)


def check_requests_balance(values: Values) -> list[CheckResult]:
    results = []
    for column in request_columns():
        left = _sum(values, [f"requests.new_received.{column}", f"requests.carried_over.{column}"])
        right = _sum(values, [f"requests.total_processed.{column}", f"requests.carried_forward.{column}"])
        keys = [f"requests.{row}.{column}" for row in ("new_received", "total_processed")]
        if all(values.get(key) is None for key in keys):
            continue
        results.append(CheckResult("requests.balance", abs(left - right) <= _TOLERANCE, left, right, column))
    return results


def _sum_checks(
    check_id: str, values: Values, specs: Iterable[tuple[str, str, list[str]]]
) -> list[CheckResult]:
    """One result per (where, total key, part keys) that the values allow to evaluate."""
    results = (_result(check_id, where, values.get(total), values, parts) for where, total, parts in specs)
    return [result for result in results if result]


def _row_total_specs(template: str) -> list[tuple[str, str, list[str]]]:
    return [
        (row, f"requests.{row}.total", [f"requests.{row}.{column}" for column in _APPLICANT_COLUMNS])
        for row in request_rows(template)
    ]


def _outcomes_sum_specs(template: str) -> list[tuple[str, str, list[str]]]:
    outcome_rows = request_outcome_rows(template)
    return [
        (column, f"requests.total_processed.{column}", [f"requests.{row}.{column}" for row in outcome_rows])
        for column in request_columns()
    ]


def _group_total_specs() -> list[tuple[str, str, list[str]]]:
    parts = [column for column in appeal_columns() if column != "total"]
    return [
        (group, f"appeals.{group}.total", [f"appeals.{group}.{column}" for column in parts])
        for group in appeal_groups()
    ]


def check_requests_row_total(values: Values, template: str) -> list[CheckResult]:
    return _sum_checks("requests.row_total", values, _row_total_specs(template))


def check_requests_outcomes_sum(values: Values, template: str) -> list[CheckResult]:
    return _sum_checks("requests.outcomes_sum", values, _outcomes_sum_specs(template))


def check_appeals_group_total(values: Values) -> list[CheckResult]:
    return _sum_checks("appeals.group_total", values, _group_total_specs())


def identity_cells(template: str) -> list[tuple[str, str, list[str]]]:
    """``(check id, where, keys)``: the cells of this report each check reads, per ``where``.

    For ``requests.carry_over`` that is this year's carried-over cell (the other is last year's).
    """
    if template not in ("v2019", "v2021"):
        return []
    cells = [
        (
            "requests.balance",
            column,
            [
                f"requests.{row}.{column}"
                for row in ("new_received", "carried_over", "total_processed", "carried_forward")
            ],
        )
        for column in request_columns()
    ]
    for check_id, specs in (
        ("requests.row_total", _row_total_specs(template)),
        ("requests.outcomes_sum", _outcomes_sum_specs(template)),
        ("appeals.group_total", _group_total_specs()),
    ):
        cells += [(check_id, where, [total, *parts]) for where, total, parts in specs]
    cells += [
        ("requests.carry_over", column, [f"requests.carried_over.{column}"]) for column in request_columns()
    ]
    return cells


def check_identities(values: Values, template: str) -> list[CheckResult]:
    """Every within-report identity of keys.yaml that the values allow to evaluate."""
    if template not in ("v2019", "v2021"):
        return []
    results: list[CheckResult] = []
    if _has_any(values, "requests."):
        results += check_requests_balance(values)
        results += check_requests_row_total(values, template)
        results += check_requests_outcomes_sum(values, template)
    if _has_any(values, "appeals."):
        results += check_appeals_group_total(values)
    return results


def check_carry_over(previous: Values, current: Values) -> list[CheckResult]:
    """requests.carry_over: carried_over (year N) equals carried_forward (year N-1), per column."""
    results = []
    for column in request_columns():
        expected = previous.get(f"requests.carried_forward.{column}")
        actual = current.get(f"requests.carried_over.{column}")
        if expected is None or actual is None:
            continue
        results.append(
            CheckResult("requests.carry_over", abs(expected - actual) <= _TOLERANCE, expected, actual, column)
        )
    return results


def failed_identity_ids(values: Values, template: str) -> list[str]:
    """Sorted ids of the identities that fail (each id once)."""
    return sorted({result.id for result in check_identities(values, template) if not result.ok})
