"""Households in compounds with and without a property company (world.households.managed): the
attribute is drawn without moving the other attributes' draws; only managed households are offered
the property desk (never called at share 0, today's runs at share 1); the expected routes split
by compound against a hand count; a scenario whose unmanaged households have no channel is
refused."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import sim
from sim.config.channels import Channels
from sim.config.loader import merge_mappings
from sim.metrics.channels import needs_table
from sim.model import GridModel
from sim.work.channels import expected_routes
from sim.world import PROFILE, World

from scenario_parts import two_grid_requests

BASE = {
    **two_grid_requests("compounds-test"),
    "channels": {
        "hotline": {"base": 0.0, "agents": 1, "capacity": 2},
        "property": {"base": 0.5, "agents": 1, "capacity": 2},
    },
}


def with_managed(share: float | None) -> sim.Scenario:
    """BASE with a share of households in managed compounds (None: the key left out)."""
    if share is None:
        return sim.scenario_from_dict(BASE)
    return sim.scenario_from_dict(
        merge_mappings(BASE, {"world": {"households": {"managed": share}}})
    )


def test_managed_is_drawn_after_the_other_attributes():
    """Changing the managed share leaves every other attribute row by row unchanged, and the
    managed households of a lower share are among those of a higher one (same uniforms)."""
    mix = {"floating": 0.3, "rental": 0.25, "group_rental": 0.05, "shop": 0.1, "elderly": 0.2}
    worlds = []
    for managed in (0.3, 0.8):
        data = merge_mappings(BASE, {"world": {"households": {**mix, "managed": managed}}})
        data["world"]["streets"][0]["communities"][0]["households_per_grid"] = 5000
        scenario = sim.scenario_from_dict(data)
        worlds.append(World(scenario.world, np.random.default_rng(9), np.random.default_rng(1)))
    low, high = worlds
    for name in PROFILE:
        assert (low.households[name] == high.households[name]).all(), name
    assert not (low.households["managed"] & ~high.households["managed"]).any()
    n = low.n_households
    for world, p in ((low, 0.3), (high, 0.8)):
        share = world.households["managed"].mean()
        assert abs(share - p) < 4 * math.sqrt(p * (1 - p) / n)


def test_no_household_in_a_managed_compound_never_calls_the_property_desk():
    result = sim.run(with_managed(0.0), seed=3)
    block = result.summary["channels"]
    assert block["desks"]["property"]["resident_calls"] == 0
    assert "property" not in set(result.cases["channel"].dropna())
    assert block["chosen_by_compound"]["managed"]["reported"] == 0
    unmanaged = block["chosen_by_compound"]["unmanaged"]
    assert unmanaged["reported"] == block["reported"] > 100
    assert unmanaged["chosen"]["property"]["needs"] == 0
    assert all(block["checks"].values()) and result.summary["checks"]["conservation"]


def test_every_household_in_a_managed_compound_is_the_run_without_compounds():
    """Share 1 (the default) gives, seed for seed, the cases of a scenario without the key; a
    share between calls the property desk from managed households only."""
    default, everyone = sim.run(with_managed(None), seed=4), sim.run(with_managed(1.0), seed=4)
    pd.testing.assert_frame_equal(default.cases, everyone.cases)
    assert default.summary["channels"] == everyone.summary["channels"]
    model = GridModel(with_managed(0.5), seed=4)
    model.run_model()
    needs = needs_table(model.channels)
    managed = model.world.households["managed"][needs["household"].astype(int)]
    called = (needs["first"] == "property") | (needs["last"] == "property")
    assert called.sum() > 10 and managed[called.to_numpy()].all()
    assert (~managed).sum() > 100


def test_expected_routes_split_by_compound_by_hand():
    """Grid worker always on duty; the property desk (three times the grid's weight) always
    closed; blocked callers persist to the grid with probability 0.5. Managed households: a
    quarter to the grid, three quarters blocked at the property desk, half of those to the grid;
    unmanaged households: all to the grid."""
    settings = Channels.model_validate(
        {
            "grid": {"base": 0.0},
            "property": {
                "base": math.log(3.0),
                "closed": 0.0,
                "hours": {"start": "00:00", "end": "00:00", "days": []},
            },
            "persist": 0.5,
            "reporting": {"base": 0.8},
        }
    )
    team = sim.scenario_from_dict(BASE).grid_workers
    routes = expected_routes(
        settings, [1.0] * 24, 1.0, [team], needs_per_week=100.0, managed_share=0.4
    )
    assert routes.needs_by_compound == pytest.approx({"managed": 40.0, "unmanaged": 60.0})
    assert routes.grid_share_of("managed") == pytest.approx(0.8 * (0.25 + 0.75 * 0.5))
    assert routes.grid_share_of("unmanaged") == pytest.approx(0.8)
    assert routes.grid == pytest.approx(80 * (0.4 * 0.625 + 0.6))
    assert routes.blocked["property"] == pytest.approx(80 * 0.4 * 0.75)


def test_unmanaged_households_without_any_channel_are_refused():
    patch = {
        "world": {"households": {"managed": 0.9}},
        "channels": {"grid": {"enabled": False}, "hotline": None},
    }
    with pytest.raises(sim.ScenarioError) as info:
        sim.scenario_from_dict(merge_mappings(BASE, patch))
    problems = [(p.path, p.message) for p in info.value.problems]
    assert any(p == "channels" and "have no channel" in m for p, m in problems), problems
