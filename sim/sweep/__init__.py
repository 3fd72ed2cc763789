"""Experiments over many runs: the experiment file, executors, the results store, paired
comparisons between arms and sensitivity indices.

    from sim.sweep import sweep, load_results, load_runs, sensitivity
    runs = sweep("experiments/staffing_mix.yaml", out="runs/mix")   # resumes if rerun
    table = load_results("runs/mix", numeric=True)  # factor values such as "0.5/day" as numbers
    results = load_runs("runs/mix")                 # {arm: [Result of each replication]}
    indices = sensitivity("runs/admin", ["kpi.time_to_close_h.mean"])  # design over ranges
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from sim.config.loader import Problem, ScenarioError, load_data, load_validated
from sim.scenario import load_scenario
from sim.sweep.executors import close_pool, run_all
from sim.sweep.progress import SweepProgress
from sim.sweep.sensitivity import sensitivity
from sim.sweep.spec import Experiment, RunSpec, missing_scenarios, runs_of, scenario_digests
from sim.sweep.store import Store, factor_number, numeric_factors

if TYPE_CHECKING:
    from sim.runner import Result


def load_experiment(path: str | os.PathLike[str], overrides: Sequence[str] = ()) -> Experiment:
    """Load and validate an experiment file, with overrides such as `replications=40`
    (ScenarioError on bad input)."""
    return load_validated(path, Experiment, overrides)[0]


def check_experiment(path: str | os.PathLike[str], overrides: Sequence[str] = ()) -> Experiment:
    """Validate an experiment file and every scenario its runs load (each arm with each factor
    level and design point). Raises ScenarioError with every problem, those of a factor, range
    or arm named by its field in the experiment file (a scenario file that is not there, at the
    line of the key naming it)."""
    experiment = load_experiment(path, overrides)
    _, origins = load_data(path, overrides)
    missing = missing_scenarios(experiment, str(path), origins)
    if missing:
        raise ScenarioError(missing)
    found: dict[tuple, list] = {}  # (field, what is wrong) → [first problem, values that fail]
    seen = set()
    for spec in runs_of(experiment, Path(path).resolve().parent):
        if (spec.scenario, spec.overrides) in seen:
            continue
        seen.add((spec.scenario, spec.overrides))
        try:
            load_scenario(spec.scenario, spec.overrides)
        except ScenarioError as exc:
            for problem in exc.problems:
                problem, value = _in_experiment(problem, experiment, spec, origins, path)
                entry = found.setdefault((problem.file, problem.path, problem.message), [problem])
                entry += [] if value is None or value in entry[1:] else [value]
    if found:
        raise ScenarioError([_with_values(*entry) for entry in found.values()])
    return experiment


def _in_experiment(
    problem: Problem,
    experiment: Experiment,
    spec: RunSpec,
    origins: dict,
    path: str | os.PathLike[str],
) -> tuple[Problem, Any]:
    """A problem of an override told as one of the experiment field that made it, with the
    value that failed (None for a problem in a scenario file, which says where itself)."""
    if problem.file != "--set":
        return problem, None
    varied = [*experiment.factors, *experiment.ranges]
    name = next((n for n in varied if problem.path == n or problem.path.startswith(f"{n}.")), None)
    if name is None:
        field, value, what = f"arms.{spec.arm}.set", None, f"{problem.path}: {problem.message}"
    else:
        kind = "factors" if name in experiment.factors else "ranges"
        field, value, what = f"{kind}.{name}", spec.levels[name], problem.message
    line = origins.get(field, (None, None))[1]
    scenario = Path(spec.scenario).name
    return Problem(os.fspath(path), field, line, f"{what} (scenario {scenario})"), value


def _with_values(problem: Problem, *values: Any) -> Problem:
    """The problem, saying which values of the field fail (the first few)."""
    if not values:
        return problem
    shown = ", ".join(repr(v) for v in values[:3]) + (" …" if len(values) > 3 else "")
    label = "value" if len(values) == 1 else f"{len(values)} values"
    return Problem(problem.file, problem.path, problem.line, f"{label} {shown}: {problem.message}")


def sweep(
    path: str | os.PathLike[str],
    out: str | os.PathLike[str] | None = None,
    executor: str = "processes",
    workers: int = 2,
    on_done: Callable[[RunSpec, dict], None] | None = None,
    scheduler: str | None = None,
    overrides: Sequence[str] = (),
    progress: bool = False,
) -> pd.DataFrame:
    """Run every run of the experiment (with `overrides` of its fields) not already done in
    `out`, with a progress bar if asked (terminal or notebook); return the runs table."""
    experiment = load_experiment(path, overrides)
    folder = Path(out) if out is not None else Path("runs") / experiment.name
    here = Path(path).resolve().parent
    store = Store(folder)
    store.claim(experiment, scenario_digests(experiment, here))
    runs = runs_of(experiment, here)
    if progress:
        done = len({run.run_id for run in runs} & store.done())
        with SweepProgress(experiment.name, len(runs), done) as bar:

            def both(spec: RunSpec, outcome: dict) -> None:
                bar(spec, outcome)
                if on_done is not None:
                    on_done(spec, outcome)

            run_all(runs, store, executor, workers, both, scheduler)
    else:
        run_all(runs, store, executor, workers, on_done, scheduler)
    return store.table()


def load_results(
    out: str | os.PathLike[str], tidy: bool = False, numeric: bool = False
) -> pd.DataFrame:
    """The runs table of a sweep's results folder: one row per run with a column per KPI, or
    with `tidy=True` one row per run and KPI (columns `kpi` and `value`), for plotting. With
    `numeric=True`, factor values written with units (`"0.5/day"`, `"12min"`) become numbers
    in the scenario's base units (per hour, hours), for axes."""
    table = Store(out).table()
    if numeric:
        table = numeric_factors(table)
    if not tidy or not len(table):
        return table
    kpis = [c for c in table.columns if c.startswith("kpi.")]
    keys = [c for c in table.columns if c not in kpis]
    tidy_table = table.melt(id_vars=keys, value_vars=kpis, var_name="kpi", value_name="value")
    tidy_table["kpi"] = tidy_table["kpi"].str.removeprefix("kpi.")
    return tidy_table


def load_runs_table(
    out: str | os.PathLike[str], name: str, columns: Sequence[str] | None = None
) -> pd.DataFrame:
    """One table of every finished run stacked, e.g. `timeseries`, `cases`, `workers` or
    `events`, with the run's id, arm, replication and factor values in front."""
    return Store(out).stacked(name, columns)


def load_runs(
    out: str | os.PathLike[str], factors: dict[str, Any] | None = None
) -> dict[str, list[Result]]:
    """The finished runs of a sweep's results folder as `Result`s (`sim.load_run` of each run
    folder), grouped by arm in the experiment's order, replications in order: {arm: [Result,
    …]}, ready for the charts of `sim.plots`. `factors` keeps the runs at those levels
    (scenario path → value as the experiment writes it, e.g. `{"sources.resident.
    rate_per_household": "2/year"}`); where an arm still has several factor combinations, each
    is a group of its own, named `arm (field=value, …)` after the last part of each path."""
    from sim.runner import load_run

    store = Store(out)
    table = store.table()
    if not len(table):
        return {}
    table = table[table["status"] == "ok"]
    for name, value in (factors or {}).items():
        column = f"factor.{name}"
        if column not in table.columns:
            raise ValueError(f"the experiment has no factor {name!r}")
        wanted = factor_number(value)
        table = table[
            [
                level == value or (wanted is not None and factor_number(level) == wanted)
                for level in table[column]
            ]
        ]
    columns = [c for c in table.columns if c.startswith("factor.")]
    varied = [c for c in columns if table.groupby("arm", sort=False)[c].nunique().max() > 1]
    groups: dict[str, list[Result]] = {}
    for row in table.to_dict("records"):
        levels = ", ".join(f"{c.rsplit('.', 1)[-1]}={row[c]}" for c in varied)
        name = f"{row['arm']} ({levels})" if levels else str(row["arm"])
        groups.setdefault(name, []).append(load_run(store.runs / row["run_id"]))
    return groups


def fingerprint(out: str | os.PathLike[str]) -> str:
    """A short hash of a results folder's numbers: equal on any executor or cluster."""
    return Store(out).fingerprint()


__all__ = [
    "Experiment",
    "check_experiment",
    "close_pool",
    "fingerprint",
    "load_experiment",
    "load_results",
    "load_runs",
    "load_runs_table",
    "numeric_factors",
    "runs_of",
    "sensitivity",
    "sweep",
]
