"""The J2 escalation network (docs/sources.md Q4, scenarios/theory/jackson_j2.yaml) against the
product-form solution of the open Jackson network.

Per replication: mean time to close by the tier a case reached (a fixed path through the
network, so its mean is the sum of the nodes' W), the overall mean sojourn, and per node the
throughput (jobs done per hour: the visit rate λ_j of the traffic equations), the
utilisation (busy / on-duty hours: ρ_j = λ_j / (c_j μ_j)) and, from the jobs table, the mean
wait of a job in the node's queue (Wq_j of the node's M/M/c_j) and the summary's mean wait by
tier, which must be the same number. Throughput over [0, T] from an empty
start undercounts λ_j by at most L_j / T (≤ 10.2 / 3,600 h ≈ 0.003/h, against SEs ≈ 0.016/h
at the two busiest nodes; proportionally as small elsewhere); the warm-up in the scenario file
removes the transient from the time-to-close means.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import sim
from sim import theory

REPS = 20
COOLDOWN = 100.0  # hours: the city path (mean 11 h) has closed by then

#: J2 nodes in docs/sources.md Q4 order, and the gridsim role that serves each.
ROLES = ["grid_worker", "street_office", "district_office", "city_office", "verification"]
#: tier_reached in gridsim → the J2 path (J2's node 0 "community grid workers" is the grid tier).
PATHS = {"grid": [0, 4], "street": [0, 1, 4], "district": [0, 1, 2, 4], "city": [0, 1, 2, 3, 4]}
#: J2 node → the summary's `tiers` entry whose jobs it serves (node 4: the feedback call).
NODE_TIERS = ["grid", "street", "district", "city", "feedback"]
PRINTED_TIERS = {"grid": 0.907083, "street": 2.461196, "district": 6.164900, "city": 11.164900}


def j2_stats(result: sim.Result, cases: pd.DataFrame) -> dict[str, float]:
    """Time to close by tier and overall; throughput and utilisation per node."""
    out = {"sojourn": float(cases["time_to_close_h"].mean())}
    by_tier = cases.groupby("tier_reached", observed=True)["time_to_close_h"].mean()
    out.update({f"ttc_{tier}": float(by_tier[tier]) for tier in PATHS})
    jobs = result.workers.groupby("role")["jobs_done"].sum()
    horizon = result.summary["horizon_h"]
    utilisation = result.summary["utilization"]
    for node, role in enumerate(ROLES):
        out[f"lam_{node}"] = float(jobs[role]) / horizon
        out[f"rho_{node}"] = float(utilisation[role])
    measured = result.jobs[result.jobs["case_id"].isin(cases["case_id"])]
    feedback = measured["purpose"] == "feedback"
    for node, tier in enumerate(NODE_TIERS):
        rows = measured[feedback if tier == "feedback" else ~feedback & (measured["tier"] == tier)]
        out[f"wq_{node}"] = float(rows["wait_h"].mean())
    return out


def expected_values() -> dict[str, float]:
    """Product-form values for every statistic of `j2_stats`."""
    net = theory.jackson(**theory.J2)
    tiers = theory.path_time_to_close(net, PATHS)
    expected = {"sojourn": net.mean_sojourn}
    expected.update({f"ttc_{tier}": value for tier, value in tiers.items()})
    for node, result in enumerate(net.nodes):
        expected[f"lam_{node}"] = net.lam[node]
        expected[f"rho_{node}"] = result.rho
        expected[f"wq_{node}"] = result.wq
    return expected


@pytest.fixture(scope="module")
def j2_reps(replicate, scenarios: Path) -> list[dict[str, float]]:
    """The J2 replications (12–25 s on 2 cores), shared by the tests marked slow below."""
    scenario = sim.load_scenario(scenarios / "theory" / "jackson_j2.yaml")
    return replicate(scenario, j2_stats, key="J2", reps=REPS, cooldown=COOLDOWN)


def test_expected_values_are_the_printed_ones() -> None:
    expected = expected_values()
    for tier, printed in PRINTED_TIERS.items():
        assert expected[f"ttc_{tier}"] == pytest.approx(printed, abs=5e-7)
    assert expected["sojourn"] == pytest.approx(1.515128, abs=5e-7)


def _compare(helpers, reps: list[dict[str, float]], keys: list[str]) -> list[str]:
    expected = expected_values()
    failures = [helpers.disagreement("J2", reps, key, expected[key]) for key in keys]
    return [line for line in failures if line]


@pytest.mark.slow
def test_time_to_close_by_tier(j2_reps: list[dict[str, float]], helpers) -> None:
    failures = _compare(helpers, j2_reps, ["sojourn"] + [f"ttc_{tier}" for tier in PATHS])
    assert not failures, failures


@pytest.mark.slow
def test_visit_rates_follow_traffic_equations(j2_reps: list[dict[str, float]], helpers) -> None:
    failures = _compare(helpers, j2_reps, [f"lam_{node}" for node in range(len(ROLES))])
    assert not failures, failures


@pytest.mark.slow
def test_utilisation_per_node(j2_reps: list[dict[str, float]], helpers) -> None:
    failures = _compare(helpers, j2_reps, [f"rho_{node}" for node in range(len(ROLES))])
    assert not failures, failures


@pytest.mark.slow
def test_waits_per_node_from_the_jobs_table(j2_reps: list[dict[str, float]], helpers) -> None:
    failures = _compare(helpers, j2_reps, [f"wq_{node}" for node in range(len(ROLES))])
    assert not failures, failures


def test_summary_tiers_are_the_jobs_table_by_tier(scenarios: Path) -> None:
    """The summary's wait and time by tier are computed from the jobs table of the cases it
    counts: same jobs, same numbers."""
    scenario = sim.load_scenario(scenarios / "theory" / "jackson_j2.yaml", ["run.days=40"])
    result = sim.run(scenario, seed=3)
    counted = result.cases[result.cases["created_h"] >= result.summary["warmup_h"]]
    jobs = result.jobs[result.jobs["case_id"].isin(counted["case_id"])]
    tiers = result.summary["tiers"]
    for tier in ("grid", "street", "district", "city"):
        rows = jobs[(jobs["tier"] == tier) & (jobs["purpose"] != "feedback")]
        assert tiers[tier]["jobs"] == len(rows)
        assert tiers[tier]["wait_h"]["mean"] == pytest.approx(rows["wait_h"].mean())
    feedback = jobs[jobs["purpose"] == "feedback"]
    assert tiers["feedback"]["jobs"] == len(feedback)
    # every job of a closed case was done, and a case's jobs follow its itinerary in time
    closed = counted.loc[counted["status"] == "closed", "case_id"]
    done = jobs[jobs["case_id"].isin(closed)]
    assert (done["outcome"] == "done").all()
    assert (done["queued_h"] <= done["started_h"]).all()
    assert (done["started_h"] <= done["finished_h"]).all()
    by_case = done.groupby("case_id")
    assert (
        by_case["finished_h"].max()
        <= counted.set_index("case_id").loc[by_case.groups.keys(), "closed_h"] + 1e-9
    ).all()
