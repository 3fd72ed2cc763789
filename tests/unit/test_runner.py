"""The runner: garbage-collection thresholds are raised during a run and restored after."""

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
