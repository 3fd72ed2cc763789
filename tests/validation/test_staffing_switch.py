"""Switching staffing from c to c′ at a mode change reproduces Erlang C for c′ after the
transient (docs/sources.md Q7): `scenarios/theory/staffing_switch.yaml`, λ = 20/h, μ = 4/h,
c′ = 6 once the plan has mobilised the reserve at the surge's onset (t = 24 h). Cases created
from 2 days after the switch, as long as all have closed, are compared with `sim.theory.mmc`."""

from __future__ import annotations

from pathlib import Path

import sim
from sim import theory

SWITCH, SETTLE, REPS = 24.0, 48.0, 20


def switched_stats(result: sim.Result, _window) -> dict[str, float]:
    assert (result.events["t_h"] == SWITCH).any()
    assert result.timeseries.loc[result.timeseries["t_h"] > SWITCH, "mode"].eq("emergency").all()
    horizon = result.summary["horizon_h"]
    cases = result.cases
    cases = cases[(cases["created_h"] >= SWITCH + SETTLE) & (cases["created_h"] < horizon - 24)]
    assert (cases["status"] == "closed").all()
    wait = cases["first_response_h"]
    return {
        "wq": float(wait.mean()),
        "p_wait": float((wait > 0).mean()),
        "w": float(cases["time_to_close_h"].mean()),
    }


def test_mmc_after_the_switch_matches_erlang_c(replicate, helpers, scenarios: Path):
    scenario = sim.load_scenario(scenarios / "theory" / "staffing_switch.yaml")
    reps = replicate(scenario, switched_stats, key="staffing-switch", reps=REPS, cooldown=None)
    exact = theory.mmc(20.0, 4.0, 6)
    failures = [
        helpers.disagreement("c → c′ = 6", reps, key, value)
        for key, value in {"wq": exact.wq, "p_wait": exact.p_wait, "w": exact.w}.items()
    ]
    assert not [line for line in failures if line], failures
