"""Households in and outside managed compounds (world.households.managed) on the desk-alone
scenario (scenarios/theory/mmck.yaml) with the grid worker on duty round the clock as a channel.

Reductions: with no blocking and households' experience switched off, the share of managed
households' first choices that go to the property desk is the logit probability, within 3
standard errors over replications, and unmanaged households never choose it; with the property
desk an M/M/1/2 offered managed households' calls only, the offered load's residents' cases at
the grid match a run's. Metamorphic: on common random numbers, raising the managed share never
lowers the property desk's calls, pair by pair.
"""

from __future__ import annotations

import math
from itertools import pairwise
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

import sim
from sim.load import scenario_load

#: Grid worker (utility 0, on duty round the clock), hotline and property desk as channels;
#: every need reported; households' experience changes nothing.
THREE_CHANNELS = [
    "channels.grid.enabled=true",
    "channels.grid.base=0",
    "channels.hotline.base=-0.5",
    "channels.property={base: 0.3, agents: 1, capacity: 2, talk: {dist: exponential, mean: 15min}}",
    "channels.reporting.base=1",
    "channels.satisfaction.weight=0",
    "sources.resident.rate_per_household=0.03/h",
    "grid_workers.per_grid=2",
]
#: Desks too large to ever block a call.
NO_BLOCKING = [
    "channels.hotline.agents=50",
    "channels.hotline.capacity=50",
    "channels.property.agents=50",
    "channels.property.capacity=50",
]


def first_choices(result: sim.Result, cases: pd.DataFrame) -> dict[str, float]:
    """Share of each kind of household's reported needs whose first choice was the property
    desk, after the warm-up."""
    by_compound = result.summary["channels"]["chosen_by_compound"]
    return {
        compound: block["chosen"]["property"]["share"] or 0.0
        for compound, block in by_compound.items()
    }


def test_first_choices_of_the_property_desk_follow_the_logit_by_compound(
    replicate, helpers, scenarios: Path
) -> None:
    scenario = sim.load_scenario(
        scenarios / "theory" / "mmck.yaml",
        overrides=[*THREE_CHANNELS, *NO_BLOCKING, "world.households.managed=0.6"],
    )
    reps = replicate(
        scenario, first_choices, key="compounds-logit", reps=20, days=20, cooldown=None
    )
    weights = {"grid": 1.0, "hotline": math.exp(-0.5), "property": math.exp(0.3)}
    expected = weights["property"] / sum(weights.values())
    line = helpers.disagreement("managed", reps, "managed", expected)
    assert line is None, line
    assert all(rep["unmanaged"] == 0.0 for rep in reps)


#: The grid worker and the property desk only: an M/M/1/2 that managed households' first
#: choices reach as a Poisson stream; a blocked caller goes to the grid with probability 0.6;
#: an answered call is settled or forwarded as a work order.
ROUTED = [
    "channels.grid.enabled=true",
    "channels.grid.base=0",
    "channels.hotline.enabled=false",
    "channels.property={base: 0.5, agents: 1, capacity: 2, talk: {dist: exponential, mean: 15min},"
    " settle: 0.5, forward_delay: 30min}",
    "channels.persist=0.6",
    "channels.reporting.base=0.8",
    "sources.resident.rate_per_household=0.03/h",
    "grid_workers.per_grid=2",
    "world.households.managed=0.5",
]


def grid_arrivals(result: sim.Result, cases: pd.DataFrame) -> dict[str, float]:
    """Residents' cases created at the grid a week, after the warm-up."""
    summary = result.summary
    weeks = (summary["horizon_h"] - summary["warmup_h"]) / 168.0
    return {"per_week": summary["cases_created"] / weeks}


def test_offered_load_counts_the_requests_that_reach_the_grid_by_compound(
    replicate, helpers, scenarios: Path
) -> None:
    scenario = sim.load_scenario(scenarios / "theory" / "mmck.yaml", overrides=ROUTED)
    expected = scenario_load(scenario).arrivals["request"]
    everyone = sim.load_scenario(
        scenarios / "theory" / "mmck.yaml", overrides=[*ROUTED, "world.households.managed=1"]
    )
    assert scenario_load(everyone).arrivals["request"] < expected < 0.8 * 3.0 * 168
    reps = replicate(
        scenario, grid_arrivals, key="compounds-routes", reps=20, days=60, cooldown=None
    )
    line = helpers.disagreement("routes", reps, "per_week", expected)
    assert line is None, line


SHARES = (0.0, 0.3, 0.7, 1.0)


def property_calls(result: sim.Result, cases: pd.DataFrame) -> dict[str, float]:
    """Residents' calls to the property desk after the warm-up."""
    return {"calls": result.summary["channels"]["desks"]["property"]["resident_calls"]}


def test_more_managed_households_never_lower_the_property_desks_calls(
    replicate, scenarios: Path
) -> None:
    """Blocked callers give up and households' reporting does not change with experience, so a
    need's first choice depends on its own draws and its household only: on the same seeds, the
    property desk's calls can only grow with the managed share."""
    calls = []
    for share in SHARES:
        scenario = sim.load_scenario(
            scenarios / "theory" / "mmck.yaml",
            overrides=[
                *THREE_CHANNELS,
                "channels.persist=0",
                "channels.reporting.weight=0",
                f"world.households.managed={share}",
            ],
        )
        reps = replicate(
            scenario, property_calls, key="compounds-crn", reps=8, days=10, cooldown=None
        )
        calls.append(np.array([rep["calls"] for rep in reps]))
    assert (calls[0] == 0).all()
    for fewer, more in pairwise(calls):
        assert (more >= fewer).all(), (fewer, more)
        assert stats.ttest_rel(more, fewer, alternative="greater").pvalue < 0.01
