"""The run invariants hold on scenarios nobody wrote: the shipped scenario files and the textbook
scenarios of at most MAX_HOUSEHOLDS households, each with one to three of its numbers scaled by
0 to 1,000 or its switches flipped. A mutated scenario is valid or refused as bad input
(ScenarioError naming where); a valid one (still that small) runs up to
MAX_DAYS days without any other exception, and passes `check_invariants` (exact conservation,
the backlog integral of the time series equal to the case log's, Little's law on the sample path).

A small budget here (the same cases every time); a large one with

    GRIDSIM_MUTATION_EXAMPLES=2000 .venv/bin/python -m pytest \
        tests/validation/test_mutated_scenarios.py
"""

from __future__ import annotations

import copy
import os
import signal
from pathlib import Path
from typing import Any

from fuzz_inputs import Hang, households
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import sim
from sim.config.loader import ScenarioError
from sim.scenario import scenario_from_dict

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = int(os.environ.get("GRIDSIM_MUTATION_EXAMPLES", "30"))
MAX_HOUSEHOLDS = 6_000  # a street or a county's few grids: seconds a run
MAX_DAYS = 4.0  # long enough for a plan's triggers, a weekend and a revisit round
DEADLINE = 120  # seconds a case: a hang fails it
FACTORS = (0.0, 0.001, 0.1, 0.5, 2.0, 5.0, 20.0, 1000.0)


def _small_scenarios() -> dict[str, dict[str, Any]]:
    """File name → resolved scenario (as JSON data) of every shipped scenario of at most
    MAX_HOUSEHOLDS households."""
    paths = sorted(ROOT.glob("scenarios/*.yaml")) + sorted(ROOT.glob("scenarios/theory/*.yaml"))
    out = {}
    for path in paths:
        scenario = sim.load_scenario(path)
        if households(scenario) <= MAX_HOUSEHOLDS:
            out[str(path.relative_to(ROOT))] = scenario.model_dump(mode="json")
    return out


SCENARIOS = _small_scenarios()


def _numbers(data: Any, path: tuple = ()) -> list[tuple[tuple, Any]]:
    """(path, value) of every number and switch in `data`."""
    if isinstance(data, dict):
        return [leaf for key, value in data.items() for leaf in _numbers(value, (*path, key))]
    if isinstance(data, list):
        return [leaf for i, value in enumerate(data) for leaf in _numbers(value, (*path, i))]
    return [(path, data)] if isinstance(data, int | float) else []


def _mutated(data: dict, picks: list[tuple[int, float]]) -> tuple[dict, list[str]]:
    """`data` with the numbers at the picked places (index modulo their count) scaled by the
    factor (a zero becomes the factor; integers rounded) and the switches flipped; and what
    changed, to read in a failure."""
    changes = []
    numbers = _numbers(data)
    for where, factor in picks:
        path, old = numbers[where % len(numbers)]
        if isinstance(old, bool):
            new: Any = not old
        else:
            new = old * factor if old else factor
            new = round(new) if isinstance(old, int) else new
        container = data
        for key in path[:-1]:
            container = container[key]
        container[path[-1]] = new
        changes.append(f"{'.'.join(map(str, path))}: {old!r} → {new!r}")
    return data, changes


def _on_alarm(signum: int, frame: object) -> None:
    raise Hang(f"a case ran past {DEADLINE} s")


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    derandomize=EXAMPLES <= 100,
    suppress_health_check=list(HealthCheck),
)
@given(
    name=st.sampled_from(sorted(SCENARIOS)),
    picks=st.lists(
        st.tuples(st.integers(min_value=0, max_value=10**6), st.sampled_from(FACTORS)),
        min_size=1,
        max_size=3,
    ),
    seed=st.integers(min_value=0, max_value=999),
)
def test_mutated_scenarios_are_refused_or_keep_the_invariants(helpers, name, picks, seed) -> None:
    data, changes = _mutated(copy.deepcopy(SCENARIOS[name]), picks)
    try:
        scenario = scenario_from_dict(data, name)
    except ScenarioError as error:
        assert error.problems and all(p.file and p.message for p in error.problems)
        event("refused")
        return
    if households(scenario) > MAX_HOUSEHOLDS:
        event("valid, too large to run")
        return
    previous = signal.signal(signal.SIGALRM, _on_alarm)
    signal.alarm(DEADLINE)
    try:
        result = sim.run(scenario, seed=seed, days=min(scenario.run.days, MAX_DAYS))
        event("ran")
        helpers.check_invariants(result)
    except ScenarioError:
        event("refused at run time")  # say, a world too big for the limits: bad input
    except Exception as error:  # a crash, a hang or a broken invariant: say what was mutated
        raise AssertionError(f"{name} with {changes}: {error!r}") from error
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def test_the_small_scenarios_are_many() -> None:
    """The mutations reach presets, emergencies and the textbook scenarios alike."""
    assert len(SCENARIOS) >= 19, sorted(SCENARIOS)
    assert any(name.startswith("scenarios/theory/") for name in SCENARIOS)
    assert "scenarios/epidemic_14d.yaml" in SCENARIOS
