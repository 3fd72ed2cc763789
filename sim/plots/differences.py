"""Paired differences between arms with their confidence intervals: a forest plot of
`sim.sweep.compare.paired_comparisons` (or `compare.csv`), a panel per KPI."""

from __future__ import annotations

import math

import pandas as pd
from matplotlib.figure import Figure

from sim.plots.fonts import chart_language
from sim.plots.levels import in_value_order
from sim.plots.style import arm_colours, kpi_scale, labelled, new_figure, title
from sim.terms import Labels, Lang, difference_unit, kpi_kind, kpi_name, setting, word

#: Columns of a comparison that are not labels of what is compared.
MEASURE_COLUMNS = (
    "kpi",
    "n",
    "mean_a",
    "mean_b",
    "diff",
    "ci_low",
    "ci_high",
    "p_value",
    "share_b_higher",
)
#: Panels in a row.
PANELS_PER_ROW = 3


def difference_chart(comparisons: pd.DataFrame, lang: Lang = "en", labels: Labels = None) -> Figure:
    """The mean paired difference (arm − reference, replication by replication on common random
    numbers) with its confidence interval, one panel per KPI and one row per comparison — an
    arm, or a factor's level with `--along`, within each combination of the other arms and
    factors; zero marked. x: the KPI's unit, shares in percentage points. `labels`: the names
    the experiment gives its arms and factors (`Experiment.label_terms`). Returns the figure."""
    lang = chart_language(lang)
    if comparisons.empty:
        raise ValueError("no comparisons to chart (fewer than 2 pairs?)")
    along = comparisons.columns[0]  # paired_comparisons puts the column compared first
    others = [c for c in comparisons.columns[2:] if c not in MEASURE_COLUMNS]
    rows_named = [_row_label(row, along, others, lang, labels) for _, row in comparisons.iterrows()]
    table = comparisons.assign(row=rows_named)
    rows = _ordered(table, along)
    position = {label: i for i, label in enumerate(rows)}
    arms = table["arm"] if "arm" in table else pd.Series(["arm"] * len(table), index=table.index)
    # the reference arm first, so each arm has the colour it has on the other charts
    colours = arm_colours([*(table["reference"] if along == "arm" else []), *arms])
    kpis = list(dict.fromkeys(table["kpi"]))
    ncols = min(PANELS_PER_ROW, len(kpis))
    nrows = math.ceil(len(kpis) / ncols)
    figure, grid = new_figure(nrows, ncols, sharey=True)
    for axis, kpi in zip(grid.flat, kpis, strict=False):
        scale = kpi_scale(kpi)
        for index, row in table[table["kpi"] == kpi].iterrows():
            diff = row["diff"] * scale
            axis.errorbar(
                diff,
                position[row["row"]],
                xerr=[[diff - row["ci_low"] * scale], [row["ci_high"] * scale - diff]],
                fmt="o",
                color=colours[arms[index]],
                capsize=4,
                ms=7,
            )
        axis.axvline(0, color="#444444", lw=1)
        axis.set_title(kpi_name(kpi, lang), fontsize=11)
        unit = difference_unit(kpi_kind(kpi), lang)
        axis.set_xlabel(labelled(word("difference", lang), unit, lang))
        axis.grid(alpha=0.3, axis="x")
    for axis in list(grid.flat)[len(kpis) :]:
        axis.set_visible(False)
    grid[0, 0].set_yticks(range(len(rows)), labels=rows)
    grid[0, 0].set_ylim(len(rows) - 0.5, -0.5)
    references = ", ".join(
        setting("arm", r, lang, labels, None) for r in dict.fromkeys(table["reference"])
    )
    title(figure, word("chart_differences", lang).format(reference=references))
    return figure


def _row_label(row: pd.Series, along: str, others: list[str], lang: Lang, labels: Labels) -> str:
    """What a row compares: the level, and the levels of the other arms and factors it is
    compared within."""
    return " · ".join(setting(c, row[c], lang, labels, None) for c in [along, *others])


def _ordered(table: pd.DataFrame, along: str) -> list[str]:
    """The rows in the order they come; a factor's levels in the order of their values."""
    first = table.drop_duplicates("row")
    labels = list(first["row"])
    return labels if along == "arm" else in_value_order(labels, [[v] for v in first[along]])
