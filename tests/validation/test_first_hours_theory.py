"""The first hours of an incident against known answers (docs/sources.md Q25–Q27), and drills
against common random numbers.

- Switch-over latency (Q25, Q26): with exponential step delays, the mean hours from onset to a
  plan that fires when the report reaches the street are the sum of the step means (each divided
  by the responder's skill rate) and of the hops' means; with an error probability p on a step,
  plus p × the redo mean; drills multiply every delay and probability by their factors.
- Learning curve (Q27): the mean measured work of the incident's tasks created in a window of
  hours [t0, t1) after onset is the base mean times the mean of the multiplier over the window,
  1 + a·τ·(e^(−t0/τ) − e^(−t1/τ))/(t1 − t0).
- Drills (metamorphic, common random numbers): on `scenarios/epidemic_first_hours.yaml`, three
  drills never lengthen the switch-over latency nor the time to finish the screening against
  none, pair by pair.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import ttest_1samp

import sim
from sim.config.loader import merge_mappings

from scenario_parts import INSTANT_LOOP, NO_ATTRIBUTES, ROUND_THE_CLOCK, flat_requests

ONSET = 1.0
#: One grid, a few requests; the report of a leak at 01:00 goes to the street (horizon: two days,
#: beyond any latency the exponential delays give in practice).
TINY = {
    "name": "first-hours-theory",
    "run": {"days": 2},
    "world": {
        "households": NO_ATTRIBUTES,
        "streets": [
            {"id": "s", "communities": [{"id": "c", "grids": 1, "households_per_grid": 20}]}
        ],
    },
    "categories": {"service": {"work": "10min"}},
    "grid_workers": {
        "per_grid": 1,
        "patrol": {"enabled": False},
        "shift": ROUND_THE_CLOCK,
        "skills": {"it": 2.0},  # the report goes twice as fast
    },
    "sources": {"resident": flat_requests("0.001/h")},
    "loop": INSTANT_LOOP,
    "incidents": {
        "leak": {
            "onset": f"{ONSET}h",
            "duration": "24h",
            "response": {
                "detect": {"delay": {"dist": "exponential", "mean": "2h"}},
                "assess": {"delay": {"dist": "exponential", "mean": "1h"}},
                "report": {"delay": {"dist": "exponential", "mean": "30min"}},
                "hops": {
                    "community": {"dist": "exponential", "mean": "1h"},
                    "street": {"dist": "exponential", "mean": "30min"},
                },
            },
        }
    },
    "plans": {
        "street_plan": {
            "triggers": [{"incident": "leak", "reported_to": "street"}],
            "actions": [{"set_mode": "emergency"}],
        }
    },
}
WRONG_ASSESSMENTS = {
    "incidents": {
        "leak": {
            "response": {
                "assess": {"error": 0.4, "redo": {"dist": "exponential", "mean": "3h"}},
            },
            "drills": {"held": 1, "delay_factor": 0.8, "error_factor": 0.5},
        }
    }
}
#: (changes to TINY, mean hours from onset to the plan firing)
LATENCIES = {
    "sum_of_steps": ({}, 2 + 1 + 0.5 / 2 + 1 + 0.5),
    # one drill: p = 0.4·0.5, every delay × 0.8
    "errors_and_a_drill": (WRONG_ASSESSMENTS, 0.8 * (2 + 1 + 0.2 * 3 + 0.5 / 2 + 1 + 0.5)),
}


@pytest.mark.parametrize("case", sorted(LATENCIES))
def test_switch_over_latency_is_the_sum_of_the_steps(case, replicate, helpers):
    changes, expected = LATENCIES[case]
    scenario = sim.scenario_from_dict(merge_mappings(TINY, changes))

    def stats(result: sim.Result, _) -> dict[str, float]:
        fired = result.summary["emergency"]["incidents"]["leak"]["switch_over"]["street_plan"]
        return {"latency": fired["fired_h"]}

    reps = replicate(scenario, stats, key=f"first-hours-{case}", reps=60, cooldown=None)
    assert helpers.disagreement(case, reps, "latency", expected) is None


LEARNING_TAU, LEARNING_EXTRA, BASE_WORK = 12.0, 1.5, 0.2
LEARNING = {
    **TINY,
    "run": {"days": 5},
    "world": {
        "households": NO_ATTRIBUTES,
        "streets": [
            {"id": "s", "communities": [{"id": "c", "grids": 1, "households_per_grid": 100}]}
        ],
    },
    "categories": {
        "service": {"work": "10min"},
        "delivery": {
            "work": {"dist": "exponential", "mean": f"{BASE_WORK}h"},
            "kind": "incident",
            "priority": 1,
            "loop": False,
        },
    },
    "grid_workers": {"per_grid": 4, "patrol": {"enabled": False}, "shift": ROUND_THE_CLOCK},
    "incidents": {
        "epidemic": {
            "onset": "24h",
            "duration": "72h",
            "tasks": [{"category": "delivery", "rate_per_household": "0.05/h"}],
            "learning": {"extra": LEARNING_EXTRA, "tau": f"{LEARNING_TAU}h"},
        }
    },
    "plans": {},
}
WINDOWS = ((0.0, 12.0), (12.0, 36.0), (36.0, 72.0))


def test_mean_work_in_a_window_is_the_integral_of_the_learning_curve(replicate, helpers):
    scenario = sim.scenario_from_dict(LEARNING)

    def stats(result: sim.Result, _) -> dict[str, float]:
        cases, jobs = result.cases, result.jobs
        tasks = cases[cases["category"] == "delivery"].set_index("case_id")
        done = jobs[jobs["case_id"].isin(tasks.index) & (jobs["outcome"] == "done")]
        since = tasks.loc[done["case_id"], "created_h"].to_numpy() - 24.0
        measured = done["duration_h"].to_numpy()  # the work as the worker did it
        assert len(done) == len(tasks)
        return {
            f"{t0:g}-{t1:g}": float(measured[(since >= t0) & (since < t1)].mean())
            for t0, t1 in WINDOWS
        }

    reps = replicate(scenario, stats, key="first-hours-learning", reps=30, cooldown=None)
    problems = []
    for t0, t1 in WINDOWS:
        decay = math.exp(-t0 / LEARNING_TAU) - math.exp(-t1 / LEARNING_TAU)
        expected = BASE_WORK * (1 + LEARNING_EXTRA * LEARNING_TAU * decay / (t1 - t0))
        problems.append(helpers.disagreement("learning", reps, f"{t0:g}-{t1:g}", expected))
    assert problems == [None] * len(WINDOWS)


def test_more_drills_shorten_the_switch_over_and_the_screening(scenarios, replicate):
    """Three drills against none, same seeds: the switch-over is shorter in every pair (the
    same draws, scaled down); the time to finish the screening is shorter on average and in
    most pairs, not all: the last household's screening can fall to a tired worker whose
    mistake sends it to the back of a queue (fatigue draws follow each run's own path)."""
    days = 8.0
    onset = 72.0

    def stats(result: sim.Result, _) -> tuple[float, float]:
        incident = result.summary["emergency"]["incidents"]["epidemic"]
        done = incident["task_0_screening"]["completed_h"]
        fired = incident["switch_over"]["epidemic_response"]["fired_h"]
        return fired, days * 24 - onset if done is None else done  # unfinished: at least that

    arms = [
        replicate(
            sim.load_scenario(
                scenarios / "epidemic_first_hours.yaml", [f"incidents.epidemic.drills.held={n}"]
            ),
            stats,
            key="first-hours-drills",  # the same seeds in both arms
            reps=12,
            days=days,
            cooldown=None,
        )
        for n in (0, 3)
    ]
    none, three = (np.array(arm) for arm in arms)
    assert (three[:, 0] < none[:, 0]).all(), (none[:, 0], three[:, 0])
    shorter = none[:, 1] - three[:, 1]
    print(f"screening finished sooner by {shorter.mean():.1f} h, longer in {(shorter < 0).sum()}")
    assert ttest_1samp(shorter, 0.0, alternative="greater").pvalue < 0.01
    assert (shorter < 0).mean() <= 0.25, shorter
