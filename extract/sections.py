"""The report's numbered sections (一、总体情况 … 六、其他需要报告的事项) as clean text.

Headings are found by their numeral and their likeness to the template's
heading, in order, so the numbered rows inside table 三 ("二、上年结转…") and
variants such as "五、存在的主要问题及整改措施" are told apart. Pre-2019
reports keep whatever numbered sections they print. The text before the first
heading is section 0 (no heading), so that nothing of the body is unsearchable.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from lxml import etree

from extract.grid import BLOCK_TAGS, SKIPPED_TAGS
from extract.text import clean_text, compact
from reportformat import section_headings

_NUMERALS = "一二三四五六七八九十"
# "一、总体情况", "## 二、主动公开…", "五．存在的…"; Markdown heading marks are dropped first.
_NUMBERED = re.compile(rf"^(?P<numeral>[{_NUMERALS}]{{1,2}})\s*[、.．]\s*(?P<body>\S.*)$")
_MARKDOWN_HEADING = re.compile(r"^#{1,6}\s*")
# Heading likeness: share of the template heading's characters printed in the line.
_LIKENESS = 0.7
_MAX_HEADING = 40
# The number of the text before the first numbered section.
PREAMBLE = 0


@dataclass(frozen=True)
class Section:
    number: int
    heading: str
    text: str


@dataclass(frozen=True)
class TextLine:
    """One line of running text; ``element`` is the block it came from (None for plain text)."""

    text: str
    element: etree._Element | None = None


def numeral_value(numeral: str) -> int:
    if numeral == "十":
        return 10
    if len(numeral) == 2 and numeral[0] == "十":
        return 10 + _NUMERALS.index(numeral[1]) + 1
    return _NUMERALS.index(numeral[0]) + 1


def html_lines(root: etree._Element) -> list[TextLine]:
    """Running text of a page, one line per block, tables left out (they are read as grids)."""
    lines: list[TextLine] = []
    parts: list[str] = []
    owner: list[etree._Element | None] = [None]

    def flush(element: etree._Element | None) -> None:
        text = clean_text("".join(parts))
        parts.clear()
        if text:
            lines.append(TextLine(text, owner[0] if owner[0] is not None else element))
        owner[0] = None

    stack: list[tuple[etree._Element, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        tag = node.tag.lower() if isinstance(node.tag, str) else ""
        if done:
            if tag in BLOCK_TAGS:
                flush(node)
            if node.tail:
                parts.append(node.tail)
            continue
        if node is not root and (tag == "table" or tag in SKIPPED_TAGS or not tag):
            if tag == "table":
                flush(node.getparent())
            if node.tail:
                parts.append(node.tail)
            continue
        if tag in BLOCK_TAGS:
            flush(node.getparent())
            owner[0] = node
        if node.text:
            if owner[0] is None:
                owner[0] = node
            parts.append(node.text)
        stack.append((node, True))
        stack.extend((child, False) for child in reversed(node))
    flush(None)
    return lines


def text_lines(text: str) -> list[TextLine]:
    return [TextLine(clean_text(line)) for line in text.splitlines() if clean_text(line)]


def _numbered(line: str) -> tuple[int, str] | None:
    text = _MARKDOWN_HEADING.sub("", line).strip()
    if len(text) > _MAX_HEADING:
        return None
    match = _NUMBERED.match(text)
    if not match:
        return None
    return numeral_value(match["numeral"]), text


def _likeness(line: str, heading: str) -> float:
    expected = set(compact(heading.split("、", 1)[-1]))
    printed = compact(line.split("、", 1)[-1] if "、" in line else line)
    if not expected or len(printed) > 2 * len(expected) + 4:
        return 0.0
    return len(expected & set(printed)) / len(expected)


def _template_headings(lines: Sequence[TextLine]) -> list[tuple[int, int, str]]:
    """(line index, section number, heading as printed) for the template's headings, in order."""
    found = []
    start = 0
    for number, heading in section_headings().items():
        for index in range(start, len(lines)):
            numbered = _numbered(lines[index].text)
            if numbered and numbered[0] == number and _likeness(numbered[1], heading) >= _LIKENESS:
                found.append((index, number, numbered[1]))
                start = index + 1
                break
    return found


def _free_headings(lines: Sequence[TextLine]) -> list[tuple[int, int, str]]:
    """Pre-2019 reports: every numbered heading 一、二、三 … in sequence."""
    found = []
    expected = 1
    for index, line in enumerate(lines):
        numbered = _numbered(line.text)
        if numbered and numbered[0] == expected:
            found.append((index, expected, numbered[1]))
            expected += 1
    return found


def _common_ancestor(first: etree._Element, second: etree._Element) -> etree._Element | None:
    ancestors = {id(first): first}
    ancestors.update((id(node), node) for node in first.iterancestors())
    if id(second) in ancestors:
        return second
    for node in second.iterancestors():
        if id(node) in ancestors:
            return node
    return None


def _inside(element: etree._Element | None, container: etree._Element) -> bool:
    if element is None or element is container:
        return True
    return any(node is container for node in element.iterancestors())


def find_sections(lines: Sequence[TextLine], template: str | None) -> list[Section]:
    """Sections with their headings as printed and the text up to the next heading."""
    headings = _template_headings(lines) if template in ("v2019", "v2021") else []
    if template not in ("v2019", "v2021") or not headings:
        headings = _free_headings(lines)
    if not headings:
        return []
    # The last section runs to the end of the report body, not into the site footer:
    # keep lines that sit in the smallest element holding the first and last heading.
    first, last = lines[headings[0][0]].element, lines[headings[-1][0]].element
    container = _common_ancestor(first, last) if first is not None and last is not None else None
    if container is not None and container is first and len(headings) > 1:
        container = first.getparent()
    sections = []
    # The preamble (title, legal basis, statistics period, where to get the report, contact)
    # is section 0, without a heading; on a full page only what sits in the report body.
    preamble = [
        line for line in lines[: headings[0][0]] if container is None or _inside(line.element, container)
    ]
    if preamble:
        sections.append(Section(PREAMBLE, "", "\n".join(line.text for line in preamble)))
    for position, (index, number, heading) in enumerate(headings):
        end = headings[position + 1][0] if position + 1 < len(headings) else len(lines)
        body = lines[index + 1 : end]
        if position + 1 == len(headings) and container is not None:
            body = [line for line in body if _inside(line.element, container)]
        sections.append(Section(number, heading, "\n".join(line.text for line in body)))
    return sections
