"""Playing a drill: refusals leave the drill going on and are logged; objectives are settled at
the exact times the cases say; the snapshot for a screen is plain JSON; the same seed and the
same decisions at the same times give the same run whether decided step by step or played from
a script; with no decision and no inject a drill is `sim.run` of its scenario."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import sim
from sim.drill import DrillRefusal, DrillSession, Script, play

from drill_parts import drill

QUIET = {"injects": {"leak": {"at": None}, "line_down": {"at": None}}}


def refused(session: DrillSession, role: str, decision: dict, words: str) -> None:
    before = len(session.log)
    with pytest.raises(DrillRefusal, match=words):
        session.decide(role, decision)
    assert len(session.log) == before + 1 and session.log[-1].outcome == "refused"
    assert words in session.log[-1].detail or words.replace("\\", "") in session.log[-1].detail


def test_refusals_are_logged_and_the_drill_goes_on() -> None:
    session = DrillSession(drill(QUIET))
    refused(session, "mayor", {"fire": "call"}, "no role 'mayor'")
    refused(session, "secretary", {"fire": "call"}, "may not decide plan 'call'")
    refused(session, "street", {"pool": ["grid_worker"]}, "may not decide action 'pool'")
    refused(session, "street", {"teleport": 1}, "give exactly one")
    refused(session, "secretary", {"mobilise": "grid_worker"}, "not on standby")
    refused(session, "secretary", {"mobilise": "cadres", "count": 5}, "limit of 4")
    session.decide("secretary", {"mobilise": "cadres", "count": 3})
    refused(session, "secretary", {"mobilise": "cadres", "count": 2}, "3 mobilised by hand already")
    session.decide("secretary", {"mobilise": "cadres", "count": 1, "area": {"grids": ["c-g04"]}})
    refused(session, "street", {"set_mode": "emergency", "delay": "40h"}, "after the end")
    session.decide("street", {"fire": "call"})
    refused(session, "street", {"fire": "call"}, "in force already")
    refused(session, "street", {"stand_down": "nothing"}, "no plan or earlier decision")
    session.decide("street", {"stand_down": "call"})
    refused(session, "street", {"stand_down": "call"}, "not in force")
    session.decide("street", {"extend_shifts": "2h", "teams": ["grid_worker"]}, name="late")
    session.decide("street", {"stand_down": "late"})
    with pytest.raises(DrillRefusal, match="no inject 'volcano'"):
        session.inject("volcano")
    with pytest.raises(DrillRefusal, match="no grid 'x'"):
        session.inject({"worker_ill": "cadres", "grid": "x", "duration": "1h"})
    session.inject("rumour")
    with pytest.raises(DrillRefusal, match="was fired at 10 h"):
        session.inject("rumour")
    session.finish()
    with pytest.raises(DrillRefusal, match="over"):
        session.decide("street", {"set_mode": "alert"})
    taken = [e for e in session.log if e.kind == "decision" and e.outcome == "taken"]
    assert len(taken) == 6
    assert sum(e.outcome == "refused" for e in session.log) == 15


def test_mobilising_by_hand_brings_exactly_those_members() -> None:
    session = DrillSession(drill(QUIET))
    session.decide("secretary", {"mobilise": "cadres", "count": 1, "area": {"grids": ["c-g02"]}})
    session.decide("secretary", {"mobilise": "cadres", "count": 2, "area": {"grids": ["c-g02"]}})
    session.advance(11)
    on_duty = [s for s in session.model.operations.teams["cadres"] if s.on_duty]
    assert len(on_duty) == 2 and {s.unit_id for s in on_duty} == {"c-g02"}
    refused(
        session,
        "secretary",
        {"mobilise": "cadres", "area": {"grids": ["c-g02"]}, "count": 1},
        "no member",
    )
    session.decide("secretary", {"stand_down": "secretary/mobilise/1"})
    session.advance(12)
    assert sum(s.on_duty for s in session.model.operations.teams["cadres"]) == 1
    session.decide("secretary", {"stand_down": "secretary/mobilise/2"})
    session.advance(13)
    assert not any(s.on_duty for s in session.model.operations.teams["cadres"])


def test_reassigning_by_hand_sends_workers_and_refuses_when_nobody_is_left() -> None:
    session = DrillSession(drill(QUIET))
    send = {"reassign": "grid_worker", "area": {"grids": ["c-g04"]}, "to": {"grids": ["c-g01"]}}
    session.decide("secretary", send)
    stations = session.model.operations.stations.grids
    [worker] = [s for s in session.model.operations.teams["grid_worker"] if s.unit_id == "c-g04"]
    assert worker.stations == [stations[0]]
    refused(session, "secretary", send, "no member of grid_worker to reassign there")
    refused(session, "street", send, "may not")
    session.decide("secretary", {"stand_down": "secretary/reassign/1"})
    session.advance(11)
    assert worker.stations == [stations[3]]


def test_objectives_settle_at_the_times_the_cases_say() -> None:
    session = DrillSession(drill())
    result = session.finish()
    objectives = session.objectives()
    cases = result.cases
    checks = cases[cases.category == "check"]
    assert objectives["checked"]["status"] == "met"
    assert objectives["checked"]["met_at_h"] == pytest.approx(checks.closed_h.max())
    urgent = cases[(cases.category == "urgent") & cases.created_h.between(10, 48)]
    waits = urgent.accepted_h.fillna(48) - urgent.created_h
    assert objectives["urgent_quick"]["value"] == pytest.approx(waits.max())
    late = urgent[waits > 0.5]
    if len(late):
        assert objectives["urgent_quick"]["status"] == "missed"
        assert objectives["urgent_quick"]["missed_at_h"] == pytest.approx(
            (late.created_h + 0.5).min()
        )
    else:
        assert objectives["urgent_quick"]["status"] == "met"
    due = urgent[urgent.deadline_h <= 48]
    on_time = (due.closed_h <= due.deadline_h).mean()
    assert objectives["on_time"]["value"] == pytest.approx(on_time)
    assert objectives["on_time"]["status"] == ("met" if on_time >= 0.9 else "missed")
    series = result.timeseries.groupby("t_h")["backlog"].sum()
    assert objectives["backlog"]["value"] == series.loc[40.0]


def test_objectives_at_risk_and_missed_before_their_deadline() -> None:
    """One grid worker for four grids after the leak, no cadres: the checks fall behind."""
    session = DrillSession(
        drill(
            {"objectives": {"checked": {"by": "21h"}}},
            {
                "grid_workers": {"per_grid": None, "per_community": 1},
                "plans": {"call": {"triggers": [{"at": "47h"}]}},
            },
        )
    )
    session.advance(20.25)
    assert session.objectives()["checked"]["status"] == "at risk"
    session.advance(21.5)
    checked = session.objectives()["checked"]
    assert checked["status"] == "missed" and checked["missed_at_h"] == 21.0
    assert checked["value"] < 1


def test_the_state_is_plain_json() -> None:
    session = DrillSession(drill())
    session.advance(20.5)
    state = session.state()
    assert json.loads(json.dumps(state)) == state
    assert state["sim_h"] == 20.5 and state["mode"] == "peacetime"
    assert [g["grid"] for g in state["grids"]] == ["c-g01", "c-g02", "c-g03", "c-g04"]
    assert [g["incident"] for g in state["grids"]] == [True, False, False, False]
    assert state["kpis"]["screening"]["tasks"] == 50
    assert state["kpis"]["staff_on_duty"]["grid_worker"] == {"on_duty": 4, "members": 4}
    assert set(state["objectives"]) == {"checked", "urgent_quick", "on_time", "backlog"}
    assert state["injects"]["leak"]["fired_h"] == 20.0
    assert state["expectations"][0]["outcome"] == "pending"
    assert state["roles"]["secretary"] == {
        "label_zh": "",
        "plans": [],
        "actions": ["mobilise", "pool", "reassign"],
    }
    assert state["resources"]["cadres"] == {
        "label_zh": "",
        "limit": 4,
        "mobilised": 0,
        "members": 6,
        "on_call": 0,
    }


def decide_step_by_step(seed: int) -> DrillSession:
    session = DrillSession(drill(), seed)
    for t in np.arange(10.25, 20.5, 0.25):
        session.advance(float(t))
        session.state()
    session.decide("secretary", {"mobilise": "cadres", "count": 2, "ramp": "30min"})
    session.advance(20.6)
    session.inject("ill")
    session.advance(22.3)
    session.decide("street", {"set_mode": "emergency", "level": "IV"})
    session.decide("street", {"fire": "call"})
    session.advance(30.0)
    session.decide("street", {"stand_down": "call"})
    session.finish()
    return session


def test_interactive_and_scripted_give_the_same_run() -> None:
    interactive = decide_step_by_step(4)
    script = Script.model_validate(interactive.script())
    scripted = DrillSession(drill(), 4)
    play(scripted, script)
    scripted.finish()
    frames = [
        pd.DataFrame([e.record() for e in session.log]).drop(columns="wall")
        for session in (interactive, scripted)
    ]
    pd.testing.assert_frame_equal(frames[0], frames[1])
    assert len(frames[0]) == 7
    assert interactive.objectives() == scripted.objectives()


def test_the_cases_table_is_the_same_interactive_or_scripted() -> None:
    interactive = DrillSession(drill(), 4)
    scripted = DrillSession(drill(), 4)
    for t in np.arange(10.5, 25.01, 0.5):
        interactive.advance(float(t))
    interactive.decide("secretary", {"mobilise": "cadres", "count": 2})
    scripted.advance(25.0)
    scripted.decide("secretary", {"mobilise": "cadres", "count": 2})
    a, b = interactive.finish(), scripted.finish()
    pd.testing.assert_frame_equal(a.cases, b.cases)
    pd.testing.assert_frame_equal(a.jobs, b.jobs)
    pd.testing.assert_frame_equal(a.events, b.events)


def test_a_drill_without_decisions_or_injects_is_a_plain_run() -> None:
    played = drill({"injects": {"leak": {"at": None}, "line_down": {"at": None}}})
    session = DrillSession(played, 6)
    for t in (11.3, 17.0, 33.33):
        session.advance(t)
        session.state()
    result = session.finish()
    plain = sim.run(played.played, seed=6, days=2)
    pd.testing.assert_frame_equal(result.cases, plain.cases)
    pd.testing.assert_frame_equal(result.timeseries, plain.timeseries)
    pd.testing.assert_frame_equal(result.workers, plain.workers)
    assert json.dumps(result.summary, sort_keys=True, default=str) == json.dumps(
        plain.summary, sort_keys=True, default=str
    )
