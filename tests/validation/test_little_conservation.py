"""Run invariants (docs/sources.md Q1) on one run of each scenario: mmc.yaml (E1),
jackson_j2.yaml and baseline.yaml (skipped while it does not exist). Every replication made by
the other validation tests passes the same exact checks (`check_invariants` in conftest.py).

- Conservation, exact: created == closed + open, and the run-time counters of the time series
  (arrivals, completions, backlog at the end) agree with the case log.
- Backlog integral: Σ over ticks of backlog_mean × tick (run-time counters) equals
  Σ over cases of (min(closed, T) − created) (case log). Both are sums of the same
  event-to-event areas, so they agree to floating-point rounding: relative 1e-9 is asserted,
  the observed difference is ≈ 1e-13 or less.
- Little's law on the sample path, exact: L·T = λ·W·T + Σ_open (T − created), where L, λ, W are
  the summary's little_L, little_lambda (closures per hour) and little_W (mean time to close of
  closed cases); the last term is the age of the cases still open at the horizon.
- Little's law as a statistical statement, L ≈ λW, on the stationary theory scenarios: the gap
  must lie within 3 standard errors of L, estimated by batch means of the time series over the
  horizon. (The baseline is not stationary over its month: revisits are due in windows of two
  to four weeks and stay open meanwhile, so there the exact identity above is the check.)
"""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

import sim
from sim.vocabulary import CLOSED_LOOP_KINDS

FILES = {
    "mmc": "theory/mmc.yaml",
    "jackson_j2": "theory/jackson_j2.yaml",
    "baseline": "baseline.yaml",
}
STATIONARY = ["mmc", "jackson_j2"]
BATCHES = 20
FLOAT_RTOL = 1e-9


@pytest.fixture(scope="module")
def runs(
    pool: ProcessPoolExecutor, scenarios: Path, helpers: SimpleNamespace
) -> dict[str, sim.Result]:
    """One run of every scenario file that exists, with the file's own horizon."""
    futures = {
        name: pool.submit(sim.run, scenarios / path, seed=helpers.replication_seeds(name, 1)[0])
        for name, path in FILES.items()
        if (scenarios / path).exists()
    }
    return {name: future.result() for name, future in futures.items()}


def _result(runs: dict[str, sim.Result], name: str) -> sim.Result:
    if name not in runs:
        pytest.skip(f"scenarios/{FILES[name]} does not exist yet")
    return runs[name]


@pytest.mark.parametrize("name", FILES)
def test_conservation(runs, helpers, name: str) -> None:
    result = _result(runs, name)
    checks = result.summary["checks"]
    print(
        f"{name}: created {checks['created']} = closed {checks['closed']} + open {checks['open']}"
    )
    helpers.check_invariants(result)


@pytest.mark.parametrize("name", FILES)
def test_backlog_integral_time_series_equals_case_log(runs, helpers, name: str) -> None:
    result = _result(runs, name)
    from_ts = helpers.backlog_integral_from_timeseries(result.timeseries)
    from_cases = helpers.backlog_integral_from_cases(result.cases, result.summary["horizon_h"])
    gap = from_ts / from_cases - 1.0
    print(f"{name}: ∫backlog = {from_ts:.10g} (time series), relative gap {gap:.1e}")
    assert from_ts == pytest.approx(from_cases, rel=FLOAT_RTOL)


@pytest.mark.parametrize("name", FILES)
def test_little_sample_path_identity(runs, name: str) -> None:
    result = _result(runs, name)
    checks, horizon = result.summary["checks"], result.summary["horizon_h"]
    cases = result.cases
    cases = cases[cases["kind"].isin(CLOSED_LOOP_KINDS)]  # the time series counts these
    still_open = cases[cases["status"] == "open"]
    age_open = float((horizon - still_open["created_h"]).sum())
    area = checks["little_L"] * horizon
    assert area == pytest.approx(
        checks["little_lambda"] * checks["little_W"] * horizon + age_open, rel=FLOAT_RTOL
    )


@pytest.mark.parametrize("name", STATIONARY)
def test_little_law_within_batch_means(runs, helpers, name: str) -> None:
    result = _result(runs, name)
    checks, ts = result.summary["checks"], result.timeseries
    per_tick = ts[ts["backlog_mean"].notna()].groupby("t_h")["backlog_mean"].sum()
    ticks = np.diff(np.concatenate([[0.0], per_tick.index.to_numpy()]))
    batches = [
        float((b * w).sum() / w.sum())
        for b, w in zip(
            np.array_split(per_tick.to_numpy(), BATCHES),
            np.array_split(ticks, BATCHES),
            strict=True,
        )
    ]
    se = float(np.std(batches, ddof=1) / np.sqrt(BATCHES))
    little_l, lam_w = checks["little_L"], checks["little_lambda"] * checks["little_W"]
    print(f"{name}: L = {little_l:.6g}, λW = {lam_w:.6g}, SE(L) = {se:.2g} ({BATCHES} batches)")
    assert abs(little_l - lam_w) <= helpers.se_limit(BATCHES - 1) * se
