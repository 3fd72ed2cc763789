"""A surge above capacity against the fluid model (docs/sources.md Q7): during the surge the
number of cases in the system grows by (λ' − cμ)·T on average, and afterwards drains at
cμ − λ. Both are measured from the time series (backlog at the end of each hour) over
replications and compared with `sim.theory.fluid_surge` within the replication tolerance.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

import sim
from sim import theory

LAM, LAM_SURGE, MU, C, ONSET, T = 10.0, 20.0, 4.0, 3, 48.0, 8.0
REPS = 40


def surge_stats(result: sim.Result, _window) -> dict[str, float]:
    """Growth of the number in system over the surge, and the time after it until the
    number first falls back to its pre-surge mean (the hours before onset, after a day)."""
    backlog = result.timeseries.set_index("t_h")["backlog"]
    before = float(backlog.loc[24.0:ONSET].mean())
    end = ONSET + T
    after = backlog.loc[end:]
    drained = after[after <= before]
    return {
        "growth": float(backlog.loc[end] - backlog.loc[ONSET]),
        "drain": float(drained.index[0] - end) if len(drained) else np.nan,
    }


def test_surge_backlog_and_drain_follow_the_fluid_model(replicate, helpers, scenarios: Path):
    scenario = sim.load_scenario(scenarios / "theory" / "fluid_surge.yaml")
    reps = replicate(scenario, surge_stats, key="fluid-surge", reps=REPS, cooldown=None)
    backlog, drain = theory.fluid_surge(C, MU, LAM, LAM_SURGE, T)
    assert all(not np.isnan(rep["drain"]) for rep in reps), "some runs never drained"
    failures = [
        helpers.disagreement("fluid surge", reps, "growth", backlog),
        helpers.disagreement("fluid surge", reps, "drain", drain),
    ]
    assert not [line for line in failures if line], failures
