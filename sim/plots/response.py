"""First response and time to close by arm, as distributions that count the cases still waiting
at the end: the Kaplan–Meier estimate, as the KPIs' `km_p50` and `km_p90` are read off it."""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from sim.metrics.censoring import km_curve, km_quantiles
from sim.plots.fonts import chart_language
from sim.plots.runs import Milestone, Runs, by_arm, censored_times
from sim.plots.style import arm_colours, colon, kpi_label, labelled, new_figure, title
from sim.terms import STATISTICS, UNITS, Lang, kpi_name, shown, word

#: The panels: milestone and the KPI it is.
PANELS: tuple[tuple[Milestone, str], ...] = (
    ("first_response", "first_response_h"),
    ("close", "time_to_close_h"),
)
#: Beyond this many hours the time axis is logarithmic (beyond its first hour).
LOG_BEYOND_H = 48.0
#: The levels marked on each curve, with their statistic in sim.terms.
LEVELS: tuple[tuple[float, str, str], ...] = ((0.5, "p50", "o"), (0.9, "p90", "s"))


def response_time_chart(runs: Runs, lang: Lang = "en") -> Figure:
    """Hours to first response and to close of the closed-loop cases created after the warm-up
    (replications pooled), per arm: the Kaplan–Meier estimate of the share of cases that got
    there by each time, cases still waiting at the end counted as censored (so a curve ends
    below 100 % rather than dropping them), its median and P90 marked. x: hours (logarithmic
    beyond the first hour when longer than two days); y: % of the cases. Returns the figure."""
    lang = chart_language(lang)
    arms = by_arm(runs)
    colours = arm_colours(arms)
    figure, grid = new_figure(1, len(PANELS), sharey=True)
    for axis, (milestone, kpi) in zip(grid[0], PANELS, strict=True):
        for arm, results in arms.items():
            hours, reached = censored_times(results, milestone)
            _curve(axis, hours, reached, colours[arm], arm, lang)
        for level, _, _ in LEVELS:
            axis.axhline(100 * level, color="#999999", lw=0.8, ls=":")
        axis.set_title(kpi_name(kpi, lang))
        axis.set_xlabel(kpi_label(kpi, lang))
        _hours_axis(axis)
        axis.set_ylim(0, 102)
        axis.grid(alpha=0.3)
        axis.legend(loc="lower right", fontsize=9)
    grid[0, 0].set_ylabel(labelled(word("km_share", lang), UNITS["share"](lang), lang))
    title(figure, word("chart_response", lang))
    return figure


def _hours_axis(axis: Axes) -> None:
    """Hours from 0: linear up to two days, else logarithmic beyond the first hour."""
    if axis.get_xlim()[1] > LOG_BEYOND_H:
        axis.set_xscale("symlog", linthresh=1.0)
        axis.xaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
    axis.set_xlim(left=0)


def _curve(
    axis: Axes, hours: np.ndarray, reached: np.ndarray, colour: str, arm: str, lang: Lang
) -> None:
    """One arm's Kaplan–Meier curve with its median and P90 marked and told in the legend."""
    times, shares = km_curve(hours, reached)
    if len(times):
        axis.step([0.0, *times], [0.0, *(100 * shares)], where="post", color=colour, lw=2)
    quantiles = km_quantiles(hours, reached, [level for level, _, _ in LEVELS])
    told = []
    for level, statistic, marker in LEVELS:
        value = quantiles[level]
        name = STATISTICS[statistic](lang)
        if value is None:
            told.append(f"{name} {word('not_reached', lang)}")
            continue
        axis.plot([value], [100 * level], marker=marker, color=colour, ms=8, ls="none")
        axis.vlines(value, 0, 100 * level, color=colour, lw=1, ls="--")
        told.append(f"{name} {shown(value, 'h', lang, 1)} {UNITS['h'](lang)}")
    open_share = float((~reached).mean()) if len(reached) else 0.0
    told.append(f"{STATISTICS['open_share'](lang)} {shown(open_share, 'share', lang)} %")
    separator = "，" if lang == "zh" else ", "
    axis.plot([], [], color=colour, lw=2, label=colon(arm, separator.join(told), lang))
