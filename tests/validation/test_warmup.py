"""The warm-up chosen by MSER-5 (sim.metrics.steady_state) on a transient whose length is
known: an M/M/c queue at ρ = 0.8 that starts with B cases already waiting. The fluid model
(docs/sources.md Q7) drains that backlog in B / (cμ − λ) hours. MSER-5 must cut most of it in
every replication (at least 0.6 of the drain time: the drain time is itself random, and MSER-5
may keep the last stretch of a transient once it is within the noise) and about that much in
the median (0.8 to 2 times: it may also cut a later stretch of high noise, which costs data but
no bias); the mean wait of the cases that arrive after its cut must agree with Erlang C within
3 standard errors, while the cases that arrive during the drain wait far longer.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

import sim
from sim import theory
from sim.metrics.steady_state import mser_warmup

LAM, MU, C, BACKLOG = 9.6, 4.0, 3, 240
DRAIN = BACKLOG / (C * MU - LAM)  # 100 h
REPS = 12
COOLDOWN = 24.0


def warmup_stats(result: sim.Result, _: pd.DataFrame) -> dict[str, float]:
    horizon = result.summary["horizon_h"]
    warmup, settled = mser_warmup(result.timeseries, horizon)
    cases = result.cases[result.cases["source"] == "resident"]
    after = cases[(cases["created_h"] >= warmup) & (cases["created_h"] < horizon - COOLDOWN)]
    during = cases[cases["created_h"] < 0.5 * DRAIN]
    return {
        "ratio": warmup / DRAIN,
        "settled": float(settled),
        "wq": float(after["first_response_h"].mean()),
        "wq_during": float(during["first_response_h"].mean()),
    }


def test_mser_cuts_the_drain_of_an_initial_backlog(replicate, helpers, scenarios: Path) -> None:
    scenario = sim.load_scenario(
        scenarios / "theory" / "mmc.yaml",
        [
            f"sources.resident.rate_per_household={LAM / 100}/h",
            f"categories.service.work.mean={1 / MU}h",
            f"grid_workers.per_grid={C}",
            "run.days=40",
            "run.tick=1h",
            f"warm_start={{backlog: {{service: {BACKLOG}}}}}",
        ],
    )
    reps = replicate(scenario, warmup_stats, key="mser-drain", reps=REPS, cooldown=None)
    ratios = [rep["ratio"] for rep in reps]
    print("warm-up / drain time:", ", ".join(f"{r:.2f}" for r in ratios))
    assert all(rep["settled"] for rep in reps)
    assert min(ratios) >= 0.6, ratios
    assert 0.8 <= float(pd.Series(ratios).median()) <= 2.0, ratios
    exact = theory.mmc(LAM, MU, C).wq
    failure = helpers.disagreement("after the MSER warm-up", reps, "wq", exact)
    assert failure is None, failure
    assert min(rep["wq_during"] for rep in reps) > 5 * exact  # the transient it removes
