"""Sensitivity of a sweep's KPIs to the ranges of its experiment, with SALib: Sobol first-order
and total indices (design `sobol`), Morris elementary effects (`morris`) or RBD-FAST first-order
indices (`lhs`), each with bootstrap confidence intervals.

Replications are used twice. The indices are computed on each design point's mean over the
replications; and, with two or more replications, once per replication too, whose spread
(`*_rep_sd`) shows how much the indices move with the random numbers. `noise` is the share of
the variance of the point means that is replication noise (mean within-point variance / R over
the variance of the means): indices of that order cannot be told from zero. Replications share
their seeds across points (common random numbers), which makes the real effect of noise on the
indices smaller than this share suggests; the spread across replications measures it directly.
"""

from __future__ import annotations

import itertools
import os
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.config.loader import load_validated
from sim.sweep.spec import Experiment, design_matrix, level_combinations, problem, run_id
from sim.sweep.store import Store

#: The analysis each design supports, and the indices it gives (with their CI half-widths).
METHODS = {"sobol": "sobol", "morris": "morris", "lhs": "rbd_fast"}
MEASURES = {"sobol": ("S1", "ST"), "morris": ("mu_star",), "rbd_fast": ("S1",)}


def analyse(
    experiment: Experiment, x: np.ndarray, y: np.ndarray, confidence: float = 0.95
) -> dict[str, np.ndarray]:
    """SALib's indices of outputs `y` (one per row of the design `x`), with CI half-widths."""
    from SALib.analyze import morris, rbd_fast, sobol

    spec, design = problem(experiment), experiment.design
    # the bootstrap's own stream: the same data always give the same intervals
    common = {"conf_level": confidence, "seed": 1}
    method = METHODS[design.kind]
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")  # constant outputs give NaN indices, reported as such
        if method == "sobol":
            result = sobol.analyze(spec, y, calc_second_order=design.second_order, **common)
        elif method == "morris":
            result = morris.analyze(spec, x, y, num_levels=design.levels, **common)
        else:
            result = rbd_fast.analyze(spec, x, y, **common)
    return {key: np.asarray(value, dtype=float) for key, value in result.items() if key != "names"}


def sensitivity(
    folder: str | os.PathLike[str], kpis: list[str], confidence: float = 0.95
) -> pd.DataFrame:
    """Indices of each KPI (a runs-table column such as `kpi.time_to_close_h.mean`) to each
    range, per arm and factor combination: one row per (arm, factors, kpi, parameter).

    Raises ValueError when the experiment has no ranges, a KPI is unknown, or runs of the
    design are missing or failed (rerun the sweep to complete them)."""
    folder = Path(folder)
    experiment = load_validated(folder / "experiment.yaml", Experiment)[0]
    if not experiment.ranges:
        raise ValueError("the experiment has no ranges: nothing to analyse")
    table = Store(folder).table()
    if not len(table):
        raise ValueError("no runs found: run the sweep first")
    ok = table[table["status"] == "ok"].set_index("run_id")
    unknown = [kpi for kpi in kpis if kpi not in ok.columns]
    if unknown:
        raise ValueError(f"unknown KPI column(s): {', '.join(unknown)}")
    x = design_matrix(experiment)
    points = len(x)
    replications = experiment.replications
    combinations = level_combinations(experiment)
    rows: list[dict[str, Any]] = []
    for arm in experiment.arms:
        for start in range(0, len(combinations), points):
            group = combinations[start : start + points]
            ids = [run_id(arm, levels, r) for levels in group for r in range(replications)]
            missing = [i for i in ids if i not in ok.index]
            if missing:
                raise ValueError(
                    f"{len(set(missing))} run(s) of arm {arm!r} are missing or failed: "
                    "rerun the sweep to complete them"
                )
            # the factor levels are the same for every point of a group
            factors = {f"factor.{name}": group[0][name] for name in experiment.factors}
            for kpi in kpis:
                y = ok.loc[ids, kpi].to_numpy(dtype=float).reshape(points, replications)
                rows += _indices(experiment, x, y, confidence, {"arm": arm, **factors, "kpi": kpi})
    return pd.DataFrame(rows)


def _indices(
    experiment: Experiment,
    x: np.ndarray,
    y: np.ndarray,
    confidence: float,
    labels: dict[str, Any],
) -> list[dict[str, Any]]:
    """Rows of indices for one output matrix y (design points × replications)."""
    method = METHODS[experiment.design.kind]
    means = y.mean(axis=1)
    on_means = analyse(experiment, x, means, confidence)
    replications = y.shape[1]
    per_replication = (
        [analyse(experiment, x, y[:, r], confidence) for r in range(replications)]
        if replications > 1
        else []
    )
    with np.errstate(all="ignore"):
        within = float(y.var(axis=1, ddof=1).mean()) if replications > 1 else np.nan
        between = float(means.var(ddof=1))
        noise = within / replications / between if between > 0 else np.nan
    names = list(experiment.ranges)
    cells = [((i,), name) for i, name in enumerate(names)]
    if "S2" in on_means:  # pairs (i < j): the upper triangle of SALib's matrices
        pairs = itertools.combinations(enumerate(names), 2)
        cells += [((i, j), f"{a} × {b}") for (i, a), (j, b) in pairs]
    rows = []
    for index, parameter in cells:
        measures = ("S2",) if len(index) == 2 else MEASURES[method]
        row = {**labels, "parameter": parameter, "method": method}
        for key, values in on_means.items():
            if (values.ndim == 2) == (len(index) == 2):  # S2 matrices for pairs, vectors else
                row[key] = float(values[index])
        for measure in measures:
            spread = [result[measure][index] for result in per_replication]
            row[f"{measure}_rep_sd"] = float(np.std(spread, ddof=1)) if spread else np.nan
        row |= {"noise": noise, "points": len(x), "replications": replications}
        rows.append(row)
    return rows
