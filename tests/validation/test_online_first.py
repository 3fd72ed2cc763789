"""Two-stage disputes (categories.<name>.online_first, article #2: "先是在群里协调,随后又上门调解"):
the grid worker first tries online (no travel); when that fails, the visit at the door follows
(the category's work and travel), and only then may the case go up the tiers.

Known answer: a case's grid hours, read from the jobs table, are on average
online work + (1 − success) × (work + travel), within 3 standard errors; the offered load
(sim/load.py, what `gridsim validate --load` prints) takes exactly that expectation; and the
share of cases that go up a tier whose escalation probability is 1 is 1 − success."""

from __future__ import annotations

import math

import pytest

import sim
from sim.config.loader import merge_mappings
from sim.load import scenario_load

from scenario_parts import INSTANT_LOOP, NO_ATTRIBUTES, ROUND_THE_CLOCK, flat_requests

ONLINE, SUCCESS = 10 / 60, 0.4  # mean hours of the online attempt; P(it settles the case)
WORK_MEDIAN, WORK_CV, TRAVEL = 1.0, 0.5, 0.25
WORK_MEAN = WORK_MEDIAN * math.sqrt(1 + WORK_CV**2)
BASE = {
    "name": "online-first-test",
    "run": {"days": 60, "tick": "24h", "warmup": "0h"},
    "world": {
        "households": NO_ATTRIBUTES,
        "streets": [
            {"id": "s", "communities": [{"id": "c", "grids": 2, "households_per_grid": 100}]}
        ],
    },
    "categories": {
        "dispute": {
            "skill": "mediation",
            "work": {"dist": "lognormal", "median": f"{WORK_MEDIAN}h", "cv": WORK_CV},
            "travel": f"{TRAVEL}h",
            "online_first": {"work": {"dist": "exponential", "mean": "10min"}, "success": SUCCESS},
        }
    },
    "grid_workers": {"per_grid": 3, "shift": ROUND_THE_CLOCK, "patrol": {"enabled": False}},
    "sources": {"resident": flat_requests("0.008/h", {"dispute": 1})},
    "loop": INSTANT_LOOP,
}
EXPECTED = ONLINE + (1 - SUCCESS) * (WORK_MEAN + TRAVEL)


def run(patch: dict | None = None, seed: int = 1) -> sim.Result:
    return sim.run(sim.scenario_from_dict(merge_mappings(BASE, patch or {})), seed=seed)


def grid_hours(result: sim.Result):
    """Per closed case, the hours its grid-tier jobs took (travel included)."""
    jobs = result.jobs
    closed = result.cases.loc[result.cases["status"] == "closed", "case_id"]
    grid = jobs[(jobs["tier"] == "grid") & jobs["case_id"].isin(closed)]
    return grid.groupby("case_id")["duration_h"].sum(), grid.groupby("case_id").size()


def test_mean_grid_hours_are_online_plus_the_failed_share_at_the_door():
    result = run()
    hours, jobs_per_case = grid_hours(result)
    assert len(hours) > 1500
    assert abs(hours.mean() - EXPECTED) < 3 * hours.std() / math.sqrt(len(hours))
    # one job when the online attempt settles the case, two when the door visit follows
    assert set(jobs_per_case.unique()) == {1, 2}
    failed = (jobs_per_case == 2).mean()
    n = len(jobs_per_case)
    assert abs(failed - (1 - SUCCESS)) < 3 * math.sqrt(SUCCESS * (1 - SUCCESS) / n)
    # the offered load (gridsim validate --load) takes the same expectation, and agrees with
    # the measurement
    load = scenario_load(result.scenario)
    per_case = load.hours_per_item(("request",))
    assert per_case == pytest.approx(EXPECTED, rel=1e-12)
    assert abs(hours.mean() - per_case) < 3 * hours.std() / math.sqrt(len(hours))


def test_a_case_settled_online_goes_no_higher():
    """With a tier above the grid reached with probability 1, the cases that go up are those
    the online attempt did not settle; the department's offered load counts only those."""
    patch = {
        "departments": {"office": {"tier": "community", "staff": 5, "work": "30min"}},
        "categories": {
            "dispute": {"escalation": [{"tier": "community", "departments": ["office"], "p": 1}]}
        },
    }
    result = run(patch, seed=2)
    closed = result.cases[result.cases["status"] == "closed"]
    up = (closed["tier_reached"] == "community").mean()
    n = len(closed)
    assert abs(up - (1 - SUCCESS)) < 3 * math.sqrt(SUCCESS * (1 - SUCCESS) / n)
    load = scenario_load(result.scenario)
    arrivals = load.arrivals["request"]
    assert load.departments["office"]["demand"] == pytest.approx(arrivals * (1 - SUCCESS) * 0.5)


def test_online_first_changes_no_other_draw():
    """Common random numbers: the cases (times, places, work content) are the same draws with
    and without the online attempt; only their handling differs."""
    with_online = run(seed=3).cases
    without = run({"categories": {"dispute": {"online_first": None}}}, seed=3).cases
    columns = ["case_id", "created_h", "grid", "household", "work_h"]
    assert with_online[columns].astype({"grid": str}).equals(without[columns].astype({"grid": str}))
