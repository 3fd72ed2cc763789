"""Ciw (an independent discrete-event simulator) as the oracle for what closed forms cover less
directly: non-preemptive priorities at c servers, and the J2 escalation network.

Each engine runs R independent replications; the two replication means of every statistic must
differ by at most 3·sqrt(SE₁² + SE₂²) (3 SE in the Student-t sense: conftest.se_limit). Ciw
replications run in the shared process pool, so the functions they call are module-level (a
spawned worker imports this module by name).

Priority queue: E1's load (λ = 10/h, μ = 4/h, c = 3) split into urgent (priority 1, 30 %) and
normal (priority 2, 70 %) requests with the same work content. In gridsim these are two
categories in the resident mix; splitting a Poisson stream by independent draws gives the two
independent Poisson class streams Ciw is given. Both engines are also held to Cobham's exact
mean waits for non-preemptive priorities with equal service rates,
Wq_k = C(c, a) / (cμ (1 − σ_{k−1})(1 − σ_k)), σ_k = Σ_{i ≤ k} λ_i / (cμ).

J2 network: Ciw's single-class transition matrix is exactly J2's routing (docs/sources.md Q4).
gridsim draws each case's escalation path when the case is created, independently of queues
and work content; Markov routing draws each hop on leaving a node, independently too, so the
probability of every path is the same product (community only: 0.8; street: 0.2·0.7;
district: 0.2·0.3·0.75; city: 0.2·0.3·0.25). No per-class routing is needed. A customer's tier
is the highest escalation node (street, district, city) it visited, else the grid tier; its time
to close runs from arrival at the grid node to departure from the verification node.
"""

from __future__ import annotations

import math
from pathlib import Path

import ciw
import pandas as pd
import pytest

import sim
from sim import theory

# --- priority queue ------------------------------------------------------------------------------

LAM = {"urgent": 3.0, "normal": 7.0}
MU, C = 4.0, 3
PRIORITY = {"urgent": 1, "normal": 2}
PRIORITY_DAYS = 200.0
PRIORITY_REPS = 20
COOLDOWN = 48.0


def priority_warmup() -> float:
    """Ten relaxation times of the aggregate queue (as test_erlang_c): with equal work content
    the number in system does not depend on the order of service."""
    rho = sum(LAM.values()) / (C * MU)
    return math.ceil(10.0 / (MU * (1.0 - math.sqrt(rho)) ** 2))


def cobham_wq() -> dict[str, float]:
    """Exact mean wait per class, non-preemptive priority M/M/c with equal service rates."""
    lam = sum(LAM.values())
    p_wait = theory.mmc(lam, MU, C).p_wait
    out, sigma = {}, 0.0
    for name in sorted(LAM, key=PRIORITY.get):
        before, sigma = sigma, sigma + LAM[name] / (C * MU)
        out[name] = p_wait / (C * MU * (1.0 - before) * (1.0 - sigma))
    return out


def ciw_priority_rep(seed: int) -> dict[str, float]:
    """Mean wait per class in one Ciw replication (runs in a worker process)."""
    network = ciw.create_network(
        arrival_distributions={k: [ciw.dists.Exponential(v)] for k, v in LAM.items()},
        service_distributions={k: [ciw.dists.Exponential(MU)] for k in LAM},
        number_of_servers=[C],
        priority_classes={k: PRIORITY[k] - 1 for k in LAM},  # Ciw: 0 is served first
    )
    ciw.seed(seed)
    simulation = ciw.Simulation(network)
    horizon = PRIORITY_DAYS * 24.0
    simulation.simulate_until_max_time(horizon)
    records = pd.DataFrame(simulation.get_all_records())
    window = records[
        (records["arrival_date"] >= priority_warmup())
        & (records["arrival_date"] < horizon - COOLDOWN)
    ]
    waits = window.groupby("customer_class")["waiting_time"].mean()
    return {name: float(waits[name]) for name in LAM}


def gridsim_priority_stats(result: sim.Result, cases: pd.DataFrame) -> dict[str, float]:
    """Mean wait (first response) per category."""
    waits = cases.groupby("category", observed=True)["first_response_h"].mean()
    return {name: float(waits[name]) for name in LAM}


def priority_scenario(scenarios: Path) -> sim.Scenario:
    work = f"{{dist: exponential, mean: {60.0 / MU!r}min}}"
    mix = ", ".join(f"{name}: {rate!r}" for name, rate in LAM.items())
    return sim.load_scenario(
        scenarios / "theory" / "mmc.yaml",
        overrides=[
            *(f"categories.{k}={{work: {work}, priority: {PRIORITY[k]}}}" for k in LAM),
            f"sources.resident.mix={{{mix}}}",
            f"sources.resident.rate_per_household={sum(LAM.values()) / 100!r}/h",
            f"grid_workers.per_grid={C}",
            f"run.warmup={priority_warmup()}h",
        ],
    )


# --- J2 network ----------------------------------------------------------------------------------

TIERS = ["grid", "street", "district", "city"]  # Ciw nodes 1..4 (node 5 is verification)
J2_REPS = 10
J2_COOLDOWN = 100.0


def ciw_j2_rep(seed: int, horizon: float, warmup: float) -> dict[str, float]:
    """Mean time to close per tier in one Ciw replication of J2 (runs in a worker process)."""
    network = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(20.0)] + [None] * 4,
        service_distributions=[ciw.dists.Exponential(mu) for mu in theory.J2["mu"]],
        number_of_servers=theory.J2["c"],
        routing=theory.J2["routing"],
    )
    ciw.seed(seed)
    simulation = ciw.Simulation(network)
    simulation.simulate_until_max_time(horizon)
    records = pd.DataFrame(simulation.get_all_records())
    by_customer = records.groupby("id_number")
    start = by_customer["arrival_date"].min()
    end = records[records["node"] == 5].groupby("id_number")["exit_date"].max()
    top = records[records["node"] < 5].groupby("id_number")["node"].max()
    customers = pd.DataFrame({"start": start, "end": end, "tier": top})
    window = customers[
        (customers["start"] >= warmup) & (customers["start"] < horizon - J2_COOLDOWN)
    ]
    assert window["end"].notna().all(), "cooldown too short: customers still in the network"
    ttc = (window["end"] - window["start"]).groupby(window["tier"]).mean()
    return {tier: float(ttc[node]) for node, tier in enumerate(TIERS, start=1)}


def gridsim_j2_stats(result: sim.Result, cases: pd.DataFrame) -> dict[str, float]:
    ttc = cases.groupby("tier_reached", observed=True)["time_to_close_h"].mean()
    return {tier: float(ttc[tier]) for tier in TIERS}


# --- comparison ----------------------------------------------------------------------------------


def _compare(
    helpers,
    label: str,
    grid: list[dict[str, float]],
    oracle: list[dict[str, float]],
    exact: dict[str, float],
) -> list[str]:
    """Lines that break the 3-SE rule (`se_limit`): gridsim vs Ciw, and each vs the exact value."""
    mean_se, limit = helpers.mean_se, helpers.se_limit(min(len(grid), len(oracle)) - 1)
    failures = []
    for key, value in exact.items():
        (m1, s1), (m2, s2) = mean_se(grid, key), mean_se(oracle, key)
        se = math.hypot(s1, s2)
        line = (
            f"{label} {key}: gridsim {m1:.6g} ± {s1:.2g}, Ciw {m2:.6g} ± {s2:.2g}, "
            f"exact {value:.6g}"
        )
        print(f"{line}; z(g−Ciw) = {(m1 - m2) / se:+.2f}")
        if abs(m1 - m2) > limit * se:
            failures.append(f"{line}: engines differ")
        for name, m, s in (("gridsim", m1, s1), ("Ciw", m2, s2)):
            if abs(m - value) > limit * s:
                failures.append(f"{line}: {name} vs exact")
    return failures


def _ciw_seeds(helpers, key: str, reps: int) -> list[int]:
    """Replication seeds folded into the 32 bits Ciw's seeding (numpy legacy) accepts."""
    return [seed % 2**32 for seed in helpers.replication_seeds(key, reps)]


@pytest.mark.slow
def test_priority_classes_match_ciw(replicate, pool, helpers, scenarios: Path) -> None:
    oracle = list(pool.map(ciw_priority_rep, _ciw_seeds(helpers, "ciw-priority", PRIORITY_REPS)))
    grid = replicate(
        priority_scenario(scenarios),
        gridsim_priority_stats,
        key="gridsim-priority",
        reps=PRIORITY_REPS,
        days=PRIORITY_DAYS,
        cooldown=COOLDOWN,
    )
    failures = _compare(helpers, "priority Wq", grid, oracle, cobham_wq())
    assert not failures, failures


@pytest.mark.slow
def test_j2_network_matches_ciw(replicate, pool, helpers, scenarios: Path) -> None:
    scenario = sim.load_scenario(scenarios / "theory" / "jackson_j2.yaml")
    horizon, warmup = scenario.run.days * 24.0, scenario.run.warmup
    seeds = _ciw_seeds(helpers, "ciw-j2", J2_REPS)
    oracle = list(pool.map(ciw_j2_rep, seeds, [horizon] * J2_REPS, [warmup] * J2_REPS))
    grid = replicate(
        scenario, gridsim_j2_stats, key="gridsim-j2", reps=J2_REPS, cooldown=J2_COOLDOWN
    )
    net = theory.jackson(**theory.J2)
    paths = {"grid": [0, 4], "street": [0, 1, 4], "district": [0, 1, 2, 4], "city": [0, 1, 2, 3, 4]}
    failures = _compare(
        helpers, "J2 time to close", grid, oracle, theory.path_time_to_close(net, paths)
    )
    assert not failures, failures
