"""Publication dates and the platform-wide docid counter (portal §0.1, §5.2, §6)."""

from __future__ import annotations

import hashlib
import random
from bisect import bisect_right
from datetime import date, timedelta

# Seen (URL date, docid) pairs, one every month or two: the counter rises with the
# date, slowly in the year and in bursts during the 2020 migration.
_ANCHORS = [
    (date(2020, 2, 9), 4961802),
    (date(2020, 3, 27), 6287143),
    (date(2020, 4, 9), 7030115),
    (date(2020, 7, 9), 7661931),
    (date(2021, 1, 19), 8786337),
    (date(2021, 2, 27), 8948211),
    (date(2022, 1, 18), 10312253),
    (date(2022, 3, 17), 10520051),
    (date(2023, 1, 17), 11516121),
    (date(2023, 3, 20), 11784262),
    (date(2024, 1, 16), 12826120),
    (date(2024, 3, 25), 13074802),
    (date(2025, 1, 13), 14139405),
    (date(2025, 3, 3), 14362574),
    (date(2026, 1, 5), 15291318),
    (date(2026, 2, 15), 15446577),
]
_RATE_AFTER = 3000  # ids per day after the last anchor
MIGRATION_START = date(2020, 2, 1)  # the platform took over; older pages were re-imported (Feb-Jul 2020)


def stable_rng(*parts: object) -> random.Random:
    """A random generator determined by its parts only (not by generation order)."""
    digest = hashlib.sha256("\x1f".join(map(str, parts)).encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def monotone_anchors(extra: list[tuple[date, int]]) -> list[tuple[date, int]]:
    """The seen anchors plus other real (date, docid) pairs, keeping a rising sequence."""
    anchors: list[tuple[date, int]] = []
    for day, docid in sorted(set(_ANCHORS) | {item for item in extra if item[0] >= MIGRATION_START}):
        if anchors and (docid <= anchors[-1][1] or day == anchors[-1][0]):
            continue
        anchors.append((day, docid))
    return anchors


def docid_base(day: date, anchors: list[tuple[date, int]] | None = None) -> int:
    """The first docid of a day, interpolated between the anchors."""
    anchors = anchors or _ANCHORS
    days = [anchor for anchor, _ in anchors]
    if day <= days[0]:
        return anchors[0][1] - (days[0] - day).days * 20000
    if day >= days[-1]:
        return anchors[-1][1] + (day - days[-1]).days * _RATE_AFTER
    i = bisect_right(days, day) - 1
    (d0, id0), (d1, id1) = anchors[i], anchors[i + 1]
    return id0 + (id1 - id0) * (day - d0).days // (d1 - d0).days


def assign_docids(items: list[tuple[date, str]], seed: int, real: list[tuple[date, int]]) -> dict[str, int]:
    """Docids for (URL date, key) items: base of the day + a stable offset within the day's range."""
    anchors = monotone_anchors(real)
    taken: set[int] = {docid for _, docid in real}
    result: dict[str, int] = {}
    for day, key in sorted(items):
        base = docid_base(day, anchors)
        room = docid_base(date.fromordinal(day.toordinal() + 1), anchors) - base - 1
        docid = base + 1 + stable_rng(seed, "docid", key).randrange(max(1, min(999, room)))
        while docid in taken:
            docid += 1
        taken.add(docid)
        result[key] = docid
    return result


def shown_date(rng: random.Random, kind: str, year: int) -> date:
    """The date shown on a report page: sub-sites in January, summaries until March."""
    following = date(year + 1, 1, 1)
    if kind in ("department", "town"):
        if rng.random() < 0.03:
            return date(year, 12, rng.randint(28, 31))  # seen: 秀山文旅委 2020 shown 2020-12-31
        return following + timedelta(days=rng.randint(4, 30))
    if kind == "office":
        return following + timedelta(days=rng.randint(9, 58))
    if year <= 2016 and rng.random() < 0.2:
        return date(year + 1, rng.randint(4, 10), rng.randint(1, 28))  # seen: 南岸 2015 shown 2016-10-21
    return following + timedelta(days=rng.randint(19, 89))


def url_date(rng: random.Random, shown: date) -> date:
    """The CMS date of the URL folder: migration dates for old pages, small drifts for new ones."""
    if shown < MIGRATION_START:
        return date(2020, 2, 5) + timedelta(days=rng.randint(0, 160))
    draw = rng.random()
    if draw < 0.10:
        return shown + timedelta(days=rng.randint(1, 26))  # seen: 双龙镇 t20210223 shown 2021-01-28
    if draw < 0.14:
        return shown - timedelta(days=rng.randint(1, 11))  # seen: 綦江 t20230320 shown 2023-03-31
    return shown
