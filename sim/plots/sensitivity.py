"""Sensitivity indices of KPIs to the experiment's ranges, with their bootstrap confidence
intervals: the table of `sim.sweep.sensitivity` (or `sensitivity.csv`), a panel per KPI."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.plots.fonts import chart_language
from sim.plots.style import arm_colours, kpi_scale, labelled, new_figure, title
from sim.sweep.sensitivity import MEASURES
from sim.terms import Lang, kpi_kind, kpi_name, kpi_unit, word

#: Panels in a row.
PANELS_PER_ROW = 2
#: Hatching of each index (colour is the arm).
HATCHES = {"S1": "", "ST": "//", "S2": "..", "mu_star": ""}


def sensitivity_chart(indices: pd.DataFrame, lang: Lang = "en") -> Figure:
    """Each range's indices as horizontal bars with their confidence intervals, a panel per KPI
    and a group of bars per parameter: Sobol first-order and total indices (and second-order
    ones of pairs), Morris μ* (in the KPI's unit) or RBD-FAST first-order indices; bars
    coloured by arm, hatched by index. Returns the figure."""
    lang = chart_language(lang)
    if indices.empty:
        raise ValueError("no sensitivity indices to chart")
    method = str(indices["method"].iloc[0])
    measures = [*MEASURES[method], *(("S2",) if "S2" in indices else ())]
    arms = list(dict.fromkeys(indices["arm"]))
    colours = arm_colours(arms)
    kpis = list(dict.fromkeys(indices["kpi"]))
    ncols = min(PANELS_PER_ROW, len(kpis))
    figure, grid = new_figure(math.ceil(len(kpis) / ncols), ncols)
    for axis, kpi in zip(grid.flat, kpis, strict=False):
        rows = indices[indices["kpi"] == kpi]
        parameters = list(dict.fromkeys(rows["parameter"]))
        bars = [(arm, m) for arm in arms for m in measures]
        height = 0.8 / len(bars)
        scale = kpi_scale(kpi) if method == "morris" else 1.0
        for k, (arm, measure) in enumerate(bars):
            chosen = rows[rows["arm"] == arm].set_index("parameter").reindex(parameters)
            if measure not in chosen or chosen[measure].isna().all():
                continue
            y = np.arange(len(parameters)) - 0.4 + (k + 0.5) * height
            axis.barh(
                y,
                chosen[measure] * scale,
                height=height,
                xerr=chosen.get(f"{measure}_conf", pd.Series(np.nan, index=parameters)) * scale,
                color=colours[arm],
                hatch=HATCHES.get(measure, ""),
                edgecolor="white",
                ecolor="#333333",
                capsize=3,
                label=_legend(arm, measure, len(arms), lang),
            )
        axis.set_yticks(range(len(parameters)), labels=parameters, fontsize=9)
        axis.set_ylim(len(parameters) - 0.5, -0.5)
        axis.axvline(0, color="#444444", lw=1)
        axis.set_title(kpi_name(kpi, lang), fontsize=11)
        axis.set_xlabel(_axis_label(kpi, method, lang))
        axis.grid(alpha=0.3, axis="x")
        axis.legend(fontsize=9, loc="lower right")
    for axis in list(grid.flat)[len(kpis) :]:
        axis.set_visible(False)
    title(figure, word("chart_sensitivity", lang))
    return figure


def _legend(arm: str, measure: str, arms: int, lang: Lang) -> str:
    name = word(measure, lang)
    return f"{arm}: {name}" if arms > 1 else name


def _axis_label(kpi: str, method: str, lang: Lang) -> str:
    """The x axis: an index (no unit), or for Morris μ* in the KPI's unit (% for shares)."""
    if method != "morris":
        return word("index", lang)
    unit = "%" if kpi_kind(kpi) == "share" else kpi_unit(kpi, lang)
    return labelled(word("mu_star", lang), unit, lang)
