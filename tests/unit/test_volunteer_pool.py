"""Volunteers who come and go (sim/agents/volunteer_pool.py): a standby pool works only after
answering a call, each volunteer answering with the pool's probability after its response
delay, and goes home when the plan stands down; volunteers who join during a call answer it
too; a full pool turns joiners away; a volunteer who drops out frees a place; a pool without
standby works its roster while in the pool; the mobilise action's checks; the pool's places
stay fixed in the workers table.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import sim
from sim.agents.volunteer_pool import stationary_sizes
from sim.config.loader import merge_mappings
from sim.metrics import jobs_table
from sim.model import GridModel

from scenario_parts import INSTANT_LOOP, NO_ATTRIBUTES, ROUND_THE_CLOCK, flat_requests

EPS = 1e-9
CALL, STAND_DOWN = 100.0, 300.0

BASE = {
    "name": "pool-test",
    "run": {"days": 20, "tick": "24h"},
    "world": {
        "households": NO_ATTRIBUTES,
        "streets": [
            {
                "id": "s",
                "communities": [
                    {"id": f"c{k}", "grids": 2, "households_per_grid": 100} for k in range(4)
                ],
            }
        ],
    },
    "categories": {"service": {"work": {"dist": "exponential", "mean": "30min"}, "priority": 1}},
    "grid_workers": {"per_grid": 1, "shift": ROUND_THE_CLOCK, "patrol": {"enabled": False}},
    "teams": {
        "vol": {
            "kind": "volunteer",
            "standby": True,
            "shift": ROUND_THE_CLOCK,
            "categories": ["service"],
            "pool": {
                "join_rate": "2/day",
                "leave_rate": "0.05/day",  # 40 per community on average
                "answer": 0.5,
                "response_delay": "2h",
            },
        }
    },
    "plans": {"call": {"triggers": [{"at": f"{CALL}h"}], "actions": [{"mobilise": "vol"}]}},
    "decisions": [{"plan": "call", "at": f"{STAND_DOWN}h", "do": "stand_down"}],
    "sources": {"resident": flat_requests("0.004/h")},
    "loop": INSTANT_LOOP,
}


def scenario(*patches: dict, called: bool = True) -> sim.Scenario:
    """The test scenario with `patches`; `called=False`: volunteers not on standby, no plan."""
    data = BASE
    for patch in patches:
        data = merge_mappings(data, patch)
    if not called:
        data = {key: value for key, value in data.items() if key not in ("plans", "decisions")}
        data = merge_mappings(data, {"teams": {"vol": {"standby": False}}})
    return sim.scenario_from_dict(data)


def pool(**settings) -> dict:
    return {"teams": {"vol": {"pool": settings}}}


def test_volunteers_work_only_between_answering_the_call_and_the_stand_down() -> None:
    result = sim.run(scenario(), seed=3)
    jobs = result.jobs
    volunteers = result.workers.loc[result.workers["role"] == "vol", "staff_id"]
    theirs = jobs[jobs["staff_id"].isin(volunteers)]
    assert len(theirs) > 0
    assert (theirs["started_h"] >= CALL + 2.0 - EPS).all()  # the response delay: 2 h
    assert (theirs["started_h"] <= STAND_DOWN + EPS).all()
    events = result.events
    mobilised = events.loc[events["event"] == "mobilise", "detail"].iloc[0]
    assert mobilised.startswith("vol: call to ")


def test_each_volunteer_in_the_pool_answers_with_the_pools_probability() -> None:
    model = GridModel(scenario(), seed=5)
    model.run_model()
    volunteer_pool = model.pools["vol"]
    events = model.events.table()
    reached = int(events.loc[events["event"] == "mobilise", "detail"].iloc[0].split()[3])
    joined_during = sum(
        1
        for c in volunteer_pool.communities
        for t in volunteer_pool.join_times[c]
        if CALL <= t < STAND_DOWN - 2.0  # joined in time to come on duty before the stand-down
    )
    called = reached + joined_during - volunteer_pool.turned_away
    assert reached > 100  # four communities of about 40
    p = 0.5
    assert abs(volunteer_pool.answered - called * p) <= 4 * math.sqrt(called * p * (1 - p))


def test_a_full_pool_turns_joiners_away() -> None:
    result = sim.run(
        scenario(pool(size_limit=3, initial=3, join_rate="5/day", leave_rate="0.1/day")), seed=1
    )
    block = result.summary["turnover"]["vol"]
    assert block["turned_away"] > 0
    assert block["size"]["max"] <= 3 * 4
    vol = result.workers[result.workers["role"] == "vol"]
    assert len(vol) == 3 * 4  # fixed places, one row each
    assert block["joined"] - block["turned_away"] == int(vol["hires"].sum())


def test_a_volunteer_who_drops_out_frees_a_place_for_the_next() -> None:
    dropout = {"teams": {"vol": {"dropout": {"after_idle": "1h", "p": 1.0}}}}
    result = sim.run(scenario(dropout, pool(size_limit=5, initial=5), called=False), seed=2)
    block = result.summary["turnover"]["vol"]
    # idle volunteers all lose heart within hours; places fill again as others join
    vol = result.workers[result.workers["role"] == "vol"]
    assert vol["left_h"].isna().all()  # a pool's dropouts leave the pool, not the run
    assert block["left"] >= 20 and vol["hires"].sum() > 0  # the lowest free place first
    assert block["joined"] - block["turned_away"] == int(vol["hires"].sum())
    assert block["left"] == int(vol["leavers"].sum())


def test_a_pool_without_standby_works_while_in_the_pool() -> None:
    settings = pool(join_rate="1/day", leave_rate="0.2/day")
    model = GridModel(scenario(settings, called=False), seed=4)
    model.run_model()
    jobs = jobs_table(model)
    volunteer_pool = model.pools["vol"]
    for staff in volunteer_pool.staff:
        mine = jobs[jobs["staff_id"] == staff.name]
        assert (mine["started_h"] >= 0).all()
        if staff.vacant:  # nobody held it at the end: nothing started after it was freed
            assert (mine["started_h"] <= staff.vacant_since + EPS).all()
    assert (jobs["staff_id"].isin([s.name for s in volunteer_pool.staff])).any()


@pytest.mark.parametrize(
    ("patch", "where", "message"),
    [
        ({"teams": {"vol": {"kind": "part_time"}}}, "teams.vol", "only a team of kind volunteer"),
        ({"teams": {"vol": {"per_community": 3}}}, "teams.vol", "give either pool or"),
        (
            {"plans": {"call": {"actions": [{"mobilise": "vol", "ramp": "2h"}]}}},
            "plans.call.actions.0.ramp",
            "is a pool",
        ),
        (pool(size_limit=2, initial=3), "teams.vol.pool", "more than size_limit"),
    ],
)
def test_bad_pool_settings_are_refused(patch: dict, where: str, message: str) -> None:
    with pytest.raises(sim.ScenarioError, match=message) as error:
        scenario(patch)
    assert where in str(error.value)


def test_pool_sizes_start_from_the_stationary_law() -> None:
    uniforms = np.random.default_rng(1).random(100_000)
    sizes = stationary_sizes(20.0, 1000, uniforms)
    assert sizes.mean() == pytest.approx(20.0, abs=0.1)
    assert sizes.var() == pytest.approx(20.0, rel=0.05)  # Poisson: variance = mean
    assert stationary_sizes(20.0, 15, uniforms).max() == 15
    assert (stationary_sizes(0.0, 5, uniforms[:10]) == 0).all()
