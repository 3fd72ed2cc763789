"""Emergency presets (incidents + plans): `gas_leak_evening`, `typhoon_day` and `epidemic_14d`
validate and run; the event log shows the plan firing when its trigger says and standing down
later; the `mode` column of the time series is `emergency` while the plan is on; and the plan
shortens the mean time to close of the incident's own categories against the same seed run
without it (`--set plans={} --set teams={}`: the standby team goes too, or validation rejects
it). Each scenario is run once per arm and seed (module-scoped fixtures); ≈15 s in all.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import sim

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "scenarios"
WITHOUT_PLAN = ["plans={}", "teams={}"]

#: name → (incident categories, seeds, days or None for the file's horizon)
CASES: dict[str, tuple[list[str], list[int], float | None]] = {
    "gas_leak_evening": (["gas_hazard", "leak_check"], [0, 1, 2], None),
    "typhoon_day": (["typhoon_hazard", "evacuation"], [0], None),
    "epidemic_14d": (["screening", "delivery"], [0], 20.0),
}


def run(name: str, seed: int, days: float | None, overrides: list[str]) -> sim.Result:
    scenario = sim.load_scenario(SCENARIOS / f"{name}.yaml", overrides)
    return sim.run(scenario, seed=seed, days=days)


@pytest.fixture(scope="module", params=sorted(CASES))
def arms(request) -> tuple[str, list[tuple[sim.Result, sim.Result]]]:
    """Per scenario: (with the plan, without it) for each seed."""
    name = request.param
    _, seeds, days = CASES[name]
    return name, [
        (run(name, seed, days, []), run(name, seed, days, WITHOUT_PLAN)) for seed in seeds
    ]


def events(result: sim.Result, event: str) -> list[float]:
    log = result.events
    return log.loc[log["event"] == event, "t_h"].tolist()


def modes(result: sim.Result) -> dict[float, str]:
    """The model's mode at the end of each tick."""
    return result.timeseries.groupby("t_h")["mode"].first().to_dict()


def test_validates_and_runs(arms):
    _, runs = arms
    for with_plan, without in runs:
        for result in (with_plan, without):
            assert result.summary["checks"]["conservation"], result.summary["checks"]
        assert without.events.empty
        assert set(modes(without).values()) == {"peacetime"}


def test_plan_fires_on_its_trigger_and_stands_down(arms):
    name, runs = arms
    scenario = sim.load_scenario(SCENARIOS / f"{name}.yaml")
    plan_name, plan = next(iter(scenario.plans.items()))
    if name == "typhoon_day":  # the alert fires first (20 h), before the backlog would
        expected = next(t.at for t in plan.triggers if t.at is not None)
    else:
        incident = next(t.incident for t in plan.triggers if t.incident is not None)
        expected = scenario.incidents[incident].onset
    for with_plan, _ in runs:
        log = with_plan.events
        assert set(log["plan"]) == {plan_name}
        assert events(with_plan, "fired") == [pytest.approx(expected)]
        fired = log.loc[log["event"] == "fired", "detail"].iloc[0]
        assert ("starts" in fired) if name != "typhoon_day" else ("at 20 h" in fired)
        down = events(with_plan, "stand_down")
        assert len(down) == 1 and down[0] >= expected + plan.stand_down.after
        # mode at the end of each tick: emergency from the tick after firing to stand-down
        mode = modes(with_plan)
        during = [t for t in mode if expected < t < down[0]]
        assert during and {mode[t] for t in during} == {"emergency"}
        assert mode[min(mode)] == "peacetime"
        after = [t for t in mode if t > down[0] + plan.stand_down.recovery]
        if after:
            assert {mode[t] for t in after} == {"peacetime"}


def test_plan_shortens_time_to_close(arms):
    name, runs = arms
    categories = CASES[name][0]
    gains = []
    for with_plan, without in runs:
        a = with_plan.cases[with_plan.cases["category"].isin(categories)]
        b = without.cases[without.cases["category"].isin(categories)]
        assert len(a) == len(b) > 0  # the same incident work in both arms (common random numbers)
        assert a["closed_h"].notna().sum() >= b["closed_h"].notna().sum()
        gains.append(b["time_to_close_h"].mean() - a["time_to_close_h"].mean())
    assert sum(gains) / len(gains) > 0, gains
