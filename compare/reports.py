"""Two reports (two years, or two snapshots of one report) compared: values, carry-over, narrative."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from compare.sentences import SentenceChange, diff_sentences, reused_share, split_sentences
from compare.values import Number, ValueChange, carry_over, compare_values
from reportformat.checks import CheckResult


@dataclass(frozen=True)
class ReportSide:
    """One side of a comparison: what is shown about it, its values and its sections."""

    label: str
    year: int | None
    template: str | None
    values: dict[str, Number | None]
    sections: list[tuple[int, str, str]]
    meta: dict[str, Any] = field(default_factory=dict)
    # Failed narrative checks: (quantity, table value, prose value, sentence with its span).
    contradictions: list[tuple[str, float | None, float | None, str | None]] = field(default_factory=list)


@dataclass(frozen=True)
class SectionDiff:
    number: int
    heading: str
    changes: list[SentenceChange]
    reused: float | None

    @property
    def added(self) -> list[str]:
        return [change.text for change in self.changes if change.change == "added"]

    @property
    def removed(self) -> list[str]:
        return [change.text for change in self.changes if change.change == "removed"]


@dataclass(frozen=True)
class ReportDiff:
    old: ReportSide
    new: ReportSide
    values: list[ValueChange]
    carry_over: list[CheckResult] | None
    sections: list[SectionDiff]
    reused: float | None

    @property
    def changed_values(self) -> list[ValueChange]:
        return [value for value in self.values if value.changed]


def _section_map(side: ReportSide) -> dict[int, tuple[str, list[str]]]:
    sections: dict[int, tuple[str, list[str]]] = {}
    for number, heading, text in side.sections:
        old_heading, sentences = sections.get(number, (heading, []))
        sections[number] = (old_heading, sentences + split_sentences(text))
    return sections


def diff_sections(old: ReportSide, new: ReportSide) -> list[SectionDiff]:
    """Section by section (matched by number), sentence-level changes and the reused share."""
    old_sections, new_sections = _section_map(old), _section_map(new)
    diffs = []
    for number in sorted(old_sections.keys() | new_sections.keys()):
        old_heading, old_sentences = old_sections.get(number, ("", []))
        new_heading, new_sentences = new_sections.get(number, (old_heading, []))
        diffs.append(
            SectionDiff(
                number,
                new_heading or old_heading,
                diff_sentences(old_sentences, new_sentences),
                reused_share(old_sentences, new_sentences),
            )
        )
    return diffs


def diff_reports(old: ReportSide, new: ReportSide) -> ReportDiff:
    """``new`` against ``old``. The carry-over check runs when the two are different years,
    with the earlier one as the previous year."""
    checks = None
    if old.year is not None and new.year is not None and old.year != new.year:
        previous, current = (old, new) if old.year < new.year else (new, old)
        checks = carry_over(previous.values, current.values)
    all_old = [sentence for _, _, text in old.sections for sentence in split_sentences(text)]
    all_new = [sentence for _, _, text in new.sections for sentence in split_sentences(text)]
    return ReportDiff(
        old=old,
        new=new,
        values=compare_values(old.values, new.values, old.template, new.template),
        carry_over=checks,
        sections=diff_sections(old, new),
        reused=reused_share(all_old, all_new),
    )


def _side_json(side: ReportSide) -> dict[str, Any]:
    contradictions = [
        {"quantity": quantity, "table": table, "prose": prose, "source": source}
        for quantity, table, prose, source in side.contradictions
    ]
    return {
        "label": side.label,
        "year": side.year,
        "template": side.template,
        **side.meta,
        "contradictions": contradictions,
    }


def diff_json(diff: ReportDiff) -> dict[str, Any]:
    """The stable JSON form of a comparison (``reports diff --json``)."""
    return {
        "old": _side_json(diff.old),
        "new": _side_json(diff.new),
        "values": [
            {
                "key": value.key,
                "old": value.old,
                "new": value.new,
                "change": value.change,
                "percent": round(value.percent, 2) if value.percent is not None else None,
                "only_in": value.only_in,
                "changed": value.changed,
            }
            for value in diff.values
        ],
        "carry_over": None
        if diff.carry_over is None
        else [
            {
                "column": check.where,
                "ok": check.ok,
                "carried_forward": check.expected,
                "carried_over": check.actual,
            }
            for check in diff.carry_over
        ],
        "sections": [
            {
                "number": section.number,
                "heading": section.heading,
                "reused": section.reused,
                "sentences": [{"change": change.change, "text": change.text} for change in section.changes],
            }
            for section in diff.sections
        ],
        "reused": diff.reused,
    }
