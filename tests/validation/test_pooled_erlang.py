"""Specialists serving several grids act as one pooled queue: reduced to exponential work and
Poisson requests, a team serving k grids is an M/M/c queue and matches Erlang C
(`sim.theory.mmc`).

The pooling is expressed with the staffing schema only:

* `per_community: c` — c specialists each serving every grid of the community, round the
  clock: M/M/c with λ = Σ over the k grids. The grid workers must not serve the requests; two
  ways the schema allows: grid workers who may take no category (`categories: []`), or no grid
  workers at all (`per_grid: 0`), the specialists then being the team present at every grid
  that the coverage check asks for.
* `grids_per_member: k` — one specialist per k neighbouring grids, the last member taking the
  remainder: each member is an M/M/1 queue with the arrival rate of its own grids.

A plan that reassigns members from one grid to another leaves two Erlang C queues of c − k and
c + k servers.

Each request is one job at the grid (no escalation, feedback or closing delays), so the wait
is first_response_h and the sojourn time_to_close_h. Per replication: mean wait, P(wait > 0),
mean sojourn of the cases created after a warm-up of ten relaxation times 1/(μ(1−√ρ)²) and at
least 48 h before the horizon; R replications with independent seeds; each replication mean
must lie within `helpers.se_limit` standard errors of theory (`helpers.disagreement`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd
import pytest

import sim
from sim import theory
from sim.config.loader import merge_mappings

from scenario_parts import INSTANT_LOOP, NO_ATTRIBUTES, ROUND_THE_CLOCK, flat_requests

HOUSEHOLDS = 100  # per grid
REPS = 20


def warmup(lam: float, mu: float, c: int) -> float:
    """Ten relaxation times (docs/sources.md Q10, the M/M/1 bound, conservative for c > 1),
    whole hours."""
    rho = lam / (c * mu)
    return float(math.ceil(10.0 / (mu * (1.0 - math.sqrt(rho)) ** 2)))


def pooled_scenario(grids: int, lam_grid: float, mu: float, team: dict, warm: float) -> dict:
    """One community of `grids` equal grids with Poisson requests of rate `lam_grid` each,
    exponential work of mean 1/μ, and specialist team `pool` sized by `team`."""
    return {
        "name": "pooled-specialists",
        "run": {"tick": "24h", "warmup": f"{warm}h"},
        "world": {
            "households": NO_ATTRIBUTES,
            "streets": [
                {
                    "id": "s",
                    "communities": [{"id": "c", "grids": grids, "households_per_grid": HOUSEHOLDS}],
                }
            ],
        },
        "categories": {"service": {"work": {"dist": "exponential", "mean": f"{60.0 / mu!r}min"}}},
        "grid_workers": {"per_grid": 1, "shift": ROUND_THE_CLOCK, "patrol": {"enabled": False}},
        "teams": {"pool": {"kind": "specialist", "shift": ROUND_THE_CLOCK, **team}},
        "sources": {"resident": flat_requests(f"{lam_grid / HOUSEHOLDS!r}/h")},
        "loop": INSTANT_LOOP,
    }


#: How the grid workers are kept out of the pooled queue.
WITHOUT_GRID_WORKERS = {
    "grid workers take nothing": {"grid_workers": {"categories": []}},
    "no grid workers": {"grid_workers": {"per_grid": 0}},
}


def queue_stats(result: sim.Result, cases: pd.DataFrame) -> dict[str, float]:
    """Mean wait, P(wait > 0), mean sojourn; the grid workers must have done nothing."""
    workers = result.workers
    assert (workers.loc[workers["role"] == "grid_worker", "jobs_done"] == 0).all()
    return wait_stats(cases)


def wait_stats(cases: pd.DataFrame, suffix: str = "") -> dict[str, float]:
    """Mean wait, P(wait > 0) and mean sojourn of `cases`, keys suffixed by `suffix`."""
    wait = cases["first_response_h"]
    return {
        f"wq{suffix}": float(wait.mean()),
        f"p_wait{suffix}": float((wait > 0).mean()),
        f"w{suffix}": float(cases["time_to_close_h"].mean()),
    }


@dataclass(frozen=True)
class Pool:
    """k grids of λ/k requests per hour each, c specialists pooled over them, μ per hour, the
    grid workers kept out as `without` says."""

    name: str
    grids: int
    lam: float
    mu: float
    c: int
    days: float
    without: str


POOLS = [
    # docs/sources.md Q2 E1 (λ = 10/h, μ = 4/h, c = 3: Wq = 0.351 h, P(wait) = 0.702, W = 0.601 h),
    # the requests coming from five grids of 2/h each
    Pool("E1-5grids", 5, lam=10.0, mu=4.0, c=3, days=100, without="grid workers take nothing"),
    # the six specialists of "1+6+N" pooled over six grids of 3.5/h each (ρ = 0.7)
    Pool("S6-6grids", 6, lam=21.0, mu=5.0, c=6, days=60, without="no grid workers"),
]


def pool_scenario(case: Pool, without: str | None = None) -> sim.Scenario:
    warm = warmup(case.lam, case.mu, case.c)
    data = pooled_scenario(
        case.grids, case.lam / case.grids, case.mu, {"per_community": case.c}, warm
    )
    return sim.scenario_from_dict(
        merge_mappings(data, WITHOUT_GRID_WORKERS[without or case.without])
    )


@pytest.mark.parametrize("case", POOLS, ids=lambda case: case.name)
def test_pooled_specialists_match_erlang_c(case: Pool, replicate, helpers) -> None:
    scenario = pool_scenario(case)
    assert [m.size for m in scenario.teams.values()] == [("per_community", case.c)]
    reps = replicate(scenario, queue_stats, key=f"pooled-{case.name}", reps=REPS, days=case.days)
    exact = theory.mmc(case.lam, case.mu, case.c)
    expected = {"wq": exact.wq, "p_wait": exact.p_wait, "w": exact.w}
    label = f"{case.name} ({case.without})"
    failures = [helpers.disagreement(label, reps, key, value) for key, value in expected.items()]
    failures = [line for line in failures if line]
    assert not failures, failures


def test_idle_grid_workers_and_no_grid_workers_are_the_same_pool(pool, helpers) -> None:
    """The two ways of keeping grid workers out give the same run, case for case."""
    seed = helpers.replication_seeds("pooled-designs", 1)[0]
    case = POOLS[0]
    runs = [
        pool.submit(sim.run, pool_scenario(case, without), seed=seed, days=5.0)
        for without in WITHOUT_GRID_WORKERS
    ]
    columns = ["created_h", "accepted_h", "closed_h", "grid", "handler_id"]
    first, second = (
        run.result().cases[columns].astype({"grid": str, "handler_id": str}) for run in runs
    )
    assert len(first) > 1000
    handled = first.loc[first["closed_h"].notna(), "handler_id"]
    assert handled.str.contains("-pool").all()
    pd.testing.assert_frame_equal(first, second)


# --- grids_per_member: one specialist per k grids, with a remainder ------------------------------

GRIDS, K = 6, 4  # members serve grids 1–4 and 5–6
LAM_GRID, MU = 0.5, 3.0
MEMBER_GRIDS = {
    "c-g01-pool1": ["c-g01", "c-g02", "c-g03", "c-g04"],
    "c-g05-pool2": ["c-g05", "c-g06"],
}


def per_member_stats(result: sim.Result, cases: pd.DataFrame) -> dict[str, float]:
    """queue_stats per member, over the cases of the grids it serves; each member must have
    handled exactly the cases of its own grids."""
    out = {}
    for number, (member, grids) in enumerate(MEMBER_GRIDS.items()):
        mine = cases[cases["grid"].isin(grids)]
        assert (mine["handler_id"] == member).all()
        out |= wait_stats(mine, str(number))
    return out


def test_one_specialist_per_k_grids_is_an_mm1_queue_each(replicate, helpers) -> None:
    lams = [LAM_GRID * len(grids) for grids in MEMBER_GRIDS.values()]  # 2/h and 1/h
    warm = max(warmup(lam, MU, 1) for lam in lams)
    data = merge_mappings(
        pooled_scenario(GRIDS, LAM_GRID, MU, {"grids_per_member": K}, warm),
        WITHOUT_GRID_WORKERS["no grid workers"],
    )
    reps = replicate(
        sim.scenario_from_dict(data), per_member_stats, key="pooled-k-grids", reps=REPS, days=100
    )
    failures = []
    for number, lam in enumerate(lams):
        exact = theory.mmc(lam, MU, 1)
        for key, value in {"wq": exact.wq, "p_wait": exact.p_wait, "w": exact.w}.items():
            failures.append(
                helpers.disagreement(
                    f"member {number + 1} (λ={lam:g})", reps, f"{key}{number}", value
                )
            )
    failures = [line for line in failures if line]
    assert not failures, failures


# --- reassign: members sent from one grid to another (a plan action) -----------------------------

PER_GRID, SENT, LAM_SENT, MU_SENT = 4, 1, 2.0, 1.0  # c-g01 keeps 3 (ρ = 2/3), c-g02 has 5 (ρ = 0.4)


def per_grid_stats(result: sim.Result, cases: pd.DataFrame) -> dict[str, float]:
    """queue_stats per grid; c-g01's cases must be handled only by the members it kept."""
    out = {}
    for number, grid in enumerate(("c-g01", "c-g02")):
        mine = cases[cases["grid"] == grid]
        handlers = set(mine["handler_id"].astype(str))
        if grid == "c-g01":
            assert len(handlers) == PER_GRID - SENT and all(h.startswith(grid) for h in handlers)
        else:
            assert len(handlers) == PER_GRID + SENT
        out |= wait_stats(mine, str(number))
    return out


def test_members_reassigned_by_a_plan_make_two_erlang_c_queues(replicate, helpers) -> None:
    """Two grids of 2/h each with 4 members apiece; a plan at 0 h sends one member of c-g01
    to c-g02 for good: c-g01 is then M/M/3 and c-g02 M/M/5."""
    warm = warmup(LAM_SENT, MU_SENT, PER_GRID - SENT)
    send = {
        "reassign": "pool",
        "count": SENT,
        "area": {"grids": ["c-g01"]},
        "to": {"grids": ["c-g02"]},
    }
    data = merge_mappings(
        pooled_scenario(2, LAM_SENT, MU_SENT, {"per_grid": PER_GRID}, warm),
        {
            **WITHOUT_GRID_WORKERS["no grid workers"],
            "plans": {"send": {"triggers": [{"at": "0h"}], "actions": [send]}},
        },
    )
    reps = replicate(
        sim.scenario_from_dict(data), per_grid_stats, key="reassign", reps=REPS, days=100
    )
    failures = []
    for number, c in enumerate((PER_GRID - SENT, PER_GRID + SENT)):
        exact = theory.mmc(LAM_SENT, MU_SENT, c)
        for key, value in {"wq": exact.wq, "p_wait": exact.p_wait, "w": exact.w}.items():
            label = f"grid {number + 1} (c={c})"
            failures.append(helpers.disagreement(label, reps, f"{key}{number}", value))
    failures = [line for line in failures if line]
    assert not failures, failures
