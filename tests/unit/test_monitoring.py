"""Red/yellow/green household monitoring (盐池): warnings arise at their rates, go through the
departments, are verified at home, and clear the household back to green."""

from __future__ import annotations

import math

import sim
from sim.config.loader import merge_mappings

DATA = {
    "name": "monitoring",
    "run": {"days": 60},
    "world": {
        "streets": [
            {
                "id": "t",
                "communities": [
                    {"id": "v", "urban": False, "grids": 10, "households_per_grid": 50}
                ],
            }
        ]
    },
    "categories": {
        "service": {"work": "20min"},
        "yellow_warning": {
            "work": "1h",
            "kind": "warning",
            "escalation": [{"tier": "street", "departments": ["township"], "p": 1.0}],
        },
        "red_warning": {
            "work": "1h",
            "kind": "warning",
            "priority": 1,
            "escalation": [
                {"tier": "street", "departments": ["township"], "p": 1.0},
                {"tier": "district", "departments": ["county"], "p": 1.0},
            ],
        },
    },
    "departments": {
        "township": {"tier": "street", "staff": 2, "work": "4h"},
        "county": {"tier": "district", "staff": 1, "work": "8h"},
    },
    "grid_workers": {"patrol": {"enabled": False}},
    "sources": {
        "resident": {"rate_per_household": "0.5/year", "mix": {"service": 1}},
        "monitoring": {"yellow_rate": "1/year", "red_rate": "0.2/year"},
    },
}


def test_warnings_arise_at_their_rates_and_clear_the_household():
    result = sim.run(sim.scenario_from_dict(DATA), seed=4)
    warnings = result.cases[result.cases["source"] == "monitoring"]
    for category, rate in (("yellow_warning", 1.0), ("red_warning", 0.2)):
        n = (warnings["category"] == category).sum()
        expected = 500 * rate * 60 / 365  # households × rate × time (green almost always)
        assert abs(n - expected) < 4 * math.sqrt(expected), (category, n, expected)
    # a household never has two warnings open at once: the next starts after the last closed
    for _, group in warnings.sort_values("created_h").groupby("household"):
        closed = group["closed_h"].to_numpy()[:-1]
        assert (group["created_h"].to_numpy()[1:] >= closed).all()
    red = warnings[warnings["category"] == "red_warning"]
    assert (red.loc[red["status"] == "closed", "tier_reached"] == "district").all()
    block = result.summary["tasks"]["warning"]["by_category"]
    assert block["red_warning"]["created"] == len(red)
    assert block["red_warning"]["done"] == (red["status"] == "closed").sum()


def test_monitoring_names_known_categories():
    data = merge_mappings(DATA, {"sources": {"monitoring": {"red_category": "purple"}}})
    try:
        sim.scenario_from_dict(data)
    except sim.ScenarioError as error:
        assert "unknown category 'purple'" in str(error)
    else:
        raise AssertionError("an unknown warning category was accepted")
