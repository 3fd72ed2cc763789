"""Reference "bare SimPy loop" for the speed benchmark: M/M/c FCFS written the idiomatic way.

One arrival generator process, one process per customer holding a `simpy.Resource` slot.
Inter-arrival and service times are pre-drawn with numpy (outside the timed section) so the
comparison measures the event loop, not the random number generator. No warm-up is deleted:
the means are for a run started empty.

Run: `.venv/bin/python experiments/bench/bare_simpy.py`
"""

from __future__ import annotations

import time

import numpy as np
import simpy

from sim.theory import mmc


def run_bare_mmc(lam: float, mu: float, c: int, n_cases: int, seed: int) -> dict:
    """Simulate M/M/c until ``n_cases`` customers have departed.

    Returns ``{"cases", "wall_s", "mean_wait", "mean_sojourn"}``; ``wall_s`` covers the
    SimPy part only (environment, processes and run), times are in the rates' unit.
    """
    arrival_rng, service_rng = (
        np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(2)
    )
    interarrivals = arrival_rng.exponential(1.0 / lam, n_cases)
    services = service_rng.exponential(1.0 / mu, n_cases)

    start = time.perf_counter()
    env = simpy.Environment()
    servers = simpy.Resource(env, capacity=c)
    all_departed = env.event()
    totals = {"departed": 0, "wait": 0.0, "sojourn": 0.0}

    def customer(service: float):
        arrived = env.now
        with servers.request() as req:
            yield req
            totals["wait"] += env.now - arrived
            yield env.timeout(service)
        totals["sojourn"] += env.now - arrived
        totals["departed"] += 1
        if totals["departed"] == n_cases:
            all_departed.succeed()

    def arrivals():
        for gap, service in zip(interarrivals, services, strict=True):
            yield env.timeout(gap)
            env.process(customer(service))

    env.process(arrivals())
    env.run(until=all_departed)
    wall_s = time.perf_counter() - start

    return {
        "cases": totals["departed"],
        "wall_s": wall_s,
        "mean_wait": totals["wait"] / n_cases,
        "mean_sojourn": totals["sojourn"] / n_cases,
    }


if __name__ == "__main__":
    lam, mu, c, n = 4.0, 1.0, 5, 200_000
    result = run_bare_mmc(lam, mu, c, n, seed=1)
    print(
        f"bare SimPy M/M/{c} (rho={lam / (c * mu):.2f}): {result['cases']} cases in "
        f"{result['wall_s']:.2f} s = {result['cases'] / result['wall_s']:,.0f} cases/s; "
        f"mean wait {result['mean_wait']:.4f}, mean sojourn {result['mean_sojourn']:.4f}"
    )
    theory = mmc(lam, mu, c)
    print(f"analytic (steady state): mean wait {theory.wq:.4f}, mean sojourn {theory.w:.4f}")
