"""Residents' self-management groups (world.self_governance, article #3: 宝鸡's building group):
a group takes a share of its community's requests of some categories and settles a share of
those after a delay; the rest go on to the grid after the delay.

Known answers: the share of the eligible requests settled by residents is share × success and
the share passed on share × (1 − success), within 3 standard errors (Bernoulli trials drawn per
request); the mean time to settle is the delay's mean, within 3 standard errors; a passed-on
request reaches the grid exactly its delay after it arrived. Conservation and Little's law hold
with settled requests counted as closed cases; the requests themselves are the same draws
with and without groups (common random numbers), and the offered load counts only the
requests that reach the grid."""

from __future__ import annotations

import copy
import math

import pytest

import sim
from sim.config.loader import merge_mappings
from sim.load import scenario_load

from scenario_parts import INSTANT_LOOP, NO_ATTRIBUTES, ROUND_THE_CLOCK, flat_requests

SHARE, SUCCESS, DELAY = 0.6, 0.5, 12.0
BASE = {
    "name": "self-governance-test",
    "run": {"days": 60, "tick": "24h", "warmup": "0h"},
    "world": {
        "households": NO_ATTRIBUTES,
        "self_governance": {
            "categories": ["dispute"],
            "share": SHARE,
            "success": SUCCESS,
            "delay": {"dist": "exponential", "mean": f"{DELAY}h"},
        },
        "streets": [
            {
                "id": "s",
                "communities": [
                    {"id": "a", "grids": 4, "households_per_grid": 100},
                    {
                        "id": "b",
                        "grids": 2,
                        "households_per_grid": 100,
                        "self_governance": {"enabled": False},
                    },
                ],
            }
        ],
    },
    "categories": {
        "dispute": {"skill": "mediation", "work": "30min"},
        "service": {"work": "20min"},
    },
    "grid_workers": {"per_grid": 2, "shift": ROUND_THE_CLOCK, "patrol": {"enabled": False}},
    "sources": {"resident": flat_requests("0.008/h", {"dispute": 0.5, "service": 0.5})},
    "loop": INSTANT_LOOP,
}


def run(patch: dict | None = None, seed: int = 1) -> sim.Result:
    return sim.run(sim.scenario_from_dict(merge_mappings(BASE, patch or {})), seed=seed)


@pytest.fixture(scope="module")
def result() -> sim.Result:
    return run()


def test_settled_and_passed_on_shares_are_share_times_success(result: sim.Result):
    cases = result.cases
    eligible = cases[cases["resident_group"].notna()]
    # only community a's disputes: b has no group, services are not the group's
    assert set(eligible["community"]) == {"a"} and set(eligible["category"]) == {"dispute"}
    disputes_a = cases[(cases["community"] == "a") & (cases["category"] == "dispute")]
    assert len(eligible) == len(disputes_a) > 1500
    n = len(eligible)
    for outcome, p in (("settled", SHARE * SUCCESS), ("passed_on", SHARE * (1 - SUCCESS))):
        share = (eligible["resident_group"] == outcome).mean()
        assert abs(share - p) < 3 * math.sqrt(p * (1 - p) / n), (outcome, share, p)
    block = result.summary["self_governance"]
    assert block["requests"] == n
    assert block["settled"] == int((eligible["resident_group"] == "settled").sum())
    assert block["taken"] == block["settled"] + block["passed_on"] + block["with_group_end"]
    assert block["settled_share"] == pytest.approx(block["settled"] / n)
    assert set(block["by_category"]) == {"dispute"}


def test_settled_requests_close_after_the_delay_and_never_reach_the_grid(result: sim.Result):
    cases, jobs = result.cases, result.jobs
    settled = cases[cases["resident_group"] == "settled"]
    assert (settled["status"] == "closed").all()
    assert not jobs["case_id"].isin(settled["case_id"]).any()
    assert (settled["accepted_h"] == settled["created_h"]).all()  # the group takes it at once
    hours = settled["time_to_close_h"]
    assert abs(hours.mean() - DELAY) < 3 * hours.std() / math.sqrt(len(hours))
    # passed on: the grid gets it exactly its delay after it arrived
    passed = cases[cases["resident_group"] == "passed_on"].set_index("case_id")
    first_queued = jobs[jobs["case_id"].isin(passed.index)].groupby("case_id")["queued_h"].min()
    waited = first_queued - passed.loc[first_queued.index, "created_h"]
    assert len(waited) == len(passed) and (waited > 0).all()
    assert abs(waited.mean() - DELAY) < 3 * waited.std() / math.sqrt(len(waited))


def test_conservation_and_little_hold_with_settled_requests_counted_as_closed(
    result: sim.Result,
):
    checks = result.summary["checks"]
    assert checks["conservation"]
    assert checks["created"] == checks["closed"] + checks["open"]
    settled = int((result.cases["resident_group"] == "settled").sum())
    assert result.summary["cases_closed"] >= settled > 0
    little = checks["little_lambda"] * checks["little_W"] + checks["little_open_L"]
    assert checks["little_L"] == pytest.approx(little, rel=1e-9)


def test_groups_leave_the_requests_themselves_unchanged(result: sim.Result):
    """Common random numbers: the same requests (times, places, work) without any group."""
    without = run({"world": {"self_governance": {"enabled": False}}}).cases
    columns = ["case_id", "created_h", "grid", "category", "work_h"]
    assert without["resident_group"].isna().all()
    assert (
        without[columns]
        .astype({"grid": str, "category": str})
        .equals(result.cases[columns].astype({"grid": str, "category": str}))
    )


def test_offered_load_counts_what_reaches_the_grid():
    scenario = sim.scenario_from_dict(BASE)
    with_groups = scenario_load(scenario).by_category["dispute"]
    without = sim.scenario_from_dict(
        merge_mappings(BASE, {"world": {"self_governance": {"enabled": False}}})
    )
    alone = scenario_load(without).by_category["dispute"]
    # two thirds of the disputes come from community a, where SHARE × SUCCESS are settled
    assert with_groups == pytest.approx(alone * (1 - 2 / 3 * SHARE * SUCCESS))


def test_groups_are_checked():
    request_only = merge_mappings(
        BASE,
        {
            "categories": {"forms": {"kind": "admin", "work": "5min", "loop": False}},
            "world": {"self_governance": {"categories": ["forms"]}},
        },
    )
    with pytest.raises(sim.ScenarioError, match="residents' requests"):
        sim.scenario_from_dict(request_only)
    half = copy.deepcopy(BASE)
    del half["world"]["self_governance"]
    half["world"]["streets"][0]["communities"][1]["self_governance"] = {"share": 0.5}
    with pytest.raises(sim.ScenarioError, match="community 'b': self_governance"):
        sim.scenario_from_dict(half)
