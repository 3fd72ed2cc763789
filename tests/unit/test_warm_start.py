"""Warm start: a drill can begin mid-crisis with cases already waiting."""

import pytest

import sim


def test_initial_backlog_is_open_at_time_zero_and_worked_off():
    scenario = sim.load_scenario(
        "scenarios/baseline.yaml",
        ["warm_start={backlog: {hazard_check: 120, convenience_service: 240}}"],
    )
    result = sim.run(scenario, seed=2, days=10)
    initial = result.cases[result.cases["source"] == "initial"]
    assert initial.groupby("category", observed=True).size().to_dict() == {
        "convenience_service": 240,
        "hazard_check": 120,
    }
    assert (initial["created_h"] == 0).all()
    per_grid = initial.groupby("grid", observed=True).size()
    assert len(per_grid) == 15 and per_grid.min() > 5  # spread over the grids
    assert result.timeseries.groupby("t_h")["backlog_hazard_check"].sum().iloc[0] >= 100
    assert (initial["status"] == "closed").mean() > 0.9
    calm = sim.run("scenarios/baseline.yaml", seed=2, days=10)
    assert result.summary["backlog_peak"] > calm.summary["backlog_peak"]


def test_warm_start_names_known_categories():
    with pytest.raises(sim.ScenarioError, match="unknown category 'flood'"):
        sim.load_scenario("scenarios/baseline.yaml", ["warm_start={backlog: {flood: 3}}"])
