"""Incidents: area, intensity profile, surge on existing demand, and the incident's own tasks."""

from __future__ import annotations

import numpy as np
import pytest

import sim
from sim.config.incidents import Incident
from sim.config.loader import merge_mappings

from scenario_parts import ALL_DAYS, INSTANT_LOOP, ROUND_THE_CLOCK, flat_requests

BASE = {
    "name": "incidents",
    "run": {"days": 4},
    "world": {
        "households": {
            "floating": 0,
            "rental": 0,
            "group_rental": 0,
            "shop": 0,
            "elderly": 0.3,
            "vulnerable": 0.1,
        },
        "streets": [
            {"id": "north", "communities": [{"id": "a", "grids": 2, "households_per_grid": 100}]},
            {"id": "south", "communities": [{"id": "b", "grids": 2, "households_per_grid": 100}]},
        ],
    },
    "categories": {
        "service": {"work": "10min"},
        "screening": {"work": "5min", "kind": "incident", "priority": 1, "loop": False},
        "delivery": {"work": "15min", "kind": "incident", "priority": 1, "loop": False},
    },
    "grid_workers": {
        "per_grid": 2,
        "patrol": {"enabled": False},
        "shift": ROUND_THE_CLOCK,
    },
    "sources": {"resident": flat_requests("0.01/h")},
    "loop": INSTANT_LOOP,
}


def run(incidents: dict, seed: int = 1) -> sim.Result:
    return sim.run(
        sim.scenario_from_dict(merge_mappings(BASE, {"incidents": incidents})), seed=seed
    )


def test_intensity_profile_is_a_step_function_within_the_incident():
    incident = Incident(onset=10, duration=20, intensity=[(0, 1.0), (5, 0.5), (15, 0.0)])
    assert incident.level_over(0, 10) == 0
    assert incident.level_over(10, 15) == 1.0
    assert incident.level_over(15, 25) == 0.5
    assert incident.level_over(12, 17) == pytest.approx((3 * 1.0 + 2 * 0.5) / 5)
    assert incident.level_over(30, 40) == 0


def test_surge_multiplies_requests_only_in_the_area_and_the_window():
    calm = run({})
    surge = run(
        {
            "flood": {
                "onset": "24h",
                "duration": "24h",
                "demand": {"resident": 4.0},
                "area": {"streets": ["north"]},
            }
        }
    )

    def count(result, street, start, end):
        c = result.cases
        return ((c["street"] == street) & (c["created_h"] >= start) & (c["created_h"] < end)).sum()

    # north on day 1: 4× the rate; south and the other days: unchanged (same seed, same streams)
    assert count(surge, "north", 24, 48) > 2.5 * count(calm, "north", 24, 48)
    assert count(surge, "south", 0, 96) == count(calm, "south", 0, 96)
    assert count(surge, "north", 0, 24) == count(calm, "north", 0, 24)


def test_screening_reaches_every_household_of_the_area_once():
    result = run(
        {
            "epidemic": {
                "onset": "30h",
                "duration": "3d",
                "area": {"communities": ["a"]},
                "tasks": [{"category": "screening", "every_household": "1d"}],
            }
        }
    )
    tasks = result.cases[result.cases["category"] == "screening"]
    assert len(tasks) == 200 and tasks["household"].is_unique
    assert (tasks["community"] == "a").all()
    assert (tasks["created_h"] == 30).all() and (tasks["deadline_h"] == 54).all()
    assert tasks["source"].eq("incident").all()


def test_incident_task_streams_go_to_eligible_households_while_it_lasts():
    result = run(
        {
            "epidemic": {
                "onset": "24h",
                "duration": "48h",
                "tasks": [
                    {
                        "category": "delivery",
                        "rate_per_household": "1/day",
                        "households": "elderly_or_vulnerable",
                    }
                ],
            }
        }
    )
    tasks = result.cases[result.cases["category"] == "delivery"]
    households = result.scenario  # noqa: F841 (kept for readability of the assertion below)
    model_table = sim.runner.GridModel(result.scenario, seed=1).world.households
    needy = model_table["elderly"] | model_table["vulnerable"]
    assert len(tasks) > 0
    assert needy[tasks["household"].to_numpy()].all()
    assert tasks["created_h"].between(24, 72, inclusive="left").all()
    expected = needy.sum() * 2  # 1 per eligible household per day, for two days
    assert abs(len(tasks) - expected) < 4 * np.sqrt(expected)


@pytest.mark.parametrize(
    ("incident", "message"),
    [
        ({"onset": 0, "duration": 5, "area": {"streets": ["east"]}}, "no street 'east'"),
        ({"onset": 0, "duration": 5, "area": {"grids": ["a-g09"]}}, "no grid 'a-g09'"),
        (
            {"onset": 0, "duration": 5, "tasks": [{"category": "x", "every_household": "1d"}]},
            "unknown category 'x'",
        ),
        ({"onset": 0, "duration": 5, "intensity": [[1, 1.0]]}, "start at offset 0"),
        ({"onset": 0, "duration": 0}, "greater than 0"),
        ({"onset": 0, "duration": 5, "tasks": [{"category": "screening"}]}, "give one of"),
    ],
)
def test_bad_incidents_are_refused(incident, message):
    with pytest.raises(sim.ScenarioError, match=message):
        sim.scenario_from_dict(merge_mappings(BASE, {"incidents": {"bad": incident}}))


def test_emergency_kpis_account_for_modes_screening_and_unmet_needs():
    result = run(
        {
            "epidemic": {
                "onset": "30h",
                "duration": "48h",
                "tasks": [
                    {"category": "screening", "every_household": "1d"},
                    {
                        "category": "delivery",
                        "rate_per_household": "1/day",
                        "households": "vulnerable",
                    },
                ],
            }
        }
    )
    emergency = result.summary["emergency"]
    assert sum(emergency["hours_in_mode"].values()) == pytest.approx(96.0)
    epidemic = emergency["incidents"]["epidemic"]
    screening = epidemic["task_0_screening"]
    tasks = result.cases[result.cases["category"] == "screening"]
    assert screening["tasks"] == len(tasks) == 400
    assert screening["coverage"] == pytest.approx((tasks["closed_h"] <= tasks["deadline_h"]).mean())
    assert screening["completed_h"] == pytest.approx(tasks["closed_h"].max() - 30.0)
    delivery = epidemic["task_1_delivery"]
    assert 0 <= delivery["unmet"] <= delivery["due"] <= delivery["tasks"]
    assert epidemic["backlog_peak"] >= epidemic["backlog_before_max"]


def test_duty_posts_are_staffed_round_the_clock_while_the_incident_lasts():
    categories = {
        "categories": {"post": {"work": "8h", "kind": "incident", "priority": 1, "loop": False}}
    }
    data = merge_mappings(
        merge_mappings(BASE, categories),
        {
            "incidents": {
                "epidemic": {
                    "onset": "24h",
                    "duration": "48h",
                    "area": {"streets": ["north"]},
                    "tasks": [{"category": "post", "posts_per_community": 2, "post_shift": "8h"}],
                }
            }
        },
    )
    result = sim.run(sim.scenario_from_dict(data), seed=1)
    posts = result.cases[result.cases["category"] == "post"]
    assert len(posts) == 2 * 48 // 8  # two posts in community a, six shifts
    assert sorted(set(posts["created_h"])) == [24.0, 32.0, 40.0, 48.0, 56.0, 64.0]
    assert (posts["community"] == "a").all() and (posts["work_h"] == 8.0).all()


def test_a_post_category_must_last_one_post_shift():
    data = merge_mappings(
        BASE,
        {
            "incidents": {
                "epidemic": {
                    "onset": 0,
                    "duration": "1d",
                    "tasks": [
                        {"category": "delivery", "posts_per_community": 1, "post_shift": "8h"}
                    ],
                }
            }
        },
    )
    with pytest.raises(sim.ScenarioError, match="fixed work equal to the post shift"):
        sim.scenario_from_dict(data)


SURGED_SOURCES = {
    "categories": {
        "hazard": {"work": "20min", "kind": "patrol"},
        "form": {"work": "15min", "kind": "admin"},
    },
    "sources": {
        "patrol": {"rate_per_household": {"hazard": "0.005/h"}, "difficulty_elasticity": 0},
        "admin": {
            "category": "form",
            "rate_per_grid": "1/h",
            "hours": ["08:00", "17:00"],
            "days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
        },
    },
}


@pytest.mark.parametrize("multiplier", [3.0, 0.4])
@pytest.mark.parametrize("source", ["resident", "patrol", "admin"])
def test_a_surge_keeps_the_calm_draws_of_every_source(source: str, multiplier: float):
    """Common random numbers across incident arms: a surge adds an independent stream (or
    thins the calm one), so every other arrival of the source is the same with or without it."""
    from sim.work.sources.base import SURGE_SEQ

    base = merge_mappings(BASE, SURGED_SOURCES)
    incident = {
        "flood": {
            "onset": "24h",
            "duration": "24h",
            "demand": {source: multiplier},
            "area": {"streets": ["north"]},
        }
    }
    calm = sim.run(sim.scenario_from_dict(base), seed=3).cases
    surge = sim.run(sim.scenario_from_dict(merge_mappings(base, {"incidents": incident})), seed=3)
    columns = ["source_seq", "created_h", "street", "grid", "category", "work_h"]

    def arrivals(cases, stream: str):
        own = cases[cases["source"] == source]
        calm_stream = own["source_seq"] < SURGE_SEQ
        chosen = own[calm_stream if stream == "calm" else ~calm_stream]
        return chosen[columns].sort_values("source_seq", ignore_index=True)

    before, after = arrivals(calm, "calm"), arrivals(surge.cases, "calm")

    def affected(cases):  # arrived in the area from the onset (hidden issues: found later)
        return (cases["created_h"] >= 24) & (cases["street"] == "north")

    if multiplier > 1:  # calm arrivals untouched; the excess on its own stream, in the area
        assert after.equals(before)
        extra = arrivals(surge.cases, "surge")
        assert len(extra) > 0 and affected(extra).all()
    else:  # calm arrivals thinned in the area from the onset only; the rest untouched
        kept = before["source_seq"].isin(after["source_seq"])
        assert kept[~affected(before)].all()
        assert 0 < kept.sum() < len(before) and after.equals(before[kept].reset_index(drop=True))
        assert not len(arrivals(surge.cases, "surge"))


def _posts(shift: dict, post: dict | None = None, workers: dict | None = None) -> sim.Result:
    """One post in community a, round the clock for 24 h from 24 h (00:00 of the second day),
    and one grid worker a grid on `shift` (exactly: no early start, no late stay); no other
    work. `post` and `workers`: more settings of the post's category and the grid workers."""
    data = merge_mappings(
        BASE,
        {
            "run": {"days": 3},
            "categories": {
                "post": {
                    "work": "8h",
                    "kind": "incident",
                    "priority": 1,
                    "loop": False,
                    **(post or {}),
                }
            },
            "grid_workers": {
                "per_grid": 1,
                "shift": shift,
                "starts_early": 0,
                "stays_late": 0,
                **(workers or {}),
            },
            "sources": {"resident": flat_requests("0/h")},
            "incidents": {
                "epidemic": {
                    "onset": "24h",
                    "duration": "24h",
                    "area": {"communities": ["a"]},
                    "tasks": [{"category": "post", "posts_per_community": 1, "post_shift": "8h"}],
                }
            },
        },
    )
    return sim.run(sim.scenario_from_dict(data), seed=3)


def test_a_duty_post_is_staffed_until_its_shift_ends_and_lapses_if_nobody_comes():
    result = _posts({"start": "10:00", "end": "18:00", "days": ALL_DAYS})
    posts = result.cases[result.cases["category"] == "post"].set_index("created_h")
    # 00:00-08:00: nobody on duty, so it lapses when its shift ends, never worked
    assert posts.loc[24.0, "status"] == "lapsed" and posts.loc[24.0, "closed_h"] == 32.0
    assert np.isnan(posts.loc[24.0, "accepted_h"])
    # 08:00-16:00: taken at 10:00 by the worker coming on duty, staffed until 16:00
    assert posts.loc[32.0, ["status", "accepted_h", "closed_h"]].tolist() == ["closed", 34.0, 40.0]
    # 16:00-24:00: taken at 16:00, staffed to its end, six hours of it after the worker's shift
    assert posts.loc[40.0, ["status", "accepted_h", "closed_h"]].tolist() == ["closed", 40.0, 48.0]
    jobs = result.jobs[result.jobs["category"] == "post"]
    assert sorted(jobs["duration_h"]) == [6.0, 8.0]  # the lapsed post was never worked
    incident = result.summary["tasks"]["incident"]
    assert (incident["lapsed"], incident["done"], incident["unmet"]) == (1, 2, 1)
    task = result.summary["emergency"]["incidents"]["epidemic"]["task_0_post"]
    assert task["unmet"] == 1
    assert posts["staffed_h"].tolist() == [0.0, 6.0, 8.0]
    assert task["hours_staffed_share"] == pytest.approx((6 + 8) / 24)
    assert result.summary["checks"]["conservation"]
    others = result.cases[result.cases["category"] != "post"]
    assert others["staffed_h"].isna().all()  # a column of duty posts only


def test_the_hours_a_post_is_staffed_leave_out_the_walk_to_it():
    result = _posts({"start": "10:00", "end": "18:00", "days": ALL_DAYS}, post={"travel": "1h"})
    posts = result.cases[result.cases["category"] == "post"].set_index("created_h")
    # taken at 10:00 and at 16:00 as before, but at the post an hour later
    assert posts.loc[32.0, ["accepted_h", "closed_h"]].tolist() == [34.0, 40.0]
    assert posts.loc[40.0, ["accepted_h", "closed_h"]].tolist() == [40.0, 48.0]
    assert posts["staffed_h"].tolist() == [0.0, 5.0, 7.0]
    task = result.summary["emergency"]["incidents"]["epidemic"]["task_0_post"]
    assert task["hours_staffed_share"] == pytest.approx((5 + 7) / 24)


def test_a_post_handed_back_counts_the_hours_its_holder_was_there():
    # the worker takes the 16:00-24:00 post at 16:00 and may stay 2 h past the end of the day
    # (18:00): at 20:00 the post goes back to the queue, and nobody takes it again
    result = _posts(
        {"start": "10:00", "end": "18:00", "days": ALL_DAYS}, workers={"overtime_limit": "2h"}
    )
    posts = result.cases[result.cases["category"] == "post"].set_index("created_h")
    evening = posts.loc[40.0]
    assert (evening["status"], evening["accepted_h"], evening["closed_h"]) == ("lapsed", 40.0, 48.0)
    jobs = result.jobs[result.jobs["category"] == "post"]
    assert sorted(jobs["outcome"]) == ["done", "handed_back"]
    assert posts["staffed_h"].tolist() == [0.0, 6.0, 4.0]
    task = result.summary["emergency"]["incidents"]["epidemic"]["task_0_post"]
    assert task["hours_staffed_share"] == pytest.approx((6 + 4) / 24)


def test_a_post_whose_shift_ends_as_the_morning_shift_begins_lapses_unstaffed():
    result = _posts({"start": "08:00", "end": "16:00", "days": ALL_DAYS})
    posts = result.cases[result.cases["category"] == "post"].set_index("created_h")
    # 00:00-08:00 is not staffed for no time at 08:00; 16:00-24:00 finds the worker off duty
    assert posts["status"].tolist() == ["lapsed", "closed", "lapsed"]
    assert posts.loc[32.0, ["accepted_h", "closed_h"]].tolist() == [32.0, 40.0]
    assert result.jobs.loc[result.jobs["category"] == "post", "duration_h"].tolist() == [8.0]


def test_duty_posts_nobody_comes_to_lapse_at_the_end_of_their_shifts_and_leave_nothing_open():
    result = _posts({"start": "08:00", "end": "20:00", "days": ["mon"]})  # the run's first day
    posts = result.cases[result.cases["category"] == "post"]
    assert posts["status"].tolist() == ["lapsed"] * 3
    assert posts["closed_h"].tolist() == posts["deadline_h"].tolist() == [32.0, 40.0, 48.0]
    assert not (result.jobs["category"] == "post").any()
    open_posts = result.timeseries.groupby("t_h")["open_incident"].sum()
    assert open_posts.loc[25.0] == 1 and open_posts.iloc[-1] == 0
    task = result.summary["emergency"]["incidents"]["epidemic"]["task_0_post"]
    assert (task["unmet_share"], task["hours_staffed_share"]) == (1.0, 0.0)
    assert result.summary["checks"]["conservation"]
