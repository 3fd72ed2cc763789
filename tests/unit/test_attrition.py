"""Members who leave and the posts they leave behind (sim/agents/attrition.py): a post is vacant
from a leaver to the next hire, exactly the recruitment delay drawn; the leaver hands the job
in hand back and works no more; the community's other members cover the vacant grid (or
nobody, with `cover: false`); a new member is slower while learning; the hazard follows pay
pathwise on common random numbers and follows workload; the workers table and the turnover
block count what happened; bad settings are refused.

Each test runs a tiny in-memory scenario (well under a second or two).
"""

from __future__ import annotations

import numpy as np
import pytest

import sim
from sim.config.loader import merge_mappings
from sim.metrics import cases_table, jobs_table
from sim.model import GridModel
from sim.vocabulary import ACTIVITIES

from scenario_parts import INSTANT_LOOP, NO_ATTRIBUTES, ROUND_THE_CLOCK, flat_requests

EPS = 1e-6
DAYS = 120.0

BASE = {
    "name": "attrition-test",
    "run": {"days": DAYS, "tick": "24h"},
    "world": {
        "households": NO_ATTRIBUTES,
        "streets": [
            {"id": "s", "communities": [{"id": "c", "grids": 4, "households_per_grid": 50}]}
        ],
    },
    "categories": {"service": {"work": {"dist": "exponential", "mean": "1h"}, "priority": 1}},
    "grid_workers": {
        "per_grid": 1,
        "shift": ROUND_THE_CLOCK,
        "patrol": {"enabled": False},
        "pay": {"monthly_yuan": 2000, "annual_bonus_yuan": 0},
        "attrition": {"annual_rate": "6/year", "recruitment_delay": "10d"},
    },
    "sources": {"resident": flat_requests("0.004/h")},
    "loop": INSTANT_LOOP,
}


def scenario(*patches: dict) -> sim.Scenario:
    data = BASE
    for patch in patches:
        data = merge_mappings(data, patch)
    return sim.scenario_from_dict(data)


def attrition(**settings) -> dict:
    return {"grid_workers": {"attrition": settings}}


def model_run(*patches: dict, seed: int = 1) -> GridModel:
    model = GridModel(scenario(*patches), seed=seed)
    model.run_model()
    return model


def vacancies(events: list[tuple[float, int, int]], post: int, horizon: float) -> list:
    """The post's vacant intervals [left, hired) within the run (hired = horizon if not yet)."""
    changes = [(t, change) for t, p, change in events if p == post]
    out = []
    for k, (t, change) in enumerate(changes):
        if change < 0:
            out.append((t, changes[k + 1][0] if k + 1 < len(changes) else horizon))
    return out


def test_a_post_is_vacant_from_a_leaver_to_the_hire_a_recruitment_delay_later() -> None:
    result = sim.run(scenario(), seed=3)
    summary = result.summary["turnover"]["grid_worker"]
    assert summary["leavers"] > 4  # 6 a year at full strength: ≈ 2 per post in 120 days
    model = model_run(seed=3)
    book = model.attrition["grid_worker"]
    horizon = model.horizon
    for post, staff in enumerate(book.staff):
        changes = [(t, change) for t, p, change in book.events if p == post]
        assert [c for _, c in changes] == [-1, +1] * (len(changes) // 2) + [-1] * (
            len(changes) % 2
        )  # leave, hire, leave, hire …
        for (left, _), (hired, _) in zip(changes[::2], changes[1::2], strict=False):
            assert hired - left == pytest.approx(240.0)  # the fixed recruitment delay
        vacant = sum(end - start for start, end in vacancies(book.events, post, horizon))
        assert staff.vacant_h == pytest.approx(vacant)
    workers = result.workers[result.workers["role"] == "grid_worker"]
    hours = workers[[f"{a}_h" for a in ACTIVITIES]]
    np.testing.assert_allclose(hours.sum(axis=1), horizon, rtol=0, atol=EPS)
    # round the clock: scheduled exactly while the post is held
    np.testing.assert_allclose(workers["scheduled_h"], horizon - workers["vacant_h"], atol=EPS)
    assert workers["leavers"].sum() == summary["leavers"]
    assert workers["hires"].sum() == summary["hires"]
    assert workers["vacant_h"].sum() == pytest.approx(summary["vacant_h"])
    assert summary["mean_head_count"] == pytest.approx(4 - summary["vacant_h"] / horizon)
    # cost is paid while the post is held
    pay = 2000 * 12 / (24 * 365)
    np.testing.assert_allclose(workers["cost_yuan"], (horizon - workers["vacant_h"]) * pay)


def test_the_leaver_hands_the_job_back_and_works_no_more_until_the_hire() -> None:
    model = model_run({"sources": {"resident": flat_requests("0.01/h")}}, seed=5)
    jobs = jobs_table(model)
    book = model.attrition["grid_worker"]
    handed_back = []
    for post, staff in enumerate(book.staff):
        mine = jobs[jobs["staff_id"] == staff.name]
        for left, hired in vacancies(book.events, post, model.horizon):
            during = mine[(mine["started_h"] < hired - EPS) & (mine["finished_h"] > left + EPS)]
            assert during.empty, during  # nothing worked while vacant
            cut = mine[((mine["finished_h"] - left).abs() < EPS)]
            handed_back += cut.loc[cut["outcome"] == "handed_back", "case_id"].tolist()
    assert handed_back  # busy workers (ρ ≈ 0.5) were cut off mid-job
    for case_id in handed_back:  # the rest went back to the queue at once, for someone else
        rows = jobs[jobs["case_id"] == case_id]
        cut = rows[rows["outcome"] == "handed_back"].iloc[0]
        again = rows[(rows["queued_h"] - cut["finished_h"]).abs() < EPS]
        assert len(again) == 1 and again["staff_id"].iloc[0] != cut["staff_id"]


@pytest.mark.parametrize("cover", [True, False])
def test_the_communitys_other_members_cover_a_vacant_grid(cover: bool) -> None:
    model = model_run(attrition(cover=cover))
    cases = cases_table(model)
    book = model.attrition["grid_worker"]
    covered_cases = 0
    for post, staff in enumerate(book.staff):
        grid = staff.unit_id
        for left, hired in vacancies(book.events, post, model.horizon):
            started = cases[
                (cases["grid"] == grid)
                & (cases["accepted_h"] > left + EPS)
                & (cases["accepted_h"] < hired - EPS)
            ]
            if cover:
                assert (started["handler_id"] != staff.name).all()
                covered_cases += len(started)
            else:
                assert started.empty  # nobody serves it until the hire
    summary = sim.run(model.scenario, seed=1).summary["turnover"]["grid_worker"]
    assert summary["grid_hours_without_own_share"] > 0
    if cover:
        assert covered_cases > 0
        assert 0 < summary["covered_share"] <= 1
    else:
        assert summary["covered_share"] == 0


def test_a_new_member_is_slower_while_learning() -> None:
    patch = {
        "categories": {"service": {"work": "1h"}},
        "grid_workers": {"attrition": {"learning": {"period": "10d", "speed": 0.5}}},
    }
    model = model_run(patch, seed=2)
    jobs = jobs_table(model)
    cut = jobs.loc[jobs["outcome"] == "handed_back", "case_id"]
    done = jobs[(jobs["outcome"] == "done") & ~jobs["case_id"].isin(cut)]  # whole jobs of 1 h
    book = model.attrition["grid_worker"]
    hired = {staff.name: [0.0] for staff in book.staff}  # those at the start: experienced
    for time, post, change in book.events:
        if change > 0:
            hired[book.staff[post].name].append(time)
    latest_hire = [
        max((t for t in hired[staff] if t <= started), default=0.0)
        for staff, started in zip(done["staff_id"].astype(str), done["started_h"], strict=True)
    ]
    novice = (done["started_h"] < np.array(latest_hire) + 240.0) & (np.array(latest_hire) > 0)
    assert novice.any() and (~novice).any()
    np.testing.assert_allclose(done.loc[novice, "duration_h"], 2.0, atol=EPS)
    np.testing.assert_allclose(done.loc[~novice, "duration_h"], 1.0, atol=EPS)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_better_pay_loses_nobody_sooner_pathwise(seed: int) -> None:
    """Common random numbers by person and vacancy: a lower hazard at every moment makes every
    departure from every post later, in every replication."""
    arms = [
        model_run({"grid_workers": {"pay": {"monthly_yuan": pay}}}, seed=seed)
        for pay in (1500, 2800)
    ]
    low, high = (model.attrition["grid_worker"] for model in arms)
    assert len(high.events) < len(low.events)
    for post in range(len(low.staff)):
        left_low = [t for t, p, change in low.events if p == post and change < 0]
        left_high = [t for t, p, change in high.events if p == post and change < 0]
        assert len(left_high) <= len(left_low)
        assert all(h >= w for h, w in zip(left_high, left_low, strict=False))
    same = ["created_h", "category", "grid", "work_h"]  # the demand does not depend on staffing
    low_cases, high_cases = (cases_table(model)[same] for model in arms)
    assert low_cases.equals(high_cases)


def test_the_hazard_follows_workload() -> None:
    """A team that is never busy has utilisation 0 and so no hazard, except where there is no
    workload to judge by yet — the first day, and a new member's first (part) day — where the
    base rate applies."""
    idle = {"sources": {"resident": flat_requests("0/h")}}
    with_workload = attrition(workload={"reference": 0.5, "elasticity": 1.0})
    book = model_run(idle, with_workload).attrition["grid_worker"]
    hired = {p: 0.0 for p in range(len(book.staff))}
    for time, post, change in book.events:
        if change > 0:
            hired[post] = time
        else:
            assert time // 24 == hired[post] // 24  # the day the leaver took the post
    without = model_run(idle).attrition["grid_worker"]
    assert sum(c < 0 for *_, c in without.events) > 3 * sum(c < 0 for *_, c in book.events)


def test_burn_in_starts_the_run_with_vacancies() -> None:
    result = sim.run(scenario(attrition(burn_in="2y")), seed=4, days=1)
    workers = result.workers[result.workers["role"] == "grid_worker"]
    assert (workers["holder_since_h"].dropna() < 0).any()  # holders hired before the run
    filled = sim.run(scenario(), seed=4, days=1).workers
    assert (filled.loc[filled["role"] == "grid_worker", "holder_since_h"] == 0).all()


@pytest.mark.parametrize(
    ("patch", "where", "message"),
    [
        (
            {"grid_workers": {"pay": {"monthly_yuan": 0}}},
            "grid_workers",
            "this team is unpaid",
        ),
        (
            attrition(contract="permanent", contract_factors={"fixed_term": 1.0}),
            "grid_workers.attrition",
            "no factor for contract 'permanent'",
        ),
        (
            attrition(annual_rate="1/year"),
            "grid_workers",
            "",
        ),
    ],
)
def test_bad_attrition_settings_are_refused(patch: dict, where: str, message: str) -> None:
    if not message:  # attrition and dropout both make members leave
        patch = merge_mappings(patch, {"grid_workers": {"dropout": {"after_idle": 1, "p": 1}}})
        message = "drop dropout"
    with pytest.raises(sim.ScenarioError, match=message) as error:
        scenario(patch)
    assert where in str(error.value)
