"""Every mechanism on at once: the presets that each add one (turnover and channels, task
inflation, residents' groups and disputes online first, recurrence and managed compounds, the
grid workers' weekly meeting, an epidemic with its first hours) put together on one community,
run through a peacetime and an epidemic. Each mechanism's block is there and its own checks
hold, and so do conservation and Little's law on the whole."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

import sim
from sim.config.loader import load_data, merge_mappings

ROOT = Path(__file__).resolve().parents[2]
#: Presets whose own keys (not their parents') are laid over turnover_channels.yaml, in order.
LAYERS = (
    "epidemic_14d",
    "epidemic_first_hours",
    "task_inflation",
    "resident_groups",
    "channels",
    "grid_meetings",
)
#: What identifies a file rather than sets the model.
OWN_ONLY = ("extends", "name", "description", "run")


def own_keys(name: str) -> dict:
    """The keys a preset sets itself, without what it extends."""
    text = (ROOT / "scenarios" / f"{name}.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    return {key: value for key, value in data.items() if key not in OWN_ONLY}


def all_on() -> sim.Scenario:
    """turnover_channels.yaml with every other preset's own keys laid over it, the hotline open."""
    data, _ = load_data(ROOT / "scenarios" / "turnover_channels.yaml")
    for layer in LAYERS:
        data = merge_mappings(data, own_keys(layer))
    data["name"] = "all-mechanisms"
    data["channels"]["hotline"]["enabled"] = True
    data["categories"]["hazard_check"]["recurrence"]["after"]["mean"] = "2d"  # within the run
    return sim.scenario_from_dict(data)


@pytest.fixture(scope="module")
def everything() -> sim.Result:
    return sim.run(all_on(), seed=3, days=28)


def test_every_block_is_there(everything: sim.Result):
    summary = everything.summary
    for block in ("channels", "recurrence", "turnover", "performance", "self_governance"):
        assert block in summary, block
    assert summary["meeting_share"] > 0
    assert (
        summary["channels"]["chosen_by_compound"]["unmanaged"]["chosen"]["property"]["needs"] == 0
    )
    assert summary["tasks"]["admin"]["by_department"]
    incident = summary["emergency"]["incidents"]["epidemic"]
    assert incident["first_hours"]["reported_h"] is not None
    assert incident["switch_over"]["epidemic_response"]["fired_h"] is not None
    cases = everything.cases
    assert {"resident", "patrol", "admin", "revisit", "incident", "recurrence"} <= set(
        cases["source"].unique()
    )
    assert {"grid", "hotline", "property"} <= set(cases["channel"].dropna().unique())
    assert cases["sender"].notna().any()
    assert (cases["resident_group"] == "settled").any()


def test_checks_hold_together(everything: sim.Result):
    summary = everything.summary
    checks = summary["checks"]
    assert checks["conservation"], checks
    # Little's law on the sample path: the backlog's time average is closures a time × mean time
    # to close, plus the ages of the cases still open, over the horizon
    lam_w = checks["little_lambda"] * checks["little_W"]
    assert checks["little_L"] == pytest.approx(lam_w + checks["little_open_L"], rel=1e-9)
    assert all(summary["channels"]["checks"].values()), summary["channels"]["checks"]


def test_same_seed_same_run():
    scenario = all_on()
    first, second = (sim.run(scenario, seed=5, days=7) for _ in range(2))
    pd.testing.assert_frame_equal(first.cases, second.cases)
    pd.testing.assert_frame_equal(first.workers, second.workers)
    assert first.summary == second.summary
