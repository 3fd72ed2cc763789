"""The charts of a report, drawn by sim.plots and saved at slide resolution (`sim.plots.save`),
each with its caption (sim.terms `cap_*`):

- a run: the closed-loop backlog with open tasks, response times (Kaplan–Meier), the time budget,
  the grids as a map coloured by backlog, the offered load;
- a sweep: per combination of factor levels, the backlog through the switch by arm with
  ribbons over the replications and the response-time distributions; the paired differences
  against the reference (a forest plot), the cost–response frontier; the time budget when there
  are no factors; the sensitivity indices when the design has ranges."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
from matplotlib.figure import Figure

from sim.plots import (
    backlog_chart,
    chart_language,
    difference_chart,
    frontier_chart,
    grid_map_chart,
    offered_load_chart,
    response_time_chart,
    save,
    sensitivity_chart,
    time_budget_chart,
)
from sim.report.numbers import column
from sim.terms import Lang, kpi_name, word

if TYPE_CHECKING:
    from sim.report.study import Cell, Study
    from sim.runner import Result

#: The response time on the frontier's axis: the median time to close where every run reaches
#: it, else the share of cases still open at the end (lower is better for both).
FRONTIER_RESPONSE = ("time_to_close_h.km_p50", "time_to_close_h.open_share")
#: The cost on its other axis: the staff's pay where it differs between arms; in a surge, else
#: the hours of mobilised members, else overtime (an emergency plan's price is in hours).
FRONTIER_COST = ("cost_yuan",)
SURGE_COST = ("emergency.mobilised_hours", "overtime_hours")


@dataclass(frozen=True)
class Chart:
    """A chart saved as `path` (PNG, slide resolution), its caption and its title."""

    name: str
    path: Path
    caption: str
    title: str

    @property
    def png(self) -> bytes:
        return self.path.read_bytes()


def draw(
    study: Study,
    lang: Lang,
    out: Path,
    compared: pd.DataFrame | None = None,
    indices: pd.DataFrame | None = None,
) -> list[Chart]:
    """Draw the study's charts in `lang`, save each as `out`/<name>.png and return them in the
    order the report shows them."""
    drawn_in = chart_language(lang)  # English when no CJK font is found; captions stay in `lang`
    plans = run_charts(study) if study.kind == "run" else sweep_charts(study, compared, indices)
    charts = []
    for name, drawing, caption in plans:
        figure = drawing(drawn_in)
        title = figure.get_suptitle() if hasattr(figure, "get_suptitle") else name
        path = save(figure, out / f"{name}.png")
        charts.append(Chart(name, path, caption(lang), title or name))
    return charts


Plan = tuple[str, Callable[[Lang], Figure], Callable[[Lang], str]]


def _caption(key: str, **fields: object) -> Callable[[Lang], str]:
    return lambda lang: word(key, lang).format(**fields)


def run_charts(study: Study) -> list[Plan]:
    """A run's charts: backlog (with tasks), response times, time budget, grid map, load."""
    result = study.first
    return [
        (
            "backlog",
            lambda lang: backlog_chart(result, lang, tasks=True),
            _caption("cap_backlog_run"),
        ),
        ("response", lambda lang: response_time_chart(result, lang), _caption("cap_response_run")),
        ("time_budget", lambda lang: time_budget_chart(result, lang), _caption("cap_budget")),
        ("grid_map", lambda lang: grid_map_chart(result, "backlog", lang), _caption("cap_map")),
        ("offered_load", lambda lang: offered_load_chart(result, lang), _caption("cap_load")),
    ]


def sweep_charts(
    study: Study, compared: pd.DataFrame | None, indices: pd.DataFrame | None
) -> list[Plan]:
    """A sweep's charts (see the module's docstring)."""
    plans: list[Plan] = []
    tasks = study.has_incidents
    for cell in study.cells:
        suffix = f"_{_slug(cell.label)}" if cell.label else ""
        plans.append(
            (
                f"backlog{suffix}",
                lambda lang, cell=cell: backlog_chart(_named(study, cell, lang), lang, tasks=tasks),
                _in_cell(study, cell, "cap_backlog"),
            )
        )
        plans.append(
            (
                f"response{suffix}",
                lambda lang, cell=cell: response_time_chart(_named(study, cell, lang), lang),
                _in_cell(study, cell, "cap_response"),
            )
        )
    if compared is not None and not compared.empty:
        plans.append(
            (
                "differences",
                lambda lang: difference_chart(compared, lang, study.labels),
                lambda lang: word("cap_differences", lang).format(
                    reference=study.arm_name(study.reference, lang)
                ),
            )
        )
    cost = _frontier_cost(study)
    if len(study.arms) > 1 and cost is not None:
        response = _frontier_response(study)
        plans.append(
            (
                "frontier",
                lambda lang: frontier_chart(study.table, lang, cost, response, labels=study.labels),
                lambda lang: word("cap_frontier", lang).format(
                    cost=kpi_name(cost, lang), response=kpi_name(response, lang)
                ),
            )
        )
    if len(study.cells) == 1:
        cell = study.cells[0]
        plans.append(
            (
                "time_budget",
                lambda lang: time_budget_chart(_named(study, cell, lang), lang),
                _caption("cap_budget"),
            )
        )
    if indices is not None and not indices.empty:
        plans.append(
            (
                "sensitivity",
                lambda lang: sensitivity_chart(indices, lang),
                _caption("cap_sensitivity"),
            )
        )
    return plans


def _in_cell(study: Study, cell: Cell, key: str) -> Callable[[Lang], str]:
    """A caption, led by the combination of factor levels it is drawn at."""

    def caption(lang: Lang) -> str:
        title = study.cell_title(cell, lang)
        lead = word("cap_cell", lang).format(cell=title) if title else ""
        return lead + word(key, lang)

    return caption


def _named(study: Study, cell: Cell, lang: Lang) -> dict[str, list[Result]]:
    """A cell's runs by arm, each arm under its name (the experiment's `labels:`)."""
    return {study.arm_name(arm, lang): runs for arm, runs in cell.arms.items()}


def _frontier_cost(study: Study) -> str | None:
    """The frontier's cost: the first of FRONTIER_COST (and SURGE_COST in a surge) that differs
    between arms (None if none does: every arm costs the same, and a frontier says nothing)."""
    for kpi in FRONTIER_COST + (SURGE_COST if study.has_incidents else ()):
        values = study.table.get(column(kpi))
        if values is not None and values.round(6).nunique() > 1:
            return kpi
    return None


def _frontier_response(study: Study) -> str:
    """The frontier's response KPI: the first of FRONTIER_RESPONSE every run has."""
    for kpi in FRONTIER_RESPONSE:
        if column(kpi) in study.table and study.table[column(kpi)].notna().all():
            return kpi
    return FRONTIER_RESPONSE[-1]


def _slug(text: str) -> str:
    """A file-name part: letters, digits, dots, underscores and dashes."""
    return re.sub(r"[^0-9A-Za-z._]+", "-", text).strip("-")
