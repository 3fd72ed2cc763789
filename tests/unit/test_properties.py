"""Property tests: random small M/M/c-like scenarios (scenarios/theory/mmc.yaml with λ, μ, c
and the horizon drawn, ρ = λ / (cμ) < 0.95) always satisfy the run invariants."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sim

MMC = "scenarios/theory/mmc.yaml"
HOUSEHOLDS = 100  # in mmc.yaml: λ = rate_per_household × 100
STEPS = [
    "created",
    "accepted",
    "dispatched",
    "implemented",
    "feedback",
    "rated",
    "published",
    "archived",
]
EPS = 1e-9


@st.composite
def mmc_scenarios(draw):
    lam = draw(st.floats(0.5, 20.0))  # arrivals per hour
    c = draw(st.integers(1, 4))
    rho = draw(st.floats(0.1, 0.94))
    mu = lam / (c * rho)
    days = draw(st.floats(0.25, min(4.0, 2000 / (24 * lam))))  # at most ≈2,000 cases
    tick = draw(st.sampled_from(["1h", "6h", "24h"]))
    rating = draw(st.sampled_from(["0h", "{dist: exponential, mean: 2h}"]))
    seed = draw(st.integers(0, 2**32 - 1))
    overrides = [
        f"sources.resident.rate_per_household={lam / HOUSEHOLDS!r}",
        f"categories.service.work.mean={1 / mu!r}",
        f"grid_workers.per_grid={c}",
        f"run.tick={tick}",
        f"loop.rating_delay={rating}",
    ]
    return sim.load_scenario(MMC, overrides), seed, days, c


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mmc_scenarios())
def test_mmc_like_runs_keep_their_invariants(drawn):
    scenario, seed, days, c = drawn
    result = sim.run(scenario, seed=seed, days=days)
    cases, summary = result.cases, result.summary
    horizon = 24.0 * days

    # conservation: created == closed + open (nothing is unreached without revisits)
    status = cases["status"].value_counts()
    assert len(cases) == status.get("closed", 0) + status.get("open", 0)
    assert summary["checks"]["conservation"]
    assert summary["cases_created"] == summary["cases_closed"] + summary["backlog_end"]
    assert (cases["created_h"] >= 0).all()
    assert (cases["created_h"] < horizon).all()
    assert cases["case_id"].tolist() == list(range(len(cases)))

    # no case accepted before it was created; first response ≥ 0 where there was one
    started = cases[cases["accepted_h"].notna()]
    assert (started["accepted_h"] >= started["created_h"] - EPS).all()
    assert (started["first_response_h"] >= -EPS).all()
    assert (started["accepted_h"] <= horizon + EPS).all()
    waiting = cases[cases["accepted_h"].isna()]
    assert (waiting["status"] == "open").all()

    # timestamps ordered along the loop, wherever set
    values = cases[[f"{s}_h" for s in STEPS]].to_numpy()
    for row in values:
        done = row[~np.isnan(row)]
        assert (np.diff(done) >= -EPS).all()
    closed = cases[cases["status"] == "closed"]
    assert not closed[[f"{s}_h" for s in STEPS]].isna().any().any()
    assert (closed["tracked_h"] >= closed["accepted_h"] - EPS).all()
    assert (closed["tracked_h"] <= closed["implemented_h"] + EPS).all()
    assert (closed["time_to_close_h"] >= closed["first_response_h"] - EPS).all()

    # one class, FCFS: cases are started in the order they arrived
    assert (np.diff(started["accepted_h"].to_numpy()) >= -EPS).all()

    # never more than c in service; a case waits only when all c servers are busy
    begin = started["accepted_h"].to_numpy()
    end = started["implemented_h"].fillna(np.inf).to_numpy()
    in_service = (begin[None, :] <= begin[:, None] + EPS) & (end[None, :] > begin[:, None] + EPS)
    assert in_service.sum(axis=1).max(initial=0) <= c
    waited = started["accepted_h"].to_numpy() > started["created_h"].to_numpy() + EPS
    arrival = started["created_h"].to_numpy()[waited]
    busy = ((begin[None, :] <= arrival[:, None]) & (end[None, :] > arrival[:, None])).sum(axis=1)
    assert (busy == c).all()
    ts = result.timeseries
    assert ((ts["busy"] + ts["idle"] + ts["off"]) == c).all()
    assert (ts["off"] == 0).all()

    # same seed, same cases table
    again = sim.run(scenario, seed=seed, days=days)
    pd.testing.assert_frame_equal(cases, again.cases)
    assert again.summary == summary
