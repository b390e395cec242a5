"""Drawing a value series with matplotlib (imported only when a plot is asked for)."""

from __future__ import annotations

import logging
import warnings

from matplotlib import font_manager

log = logging.getLogger(__name__)

_CJK_FONT_HINTS = ("Noto Sans CJK", "Noto Serif CJK", "WenQuanYi", "Source Han", "SimHei", "AR PL")


def _known_cjk_font() -> str | None:
    for font in font_manager.fontManager.ttflist:
        if any(hint in font.name for hint in _CJK_FONT_HINTS):
            return font.name
    return None


def _cjk_font() -> str | None:
    """A CJK font matplotlib can use; fonts installed after matplotlib built its cache are added."""
    found = _known_cjk_font()
    if found is None:
        for path in font_manager.findSystemFonts():
            if any(
                hint.replace(" ", "") in path.replace(" ", "")
                for hint in ("NotoSansCJK", "NotoSerifCJK", "wqy")
            ):
                font_manager.fontManager.addfont(path)
        found = _known_cjk_font()
    if found is None:
        log.warning(
            "no CJK font found: Chinese labels in %s will show as boxes "
            "(install one, e.g. Debian's fonts-noto-cjk)",
            "the plot",
        )
    return found


def plot_series(key: str, table: dict[tuple[str, str], dict[int, float | None]], path: str) -> None:
    """One line per publishing body; years on the x axis. Chinese labels need a CJK font installed."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    font = _cjk_font()
    if font:
        plt.rcParams["font.sans-serif"] = [font, *plt.rcParams["font.sans-serif"]]
    figure, axes = plt.subplots(figsize=(10, 5.5))
    for (district, agency), values in sorted(table.items()):
        points = sorted((year, value) for year, value in values.items() if value is not None)
        if points:
            axes.plot([p[0] for p in points], [p[1] for p in points], marker="o", label=agency or district)
    axes.set_title(key)
    axes.set_xlabel("year")
    axes.xaxis.get_major_locator().set_params(integer=True)
    if len(table) <= 20:
        axes.legend(fontsize="small")
    with warnings.catch_warnings():
        # Without a CJK font installed (e.g. Debian's fonts-noto-cjk) Chinese labels show as boxes.
        warnings.filterwarnings("ignore", message="Glyph .* missing from font")
        figure.tight_layout()
        figure.savefig(path, dpi=120)
    plt.close(figure)
