"""Runs as the charts take them, and what the charts read from a run: one `Result` (`sim.run`,
`sim.load_run`), several replications of one arm (a list), or arms of a study ({arm: results},
as `sim.sweep.load_runs` returns them); the closed-loop backlog and open tasks by hour, the spans
of time in each mode, and censored times to first response and to close."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Literal, TypeAlias

import numpy as np
import pandas as pd

from sim.metrics.events import mode_spans
from sim.metrics.kpis import censored_hours
from sim.rng import Streams
from sim.vocabulary import ACTIVITIES, CLOSED_LOOP_KINDS, JOB_ACTIVITIES, TASK_KINDS
from sim.world import World

if TYPE_CHECKING:
    from sim.runner import Result

#: One run, replications of one arm, or arms of a study.
Runs: TypeAlias = "Result | Sequence[Result] | Mapping[str, Result | Sequence[Result]]"
#: The mode before any plan acts.
FIRST_MODE = "peacetime"


def by_arm(runs: Runs) -> dict[str, list[Result]]:
    """The runs as {arm: [Result, …]}, arms in the order given; a run or a list of runs is one
    arm named after its scenario."""
    if isinstance(runs, Mapping):
        grouped = {str(arm): _listed(results) for arm, results in runs.items()}
    else:
        results = _listed(runs)
        grouped = {results[0].scenario.name: results} if results else {}
    if not grouped or not all(grouped.values()):
        raise ValueError("no runs to chart")
    return grouped


def _listed(results: Result | Sequence[Result]) -> list[Result]:
    return list(results) if isinstance(results, Sequence) else [results]


def horizon(result: Result) -> float:
    """The run's horizon in hours."""
    return float(result.summary["horizon_h"])


def warmup(result: Result) -> float:
    """The run's warm-up in hours (cases created before it are not counted)."""
    return float(result.summary.get("warmup_h", 0.0))


def closed_loop_backlog(result: Result) -> pd.Series:
    """Closed-loop cases open at the end of each hour, summed over the units (the same count as
    `backlog_end`), indexed by the hour's end t_h."""
    return result.timeseries.groupby("t_h", observed=True)["backlog"].sum()


def open_tasks(result: Result) -> pd.DataFrame:
    """Tasks of each kind (incident, admin, revisit, warning) open at the end of each hour,
    summed over the units: a column per kind the run has, indexed by t_h."""
    columns = [f"open_{kind}" for kind in TASK_KINDS if f"open_{kind}" in result.timeseries]
    table = result.timeseries.groupby("t_h", observed=True)[columns].sum()
    return table.rename(columns=lambda c: c.removeprefix("open_"))


def spans(result: Result) -> list[tuple[float, float, str]]:
    """The run's time in each mode as (from, to, mode) in hours: from the event log's mode
    changes (exact), else from the time series' hourly mode (a change is placed at the start
    of the hour whose end first shows it: within an hour)."""
    events = result.events
    if len(events) and (events["event"] == "mode").any():
        return mode_spans(events, FIRST_MODE, (0.0, horizon(result)))
    hourly = result.timeseries.groupby("t_h", observed=True)["mode"].first()
    if hourly.empty:
        return [(0.0, horizon(result), FIRST_MODE)]
    changes = hourly[hourly.astype(str) != hourly.astype(str).shift()]
    starts = [0.0, *(t - 1.0 for t in changes.index[1:])]  # the mode at an hour's end
    ends = [*starts[1:], horizon(result)]
    return [(a, b, str(m)) for a, b, m in zip(starts, ends, changes, strict=True)]


Milestone = Literal["first_response", "close"]
#: The column each milestone of a case is reached at.
MILESTONES: dict[str, str] = {"first_response": "accepted_h", "close": "closed_h"}


def censored_times(results: Sequence[Result], milestone: Milestone) -> tuple[np.ndarray, ...]:
    """Hours from creation to the milestone of the closed-loop cases created after the warm-up
    of each run, pooled: (hours, reached), the hours of cases that had not got there counted to
    the run's horizon and marked not reached (right-censored), as the KPIs count them."""
    hours, reached = [], []
    for result in results:
        cases = result.cases
        counted = cases[
            cases["kind"].isin(CLOSED_LOOP_KINDS) & (cases["created_h"] >= warmup(result))
        ]
        h, r = censored_hours(counted["created_h"], counted[MILESTONES[milestone]], horizon(result))
        hours.append(h.to_numpy(float))
        reached.append(r.to_numpy(bool))
    return np.concatenate(hours), np.concatenate(reached)


def scenario_labels(results: Sequence[Result]) -> dict[str, str]:
    """Chinese labels (`label_zh`) the runs' scenarios give their teams and incidents."""
    labels: dict[str, str] = {}
    for result in results:
        scenario = result.scenario
        for name, part in [*scenario.all_teams().items(), *scenario.incidents.items()]:
            if getattr(part, "label_zh", ""):
                labels[name] = part.label_zh
    return labels


def world_of(result: Result) -> World:
    """The world the run simulated: built again from its scenario and seed (the same streams
    draw the same households and grid sizes)."""
    streams = Streams(result.seed)
    return World(result.scenario.world, streams.get("households"), streams.get("grid_sizes"))


def grid_backlog(result: Result) -> pd.Series:
    """Each grid's mean closed-loop backlog over the hours after the warm-up (open cases), by
    grid id."""
    series = result.timeseries
    after = series[series["t_h"] > warmup(result)]
    return after.groupby("unit", observed=True)["backlog"].mean()


def grid_difficulty(result: Result) -> pd.Series:
    """Each grid's difficulty score (weighted floating, rental, group-rental and shop
    households), by grid id."""
    return pd.Series({grid.id: grid.difficulty for grid in world_of(result).grids})


def grid_workload(result: Result) -> pd.Series:
    """The utilisation of the staff posted to each grid: hours on jobs over hours on duty, by
    grid id (staff posted to a community or pooled are left out)."""
    workers = result.workers
    on_duty = workers[[f"{a}_h" for a in ACTIVITIES if a != "off"]].sum(axis=1)
    busy = workers[[f"{a}_h" for a in JOB_ACTIVITIES]].sum(axis=1)
    hours = pd.DataFrame({"busy": busy, "on": on_duty, "unit": workers["unit"]})
    totals = hours.groupby("unit", observed=True)[["busy", "on"]].sum()
    totals = totals[totals["on"] > 0]
    return totals["busy"] / totals["on"]
