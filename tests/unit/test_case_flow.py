"""Cases through their itinerary and the eight-step closed loop (八步闭环).

Most tests build a tiny scenario where every duration is fixed and staff are plentiful and on
duty round the clock, so nothing ever queues and every timestamp is exact arithmetic.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import sim
from sim.calendar import Calendar
from sim.config.loader import merge_mappings
from sim.vocabulary import TIERS, WEEKDAYS

from scenario_parts import NO_ATTRIBUTES, ROUND_THE_CLOCK, flat_requests

LOOP = ["created", "accepted", "dispatched", "tracked", "implemented"]
LOOP += ["feedback", "rated", "published", "archived"]
LOOP_COLUMNS = [f"{step}_h" for step in LOOP]
OFFICE = {"start": "08:00", "end": "19:00", "days": list(WEEKDAYS[:5])}
EPS = 1e-9

BASE = {
    "name": "flow-test",
    "run": {"days": 10, "tick": "24h"},
    "world": {
        "households": NO_ATTRIBUTES,
        "streets": [
            {"id": "s", "communities": [{"id": "c", "grids": 1, "households_per_grid": 100}]}
        ],
    },
    "categories": {"service": {"work": "1h", "priority": 1}},
    "departments": {},
    "grid_workers": {"per_grid": 20, "shift": ROUND_THE_CLOCK, "patrol": {"enabled": False}},
    "sources": {"resident": flat_requests("0.001/h")},
    "loop": {
        "feedback": {"handler": "grid", "work": "6min"},
        "rating_delay": "2h",
        "publicity_delay": "3h",
        "archive_delay": "1h",
    },
}


def run(patch: dict | None = None, seed: int = 1, days: float | None = None) -> sim.Result:
    scenario = sim.scenario_from_dict(merge_mappings(BASE, patch or {}))
    return sim.run(scenario, seed=seed, days=days)


def department(tier: str, work: str, staff: int = 20, shift: dict | None = None) -> dict:
    return {"tier": tier, "staff": staff, "work": work, "shift": shift or ROUND_THE_CLOCK}


def closed_loop(res: sim.Result):
    cases = res.cases
    return cases[(cases["status"] == "closed") & cases["kind"].isin(["request", "patrol"])]


def assert_no_queueing(cases) -> None:
    """The premise of the exact-arithmetic tests: every case starts the moment it arrives."""
    np.testing.assert_allclose(cases["accepted_h"], cases["created_h"], rtol=0, atol=EPS)


def step(cases, later: str, earlier: str) -> np.ndarray:
    return (cases[f"{later}_h"] - cases[f"{earlier}_h"]).to_numpy()


# --- the eight steps in order -----------------------------------------------------------------


@pytest.fixture(scope="module")
def baseline() -> sim.Result:
    return sim.run("scenarios/baseline.yaml", seed=11, days=20)


@pytest.mark.parametrize(
    "resolved_at",
    [
        "above the grid",
        "the grid",
    ],
)
def test_loop_timestamps_are_ordered_for_closed_loop_cases(baseline, resolved_at):
    """created ≤ accepted ≤ dispatched ≤ tracked ≤ implemented ≤ feedback ≤ rated ≤ published
    ≤ archived for every closed case of the closed loop."""
    cases = closed_loop(baseline)
    escalated = cases["tier_reached"] != "grid"
    cases = cases[escalated if resolved_at == "above the grid" else ~escalated]
    assert len(cases) > 20
    values = cases[LOOP_COLUMNS].to_numpy()
    assert not np.isnan(values).any()
    bad = (np.diff(values, axis=1) < -EPS).any(axis=1)
    assert not bad.any(), cases.loc[bad, LOOP_COLUMNS].head()
    np.testing.assert_array_equal(cases["closed_h"], cases["archived_h"])


def test_open_cases_have_ordered_prefix_of_steps(baseline):
    cases = baseline.cases
    cases = cases[(cases["status"] == "open") & cases["kind"].isin(["request", "patrol"])]
    assert len(cases) > 0
    assert np.isnan(cases["archived_h"]).all()
    for row in cases[LOOP_COLUMNS].to_numpy():
        done = row[~np.isnan(row)]
        assert (np.diff(done) >= -EPS).all()
        # steps are stamped in order: no gap in the prefix (`archived` aside, open = NaN)
        assert np.isnan(row[len(done) :]).all()


def test_tasks_outside_the_loop_skip_feedback_rating_publicity(baseline):
    cases = baseline.cases
    tasks = cases[cases["kind"].isin(["admin", "revisit"])]
    assert len(tasks) > 100
    for column in ("feedback_h", "rated_h", "published_h"):
        assert tasks[column].isna().all(), column
    done = tasks[tasks["status"] != "open"]
    assert (done["accepted_h"] >= done["created_h"] - EPS).all()
    assert (done["implemented_h"] >= done["accepted_h"] - EPS).all()
    np.testing.assert_array_equal(done["archived_h"], done["implemented_h"])


def test_baseline_tiers_never_exceed_the_category_escalation(baseline):
    cases = baseline.cases
    for name, category in baseline.scenario.categories.items():
        rows = cases[cases["category"] == name]
        top = max([TIERS.index(s.tier) for s in category.escalation], default=0)
        assert (rows["tier_reached"].cat.codes <= top).all(), name
    assert (cases["tier_reached"] != "grid").any()


def test_fixed_durations_give_exact_timestamps():
    res = run(
        {
            "categories": {
                "service": {"escalation": [{"tier": "street", "departments": ["a"], "p": 1}]}
            },
            "departments": {"a": department("street", "3h")},
        }
    )
    cases = closed_loop(res)
    assert len(cases) > 10
    assert_no_queueing(cases)
    expected = {
        ("dispatched", "accepted"): 1.0,  # grid-tier job
        ("tracked", "dispatched"): 0.0,  # the department starts at once
        ("implemented", "tracked"): 3.0,  # department job
        ("feedback", "implemented"): 0.1,  # the grid worker calls back (6 min)
        ("rated", "feedback"): 2.0,
        ("published", "rated"): 3.0,
        ("archived", "published"): 1.0,
    }
    for (later, earlier), hours in expected.items():
        np.testing.assert_allclose(step(cases, later, earlier), hours, atol=EPS)
    assert (cases["tier_reached"] == "street").all()
    assert (cases["handler_kind"] == "a").all()


# --- escalation -------------------------------------------------------------------------------

TIER_WORK = {"community": 1.0, "street": 2.0, "district": 4.0, "city": 8.0}


def test_tier_reached_matches_the_escalation_path():
    """With fixed work per tier (grid 0.5 h, community 1, street 2, district 4, city 8), a case
    resolved at tier k spent exactly Σ work of tiers 1..k−1 between dispatch and tracking and
    the work of tier k between tracking and implementation."""
    p = 0.6
    res = run(
        {
            "categories": {
                "service": {
                    "work": "30min",
                    "escalation": [
                        {"tier": tier, "departments": [f"d_{tier}"], "p": p} for tier in TIER_WORK
                    ],
                }
            },
            "departments": {f"d_{t}": department(t, f"{w}h") for t, w in TIER_WORK.items()},
            "sources": {"resident": {"rate_per_household": "0.01/h"}},
        }
    )
    cases = closed_loop(res)
    assert len(cases) > 150
    assert_no_queueing(cases)
    works = [0.5, *TIER_WORK.values()]
    below = np.concatenate([[0.0, 0.0], np.cumsum(works[1:])])[:-1]  # Σ work of tiers 1..k−1
    tier = cases["tier_reached"].cat.codes.to_numpy()
    up = tier > 0
    # sent up when the grid job ends; routed to its own worker at once when resolved there
    np.testing.assert_allclose(
        step(cases, "dispatched", "accepted"), np.where(up, 0.5, 0.0), atol=EPS
    )
    np.testing.assert_allclose(step(cases, "tracked", "dispatched")[up], below[tier[up]], atol=EPS)
    np.testing.assert_allclose(
        step(cases, "implemented", "tracked")[up], np.asarray(works)[tier[up]], atol=EPS
    )
    # resolved at the grid: the grid job is the whole handling
    np.testing.assert_allclose(cases["implemented_h"][~up] - cases["tracked_h"][~up], 0.5)
    # every tier is reached: P(reach tier k) = p^k among cases old enough to have finished
    # (longest path 0.5 + 1 + 2 + 4 + 8 h of work, 0.1 h feedback, 6 h of closing delays)
    horizon = res.summary["horizon_h"]
    old = res.cases[res.cases["created_h"] < horizon - 24]
    assert (old["status"] == "closed").all()
    codes = old["tier_reached"].cat.codes.to_numpy()
    for k in range(1, len(TIERS)):
        expected = p**k
        se = math.sqrt(expected * (1 - expected) / len(old))
        assert abs((codes >= k).mean() - expected) < 4 * se, TIERS[k]
    assert set(codes) == set(range(len(TIERS)))
    every = res.cases["tier_reached"].cat.codes
    for k, name in enumerate(TIERS[1:], start=1):
        assert res.summary["escalated_share"][name] == pytest.approx((every >= k).mean())


def test_no_escalation_stays_at_the_grid():
    res = run(
        {
            "categories": {
                "service": {"escalation": [{"tier": "street", "departments": ["a"], "p": 0}]}
            },
            "departments": {"a": department("street", "3h")},
        }
    )
    cases = closed_loop(res)
    assert len(cases) > 10
    assert (cases["tier_reached"] == "grid").all()
    assert (cases["handler_kind"] == "grid_worker").all()
    department_rows = res.workers[res.workers["role"] == "a"]
    assert (department_rows["jobs_done"] == 0).all()


@pytest.mark.parametrize("works", [("1h", "3h"), ("3h", "1h")])
def test_multi_department_step_finishes_when_all_departments_are_done(works):
    res = run(
        {
            "categories": {
                "service": {"escalation": [{"tier": "street", "departments": ["a", "b"], "p": 1}]}
            },
            "departments": {
                "a": department("street", works[0]),
                "b": department("street", works[1]),
            },
        }
    )
    cases = closed_loop(res)
    assert len(cases) > 10
    assert_no_queueing(cases)
    np.testing.assert_allclose(step(cases, "tracked", "dispatched"), 0.0, atol=EPS)
    # both departments start together; the step ends with the slower one (3 h), not 1 h or 4 h
    np.testing.assert_allclose(step(cases, "implemented", "tracked"), 3.0, atol=EPS)
    workers = res.workers.set_index("role")
    for role, work in zip(("a", "b"), works, strict=True):
        hours = float(work.removesuffix("h"))
        done = workers.loc[[role], "jobs_done"].sum()
        assert workers.loc[[role], "cases_h"].sum() == pytest.approx(done * hours)
    assert workers.loc[["a"], "jobs_done"].sum() == workers.loc[["b"], "jobs_done"].sum()


def test_multi_department_step_waits_for_a_queueing_department():
    """With one clerk per department and departments busy, a case is implemented only after
    both departments' jobs: never less than the longer job after the first one starts."""
    res = run(
        {
            "categories": {
                "service": {"escalation": [{"tier": "street", "departments": ["a", "b"], "p": 1}]}
            },
            "departments": {
                "a": department("street", "1h", staff=1),
                "b": department("street", "3h", staff=1, shift=OFFICE),
            },
            "sources": {"resident": {"rate_per_household": "0.002/h"}},
        },
        days=14,
    )
    cases = res.cases[res.cases["implemented_h"].notna()]
    assert len(cases) > 20
    gap = step(cases, "implemented", "tracked")
    assert (gap >= 3.0 - EPS).all()
    assert (gap > 3.0 + 1e-6).any()  # some waited for department b
    workers = res.workers.set_index("role")
    # every implemented case had both its jobs done
    assert workers.loc["a", "jobs_done"] >= len(cases)
    assert workers.loc["b", "jobs_done"] >= len(cases)


def test_bounce_back_adds_review_above_and_rework_below():
    """bounce_back = 1: the street reviews (¼ of its 4 h = 1 h), sends the case back to the grid
    to redo its 1 h job, then handles it (4 h)."""
    res = run(
        {
            "categories": {
                "service": {
                    "escalation": [
                        {"tier": "street", "departments": ["a"], "p": 1, "bounce_back": 1}
                    ]
                }
            },
            "departments": {"a": department("street", "4h")},
        }
    )
    cases = closed_loop(res)
    n = len(cases)
    assert n > 10
    assert_no_queueing(cases)
    np.testing.assert_allclose(step(cases, "dispatched", "accepted"), 1.0, atol=EPS)
    np.testing.assert_allclose(step(cases, "tracked", "dispatched"), 1.0 + 1.0, atol=EPS)
    np.testing.assert_allclose(step(cases, "implemented", "tracked"), 4.0, atol=EPS)
    np.testing.assert_allclose(step(cases, "feedback", "implemented"), 0.1, atol=EPS)
    assert (cases["tier_reached"] == "street").all()
    everything = res.cases
    assert len(everything) == n  # all closed: the totals below cover every case
    workers = res.workers
    grid = workers[workers["role"] == "grid_worker"]
    dept = workers[workers["role"] == "a"]
    assert grid["jobs_done"].sum() == 3 * n  # handle, rework, feedback call
    assert grid["cases_h"].sum() == pytest.approx(n * (1.0 + 1.0 + 0.1))
    assert dept["jobs_done"].sum() == 2 * n  # review, handle
    assert dept["cases_h"].sum() == pytest.approx(n * (1.0 + 4.0))


def test_bounce_back_at_second_tier_reworks_at_the_tier_below():
    res = run(
        {
            "categories": {
                "service": {
                    "work": "30min",
                    "escalation": [
                        {"tier": "community", "departments": ["lo"], "p": 1},
                        {"tier": "street", "departments": ["hi"], "p": 1, "bounce_back": 1},
                    ],
                }
            },
            "departments": {"lo": department("community", "1h"), "hi": department("street", "4h")},
        }
    )
    cases = closed_loop(res)
    n = len(cases)
    assert n > 10
    assert_no_queueing(cases)
    # community 1 h, street review 1 h, community rework 1 h, then the street's 4 h
    np.testing.assert_allclose(step(cases, "tracked", "dispatched"), 3.0, atol=EPS)
    np.testing.assert_allclose(step(cases, "implemented", "tracked"), 4.0, atol=EPS)
    workers = res.workers
    assert workers.loc[workers["role"] == "lo", "jobs_done"].sum() == 2 * len(res.cases)
    assert workers.loc[workers["role"] == "hi", "jobs_done"].sum() == 2 * len(res.cases)


# --- revisits ---------------------------------------------------------------------------------

REVISIT_CATEGORIES = {
    "revisit_phone": {"kind": "revisit", "work": "3min", "loop": False},
    "revisit_home": {"kind": "revisit", "work": "8min", "travel": "3min", "loop": False},
}
ATTEMPT = {"revisit_phone": 0.05, "revisit_home": 11 / 60}


def revisit_run(at_home: float | list[float], phone_reach: float, max_attempts: int):
    profile = at_home if isinstance(at_home, list) else [at_home] * 24
    return run(
        {
            "world": {
                "streets": [
                    {"id": "s", "communities": [{"id": "c", "grids": 2, "households_per_grid": 30}]}
                ]
            },
            "categories": REVISIT_CATEGORIES,
            "sources": {
                "resident": {"enabled": False},
                "revisits": {
                    "phone_every": "15d",
                    "home_every": "30d",
                    "phone_reach": phone_reach,
                    "at_home": profile,
                    "retry_after": "6h",
                    "max_attempts": max_attempts,
                },
            },
        },
        days=20,
    )


@pytest.mark.parametrize("max_attempts", [1, 3])
def test_revisits_nobody_home_are_unreached_after_max_attempts(max_attempts):
    res = revisit_run(0.0, 0.0, max_attempts)
    cases = res.cases
    assert (cases["source"] == "revisit").all()
    assert set(cases["category"]) == set(REVISIT_CATEGORIES)
    assert (cases["status"] != "closed").all()
    done = cases[cases["status"] == "unreached"]
    assert len(done) > 50
    assert (done["attempts"] == max_attempts).all()
    still_open = cases[cases["status"] == "open"]
    assert (still_open["attempts"] < max_attempts).all()
    assert_no_queueing(done)
    attempt = done["category"].map(ATTEMPT).astype(float)
    expected = max_attempts * attempt + (max_attempts - 1) * 6.0
    np.testing.assert_allclose(done["archived_h"] - done["created_h"], expected, atol=EPS)
    assert res.summary["tasks"]["revisit"]["unreached"] == len(done)


def test_revisits_everyone_home_close_at_first_attempt():
    res = revisit_run(1.0, 1.0, 3)
    cases = res.cases
    done = cases[cases["status"] != "open"]
    assert len(done) > 50
    assert (done["status"] == "closed").all()
    assert (done["attempts"] == 1).all()
    assert_no_queueing(done)
    expected = done["category"].map(ATTEMPT).astype(float)
    np.testing.assert_allclose(done["archived_h"] - done["created_h"], expected, atol=EPS)


def test_home_visits_succeed_only_when_someone_is_home():
    """At home only 18:00–24:00: a home visit closes only on an attempt ending then."""
    res = revisit_run([0.0] * 18 + [1.0] * 6, 1.0, 4)
    home = res.cases[res.cases["category"] == "revisit_home"]
    closed = home[home["status"] == "closed"]
    assert len(closed) > 5
    assert (closed["archived_h"] % 24 >= 18).all()
    assert (home["attempts"] > 1).any()


# --- admin tasks ------------------------------------------------------------------------------


def test_admin_tasks_arrive_only_on_configured_days_and_hours():
    days, grids, rate = 14, 3, 10.0
    res = run(
        {
            "run": {"start_weekday": "wed"},
            "world": {
                "streets": [
                    {
                        "id": "s",
                        "communities": [{"id": "c", "grids": grids, "households_per_grid": 5}],
                    }
                ]
            },
            "categories": {"admin_form": {"kind": "admin", "work": "5min", "loop": False}},
            "sources": {
                "resident": {"enabled": False},
                "admin": {
                    "rate_per_grid": f"{rate}/day",
                    "hours": ["10:00", "12:00"],
                    "days": ["tue", "thu"],
                },
            },
        },
        days=days,
    )
    cases = res.cases
    assert (cases["source"] == "admin").all()
    created = cases["created_h"].to_numpy()
    calendar = Calendar("wed")
    weekdays = {calendar.weekday(int(t // 24)) for t in created}
    assert weekdays == {"tue", "thu"}
    hour = created % 24
    assert (hour >= 10 - EPS).all()
    assert (hour < 12 + EPS).all()
    active = sum(calendar.weekday(d) in ("tue", "thu") for d in range(days))
    assert active == 4
    expected = rate * grids * active  # rate_per_grid tasks per grid per active day
    assert abs(len(cases) - expected) < 4 * math.sqrt(expected)
    assert (cases["kind"] == "admin").all()
    assert (cases["tier_reached"] == "grid").all()


# --- patrol -----------------------------------------------------------------------------------


def patrol_run(patrol_enabled: bool, report_delay: str = "1000d", shift: dict | None = None):
    return run(
        {
            "world": {
                "households": {"floating": 0.3, "rental": 0.2, "shop": 0.05},
                "streets": [
                    {
                        "id": "s",
                        "communities": [{"id": "c", "grids": 3, "households_per_grid": 100}],
                    }
                ],
            },
            "categories": {"hazard": {"kind": "patrol", "work": "20min"}},
            "grid_workers": {
                "per_grid": 1,
                "shift": shift or ROUND_THE_CLOCK,
                "patrol": {
                    "enabled": patrol_enabled,
                    "exposure": "2h",
                    "resident_report_delay": report_delay,
                },
            },
            "sources": {
                "resident": {"enabled": False},
                "patrol": {"rate_per_household": {"hazard": "0.02/day"}},
            },
        },
        days=10,
    )


def test_patrol_discovers_issues_before_residents_report_them():
    res = patrol_run(True)
    cases = res.cases
    assert len(cases) > 30
    assert (cases["source"] == "patrol").all()
    assert (cases["found_by"] == "patrol").all()
    assert (cases["kind"] == "patrol").all()
    assert cases["source_seq"].is_unique  # each hidden issue is opened once
    assert res.workers["patrol_h"].sum() > 0


def test_no_patrol_no_patrol_discoveries():
    res = patrol_run(False)
    assert len(res.cases) == 0
    assert res.workers["patrol_h"].sum() == 0


def test_without_patrol_issues_come_from_residents():
    res = patrol_run(False, report_delay="6h")
    cases = res.cases
    assert len(cases) > 30
    assert (cases["source"] == "patrol").all()
    assert (cases["found_by"] == "resident").all()
    assert (cases["kind"] == "patrol").all()
    assert cases["source_seq"].is_unique


def test_patrol_discoveries_happen_on_shift():
    res = patrol_run(True, shift=OFFICE)
    cases = res.cases
    patrol = cases[cases["found_by"] == "patrol"]
    assert len(patrol) > 10
    calendar = Calendar(res.scenario.run.start_weekday)
    horizon = res.summary["horizon_h"]
    workers = res.scenario.grid_workers
    shifts = np.array(list(calendar.shifts(workers.shift, horizon)))
    # on duty from the routine early start to the routine late finish
    shifts += np.array([-workers.starts_early, workers.stays_late])
    t = patrol["created_h"].to_numpy()
    # found while patrolling, so on duty: start ≤ t ≤ end
    found_on_shift = ((t[:, None] >= shifts[:, 0] - EPS) & (t[:, None] <= shifts[:, 1] + EPS)).any(
        axis=1
    )
    assert found_on_shift.all(), t[~found_on_shift][:10]


def test_a_category_verified_at_the_home_takes_the_walk_and_the_check():
    """A category with its own 结果反馈 (a home check, 入户核实) replaces the loop's 6-minute call
    by the walk there and the check, done with field skill; the other categories keep the
    call, and their random draws do not change (common random numbers)."""
    check = {"work": "20min", "travel": "10min", "skill": "field"}
    mix = {"service": 1, "repair": 1}
    patch = {
        "categories": {"repair": {"work": "1h", "priority": 1, "feedback": check}},
        "sources": {"resident": flat_requests("0.001/h", mix)},
    }
    with_check = run(patch)
    without = run({**patch, "categories": {"repair": {"work": "1h", "priority": 1}}})
    jobs = with_check.jobs
    feedback = jobs[(jobs["purpose"] == "feedback") & (jobs["outcome"] == "done")]
    repair = feedback["category"] == "repair"
    assert repair.any() and (~repair).any()
    np.testing.assert_allclose(feedback.loc[repair, "duration_h"], 0.5, atol=EPS)
    np.testing.assert_allclose(feedback.loc[~repair, "duration_h"], 0.1, atol=EPS)
    assert with_check.workers["travel_h"].sum() > without.workers["travel_h"].sum()
    services = [r.cases[r.cases["category"] == "service"] for r in (with_check, without)]
    np.testing.assert_array_equal(services[0]["created_h"], services[1]["created_h"])
