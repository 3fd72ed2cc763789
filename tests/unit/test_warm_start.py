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


def test_a_relative_from_run_is_taken_from_the_file_that_names_it(tmp_path, monkeypatch):
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    sim.run(root / "scenarios/baseline.yaml", seed=1, days=1).write(tmp_path / "runs" / "day1")
    drill = tmp_path / "drills" / "drill.yaml"
    drill.parent.mkdir()
    drill.write_text(
        f"extends: {root / 'scenarios/baseline.yaml'}\nwarm_start: {{from_run: ../runs/day1}}\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path / "drills")  # anywhere but the folder of the run
    scenario = sim.load_scenario(drill)
    assert scenario.warm_start.from_run == str(tmp_path / "drills" / ".." / "runs" / "day1")
    monkeypatch.chdir(tmp_path / "runs")  # from elsewhere, the same folder
    assert sim.load_scenario(drill).warm_start.open_cases() == scenario.warm_start.open_cases()
    monkeypatch.chdir(tmp_path)  # with --set: from the working directory
    overridden = sim.load_scenario(drill, ["warm_start.from_run=runs/day1"])
    assert overridden.warm_start.from_run == str(tmp_path / "runs" / "day1")
