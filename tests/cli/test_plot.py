"""`reports series --plot` draws Chinese labels with a CJK font, and says so loudly when none is found."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from cli import plot

TABLE = {("长寿区", "重庆市长寿区"): {2019: 10.0, 2020: 12.0, 2021: None, 2022: 9.0}}


def test_a_cjk_font_is_found_and_the_plot_is_written(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    assert plot._cjk_font() is not None, "no CJK font: apt-get install fonts-noto-cjk (.ci/run does)"
    target = tmp_path / "series.png"
    plot.plot_series("requests.new_received.total", TABLE, str(target))
    assert target.read_bytes().startswith(b"\x89PNG")
    assert "no CJK font" not in caplog.text


def test_without_a_cjk_font_the_plot_warns(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(plot, "_CJK_FONT_HINTS", ("No Such Font Family",))
    monkeypatch.setattr(plot.font_manager, "findSystemFonts", list)
    caplog.set_level(logging.WARNING)
    assert plot._cjk_font() is None
    assert "no CJK font found" in caplog.text
