"""The offered load computed before a run (sim/load.py) against queueing theory, and the
overload warnings before and after a run.

- M/M/c (`mmc.yaml`): the grid side's utilisation is ρ = λ / (cμ), exactly.
- Jackson network J2 (`jackson_j2.yaml`): each department's utilisation is the ρ_j of the
  traffic equations, exactly: the escalation probabilities thin the arrivals tier by tier.
- At ρ = 1.2 the offered load warns before the run and the open work is found growing after
  it; at ρ = 0.8 neither warns.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import sim
from sim import theory
from sim.load import scenario_load

ROOT = Path(__file__).resolve().parents[2]
MMC = ROOT / "scenarios" / "theory" / "mmc.yaml"
J2 = ROOT / "scenarios" / "theory" / "jackson_j2.yaml"


def mmc(lam: float, mu: float, c: int, days: float = 100) -> sim.Scenario:
    """The M/M/c scenario with arrival rate λ, service rate μ and c servers (per hour)."""
    return sim.load_scenario(
        MMC,
        [
            f"sources.resident.rate_per_household={lam / 100}/h",
            f"categories.service.work.mean={1 / mu}h",
            f"grid_workers.per_grid={c}",
            f"run.days={days}",
            "run.warmup=24h",
        ],
    )


@pytest.mark.parametrize(("lam", "mu", "c"), [(10, 4, 3), (4, 1.5, 3), (30, 12, 5), (2, 3, 1)])
def test_mmc_utilisation_is_lambda_over_c_mu(lam: float, mu: float, c: int) -> None:
    load = scenario_load(mmc(lam, mu, c))
    assert load.utilisation == pytest.approx(lam / (c * mu), rel=1e-9)
    assert load.demand["request"] == pytest.approx(lam * 168 / mu, rel=1e-9)
    assert load.capacity["grid_worker"] == pytest.approx(c * 168, rel=1e-12)


def test_j2_department_utilisation_is_the_traffic_equations() -> None:
    load = scenario_load(sim.load_scenario(J2))
    net = theory.jackson(**theory.J2)
    nodes = ["street_office", "district_office", "city_office", "verification"]
    for node, department in enumerate(nodes, start=1):
        assert load.departments[department]["utilisation"] == pytest.approx(
            net.nodes[node].rho, rel=1e-9
        ), department
    assert load.utilisation == pytest.approx(net.nodes[0].rho, rel=1e-9)


def test_overload_at_rho_1_2_is_told_before_and_after_the_run() -> None:
    scenario = mmc(lam=14.4, mu=4, c=3, days=30)  # cμ = 12: ρ = 14.4 / 12 = 1.2
    load = scenario_load(scenario)
    assert load.utilisation == pytest.approx(1.2)
    assert load.warnings() and "120 %" in load.warnings()[0]
    result = sim.run(scenario, seed=1)
    growth = result.summary["steady_state"]["growth"]["closed_loop"]
    assert growth["growing"]
    # the backlog grows at λ − cμ = 2.4 cases an hour: 403 a week
    assert growth["slope_per_week"] == pytest.approx(2.4 * 168, rel=0.1)
    assert any("grew by" in line for line in result.summary["warnings"])


def test_no_warning_at_rho_0_8() -> None:
    scenario = mmc(lam=9.6, mu=4, c=3, days=60)
    assert scenario_load(scenario).warnings() == []
    result = sim.run(scenario, seed=1)
    steady = result.summary["steady_state"]
    assert steady["stationary"] is True
    assert result.summary["warnings"] == []
