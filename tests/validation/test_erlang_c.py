"""M/M/c through the full gridsim code path (scenarios/theory/mmc.yaml) against Erlang C.

docs/sources.md Q2 E1, E2, E3 and S1, plus a ten-server case. For each, R independent
replications (seeds: `replication_seeds` in conftest.py); each discards a warm-up of ten
relaxation times τ = 1/(μ(1−√ρ)²) (docs/sources.md Q10, the M/M/1 bound, conservative for c > 1) and
measures cases created after it. Per replication: mean wait (first_response_h), P(wait > 0) and mean
sojourn (time_to_close_h). The replication mean must lie within 3 standard errors of
`sim.theory.mmc` (SE from the spread of the replications).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

import sim
from sim import theory

HOUSEHOLDS = 100  # mmc.yaml: one grid of 100 households, so λ = 100 × rate per household


@dataclass(frozen=True)
class MMc:
    """One M/M/c case: rates per hour, c servers, run length and replications."""

    name: str
    lam: float
    mu: float
    c: int
    days: float
    reps: int = 20

    @property
    def warmup(self) -> float:
        """Ten relaxation times, whole hours."""
        rho = self.lam / (self.c * self.mu)
        return math.ceil(10.0 / (self.mu * (1.0 - math.sqrt(rho)) ** 2))

    def overrides(self) -> list[str]:
        return [
            f"sources.resident.rate_per_household={self.lam / HOUSEHOLDS!r}/h",
            f"categories.service.work.mean={60.0 / self.mu!r}min",
            f"grid_workers.per_grid={self.c}",
            f"run.warmup={self.warmup}h",
        ]


CASES = [
    MMc("E1", 10.0, 4.0, 3, days=200),
    # ρ = 0.89: τ ≈ 204 h, so a 2,040 h warm-up and a long horizon (docs/sources.md Q2 notes)
    pytest.param(MMc("E2", 4.0, 1.5, 3, days=800), marks=pytest.mark.slow, id="E2"),
    MMc("E3", 30.0, 12.0, 5, days=50),
    MMc("S1", 2.0, 3.0, 1, days=200),
    MMc("C10", 8.0, 1.0, 10, days=300),
]


def queue_stats(result: sim.Result, cases: pd.DataFrame) -> dict[str, float]:
    """Mean wait, P(wait > 0) and mean sojourn of one replication."""
    wait = cases["first_response_h"]
    return {
        "wq": float(wait.mean()),
        "p_wait": float((wait > 0).mean()),
        "w": float(cases["time_to_close_h"].mean()),
    }


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_mmc_matches_erlang_c(case: MMc, replicate, helpers, scenarios: Path) -> None:
    scenario = sim.load_scenario(scenarios / "theory" / "mmc.yaml", overrides=case.overrides())
    reps = replicate(scenario, queue_stats, key=case.name, reps=case.reps, days=case.days)
    exact = theory.mmc(case.lam, case.mu, case.c)
    expected = {"wq": exact.wq, "p_wait": exact.p_wait, "w": exact.w}
    failures = [
        helpers.disagreement(case.name, reps, key, value) for key, value in expected.items()
    ]
    failures = [line for line in failures if line]
    assert not failures, failures
