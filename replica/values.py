"""Statistics of one report: generated so that the template's identities hold.

Values are generated complete (every canonical key a number); the tables module
decides how each is printed, and the manifest keeps what the printed cell says.
"""

from __future__ import annotations

import random
import re

from reportformat import appeal_columns, appeal_groups, disclosure_rows, request_columns, request_outcome_rows

Number = int | float

# How busy an agency is, by kind: (new requests of natural persons: low, high).
_REQUEST_SCALE = {"district": (40, 260), "office": (8, 80), "department": (0, 30), "town": (0, 6)}

# Relative weights of the outcome rows; unlisted rows get the default.
_OUTCOME_WEIGHTS = {
    "granted": 40,
    "partially_granted": 6,
    "unable.not_held": 22,
    "unable.needs_creation": 4,
    "unable.unclear": 5,
    "not_processed.complaint": 4,
    "not_processed.duplicate": 2,
    "denied.process_info": 2,
    "denied.third_party": 1,
    "other": 3,
    "other.other": 3,
    "other.no_correction": 2,
}
_DEFAULT_WEIGHT = 0.3

_ORGS = [column for column in request_columns() if column not in ("natural_person", "total")]


def _split(rng: random.Random, total: int, rows: list[str]) -> dict[str, int]:
    weights = [_OUTCOME_WEIGHTS.get(row, _DEFAULT_WEIGHT) for row in rows]
    counts = dict.fromkeys(rows, 0)
    for row in rng.choices(rows, weights=weights, k=total):
        counts[row] += 1
    return counts


def _requests(rng: random.Random, template: str, kind: str) -> dict[str, Number]:
    low, high = _REQUEST_SCALE[kind]
    outcome_rows = request_outcome_rows(template)
    values: dict[str, Number] = {}
    per_column: dict[str, dict[str, int]] = {}
    for column in request_columns():
        if column == "total":
            continue
        if column == "natural_person":
            new = rng.randint(low, high)
        else:
            new = (
                rng.choice([0, 0, 0, 0, 1, 2])
                if kind in ("district", "office")
                else rng.choice([0] * 9 + [1])
            )
        carried_over = rng.randint(0, max(1, new // 8)) if new else 0
        carried_forward = rng.randint(0, carried_over + new // 10) if new else 0
        carried_forward = min(carried_forward, new + carried_over)
        processed = new + carried_over - carried_forward
        rows = {"new_received": new, "carried_over": carried_over, "carried_forward": carried_forward}
        rows["total_processed"] = processed
        rows.update(_split(rng, processed, outcome_rows))
        per_column[column] = rows
    for row in per_column["natural_person"]:
        total = 0
        for column, rows in per_column.items():
            values[f"requests.{row}.{column}"] = rows[row]
            total += rows[row]
        values[f"requests.{row}.total"] = total
    return values


def _appeals(rng: random.Random, kind: str) -> dict[str, Number]:
    values: dict[str, Number] = {}
    busy = kind in ("district", "office")
    for group in appeal_groups():
        parts = {
            column: (rng.choice([0, 0, 1, 2, 3, 5]) if busy else rng.choice([0] * 8 + [1]))
            for column in appeal_columns()
            if column != "total"
        }
        for column, count in parts.items():
            values[f"appeals.{group}.{column}"] = count
        values[f"appeals.{group}.total"] = sum(parts.values())
    return values


def _money(rng: random.Random, high: float) -> float:
    """An amount in 万元 with at most two decimals (so that 元 = 万元 x 10000 is whole)."""
    return round(rng.uniform(0, high), 2)


def _disclosure(rng: random.Random, template: str, kind: str) -> dict[str, Number]:
    values: dict[str, Number] = {}
    big = kind == "district"
    for row in disclosure_rows(template):
        for key in row.keys():  # noqa: SIM118 - DisclosureRow.keys() is a method, not a dict
            column = key.rsplit(".", 1)[1]
            if row.name == "regulations":
                value: Number = 0
            elif column in ("made", "published", "issued"):
                value = rng.randint(0, 40 if big else 6)
            elif column == "repealed":
                value = rng.randint(0, 10 if big else 2)
            elif column in ("total_public", "in_force"):
                value = rng.randint(5, 400 if big else 40)
            elif column == "prior_items":
                value = rng.randint(0, 1200 if big else 80)
            elif column == "change":
                value = rng.randint(-400, 400) if big else rng.randint(-5, 5)
            elif column == "decisions":
                value = rng.randint(0, 300000 if big else 3000)
            elif column == "projects":
                value = rng.randint(0, 200 if big else 20)
            else:  # amount, in 万元
                value = _money(rng, 60000 if big else 800)
            values[key] = value
        if row.name == "normative_documents" and template == "v2019":
            values[f"disclosure.{row.name}.published"] = values[f"disclosure.{row.name}.made"]
    return values


def generate_values(rng: random.Random, template: str, kind: str) -> dict[str, Number]:
    """Complete, identity-consistent values for a v2019 or v2021 report."""
    values = _disclosure(rng, template, kind)
    values.update(_requests(rng, template, kind))
    values.update(_appeals(rng, kind))
    return values


# A printed cell: optional sign, digits, optional decimals, optional unit.
_CELL = re.compile(r"^(?P<sign>[+-]?)(?P<number>\d+(?:\.\d+)?)(?P<unit>万元|元)?$")
_EMPTY = {"", "-", "—", "/", "无"}


def parse_cell(text: str) -> Number | None:
    """What a careful reader knows from one printed cell: a number, or None.

    Blank, "-", "—", "/" and "无" say nothing. Money is normalised to 万元.
    """
    compact = "".join(text.replace("\xa0", " ").split())
    if compact in _EMPTY:
        return None
    match = _CELL.match(compact)
    if match is None:
        raise ValueError(f"unparseable cell {text!r}")
    number = match["number"]
    value: Number = float(number) if "." in number else int(number)
    if match["unit"] == "元":
        value = round(value / 10000, 6)
    if match["sign"] == "-":
        value = -value
    if isinstance(value, float) and value.is_integer() and "." not in number and match["unit"] != "元":
        value = int(value)
    return value


def carry_over_from(printed: dict[str, Number], previous: dict[str, Number]) -> None:
    """Make ``printed`` carry over what ``previous`` (last year's report) carried forward.

    Outcomes stay as they are; what this year carries forward absorbs the
    difference, and new requests grow where it would turn negative, so the
    table's own identities still hold.
    """
    for column in request_columns():
        if column == "total":
            continue
        carried_over = int(previous[f"requests.carried_forward.{column}"])
        new = int(printed[f"requests.new_received.{column}"])
        processed = int(printed[f"requests.total_processed.{column}"])
        forward = new + carried_over - processed
        if forward < 0:
            new, forward = new - forward, 0
        printed[f"requests.carried_over.{column}"] = carried_over
        printed[f"requests.new_received.{column}"] = new
        printed[f"requests.carried_forward.{column}"] = forward
    _row_totals(printed)


def _row_totals(printed: dict[str, Number]) -> None:
    for row in ("new_received", "carried_over", "carried_forward"):
        printed[f"requests.{row}.total"] = sum(
            printed[f"requests.{row}.{column}"] for column in request_columns() if column != "total"
        )


def carry_forward_to(printed: dict[str, Number], following: dict[str, Number | None]) -> None:
    """Make ``printed`` carry forward what ``following`` (next year's report) carried over.

    Outcomes stay; new requests absorb the difference (never below zero).
    """
    for column in request_columns():
        if column == "total":
            continue
        forward = int(following.get(f"requests.carried_over.{column}") or 0)
        processed = int(printed[f"requests.total_processed.{column}"])
        carried_over = int(printed[f"requests.carried_over.{column}"])
        new = processed + forward - carried_over
        if new < 0:
            carried_over, new = carried_over + new, 0
        printed[f"requests.new_received.{column}"] = new
        printed[f"requests.carried_over.{column}"] = carried_over
        printed[f"requests.carried_forward.{column}"] = forward
    _row_totals(printed)
