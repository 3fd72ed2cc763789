"""Cost against response time across arms: each arm's mean over replications with confidence
intervals on both axes, the arms no other arm beats on both marked (the Pareto frontier)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from scipy import stats

from sim.plots.fonts import chart_language
from sim.plots.levels import in_value_order
from sim.plots.style import arm_colours, kpi_label, kpi_scale, new_figure, note, title
from sim.terms import Labels, Lang, setting, word

#: Panels in a row (one per combination of factor levels).
PANELS_PER_ROW = 3


def frontier_chart(
    table: pd.DataFrame,
    lang: Lang = "en",
    cost: str = "cost_yuan",
    response: str = "first_response_h.mean",
    confidence: float = 0.95,
    labels: Labels = None,
) -> Figure:
    """Per arm, the mean `cost` against the mean `response` (KPI paths of summary.json, `kpi.`
    prefix optional) over its replications, with `confidence` intervals (Student t) on both;
    filled markers and a line for the efficient arms — none other both cheaper and faster —
    hollow for the dominated. `table` is the runs table (`sim.sweep.load_results`); each
    combination of factor levels is a panel of its own. Runs missing a KPI are left out, and
    said so. `labels`: the names the experiment gives its arms and factors. Returns the
    figure."""
    lang = chart_language(lang)
    cost, response = (k if k.startswith("kpi.") else f"kpi.{k}" for k in (cost, response))
    for column in (cost, response):
        if column not in table:
            raise ValueError(f"the runs table has no column {column!r}")
    table = table[table["status"] == "ok"]
    colours = arm_colours(table["arm"])
    factors = [c for c in table.columns if c.startswith("factor.")]
    cells = _cells(table, factors, lang, labels)
    ncols = min(PANELS_PER_ROW, len(cells))
    figure, grid = new_figure(math.ceil(len(cells) / ncols), ncols, sharex=True, sharey=True)
    for axis, (label, runs) in zip(grid.flat, cells, strict=False):
        points = _points(runs, cost, response, confidence)
        _draw(axis, points, colours, lang, labels)
        missing = len(runs) - int(runs[[cost, response]].notna().all(axis=1).sum())
        if missing:
            note(axis, f"{missing} / {len(runs)} {word('not_available', lang)}")
        if label:
            axis.set_title(label, fontsize=11)
        axis.set_xlabel(kpi_label(response, lang))
        axis.set_ylabel(kpi_label(cost, lang))
        axis.grid(alpha=0.3)
    for axis in list(grid.flat)[len(cells) :]:
        axis.set_visible(False)
    title(figure, word("chart_frontier", lang))
    return figure


def _cells(
    table: pd.DataFrame, factors: list[str], lang: Lang, labels: Labels
) -> list[tuple[str, pd.DataFrame]]:
    """The runs of each combination of factor levels, in the order of their values, with a
    label naming the levels (empty without factors)."""
    if not factors:
        return [("", table)]
    cells, values = [], []
    for keys, runs in table.groupby(factors, sort=False, dropna=False):
        keys = keys if isinstance(keys, tuple) else (keys,)
        label = ", ".join(
            setting(f, v, lang, labels, None) for f, v in zip(factors, keys, strict=True)
        )
        cells.append((label, runs))
        values.append(keys)
    return in_value_order(cells, values)


def _points(runs: pd.DataFrame, cost: str, response: str, confidence: float) -> pd.DataFrame:
    """Per arm: mean and CI half-width of response (x) and cost (y), and whether efficient."""
    rows = []
    for arm, group in runs.groupby("arm", sort=False):
        row = {"arm": arm}
        for axis, column in (("x", response), ("y", cost)):
            values = group[column].dropna().astype(float) * kpi_scale(column)
            row[axis] = values.mean() if len(values) else np.nan
            row[f"{axis}_half"] = _half_width(values, confidence)
        rows.append(row)
    points = pd.DataFrame(rows).dropna(subset=["x", "y"])
    points["efficient"] = [
        not (
            (points["x"] <= p.x)
            & (points["y"] <= p.y)
            & ((points["x"] < p.x) | (points["y"] < p.y))
        ).any()
        for p in points.itertuples()
    ]
    return points


def _half_width(values: pd.Series, confidence: float) -> float:
    """Half-width of the Student-t confidence interval of the mean (0 for fewer than 2)."""
    if len(values) < 2:
        return 0.0
    return float(stats.t.ppf(0.5 + confidence / 2, len(values) - 1) * values.sem())


def _draw(
    axis: Axes, points: pd.DataFrame, colours: dict[str, str], lang: Lang, labels: Labels
) -> None:
    for p in points.itertuples():
        axis.errorbar(
            p.x, p.y, xerr=p.x_half, yerr=p.y_half, fmt="o", ms=10, capsize=4,
            color=colours[p.arm], mfc=colours[p.arm] if p.efficient else "white", mew=2,
            label=setting("arm", p.arm, lang, labels, None),
        )  # fmt: skip
        axis.annotate(
            setting("arm", p.arm, lang, labels, None),
            (p.x, p.y),
            xytext=(8, 8),
            textcoords="offset points",
            fontsize=9,
        )
    efficient = points[points["efficient"]].sort_values("x")
    if len(efficient):
        axis.plot(efficient["x"], efficient["y"], color="#333333", lw=1.5, ls="--",
                  label=word("efficient", lang), zorder=0)  # fmt: skip
    axis.plot([], [], "o", mfc="white", mec="#333333", mew=2, label=word("dominated", lang))
    axis.legend(fontsize=9, loc="best")
