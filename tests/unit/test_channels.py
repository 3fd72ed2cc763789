"""Residents' channels, piece by piece: the logit and its inversion, the rating and reporting
functions, household agents created on first use and their smoothing, the expected routes
against a hand count, bad settings refused, and channels that send every request to the grid
worker reproducing a run without channels case for case."""

from __future__ import annotations

import math
from pathlib import Path

import mesa
import numpy as np
import pandas as pd
import pytest

import sim
from sim.agents.household import Households
from sim.config.channels import Channels
from sim.config.loader import merge_mappings
from sim.work.channels import (
    choice_probabilities,
    choose,
    expected_routes,
    rating,
    report_probability,
)
from sim.world import World

from scenario_parts import two_grid_requests

ROOT = Path(__file__).resolve().parents[2]
BASE = two_grid_requests("channels-test")


def test_logit_probabilities_and_their_inversion():
    utility = np.array([0.0, math.log(2.0), -np.inf])
    assert choice_probabilities(utility) == pytest.approx([1 / 3, 2 / 3, 0.0])
    # uniforms spread evenly over [0, 1) pick each channel in proportion to its probability
    picks = [choose(utility, (k + 0.5) / 300) for k in range(300)]
    assert np.bincount(picks, minlength=3).tolist() == [100, 200, 0]


def test_rating_and_reporting():
    assert rating(0.0, True, 48.0, 0.5) == 1.0
    assert rating(48.0, True, 48.0, 0.5) == 0.5
    assert rating(48.0, False, 48.0, 0.5) == 0.25
    assert report_probability(0.9, 2.0, 0.7, 0.7) == pytest.approx(0.9)
    assert report_probability(0.9, 2.0, 0.2, 0.7) == pytest.approx(
        1 / (1 + math.exp(-(math.log(9) - 1)))
    )
    assert report_probability(1.0, 2.0, 0.0, 0.7) == 1.0


def test_households_are_created_on_first_use_and_smooth_their_ratings():
    scenario = sim.scenario_from_dict(BASE)
    world = World(scenario.world, np.random.default_rng(1), np.random.default_rng(2))
    households = Households(mesa.Model(), world, initial=0.7)
    assert households.satisfaction(3).tolist() == [0.7, 0.7, 0.7]
    assert len(households) == 0  # reading creates nothing
    agent = households.get(3)
    agent.remember(1, 0.0, smoothing=0.5)
    agent.remember(1, 1.0, smoothing=0.5)
    assert households.satisfaction(3).tolist() == pytest.approx([0.7, 0.675, 0.7])
    assert agent.ratings.tolist() == [0, 2, 0] and len(households) == 1
    assert households.get(3) is agent


@pytest.mark.parametrize("shift", [0.0, 1000.0])
def test_expected_routes_by_hand(shift: float):
    """Grid worker always on duty, a hotline that is always closed: blocked callers persist to
    the grid with probability 0.5. The logit depends on differences of utility only, so the
    same `shift` of both gives the same routes, even past the range of exp (e^1000)."""
    settings = Channels.model_validate(
        {
            "grid": {"base": shift},
            "hotline": {
                "base": shift + math.log(3.0),
                "closed": 0.0,
                "hours": {"start": "00:00", "end": "00:00", "days": []},
            },
            "persist": 0.5,
            "reporting": {"base": 0.8},
        }
    )
    team = sim.scenario_from_dict(BASE).grid_workers
    routes = expected_routes(settings, [1.0] * 24, 1.0, [team], needs_per_week=100.0)
    # reported 80; a quarter to the grid, three quarters to the hotline, all blocked, half persist
    assert routes.reported == pytest.approx(80.0)
    assert routes.grid == pytest.approx(80 * (0.25 + 0.75 * 0.5))
    assert routes.gave_up == pytest.approx(80 * 0.75 * 0.5)
    assert routes.blocked["hotline"] == pytest.approx(60.0)


@pytest.mark.parametrize(
    ("patch", "path", "message"),
    [
        ({"channels": {"hotline": {"agents": 3, "capacity": 2}}}, "channels.hotline", "capacity"),
        ({"channels": {"grid": {"enabled": False}}}, "channels", "no channel is open"),
        (
            {
                "categories": {
                    "forms": {
                        "kind": "admin",
                        "work": "5min",
                        "loop": False,
                        "recurrence": {"p": 0.1, "after": "1d"},
                    }
                }
            },
            "categories.forms",
            "only residents' requests and patrol finds may recur",
        ),
        (
            {"categories": {"service": {"recurrence": {"p": 1, "after": "1d"}}}},
            "categories.service.recurrence",
            "below 1",
        ),
        (
            {"channels": {}, "sources": {"resident": {"enabled": False}}},
            "channels",
            "none are enabled",
        ),
    ],
)
def test_bad_channel_settings_are_refused_with_their_path(patch, path, message):
    with pytest.raises(sim.ScenarioError) as info:
        sim.scenario_from_dict(merge_mappings(BASE, patch))
    problems = [(p.path, p.message) for p in info.value.problems]
    assert any(p == path and message in m for p, m in problems), problems


def test_channels_that_send_everything_to_the_grid_change_nothing():
    """Every need reported and taken to the grid worker: the same cases, to the last timestamp,
    as without channels (the channels' draws come from streams of their own)."""
    plain = sim.run(sim.scenario_from_dict(BASE), seed=4)
    routed = sim.run(
        sim.scenario_from_dict(merge_mappings(BASE, {"channels": {"reporting": {"base": 1}}})),
        seed=4,
    )
    assert len(plain.cases) > 100
    pd.testing.assert_frame_equal(plain.cases, routed.cases)
    assert (routed.cases["channel"] == "grid").all()
    block = routed.summary["channels"]
    assert block["routes"]["grid"]["needs"] == block["needs"] == len(routed.cases)
    assert all(block["checks"].values())


def test_the_preset_keeps_its_invariants_and_rates_every_channel():
    result = sim.run(ROOT / "scenarios" / "channels.yaml", seed=2, days=21)
    block = result.summary["channels"]
    assert all(block["checks"].values()), block["checks"]
    assert result.summary["checks"]["conservation"]
    routes = block["routes"]
    assert sum(r["needs"] for r in routes.values()) == block["reported"]
    assert block["reported"] + block["unreported"] == block["needs"]
    assert set(result.cases["channel"].dropna()) == {"grid", "hotline", "property"}
    assert all(c["ratings"] > 0 for c in block["satisfaction"]["by_channel"].values())
    assert (
        block["satisfaction"]["households"] <= result.cases["household"].nunique() + block["needs"]
    )
