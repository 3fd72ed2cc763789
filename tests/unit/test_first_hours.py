"""The first hours of an incident: the response pipeline (detect, assess, report, first
response, the report going up the tiers) in the event log, plans that fire when the report
reaches their tier, the switch-over KPIs read from the log, the learning curve on work content
and the drills; bad settings are refused."""

from __future__ import annotations

import math

import numpy as np
import pytest

import sim
from sim.config.incidents import Incident
from sim.config.loader import merge_mappings

from scenario_parts import NO_ATTRIBUTES, ROUND_THE_CLOCK

ONSET = 30.0
BASE = {
    "name": "first-hours",
    "run": {"days": 4},
    "world": {
        "households": {**NO_ATTRIBUTES, "elderly": 0.5},
        "streets": [
            {"id": "n", "communities": [{"id": "a", "grids": 2, "households_per_grid": 100}]},
            {"id": "s", "communities": [{"id": "b", "grids": 2, "households_per_grid": 100}]},
        ],
    },
    "categories": {
        "service": {"work": {"dist": "exponential", "mean": "20min"}},
        "delivery": {
            "work": {"dist": "lognormal", "median": "15min", "cv": 0.8},
            "kind": "incident",
            "priority": 1,
            "loop": False,
        },
        "post": {"work": "8h", "kind": "incident", "priority": 1, "loop": False},
    },
    "grid_workers": {"per_grid": 2, "patrol": {"enabled": False}, "shift": ROUND_THE_CLOCK},
    "teams": {
        "cadres": {
            "kind": "part_time",
            "per_community": 3,
            "standby": True,
            "categories": ["delivery"],
            "shift": {"start": "08:00", "end": "20:00", "days": list(ROUND_THE_CLOCK["days"])},
        }
    },
    "sources": {"resident": {"rate_per_household": "0.005/h", "mix": {"service": 1}}},
    "incidents": {
        "epidemic": {
            "onset": f"{ONSET}h",
            "duration": "48h",
            "area": {"streets": ["s"]},
            "tasks": [
                {"category": "delivery", "rate_per_household": "0.1/day"},
                {"category": "post", "posts_per_community": 1, "post_shift": "8h"},
            ],
        }
    },
}
RESPONSE = {
    "detect": {"delay": {"dist": "exponential", "mean": "2h"}},
    "assess": {"delay": {"dist": "exponential", "mean": "1h"}, "error": 0.5, "redo": "3h"},
    "report": {"delay": {"dist": "exponential", "mean": "30min"}, "error": 0.2},
    "first_response": {"delay": "4h"},
    "hops": {"community": "1h", "street": {"dist": "exponential", "mean": "2h"}},
}
PLAN = {
    "triggers": [{"incident": "epidemic", "reported_to": "street"}],
    "actions": [{"set_mode": "emergency"}, {"mobilise": "cadres", "delay": "2h"}],
}
#: The same plan, fired at onset (no response needed).
AT_ONSET = {**PLAN, "triggers": [{"incident": "epidemic"}]}
LEARNING = {"extra": 1.5, "tau": "12h"}
ALWAYS_WRONG = {"delay": "1h", "error": 1}


def scenario(incident: dict | None = None, plan: dict | None = None, **more) -> sim.Scenario:
    data = merge_mappings(BASE, {"incidents": {"epidemic": incident or {}}, **more})
    data["plans"] = {"street_plan": plan or PLAN}
    return sim.scenario_from_dict(data)


def run(incident: dict | None = None, seed: int = 3, **more) -> sim.Result:
    return sim.run(scenario(incident, **more), seed=seed)


def at(result: sim.Result, event: str, detail: str | None = None) -> float:
    log = result.events
    rows = log[(log["event"] == event) & ((log["detail"] == detail) if detail else True)]
    assert len(rows) == 1, rows
    return float(rows["t_h"].iloc[0])


def test_plan_fires_exactly_when_the_report_reaches_its_tier():
    result = run({"response": RESPONSE})
    log = result.events
    steps = ["onset", "detected", "assessed", "reported"]
    times = [at(result, step) for step in steps]
    assert times[0] == ONSET and times == sorted(times)
    assert at(result, "first_response_done") == pytest.approx(at(result, "assessed") + 4.0)
    community, street = (at(result, "report_reached", tier) for tier in ("community", "street"))
    assert community == pytest.approx(at(result, "reported") + 1.0)  # a fixed hop of 1 h
    assert at(result, "fired") == street  # exactly the pipeline's end
    assert at(result, "report_reached", "city") == street  # the hops above: no delay by default
    assert "reaches the street" in log.loc[log["event"] == "fired", "detail"].iloc[0]
    assert set(log.loc[log["event"].isin(steps), "plan"]) == {"epidemic"}
    # the summary reads the same times from the log, in hours from onset
    incident = result.summary["emergency"]["incidents"]["epidemic"]
    first = incident["first_hours"]
    assert first["detected_h"] == at(result, "detected") - ONSET
    assert first["reached_h"]["street"] == street - ONSET
    switch = incident["switch_over"]["street_plan"]
    assert switch["fired_h"] == switch["mode_h"] == street - ONSET
    jobs, workers = result.jobs, result.workers
    cadres = workers.loc[workers["role"] == "cadres", "staff_id"]
    first_job = jobs.loc[jobs["staff_id"].isin(cadres), "started_h"].min()
    assert switch["first_mobilised_job_h"] == first_job - ONSET >= street + 2.0 - ONSET


def test_without_a_response_the_plan_fires_at_onset_and_the_log_has_no_pipeline():
    result = run(plan=AT_ONSET)
    assert set(result.events["plan"]) == {"street_plan"}
    assert at(result, "fired") == ONSET
    incident = result.summary["emergency"]["incidents"]["epidemic"]
    assert "first_hours" not in incident
    assert incident["switch_over"]["street_plan"]["fired_h"] == 0.0


def test_a_wrong_step_is_redone_once_and_said_so():
    def assess(error: float) -> dict:
        return {**RESPONSE, "assess": {**RESPONSE["assess"], "error": error}}

    wrong, right = run({"response": assess(0.99)}), run({"response": assess(0.0)})
    log = [r.events for r in (wrong, right)]
    details = [events.loc[events["event"] == "assessed", "detail"].iloc[0] for events in log]
    assert details[0].endswith("redone") and not details[1].endswith("redone")
    first = [r.summary["emergency"]["incidents"]["epidemic"]["first_hours"] for r in (wrong, right)]
    assert [f["redone"] for f in first] == [["assess"], []]
    # the same draws (common random numbers): the first attempt, then the fixed 3 h redo
    took = [at(r, "assessed") - at(r, "detected") for r in (wrong, right)]
    assert took[0] == pytest.approx(took[1] + 3.0)


def test_the_responders_skill_sets_the_pace_of_each_step():
    plain = run({"response": RESPONSE})
    fast = run({"response": RESPONSE}, grid_workers={**BASE["grid_workers"], "skills": {"it": 2}})
    report = [at(r, "reported") - at(r, "assessed") for r in (plain, fast)]
    assert report[1] == pytest.approx(report[0] / 2)  # the report uses IT skills
    assessed = [at(r, "assessed") for r in (plain, fast)]
    assert assessed[1] == assessed[0]  # detect and assess do not
    assert "it ×2" in fast.events.loc[fast.events["event"] == "reported", "detail"].iloc[0]


def test_the_responder_is_the_member_posted_at_the_first_grid_of_the_area():
    result = run({"response": RESPONSE})
    detail = result.events.loc[result.events["event"] == "onset", "detail"].iloc[0]
    assert detail.startswith("responder b-g01-grid_worker")  # street s, community b, grid 1


def test_staffing_arms_see_the_same_first_hours():
    one = run({"response": RESPONSE})
    more = run({"response": RESPONSE}, grid_workers={**BASE["grid_workers"], "per_grid": 4})
    pipeline = ["detected", "assessed", "reported", "report_reached"]
    times = [r.events.loc[r.events["event"].isin(pipeline), "t_h"].tolist() for r in (one, more)]
    assert times[0] == times[1]


def test_more_drills_shorten_every_delay_by_their_factor_when_no_step_is_wrong():
    response = {
        **RESPONSE,
        "assess": {"delay": RESPONSE["assess"]["delay"]},
        "report": {"delay": RESPONSE["report"]["delay"]},
    }
    drills = {"delay_factor": 0.8, "error_factor": 0.5}
    runs = [run({"response": response, "drills": {**drills, "held": n}}) for n in (0, 2)]
    for event in ("detected", "assessed", "reported", "first_response_done"):
        since = [at(r, event) - ONSET for r in runs]
        assert since[1] == pytest.approx(since[0] * 0.8**2)
    assert at(runs[1], "fired") < at(runs[0], "fired")


def test_learning_multiplies_the_work_of_the_incidents_tasks_by_the_curve():
    plain = run(plan=AT_ONSET)
    learning = run({"learning": LEARNING, "drills": {"held": 2}}, plan=AT_ONSET)
    cases = [r.cases.set_index("case_id") for r in (plain, learning)]
    assert (cases[0]["created_h"] == cases[1]["created_h"]).all()  # the same cases
    ratio = cases[1]["work_h"] / cases[0]["work_h"]
    since = cases[0]["created_h"] - ONSET
    delivery = cases[0]["category"] == "delivery"
    extra = 1.5 * 0.8**2  # the default learning factor per drill
    expected = 1 + extra * np.exp(-since[delivery] / 12.0)
    assert ratio[delivery].to_numpy() == pytest.approx(expected.to_numpy(), rel=1e-12)
    assert (ratio[~delivery] == 1).all()  # duty posts and residents' requests: unchanged


def test_learning_on_the_closed_loop_reaches_only_the_area_while_the_incident_lasts():
    plain = run(plan=AT_ONSET)
    learning = run({"learning": {**LEARNING, "closed_loop": True}}, plan=AT_ONSET)
    cases = [r.cases.set_index("case_id") for r in (plain, learning)]
    service = cases[0]["category"] == "service"
    ratio = (cases[1]["work_h"] / cases[0]["work_h"])[service]
    since = cases[0].loc[service, "created_h"] - ONSET
    hit = (cases[0].loc[service, "street"] == "s") & (since >= 0) & (since < 48)
    assert hit.sum() > 10
    expected = 1 + 1.5 * np.exp(-since[hit] / 12.0)
    assert ratio[hit].to_numpy() == pytest.approx(expected.to_numpy(), rel=1e-12)
    assert (ratio[~hit] == 1).all()


def test_learning_curve_formula():
    incident = Incident(onset=0, duration=10, learning={"extra": 2.0, "tau": "10h"})
    value = incident.learning.multiplier(np.array([0.0, 10.0]), 2.0)
    assert value.tolist() == pytest.approx([3.0, 1 + 2 / math.e])


@pytest.mark.parametrize(
    ("change", "where", "message"),
    [
        ({"plans": {"p": PLAN}}, "triggers.0.reported_to", "has no response"),
        (
            {"incidents": {"epidemic": {"response": {**RESPONSE, "team": "nobody"}}}},
            "response.team",
            "no team 'nobody'",
        ),
        ({"incidents": {"epidemic": {"drills": {"held": 1}}}}, "epidemic", "drills act on"),
        (
            {"incidents": {"epidemic": {"response": {**RESPONSE, "report": ALWAYS_WRONG}}}},
            "report.error",
            "less than 1",
        ),
        (
            {"plans": {"p": {**PLAN, "triggers": [{"incident": "epidemic", "reported_to": "x"}]}}},
            "reported_to",
            "community",
        ),
    ],
)
def test_bad_first_hours_are_refused(change, where, message):
    data = merge_mappings(BASE, change)
    data.setdefault("plans", {"p": PLAN})
    with pytest.raises(sim.ScenarioError, match=message) as error:
        sim.scenario_from_dict(data)
    assert where in str(error.value)
