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


def test_a_run_can_start_from_the_open_cases_of_an_earlier_one(tmp_path):
    first = sim.run("scenarios/epidemic_14d.yaml", seed=1, days=5)
    first.write(tmp_path / "day5")
    still_open = first.cases[first.cases["status"] == "open"]
    scenario = sim.load_scenario(
        "scenarios/epidemic_14d.yaml", [f"warm_start={{from_run: {tmp_path / 'day5'}}}"]
    )
    second = sim.run(scenario, seed=2, days=3)
    carried = second.cases[second.cases["source"] == "initial"]
    assert len(carried) == len(still_open) > 0
    assert (carried["created_h"] == 0).all()
    key = ["category", "grid", "household"]
    assert (
        carried[key].astype(str).value_counts().sort_index()
        == still_open[key].astype(str).value_counts().sort_index()
    ).all()


def test_warm_start_from_a_missing_run_is_refused(tmp_path):
    with pytest.raises(sim.ScenarioError, match="no run folder"):
        sim.load_scenario(
            "scenarios/baseline.yaml", [f"warm_start={{from_run: {tmp_path / 'nothing'}}}"]
        )


def test_warm_start_from_another_world_is_refused(tmp_path):
    sim.run("scenarios/epidemic_14d.yaml", seed=1, days=5).write(tmp_path / "epidemic")
    with pytest.raises(sim.ScenarioError, match="category 'delivery', unknown here"):
        sim.load_scenario(
            "scenarios/baseline.yaml", [f"warm_start={{from_run: {tmp_path / 'epidemic'}}}"]
        )
