"""Sentence-level differences of Chinese narrative text."""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Literal

# A sentence ends at a full stop, semicolon, exclamation or question mark (full- or half-width),
# or at a line break: report paragraphs and list items often end without punctuation.
_SENTENCE = re.compile(r"[^。；！？;!?\n]*(?:[。；！？;!?]+|\n|$)")

Change = Literal["same", "added", "removed"]


@dataclass(frozen=True)
class SentenceChange:
    change: Change
    text: str


def split_sentences(text: str) -> list[str]:
    """Sentences of ``text`` with their end mark, stripped; empty ones dropped."""
    return [sentence.strip() for sentence in _SENTENCE.findall(text) if sentence.strip()]


def diff_sentences(old: list[str], new: list[str]) -> list[SentenceChange]:
    """``new`` against ``old``: unchanged, removed and added sentences in reading order."""
    changes: list[SentenceChange] = []
    matcher = SequenceMatcher(a=old, b=new, autojunk=False)
    for tag, old_start, old_end, new_start, new_end in matcher.get_opcodes():
        if tag == "equal":
            changes.extend(SentenceChange("same", sentence) for sentence in new[new_start:new_end])
            continue
        changes.extend(SentenceChange("removed", sentence) for sentence in old[old_start:old_end])
        changes.extend(SentenceChange("added", sentence) for sentence in new[new_start:new_end])
    return changes


def reused_share(old_sentences: list[str], new_sentences: list[str]) -> float | None:
    """Share of the characters of ``new_sentences`` in sentences found verbatim in ``old_sentences``
    (anywhere); None when there is no new text."""
    total = sum(len(sentence) for sentence in new_sentences)
    if total == 0:
        return None
    known = set(old_sentences)
    return sum(len(sentence) for sentence in new_sentences if sentence in known) / total
