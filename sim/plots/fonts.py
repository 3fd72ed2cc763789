"""A font for Chinese text on charts. matplotlib's own fonts have no CJK glyphs (Chinese comes
out as boxes), so `chart_language("zh")` looks for a CJK font — Noto Sans CJK SC (Debian:
`apt-get install fonts-noto-cjk`), else WenQuanYi Zen Hei (`fonts-wqy-zenhei`), else any CJK
font matplotlib already knows — registers its file with matplotlib's font manager (whose cache
may predate the install) and appends it to matplotlib's font families as a fallback: Latin text
looks as it did, and characters the usual font lacks come from the CJK font. Without one,
Chinese charts fall back to English with a one-line warning."""

from __future__ import annotations

import functools
import warnings
from pathlib import Path

import matplotlib
from matplotlib import font_manager

from sim.terms import Lang

#: Font files tried in order, with the family to use from each.
CJK_FONTS: tuple[tuple[str, str], ...] = (
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", "Noto Sans CJK SC"),
    ("/usr/share/fonts/opentype/noto-cjk/NotoSansCJK-Regular.ttc", "Noto Sans CJK SC"),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", "WenQuanYi Zen Hei"),
    ("/usr/share/fonts/wenquanyi/wqy-zenhei/wqy-zenhei.ttc", "WenQuanYi Zen Hei"),
)
#: Families matplotlib may know already (registered by the user or cached), in order.
KNOWN_FAMILIES: tuple[str, ...] = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Microsoft YaHei",
    "SimHei",
    "PingFang SC",
)


@functools.cache
def cjk_family() -> str | None:
    """The family name of a CJK font matplotlib can use, after registering its file and
    appending it to the font families as a fallback (once per process); None if the machine
    has none."""
    family = None
    for path, name in CJK_FONTS:
        if Path(path).is_file():
            font_manager.fontManager.addfont(path)
            family = name
            break
    if family is None:
        known = {font.name for font in font_manager.fontManager.ttflist}
        family = next((name for name in KNOWN_FAMILIES if name in known), None)
    if family is not None:
        families = list(matplotlib.rcParams["font.family"])
        if family not in families:
            matplotlib.rcParams["font.family"] = [*families, family]
    return family


def chart_language(lang: Lang) -> Lang:
    """The language a chart is drawn in: `lang`, or English (with a warning) when `lang` is
    Chinese and no CJK font is found."""
    if lang not in ("en", "zh"):
        raise ValueError(f"lang must be 'en' or 'zh', got {lang!r}")
    found = cjk_family()  # also for English: a scenario's names may be Chinese
    if lang == "zh" and found is None:
        warnings.warn(
            "no CJK font found (install fonts-noto-cjk): the chart is drawn in English",
            stacklevel=3,
        )
        return "en"
    return lang
