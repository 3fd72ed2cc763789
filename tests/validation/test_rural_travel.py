"""The `urban` flag: a village's grids (`urban: false`) default to about 50 households and an
urban community's to about 200 (article #5, docs/sources.md A16), and the travel of every job
in a village's grids is the category's travel times `world.rural_travel_factor`.

Known answer: over replications, the mean travel of the jobs in rural grids divided by the
mean in urban grids is the factor, within 3 standard errors (Student-t); the offered load
counts the same factor on the rural grids' travel."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import sim
from sim.config.loader import merge_mappings
from sim.load import scenario_load

from scenario_parts import INSTANT_LOOP, NO_ATTRIBUTES, ROUND_THE_CLOCK, flat_requests

FACTOR = 2.5
SCENARIO = {
    "name": "rural-travel-test",
    "run": {"days": 30, "tick": "24h", "warmup": "0h"},
    "world": {
        "households": NO_ATTRIBUTES,
        "rural_travel_factor": FACTOR,
        "streets": [
            {
                "id": "s",
                "communities": [
                    {"id": "town", "grids": 2},  # 200 households a grid by default
                    {"id": "village", "urban": False, "grids": 8},  # 50 by default
                ],
            }
        ],
    },
    # no work at the door, only the walk: a job's duration is its travel
    "categories": {"visit": {"work": "0h", "travel": {"dist": "exponential", "mean": "20min"}}},
    "grid_workers": {"per_grid": 2, "shift": ROUND_THE_CLOCK, "patrol": {"enabled": False}},
    "sources": {"resident": flat_requests("0.004/h", {"visit": 1})},
    "loop": INSTANT_LOOP,
}


def travel_ratio(result: sim.Result, cases: pd.DataFrame) -> dict[str, float]:
    """Mean job travel in rural grids over the mean in urban grids."""
    jobs = result.jobs.merge(result.cases[["case_id", "community"]], on="case_id")
    done = jobs[jobs["outcome"] == "done"]
    mean = done.groupby("community", observed=True)["duration_h"].mean()
    return {"ratio": mean["village"] / mean["town"], "town_h": mean["town"]}


def test_rural_travel_is_the_factor_times_the_urban(replicate, helpers):
    scenario = sim.scenario_from_dict(SCENARIO)
    reps = replicate(scenario, travel_ratio, key="rural-travel", reps=10, cooldown=None)
    assert helpers.disagreement("rural/urban travel", reps, "ratio", FACTOR) is None
    assert helpers.disagreement("urban travel", reps, "town_h", 1 / 3) is None


def test_default_grid_sizes_and_the_load_of_rural_travel():
    scenario = sim.scenario_from_dict(SCENARIO)
    load = scenario_load(scenario)
    sizes = np.array([200, 200] + [50] * 8)
    # per grid: requests a week × 20 minutes × (1 in town, FACTOR in the village)
    weekly = 0.004 * 168 * sizes * (1 / 3) * np.array([1, 1] + [FACTOR] * 8)
    assert load.by_category["visit"] == pytest.approx(weekly.sum())
    urban = sim.scenario_from_dict(merge_mappings(SCENARIO, {"world": {"rural_travel_factor": 1}}))
    assert scenario_load(urban).by_category["visit"] == pytest.approx(
        (0.004 * 168 * sizes / 3).sum()
    )
