"""Curves over simulated time shared by the time charts: the time axis (hours, or days beyond
three days), a replication ribbon (median and band) and the operating modes as shaded spans."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.patches import Patch

from sim.plots.style import MODE_SHADES, colon
from sim.terms import Lang, word

#: Beyond this many hours the time axis is in days.
DAYS_BEYOND_H = 72.0
#: From this many runs the band is the 10th–90th percentile, below it the range.
PERCENTILE_RUNS = 10


def time_scale(end_h: float, lang: Lang) -> tuple[float, str]:
    """What hours are divided by on the time axis (1 or 24) and the axis's label."""
    if end_h > DAYS_BEYOND_H:
        return 24.0, word("time_d", lang)
    return 1.0, word("time_h", lang)


def ribbon(
    axis: Axes, curves: Sequence[pd.Series], per: float, colour: str, label: str, style: str = "-"
) -> str | None:
    """Draw the median of `curves` (one per run, indexed by hour) and, with several runs, a band
    around it; x is hours / `per`. Returns what the band is ("range of 3 runs"), None for one
    run."""
    table = pd.concat(list(curves), axis=1).sort_index()
    x = table.index.to_numpy(float) / per
    axis.plot(x, table.median(axis=1), color=colour, ls=style, lw=2, label=label)
    n = table.shape[1]
    if n < 2:
        return None
    if n >= PERCENTILE_RUNS:
        low, high, what = table.quantile(0.1, axis=1), table.quantile(0.9, axis=1), "runs_p10_p90"
    else:
        low, high, what = table.min(axis=1), table.max(axis=1), "runs_range"
    axis.fill_between(x, low, high, color=colour, alpha=0.2, lw=0)
    return what


def shade_runs(
    axis: Axes,
    runs_spans: Sequence[Sequence[tuple[float, float, str]]],
    per: float,
    row: tuple[float, float] = (0.0, 1.0),
) -> set[str]:
    """Shade each run's spans of time in a mode other than peacetime, between fractions `row`
    of the axes' height, each run with a 1/n share of the opacity (a mode every run was in at
    a time is shaded fully; one only some runs were in, lightly). Returns the modes shaded."""
    alpha = 1.0 / max(len(runs_spans), 1)
    shaded = set()
    for spans in runs_spans:
        for start, end, mode in spans:
            shade = MODE_SHADES.get(mode.split()[0])
            if shade is not None:
                axis.axvspan(start / per, end / per, *row, color=shade, alpha=alpha, zorder=0, lw=0)
                shaded.add(mode.split()[0])
    return shaded


def mode_handles(modes: set[str], lang: Lang) -> list[Patch]:
    """Legend entries of the modes shaded, in a fixed order."""
    return [
        Patch(color=shade, label=colon(word("mode", lang), word(mode, lang), lang))
        for mode, shade in MODE_SHADES.items()
        if mode in modes
    ]
