"""Metamorphic tests of the residents' channels on common random numbers (scenarios/channels.yaml):
more hotline agents never raise the share of calls the hotline blocks, pair by pair, and lower it
significantly; and the needs, their draws and the desk's background calls are the same whatever
the grid's staffing."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

import sim

AGENTS = (1, 2, 4)
REPS, DAYS = 10, 14


def blocked_share(result: sim.Result, cases: pd.DataFrame) -> dict[str, float]:
    """Share of the hotline's calls blocked after the warm-up."""
    return {"blocked": result.summary["channels"]["desks"]["hotline"]["blocked_share"]}


def test_more_hotline_agents_never_raise_the_blocked_share(replicate, scenarios: Path) -> None:
    shares = []
    for agents in AGENTS:
        scenario = sim.load_scenario(
            scenarios / "channels.yaml",
            overrides=[f"channels.hotline.agents={agents}", "channels.hotline.capacity=5"],
        )
        reps = replicate(
            scenario, blocked_share, key="hotline-agents", reps=REPS, days=DAYS, cooldown=None
        )
        shares.append(np.array([rep["blocked"] for rep in reps]))
    for fewer, more in pairwise(shares):
        assert (more <= fewer).all(), (fewer, more)
        assert stats.ttest_rel(fewer, more, alternative="greater").pvalue < 0.01


def test_needs_and_calls_do_not_depend_on_the_grids_staffing() -> None:
    """With households' experience switched off (it depends on how fast cases close), two
    staffing arms with the same seed route every need the same way and the hotline sees the same
    calls at the same times."""
    from sim.metrics.channels import calls_table, needs_table
    from sim.model import GridModel

    tables = []
    for workers in (1, 2):
        scenario = sim.load_scenario(
            Path(__file__).resolve().parents[2] / "scenarios" / "channels.yaml",
            overrides=[
                f"grid_workers.per_grid={workers}",
                "channels.satisfaction.weight=0",
                "channels.reporting.weight=0",
                "run.days=10",
            ],
        )
        model = GridModel(scenario, seed=3)
        model.run_model()
        tables.append((needs_table(model.channels), calls_table(model.channels)))
    (needs_a, calls_a), (needs_b, calls_b) = tables
    assert len(needs_a) > 50
    pd.testing.assert_frame_equal(needs_a, needs_b)
    pd.testing.assert_frame_equal(calls_a, calls_b)
