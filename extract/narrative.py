"""Narrative against tables: the numbers the prose states about the tables, checked against them.

A report says "共收到政府信息公开申请859件……予以公开及部分公开258件" in 总体情况
and prints the same quantities in tables 三 and 四. Each number the prose states
about a quantity of narrative.yaml becomes a check (id ``narrative``, ``where``
the quantity) with the table's value as expected, the prose's as actual and the
sentence with its span as source. Anything doubtful is left out: no check is
better than a false alarm.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from extract.mentions import Mention, about, mentions
from extract.sections import Section
from reportformat import request_columns
from reportformat.checks import CheckResult
from reportformat.narrative import NARRATIVE_CHECK, ProseQuantity, prose_quantities

Number = int | float
Values = Mapping[str, Number | None]

# Sections whose prose restates the tables: the preamble, 一、总体情况, 三、收到和处理….
_NARRATIVE_SECTIONS = (0, 1, 3)
# A sentence about more than this report's own body (a district's summary of all its offices).
_WIDER_SCOPE = re.compile(
    r"全区|全县|全市|全镇|全街道|各部门|各单位|各级|各镇|各街道|各乡镇|区级部门|县级部门|市级部门"
)
_APPLICANTS = [column for column in request_columns() if column != "total"]
_MISSING = object()


def _row_value(values: Values, row: str) -> object:
    """A table-三 row's 总计, or the sum of its applicant cells where 总计 is blank."""
    total_key = f"requests.{row}.total"
    if total_key not in values:
        return _MISSING
    if values[total_key] is not None:
        return values[total_key]
    parts = [values.get(f"requests.{row}.{column}") for column in _APPLICANTS]
    if any(f"requests.{row}.{column}" not in values for column in _APPLICANTS):
        return _MISSING
    return None if all(part is None for part in parts) else sum(part or 0 for part in parts)


def table_value(quantity: ProseQuantity, values: Values, template: str) -> Number | None:
    """What the tables say about a quantity; None when they do not say (not extracted or all blank)."""
    found: list[object] = [_row_value(values, row) for row in quantity.table_rows(template)]
    for key in quantity.keys.get(template, ()):
        found.append(values.get(key, _MISSING))
    if not found or any(item is _MISSING for item in found) or all(item is None for item in found):
        return None
    return sum(item for item in found if isinstance(item, int | float))


def _agrees(mention: Mention, expected: Number) -> bool:
    if isinstance(mention.value, int) and isinstance(expected, int):
        return mention.value == expected
    # Money: the prose may round (4166.24万元 for 4166.241619); half a unit of its last digit.
    scale = 10000 if mention.unit == "元" else 1
    tolerance = 0.5 * 10 ** (-mention.decimals) / scale + 1e-9
    return abs(float(mention.value) - float(expected)) <= tolerance


def _source(section: Section, mention: Mention) -> str:
    heading = section.heading or "(preamble)"
    return f"{heading} [{mention.start}:{mention.end}] {mention.sentence}"


def narrative_checks(sections: Sequence[Section], values: Values, template: str) -> list[CheckResult]:
    """One check per quantity the prose states unambiguously and the tables print."""
    quantities = [q for q in prose_quantities() if q.table_rows(template) or q.keys.get(template)]
    stated: dict[str, list[tuple[Section, Mention]]] = {}
    for section in sections:
        if section.number not in _NARRATIVE_SECTIONS:
            continue
        for mention in mentions(section.text):
            if mention.includes_other or _WIDER_SCOPE.search(mention.sentence):
                continue
            quantity = about(mention.clause, quantities)
            if quantity is None or mention.unit not in quantity.units:
                continue
            stated.setdefault(quantity.name, []).append((section, mention))
    results = []
    for quantity in quantities:
        said = stated.get(quantity.name)
        if not said or len({mention.value for _, mention in said}) > 1:
            continue  # not stated, or stated twice with different numbers: nothing certain
        expected = table_value(quantity, values, template)
        if expected is None:
            continue
        section, mention = said[0]
        results.append(
            CheckResult(
                NARRATIVE_CHECK,
                _agrees(mention, expected),
                expected,
                mention.value,
                quantity.name,
                _source(section, mention),
            )
        )
    return results
