"""Showing crawled text safely: literally in the terminal, without control characters, and in CSV.

Crawled titles, agencies and sections are written by others. In the terminal they are never
read as Rich markup or emoji codes, and escape sequences (window title, colours, hyperlinks),
other C0/C1 control characters and bidi overrides/isolates are removed before they reach it.
JSON keeps the data whole but writes those characters as ``\\uXXXX`` escapes; CSV cells that a
spreadsheet would run as a formula get a leading apostrophe.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable
from typing import IO, Any

from rich.console import Console, ConsoleOptions, ConsoleRenderable, RenderHook, RenderResult
from rich.segment import Segment
from rich.text import Text

# ESC sequences as terminals read them: CSI (colours, cursor), OSC (window title, hyperlinks),
# DCS/SOS/PM/APC strings, and the two-character forms. An unterminated string runs to the end.
_ESCAPE_SEQUENCE = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]?"
    r"|\x1b[\]PX^_][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[ -/]*[0-~]?"
)
# C0 controls but newline, DEL, C1 controls, bidi embeddings/overrides (U+202A-U+202E) and
# isolates (U+2066-U+2069), the Arabic letter mark (U+061C) and LRM/RLM (U+200E, U+200F).
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# What JSON output writes as \uXXXX (json.dumps already escapes C0 and the quote/backslash).
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]")
# CSV: a cell a spreadsheet would run as a formula (OWASP: = + - @, tab, carriage return).
_FORMULA_START = re.compile(r"[=+\-@\x00-\x1f\x7f-\x9f]")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def clean(text: object) -> str:
    """``text`` as it may reach a terminal: escape sequences and control characters removed, tabs as spaces."""
    value = str(text).replace("\t", " ").replace("\r\n", "\n")
    return _CONTROL.sub("", _ESCAPE_SEQUENCE.sub("", value))


def json_text(document: Any, **options: Any) -> str:
    """``json.dumps(document, ensure_ascii=False, ...)`` with C1 and bidi characters escaped (lossless)."""
    dumped = json.dumps(document, ensure_ascii=False, **options)
    return _JSON_UNSAFE.sub(lambda match: f"\\u{ord(match.group()):04x}", dumped)


def csv_cell(value: Any) -> Any:
    """A cell that cannot run as a spreadsheet formula: ``'`` before text starting with = + - @ or a control
    character. Numbers, and text that is a plain number ("-3"), stay as they are."""
    if not isinstance(value, str) or not value or not _FORMULA_START.match(value):
        return value
    if _PLAIN_NUMBER.fullmatch(value):
        return value
    return "'" + value


def csv_row(values: Iterable[Any], *, raw: bool = False) -> list[Any]:
    return list(values) if raw else [csv_cell(value) for value in values]


class _Literal:
    """Renders another renderable with its text cleaned (Rich's own control segments pass): the net
    under ``Text`` objects built from crawled text without ``clean``."""

    def __init__(self, inner: ConsoleRenderable) -> None:
        self.inner = inner

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        for segment in console.render(self.inner, options):
            if segment.control:
                yield segment
            else:
                yield Segment(clean(segment.text), segment.style)


class _LiteralConsole(Console):
    """Cleans every string before Rich turns it into text (cells, titles, printed strings)."""

    def render_str(self, text: str, **options: Any) -> Text:
        return super().render_str(clean(text), **options)


class _CleanHook(RenderHook):
    def process_renderables(self, renderables: list[ConsoleRenderable]) -> list[ConsoleRenderable]:
        return [_Literal(renderable) for renderable in renderables]


def terminal(
    width: int | None = None, *, stderr: bool = False, file: IO[str] | None = None, color: bool | None = None
) -> Console:
    """A console for crawled text: no markup, no emoji codes, no highlighting, control characters removed.

    Piped output gets ``width`` (default 100) columns rather than Rich's 80, so tables stay readable.
    ``file`` and ``color`` (force colours on) are for tests.
    """
    stream = file or (sys.stderr if stderr else sys.stdout)
    if width is None and not stream.isatty():
        width = 100
    console = _LiteralConsole(
        stderr=stderr,
        file=file,
        force_terminal=color,
        color_system="truecolor" if color else "auto",
        markup=False,
        emoji=False,
        highlight=False,
        soft_wrap=False,
        width=width,
    )
    console.push_render_hook(_CleanHook())
    return console
