"""Common random numbers (docs/sources.md Q12) and a metamorphic relation that rests on them.

(a) The same seed gives the same cases table (runs in separate worker processes, so this also
    rules out dependence on hash randomisation or process state).
(b) Changing only the staffing leaves the resident requests untouched: arrival time, category,
    household, sequence number within the source and work content, for the same seed.
(c) Adding a worker lowers the mean time to close. Paired over R replications (the same seed in
    both arms), the mean paired difference must be significant (one-sided paired t-test,
    p < 0.01) and at most 10 % of the pairs may go the other way.

mmc.yaml runs at its default E1 parameters (λ = 10/h, μ = 4/h, c = 3 → 4); baseline.yaml
(skipped while absent) with its grid workers per grid + 1 over two weeks. Resident requests are
the cases of kind "request" from source "resident"; patrol issues that a resident reports first also
carry source "resident", and when they surface depends on patrols, hence on staffing.
"""

from __future__ import annotations

import math
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import sim

IDENTITY = ["created_h", "category", "household", "source_seq", "work_h"]
PAIRS = 20
P_MAX = 0.01
WORSE_SHARE_MAX = 0.10
MMC_DAYS = 30.0
BASELINE_DAYS = 14.0
#: E1 warm-up as in test_erlang_c: ten relaxation times 1/(μ(1−√ρ)²) at c = 3.
MMC_WARMUP = math.ceil(10.0 / (4.0 * (1.0 - math.sqrt(10.0 / 12.0)) ** 2))


def _scenario(scenarios: Path, name: str) -> sim.Scenario:
    path = scenarios / ("theory/mmc.yaml" if name == "mmc" else f"{name}.yaml")
    if not path.exists():
        pytest.skip(f"{path.name} does not exist yet")
    overrides = [f"run.warmup={MMC_WARMUP}h"] if name == "mmc" else []
    return sim.load_scenario(path, overrides=overrides)


def _days(name: str) -> float:
    return MMC_DAYS if name == "mmc" else BASELINE_DAYS


def _with_workers(scenario: sim.Scenario, per_grid: int) -> sim.Scenario:
    workers = scenario.grid_workers.model_copy(update={"per_grid": per_grid})
    return scenario.model_copy(update={"grid_workers": workers})


def _resident_requests(cases: pd.DataFrame) -> pd.DataFrame:
    mask = cases["source"] == "resident"
    return cases.loc[mask, IDENTITY].sort_values("source_seq").reset_index(drop=True)


@pytest.mark.parametrize("name", ["mmc", "baseline"])
def test_same_seed_same_cases(
    name: str, pool: ProcessPoolExecutor, scenarios: Path, helpers: SimpleNamespace
) -> None:
    scenario = _scenario(scenarios, name)
    seed = helpers.replication_seeds(f"same-seed-{name}", 1)[0]
    first, second = (pool.submit(sim.run, scenario, seed=seed, days=_days(name)) for _ in "ab")
    pd.testing.assert_frame_equal(first.result().cases, second.result().cases)


@pytest.mark.parametrize("name", ["mmc", "baseline"])
def test_staffing_leaves_resident_requests_alone(
    name: str, pool: ProcessPoolExecutor, scenarios: Path, helpers: SimpleNamespace
) -> None:
    scenario = _scenario(scenarios, name)
    c = scenario.grid_workers.per_grid
    seed = helpers.replication_seeds(f"staffing-{name}", 1)[0]
    arms = [
        pool.submit(sim.run, _with_workers(scenario, n), seed=seed, days=_days(name))
        for n in (c, c + 1)
    ]
    fewer, more = (_resident_requests(arm.result().cases) for arm in arms)
    assert len(fewer) > 0
    pd.testing.assert_frame_equal(fewer, more)


def _mean_time_to_close(result: sim.Result, window: pd.DataFrame) -> float:
    """Mean time to close of the resident requests in the window, a case still open at the
    horizon counting with its age then (so both arms average over the same requests)."""
    horizon = result.summary["horizon_h"]
    requests = window[window["source"] == "resident"]
    closed = requests["closed_h"].fillna(horizon).clip(upper=horizon)
    return float((closed - requests["created_h"]).mean())


@pytest.mark.parametrize("name", ["mmc", "baseline"])
def test_one_more_worker_closes_cases_sooner(name: str, replicate, scenarios: Path) -> None:
    scenario = _scenario(scenarios, name)
    c = scenario.grid_workers.per_grid
    # mmc: cases in the steady window all close; baseline: no window, censored at the horizon
    cooldown = 48.0 if name == "mmc" else None
    fewer, more = (
        np.array(
            replicate(
                _with_workers(scenario, n),
                _mean_time_to_close,
                key=f"crn-{name}",  # the same seeds in both arms
                reps=PAIRS,
                days=_days(name),
                cooldown=cooldown,
            )
        )
        for n in (c, c + 1)
    )
    difference = more - fewer
    test = stats.ttest_rel(more, fewer, alternative="less")
    worse = float((difference >= 0).mean())
    print(
        f"{name}: c={c} {fewer.mean():.4g} h, c={c + 1} {more.mean():.4g} h, "
        f"paired difference {difference.mean():+.4g} h, p = {test.pvalue:.2g}, worse {worse:.0%}"
    )
    assert test.pvalue < P_MAX
    assert worse <= WORSE_SHARE_MAX
