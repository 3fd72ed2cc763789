"""The runner: garbage-collection thresholds are raised during a run and restored after; a run
reports its progress once a simulated day, its simulated time increasing to the horizon, and
reporting changes nothing in the run."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

import sim
from sim.runner import RUN_GC_THRESHOLDS, fewer_collections

ROOT = Path(__file__).resolve().parents[2]


def test_thresholds_are_raised_during_a_run_and_restored_after():
    before = gc.get_threshold()
    with fewer_collections():
        assert gc.get_threshold() == RUN_GC_THRESHOLDS
    assert gc.get_threshold() == before
    with pytest.raises(RuntimeError), fewer_collections():
        raise RuntimeError("a run that fails")
    assert gc.get_threshold() == before
    sim.run(ROOT / "scenarios/theory/mmc.yaml", seed=1, days=0.5)
    assert gc.get_threshold() == before


def test_progress_is_reported_each_simulated_day_up_to_the_horizon():
    reports: list[tuple[float, float]] = []
    scenario = ROOT / "scenarios/theory/mmc.yaml"
    watched = sim.run(scenario, seed=3, days=3.5, progress=lambda *now: reports.append(now))
    times = [now for now, _ in reports]
    assert times == sorted(set(times)) and times[-1] == 84.0  # increasing, to the horizon
    assert {horizon for _, horizon in reports} == {84.0}
    assert len(times) == 4 and all(t >= 24 * (i + 1) for i, t in enumerate(times[:3]))
    plain = sim.run(scenario, seed=3, days=3.5)
    assert watched.cases.equals(plain.cases)
