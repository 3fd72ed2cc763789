"""The hotline desk alone (scenarios/theory/mmck.yaml) against M/M/c/K (docs/sources.md Q3), and
the offered load's count of the requests that reach the grid against a run.

Three parameter sets of Q3's table. For each, R independent replications; per replication the
calls that arrived after the warm-up give the blocked share, the mean wait of the admitted
calls, the time-average number of calls in the desk L, and λW (admitted calls an hour × the mean
time in the desk of those answered). Their replication means must lie within 3 standard errors
(Student-t, `se_limit`) of `sim.theory.mmck`: P(block), Wq, and L for both L and λW (Little's law
at the desk; its exact sample-path form is checked on every run, in `channels.checks`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

import sim
from sim import theory
from sim.load import scenario_load

HOUSEHOLDS = 100  # mmck.yaml: one grid of 100 households, so λ = 100 × rate per household


@dataclass(frozen=True)
class MMcK:
    """One M/M/c/K case: rates per hour, c agents, room for K calls, run length, replications."""

    name: str
    lam: float
    mu: float
    c: int
    K: int
    days: float
    reps: int = 20

    def overrides(self) -> list[str]:
        return [
            f"sources.resident.rate_per_household={self.lam / HOUSEHOLDS!r}/h",
            f"channels.hotline.talk.mean={60.0 / self.mu!r}min",
            f"channels.hotline.agents={self.c}",
            f"channels.hotline.capacity={self.K}",
        ]


CASES = [
    MMcK("K1", 10.0, 4.0, 3, 6, days=30),
    MMcK("K2", 4.0, 1.5, 3, 5, days=60),
    MMcK("K3", 2.0, 3.0, 1, 3, days=60),
]


def desk_stats(result: sim.Result, cases: pd.DataFrame) -> dict[str, float]:
    """Blocked share, mean wait, L and λW at the hotline after the warm-up."""
    desk = result.summary["channels"]["desks"]["hotline"]
    little = desk["little"]
    return {
        "p_block": desk["blocked_share"],
        "wq": desk["wait_h"]["mean"],
        "L": little["L"],
        "lambda_W": little["lambda"] * little["W"],
    }


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_hotline_desk_matches_mmck(case: MMcK, replicate, helpers, scenarios: Path) -> None:
    scenario = sim.load_scenario(scenarios / "theory" / "mmck.yaml", overrides=case.overrides())
    reps = replicate(
        scenario, desk_stats, key=f"desk-{case.name}", reps=case.reps, days=case.days, cooldown=None
    )
    exact = theory.mmck(case.lam, case.mu, case.c, case.K)
    expected = {"p_block": exact.p_block, "wq": exact.wq, "L": exact.l, "lambda_W": exact.l}
    failures = [
        helpers.disagreement(case.name, reps, key, value) for key, value in expected.items()
    ]
    failures = [line for line in failures if line]
    assert not failures, failures


#: Residents choose between the grid worker (on duty round the clock) and the hotline; some
#: needs go unreported, blocked callers may go to the grid, answered ones are settled or
#: forwarded. Households' experience changes nothing (weights 0), so the routes are stationary.
ROUTED = [
    "channels.grid.enabled=true",
    "channels.grid.base=0",
    "channels.hotline.base=0.5",
    "channels.hotline.agents=1",
    "channels.hotline.capacity=2",
    "channels.hotline.settle=0.5",
    "channels.hotline.forward_delay=30min",
    "channels.persist=0.6",
    "channels.reporting.base=0.8",
    "sources.resident.rate_per_household=0.03/h",
    "grid_workers.per_grid=2",
]


def grid_arrivals(result: sim.Result, cases: pd.DataFrame) -> dict[str, float]:
    """Residents' cases created at the grid a week, after the warm-up."""
    summary = result.summary
    weeks = (summary["horizon_h"] - summary["warmup_h"]) / 168.0
    return {"per_week": summary["cases_created"] / weeks}


def test_offered_load_counts_the_requests_that_reach_the_grid(
    replicate, helpers, scenarios: Path
) -> None:
    """`offered_load` counts as requests at the grid the reported needs taken to the grid worker
    and the work orders forwarded from the desk: in a stationary system where the desk is an
    M/M/1/2, exactly what reaches the grid in a run."""
    scenario = sim.load_scenario(scenarios / "theory" / "mmck.yaml", overrides=ROUTED)
    expected = scenario_load(scenario).arrivals["request"]
    assert 0 < expected < 0.8 * 3.0 * 168  # fewer than the needs reported
    reps = replicate(scenario, grid_arrivals, key="desk-routes", reps=20, days=60, cooldown=None)
    line = helpers.disagreement("routes", reps, "per_week", expected)
    assert line is None, line
