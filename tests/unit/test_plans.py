"""Emergency plans: triggers fire when they should, actions happen (after their delays) and are
undone at stand-down, every step is in the event log; bad plans are refused."""

from __future__ import annotations

import pytest

import sim
from sim.cli.tables import kpi_sheet
from sim.config.loader import merge_mappings
from sim.emergency.actions import Reassign
from sim.metrics.events import mode_spans
from sim.model import GridModel

from scenario_parts import ALL_DAYS, ROUND_THE_CLOCK

BASE = {
    "name": "plans",
    "run": {"days": 6},
    "world": {
        "streets": [
            {"id": "s", "communities": [{"id": "c", "grids": 2, "households_per_grid": 100}]}
        ]
    },
    "categories": {
        "service": {"work": "30min"},
        "admin_form": {"kind": "admin", "work": "20min", "loop": False},
    },
    "grid_workers": {"per_grid": 1, "patrol": {"enabled": False}},
    "teams": {
        "cadres": {
            "kind": "part_time",
            "per_community": 4,
            "standby": True,
            "categories": ["service"],
            "shift": ROUND_THE_CLOCK,
        }
    },
    "sources": {
        "resident": {"rate_per_household": "0.01/h", "mix": {"service": 1}},
        "admin": {"rate_per_grid": "10/day"},
    },
    "incidents": {
        "storm": {"kind": "typhoon", "onset": "50h", "duration": "24h", "demand": {"resident": 3.0}}
    },
}
PLAN = {
    "triggers": [{"incident": "storm"}],
    "actions": [
        {"set_mode": "emergency"},
        {"mobilise": "cadres", "delay": "6h", "ramp": "3h"},
        {"suspend_admin": True},
        {"extend_shifts": "3h", "teams": ["grid_worker"]},
        {"prioritise": {"service": 1}},
    ],
    "stand_down": {"after": "48h", "recovery": "12h"},
}


def run(plans: dict) -> sim.Result:
    """Run with these plans; without a plan that mobilises them, there are no cadres."""
    data = merge_mappings(BASE, {"plans": plans})
    if not any(a.get("mobilise") for p in plans.values() for a in p["actions"]):
        del data["teams"]
    return sim.run(sim.scenario_from_dict(data), seed=3)


def events(result: sim.Result) -> list[tuple[float, str]]:
    return list(zip(result.events["t_h"], result.events["event"], strict=True))


def test_incident_trigger_fires_the_actions_in_order_and_stands_down():
    result = run({"storm_plan": PLAN})
    log = events(result)
    assert log[0] == (50.0, "fired")
    assert (50.0, "mode") in log and (50.0, "suspend_admin") in log
    assert (56.0, "mobilise") in log  # after its 6 h delay
    assert (98.0, "stand_down") in log  # 48 h after firing
    assert log[-1] == (110.0, "mode")  # peacetime after 12 h of recovery
    modes = result.timeseries.groupby("t_h")["mode"].first()
    assert modes[50.0] == "peacetime" and modes[51.0] == "emergency"
    assert modes[100.0] == "recovery" and modes[111.0] == "peacetime"


def test_mobilised_cadres_work_only_while_the_plan_runs():
    result = run({"storm_plan": PLAN})
    cadres = result.cases[result.cases["handler_kind"] == "cadres"]
    assert len(cadres) > 0
    assert cadres["accepted_h"].between(56.0, 98.0 + 1.0).all()  # a job in hand may run over
    members = result.workers[result.workers["role"] == "cadres"]
    assert (members["scheduled_h"] <= 42.0 + 1e-9).all()  # from 56-59 h (ramp) to 98 h


def test_forms_are_held_during_the_emergency_and_sent_on_at_stand_down():
    with_plan = run({"storm_plan": PLAN})
    admin = with_plan.cases[with_plan.cases["kind"] == "admin"]
    assert not admin["created_h"].between(50.0, 98.0, inclusive="neither").any()
    assert (admin["created_h"] == 98.0).sum() > 0  # released together at stand-down
    without = run({})
    assert len(admin) == len(without.cases[without.cases["kind"] == "admin"])


def hours_by_mode(result: sim.Result) -> tuple[dict[str, float], dict[str, float]]:
    """Hours in each mode as the time series has them (a tick in the mode it ran in) and as
    the event log's mode changes have them."""
    modes = result.timeseries.groupby("t_h")["mode"].first()
    ticks = modes.index.to_numpy()
    series: dict[str, float] = {}
    for start, end, mode in zip([0.0, *ticks[:-1]], ticks, modes, strict=True):
        series[mode] = series.get(mode, 0.0) + end - start
    logged: dict[str, float] = {}
    for start, end, mode in mode_spans(result.events, "peacetime", (0.0, ticks[-1])):
        logged[mode] = logged.get(mode, 0.0) + end - start
    return series, logged


@pytest.mark.parametrize(
    "plan",
    [
        PLAN,  # fired by the incident within a tick; stands down as a tick ends
        {  # fired by a condition as a tick ends
            "triggers": [{"backlog_above": 15, "sustained": "3h"}],
            "actions": [{"set_mode": "alert"}],
            "stand_down": {"backlog_below": 5, "sustained": "6h"},
        },
    ],
)
def test_the_time_series_has_each_tick_in_the_mode_it_ran_in(plan):
    """A plan set off or stood down as a tick ends changes the mode from that instant: the tick
    that ended ran in the mode before (the time series and the event log agree hour for
    hour)."""
    result = run({"p": plan})
    assert (result.events["event"] == "mode").any()
    series, logged = hours_by_mode(result)
    assert series == pytest.approx(logged)
    assert result.summary["emergency"]["hours_in_mode"] == pytest.approx(logged)


def test_a_plan_due_to_stand_down_at_the_horizon_is_in_force_to_the_end():
    """A run covers [0, horizon): a plan whose stand-down falls at the horizon has not stood
    down when the run ends, and the forms it holds are not sent to the grids at that instant
    (they would be cases nobody could work, counted as created and open)."""
    plan = {**PLAN, "stand_down": {"after": "94h"}}  # fired at 50 h; the run ends at 144 h
    result = run({"p": plan})
    assert "stand_down" not in set(result.events["event"])
    admin = result.cases[result.cases["kind"] == "admin"]
    assert admin["created_h"].max() < 50.0  # every later form is still held
    assert result.timeseries["mode"].iloc[-1] == "emergency"
    assert result.summary["emergency"]["hours_in_mode"] == {"peacetime": 50.0, "emergency": 94.0}
    calm = run({})  # the same forms are sent: those created after 50 h are the ones held
    calm_admin = calm.cases[calm.cases["kind"] == "admin"]
    assert result.summary["warmup_h"] <= 50.0
    held = int((calm_admin["created_h"] >= 50.0).sum())
    by_department = result.summary["tasks"]["admin"]["by_department"].values()
    assert held > 0 and sum(block["held"] for block in by_department) == held
    assert result.summary["tasks"]["admin"]["held"] == held
    names = [row[0] for row in kpi_sheet(result.summary).rows if row]
    assert "forms (top-down): held by a plan at the end" in names
    after_warmup = admin["created_h"] >= result.summary["warmup_h"]
    assert sum(block["sent"] for block in by_department) == after_warmup.sum()


def test_extended_shifts_are_overtime():
    calm = run({})
    extended = run({"storm_plan": PLAN})
    grid = extended.workers[extended.workers["role"] == "grid_worker"]
    assert (
        grid["overtime_h"].sum()
        > calm.workers.query("role == 'grid_worker'")["overtime_h"].sum() + 2 * 3.0
    )


def test_backlog_trigger_needs_the_backlog_sustained():
    """Fires once open cases have stayed above the threshold for 3 h (checked each tick)."""
    plan = {
        "triggers": [{"backlog_above": 15, "sustained": "3h"}],
        "actions": [{"set_mode": "alert"}],
        "stand_down": {"backlog_below": 5, "sustained": "6h"},
    }
    result = run({"watch": plan})
    fired = result.events.loc[result.events["event"] == "fired", "t_h"]
    assert len(fired) >= 1
    backlog = result.timeseries.groupby("t_h")["backlog_service"].sum()
    above = backlog > 15
    first = fired.iloc[0]
    # above at every tick end of the 3 h before firing, and not at all before it went above
    assert above.loc[first - 3.0 : first].all()
    assert not above.loc[: first - 4.0].rolling(4).sum().eq(4).any()


@pytest.mark.parametrize(
    ("plans", "teams", "message"),
    [
        ({"p": {**PLAN, "triggers": [{"incident": "quake"}]}}, None, "no incident 'quake'"),
        ({"p": {**PLAN, "triggers": [{"at": "30d"}]}}, None, "can never fire"),
        ({"p": {**PLAN, "actions": [{"mobilise": "army"}]}}, None, "no team 'army'"),
        ({"p": {**PLAN, "actions": [{"prioritise": {"nothing": 1}}]}}, None, "unknown category"),
        (
            {
                "p": {
                    "triggers": [{"backlog_above": 10}],
                    "actions": [{"set_mode": "alert"}],
                    "stand_down": {"backlog_below": 20},
                }
            },
            None,
            "in a circle",
        ),
        ({}, None, "no plan mobilises this team"),
        (
            {"p": {**PLAN, "actions": [{"set_mode": "emergency", "suspend_admin": True}]}},
            None,
            "give exactly one of set_mode, mobilise",
        ),
        (
            {"p": {**PLAN, "triggers": [{"at": "5h", "incident": "storm"}]}},
            None,
            "give exactly one of at, incident, backlog_above",
        ),
        ({"p": {**PLAN, "actions": [{"set_mode": "alert", "ramp": "1h"}]}}, None, "unknown key"),
        ({"p": {**PLAN, "actions": [{"extend_shifts": "2h"}]}}, None, "teams"),
        ({"p": {**PLAN, "triggers": [{"manual": True}]}}, None, "none does"),
    ],
)
def test_bad_plans_are_refused(plans, teams, message):
    data = merge_mappings(BASE, {"plans": plans})
    with pytest.raises(sim.ScenarioError, match=message):
        sim.scenario_from_dict(data)


def test_waiting_trigger_level_and_pooling():
    plan = {
        "triggers": [{"wait_above": "2h", "sustained": "2h"}],
        "actions": [{"set_mode": "emergency", "level": "II"}, {"pool": ["grid_worker"]}],
        "stand_down": {"after": "12h", "recovery": "1h"},
    }
    result = run({"wait_watch": plan})
    log = result.events
    fired = log.loc[log["event"] == "fired", "t_h"]
    assert len(fired) >= 1 and (log["event"] == "pool").any()
    assert "emergency II" in set(result.timeseries["mode"])
    # before the plan, every case is handled by its own grid's worker; while pooled, some are not
    first = fired.iloc[0]
    handled = result.cases[result.cases["handler_kind"] == "grid_worker"]
    own = [
        h.startswith(g + "-")
        for h, g in zip(handled["handler_id"].astype(str), handled["grid"].astype(str), strict=True)
    ]
    handled = handled.assign(own=own)
    assert handled.loc[handled["accepted_h"] < first, "own"].all()
    assert not handled.loc[handled["accepted_h"].between(first, first + 12), "own"].all()


def test_mobilised_outside_their_shift_they_start_at_the_next_one():
    """A standby team on a 06:00–22:00 roster called at 22:00 comes on duty at 06:00."""
    plan = {"triggers": [{"at": "46h"}], "actions": [{"mobilise": "cadres"}]}
    data = merge_mappings(
        BASE,
        {
            "plans": {"call": plan},
            "teams": {"cadres": {"shift": {"start": "06:00", "end": "22:00", "days": ALL_DAYS}}},
        },
    )
    result = sim.run(sim.scenario_from_dict(data), seed=3)
    cadres = result.cases[result.cases["handler_kind"] == "cadres"]
    assert len(cadres) > 0 and cadres["accepted_h"].min() >= 54.0
    members = result.workers[result.workers["role"] == "cadres"]
    on_duty = members[
        [
            c
            for c in members
            if c.endswith("_h")
            and c not in ("off_h", "field_h", "overtime_h", "scheduled_h", "left_h")
        ]
    ].sum(axis=1)
    assert (on_duty - members["overtime_h"] - members["scheduled_h"]).abs().max() < 1e-9


def test_tired_workers_are_slower_and_make_mistakes():
    fatigue = {"grid_workers": {"fatigue": {"after": "11h", "slowdown": 0.5, "error": 0.3}}}
    rested = run({"storm_plan": PLAN})
    data = merge_mappings(merge_mappings(BASE, {"plans": {"storm_plan": PLAN}}), fatigue)
    tired = sim.run(sim.scenario_from_dict(data), seed=3)
    grid = tired.workers[tired.workers["role"] == "grid_worker"]
    assert grid["errors"].sum() > 0 and tired.summary["tired_errors"] == grid["errors"].sum()
    assert rested.summary["tired_errors"] == 0
    # extended shifts (11 h + 3 h) make the last hours tired ones: more hours for the same work
    assert (
        grid[["cases_h", "admin_h"]].sum().sum()
        > rested.workers.query("role == 'grid_worker'")[["cases_h", "admin_h"]].sum().sum()
    )


def test_a_plan_that_exhausts_its_volunteers_runs_on_and_reports_the_shortfall():
    volunteers = {
        "teams": {"cadres": {"kind": "volunteer", "dropout": {"after_idle": "1h", "p": 1.0}}}
    }
    data = merge_mappings(merge_mappings(BASE, {"plans": {"storm_plan": PLAN}}), volunteers)
    result = sim.run(sim.scenario_from_dict(data), seed=3)
    assert result.summary["horizon_h"] == 144.0 and result.summary["checks"]["conservation"]
    shortfall = result.summary["emergency"]["standby_teams"]["cadres"]
    assert shortfall["members"] == 4 and shortfall["left"] == 4  # all left once idle for 1 h


def test_split_ties_a_pooled_team_to_its_home_grids():
    pooled = {"teams": {"cadres": {"standby": False, "categories": ["service"]}}}
    plan = {
        "triggers": [{"at": "24h"}],
        "actions": [{"split": ["cadres"]}],
        "stand_down": {"after": "48h"},
    }
    data = merge_mappings(merge_mappings(BASE, pooled), {"plans": {"split": plan}})
    result = sim.run(sim.scenario_from_dict(data), seed=3)
    handled = result.cases[result.cases["handler_kind"] == "cadres"]
    own = [
        h.startswith(g + "-")
        for h, g in zip(handled["handler_id"].astype(str), handled["grid"].astype(str), strict=True)
    ]
    handled = handled.assign(own=own)
    split = handled["accepted_h"].between(24.0, 72.0, inclusive="left")
    assert handled.loc[split, "own"].all()  # while split: only their own grid
    assert not handled.loc[~split, "own"].all()  # pooled before and after


def test_reassign_sends_members_to_other_grids_until_stand_down():
    """The grid worker of c-g01 serves c-g02 from 24 h to 72 h, then its own grid again; the
    grid worker of c-g02 is not moved (only members whose home grid is in `area`)."""
    plan = {
        "triggers": [{"at": "24h"}],
        "actions": [
            {"reassign": "grid_worker", "area": {"grids": ["c-g01"]}, "to": {"grids": ["c-g02"]}}
        ],
        "stand_down": {"after": "48h"},
    }
    data = merge_mappings(BASE, {"plans": {"send": plan}})
    del data["teams"]
    result = sim.run(sim.scenario_from_dict(data), seed=3)
    assert "grid_worker: 1 members" in set(result.events["detail"])
    cases = result.cases[result.cases["handler_kind"] == "grid_worker"]
    handler, grid = cases["handler_id"].astype(str), cases["grid"].astype(str)
    sent = cases["accepted_h"].between(24.0, 72.0, inclusive="left")
    from_g01 = handler.str.startswith("c-g01-")
    assert (grid[sent & from_g01] == "c-g02").all() and (sent & from_g01).sum() > 0
    assert not (sent & (grid == "c-g01")).any()  # nobody serves c-g01 meanwhile
    assert (grid[~sent & from_g01] == "c-g01").all()  # its own grid before and after


def test_reassign_with_count_moves_only_that_many_members():
    data = merge_mappings(BASE, {"grid_workers": {"per_grid": 3}})
    del data["teams"]
    model = GridModel(sim.scenario_from_dict(data), seed=1)
    operations = model.operations
    action = Reassign(reassign="grid_worker", to={"grids": ["c-g02"]}, count=2)
    chosen = action.members(operations)
    assert [staff.unit for staff in chosen] == [0, 0]  # the first two not at c-g02 already
    action.apply(operations, "send")
    assert len(Reassign(reassign="grid_worker", to={"grids": ["c-g02"]}).members(operations)) == 1
    again = Reassign(reassign="grid_worker", to={"grids": ["c-g02"]}, count=5)
    assert len(again.members(operations)) == 1  # one left not serving c-g02
    action.undo(operations, "send")
    assert [staff.stations for staff in chosen] == [[operations.stations.grids[0]]] * 2


@pytest.mark.parametrize(
    ("action", "path", "message"),
    [
        ({"reassign": "nobody", "to": {"grids": ["c-g02"]}}, "reassign", "no team 'nobody'"),
        ({"reassign": "grid_worker", "to": {"grids": ["x"]}}, "to.grids.0", "no grid 'x'"),
        ({"reassign": "grid_worker", "to": {}}, "", "`to` names no grid"),
    ],
)
def test_a_bad_reassign_is_refused_with_its_field(action, path, message):
    plan = {"triggers": [{"at": "1h"}], "actions": [action]}
    data = merge_mappings(BASE, {"plans": {"p": plan}})
    del data["teams"]
    with pytest.raises(sim.ScenarioError) as info:
        sim.scenario_from_dict(data)
    [problem] = info.value.problems
    assert problem.path == "plans.p.actions.0" + (f".{path}" if path else "")
    assert message in problem.message


MANUAL = {**PLAN, "triggers": [{"manual": True}], "stand_down": None}


def test_an_error_in_an_action_names_the_field_the_user_wrote():
    actions = [PLAN["actions"][0], {"mobilise": "cadres", "ramp": "soon"}]
    data = merge_mappings(BASE, {"plans": {"p": {**PLAN, "actions": actions}}})
    with pytest.raises(sim.ScenarioError) as info:
        sim.scenario_from_dict(data)
    assert [problem.path for problem in info.value.problems] == ["plans.p.actions.1.ramp"]


def test_a_manual_plan_fires_at_its_decision_and_stands_down_at_another():
    data = merge_mappings(BASE, {"plans": {"drill": MANUAL}})
    data["decisions"] = [
        {"plan": "drill", "at": "20h"},
        {"plan": "drill", "at": "60h", "do": "stand_down"},
    ]
    result = sim.run(sim.scenario_from_dict(data), seed=3)
    log = events(result)
    assert log[:2] == [(20.0, "decision"), (20.0, "fired")]
    assert (26.0, "mobilise") in log  # the action's own delay counts from the decision
    assert (60.0, "stand_down") in log and log[-1] == (60.0, "mode")
    modes = result.timeseries.groupby("t_h")["mode"].first()
    assert modes[21.0] == "emergency" and modes[61.0] == "peacetime"


def test_decisions_given_to_run_are_those_of_the_scenario():
    """`run(..., decisions=...)` (and so `gridsim run --decide`) takes decisions exactly as a
    scenario's `decisions:` would, and records them in the run's scenario."""
    data = merge_mappings(BASE, {"plans": {"drill": {**MANUAL, "triggers": [{"at": "5d"}]}}})
    in_file = sim.run(
        sim.scenario_from_dict({**data, "decisions": [{"plan": "drill", "at": "30h"}]}), seed=3
    )
    given = sim.run(sim.scenario_from_dict(data), seed=3, decisions=["drill@30h"])
    assert given.events.equals(in_file.events)
    assert given.summary["cases_closed"] == in_file.summary["cases_closed"]
    assert [d.plan for d in given.scenario.decisions] == ["drill"]
    with pytest.raises(ValueError, match="PLAN@TIME"):
        sim.run(sim.scenario_from_dict(data), decisions=["drill"])
    with pytest.raises(sim.ScenarioError, match="no plan 'dril'"):
        sim.run(sim.scenario_from_dict(data), decisions=["dril@30h"])


def test_a_scenario_runs_the_same_twice():
    """Actions remember what to undo per run: reusing a scenario object changes nothing."""
    scenario = sim.scenario_from_dict(merge_mappings(BASE, {"plans": {"storm_plan": PLAN}}))
    first, second = sim.run(scenario, seed=3), sim.run(scenario, seed=3)
    assert first.events.equals(second.events)
    assert first.summary["cases_closed"] == second.summary["cases_closed"]


def test_mobilising_part_of_a_team_where_it_is_needed():
    """`count` and `area`: of the four cadres (two a grid), only the first one of grid c-g02 comes
    on duty, and goes off at stand-down."""
    plan = {
        "triggers": [{"at": "20h"}],
        "actions": [{"mobilise": "cadres", "count": 1, "area": {"grids": ["c-g02"]}}],
        "stand_down": {"after": "10h"},
    }
    result = run({"call": plan})
    cadres = result.workers[result.workers["role"] == "cadres"]
    worked = cadres[cadres["scheduled_h"] > 0]
    assert len(worked) == 1 and worked["unit"].tolist() == ["c-g02"]
    assert worked["scheduled_h"].iloc[0] == pytest.approx(10.0)


@pytest.mark.parametrize(
    ("action", "message"),
    [
        ({"mobilise": "cadres", "area": {"grids": ["c-g09"]}}, "no grid 'c-g09'"),
        ({"mobilise": "cadres", "count": 0}, "greater than or equal to 1"),
    ],
)
def test_bad_mobilisations_are_refused(action, message):
    data = merge_mappings(BASE, {"plans": {"p": {**PLAN, "actions": [action]}}})
    with pytest.raises(sim.ScenarioError, match=message):
        sim.scenario_from_dict(data)
