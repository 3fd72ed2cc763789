"""Shared helpers for validation against queueing theory (docs/sources.md §4).

Replications run in a session-wide pool of worker processes (Mesa 3.3 keeps finished models
alive and switches multiprocessing to spawn). The workers only call `sim.run`,
which pickles by reference from the installed package; per-replication statistics are computed
here, in the test process, so statistics functions may be closures.

Test modules get these helpers as fixtures, never by `from conftest import ...`: a spawned
worker that imports a test module (test_ciw_oracle does) must not depend on which `conftest`
comes first on `sys.path`.

Every result that passes through `replicate` is checked for the run invariants: exact
conservation and the exact identity between the run-time backlog integral (time series) and
the case log.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from types import SimpleNamespace
from typing import Any, TypeVar

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import sim
from sim.rng import derive_seed
from sim.scenario import Scenario
from sim.vocabulary import CLOSED_LOOP_KINDS

T = TypeVar("T")
Stats = Callable[[sim.Result, pd.DataFrame], T]

ROOT = Path(__file__).resolve().parents[2]
#: At most 2 simulation processes in all (CI machine: 2 cores), shared among xdist workers.
MAX_WORKERS = max(
    1, min(2, os.cpu_count() or 1) // int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", 1))
)
#: Replication r of statistic set `key` runs with seed derive_seed(ROOT_SEED, key, r): every
#: test draws its own independent replications; paired arms share seeds by sharing the key.
ROOT_SEED = 20260101
#: Relative tolerance of identities that hold exactly up to floating-point rounding.
FLOAT_RTOL = 1e-9
#: Two-sided coverage of "within 3 standard errors" for a normal mean.
THREE_SE_COVERAGE = 0.9973


def se_limit(df: int) -> float:
    """How many standard errors an estimate with `df` degrees of freedom may stray from the
    truth: the Student-t quantile with the coverage of 3 SE under a normal law (3.0 for many
    replications, 3.4 for 20, 3.8 for 10), so the false-alarm rate does not grow with few
    replications."""
    return float(stats.t.ppf(0.5 + THREE_SE_COVERAGE / 2, df))


def mean_se(reps: list[dict[str, float]], key: str) -> tuple[float, float]:
    """Mean over replications of statistic `key`, and its standard error."""
    sample = np.array([rep[key] for rep in reps], dtype=float)
    return float(sample.mean()), float(stats.sem(sample))


def disagreement(label: str, reps: list[dict[str, float]], key: str, value: float) -> str | None:
    """None if the replication mean of `key` is within `se_limit` SE of `value`, else a line
    saying by how much it is not (printed either way, for the record)."""
    mean, se = mean_se(reps, key)
    line = f"{label} {key}: sim {mean:.6g} ± {se:.2g} (SE), theory {value:.6g}"
    print(f"{line}, z = {(mean - value) / se:+.2f}")
    return line if abs(mean - value) > se_limit(len(reps) - 1) * se else None


def replication_seeds(key: str, reps: int) -> list[int]:
    """Seeds of replications 0..reps−1 of statistic set `key`."""
    return [derive_seed(ROOT_SEED, key, r) for r in range(reps)]


def closed_loop(cases: pd.DataFrame) -> pd.DataFrame:
    """The closed-loop cases (residents' requests and patrol finds): what the time series and
    the headline KPIs count."""
    return cases[cases["kind"].isin(CLOSED_LOOP_KINDS)]


def backlog_integral_from_cases(cases: pd.DataFrame, horizon: float) -> float:
    """∫ (closed-loop cases open) dt over [0, horizon] from the case log:
    Σ (min(closed, T) − created)."""
    cases = closed_loop(cases)
    closed = cases["closed_h"].fillna(horizon).clip(upper=horizon)
    return float((closed - cases["created_h"]).sum())


def backlog_integral_from_timeseries(timeseries: pd.DataFrame) -> float:
    """The same integral from the run-time counters: Σ over ticks of backlog_mean × tick."""
    rows = timeseries[timeseries["backlog_mean"].notna()]
    per_tick = rows.groupby("t_h")["backlog_mean"].sum()
    ticks = np.diff(np.concatenate([[0.0], per_tick.index.to_numpy()]))
    return float((per_tick.to_numpy() * ticks).sum())


def check_invariants(result: sim.Result) -> None:
    """Conservation (exact, integers, case log against the run-time counters) and the backlog
    integral (time series against case log, equal up to floating-point rounding)."""
    cases, ts, checks = result.cases, result.timeseries, result.summary["checks"]
    horizon = result.summary["horizon_h"]
    assert checks["conservation"], checks
    assert checks["created"] == len(cases) == checks["closed"] + checks["open"]
    assert checks["open"] == int((cases["status"] == "open").sum())
    cases = closed_loop(cases)  # what the time series counts
    open_ = int((cases["status"] == "open").sum())
    assert int(ts["arrivals"].sum()) == len(cases)
    assert int(ts["completions"].sum()) == len(cases) - open_
    assert int(ts.loc[ts["t_h"] == ts["t_h"].max(), "backlog"].sum()) == open_
    from_cases = backlog_integral_from_cases(cases, horizon)
    assert backlog_integral_from_timeseries(ts) == pytest.approx(from_cases, rel=FLOAT_RTOL)
    assert checks["little_L"] * horizon == pytest.approx(from_cases, rel=FLOAT_RTOL)


def steady_window(result: sim.Result, cooldown: float | None) -> pd.DataFrame:
    """Cases created in [warm-up, horizon − cooldown). All must have closed, so the sample is
    neither biased by the empty start nor censored at the end. No cooldown: every case."""
    horizon, warmup = result.summary["horizon_h"], result.summary["warmup_h"]
    cases = result.cases
    if cooldown is None:
        return cases
    window = cases[(cases["created_h"] >= warmup) & (cases["created_h"] < horizon - cooldown)]
    assert len(window) > 0
    assert (window["status"] == "closed").all(), "cooldown too short: cases still open"
    return window


@pytest.fixture(scope="session")
def scenarios() -> Path:
    """The scenarios folder."""
    return ROOT / "scenarios"


@pytest.fixture(scope="session")
def pool() -> Iterator[ProcessPoolExecutor]:
    """Worker processes shared by the whole validation session (spawned once)."""
    with ProcessPoolExecutor(max_workers=MAX_WORKERS) as executor:
        yield executor


@pytest.fixture(scope="session")
def replicate(pool: ProcessPoolExecutor) -> Callable[..., list[Any]]:
    """`replicate(scenario, stats, key=..., reps=..., days=None, cooldown=48.0)`: `reps` runs
    in the pool with the seeds of `key`; `stats(result, steady_window(result, cooldown))` per
    replication, in replication order. Every run is checked with `check_invariants`."""

    def run(
        scenario: Scenario,
        stats: Stats[T],
        *,
        key: str,
        reps: int,
        days: float | None = None,
        cooldown: float | None = 48.0,
    ) -> list[T]:
        seeds = replication_seeds(key, reps)
        futures = {
            pool.submit(sim.run, scenario, seed=s, days=days): i for i, s in enumerate(seeds)
        }
        out: list[Any] = [None] * reps
        for future in as_completed(futures):
            result = future.result()
            check_invariants(result)
            out[futures.pop(future)] = stats(result, steady_window(result, cooldown))
        return out

    return run


@pytest.fixture(scope="session")
def helpers() -> SimpleNamespace:
    """This module's plain functions, for tests that work on results outside `replicate`."""
    return SimpleNamespace(
        replication_seeds=replication_seeds,
        se_limit=se_limit,
        mean_se=mean_se,
        disagreement=disagreement,
        check_invariants=check_invariants,
        steady_window=steady_window,
        backlog_integral_from_cases=backlog_integral_from_cases,
        backlog_integral_from_timeseries=backlog_integral_from_timeseries,
    )
