"""Every peacetime preset runs a year in steady state: its open work (closed-loop backlog, and
each kind of task) shows no trend over the twelve months.

The district- and city-size presets are cut down to a few streets so that a year runs in CI:
the grids, their staff and their work are as in the full preset (the staff table of 盐池
scaled to the households kept), only the departments above the streets see less work.

The trend test, on months rather than the weekly batches of the model's own test
(`steady_state` in summary.json, which must agree): the time-average open count of each month
and a least-squares line through the twelve months. Open work grows when the line's slope is
significantly positive (one-sided t-test, p < 0.01) and material (a rise over the year of more
than a quarter of the mean level: open work that grows without bound rises by about twice its
mean over a year started empty, while low-priority tasks in a busy system wander by a quarter
of their mean and more without any trend).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy import stats

import sim
from sim.config.loader import load_data
from sim.world import World

ROOT = Path(__file__).resolve().parents[2]
DAYS = 365
MONTH = 30 * 24.0
#: Preset → the streets kept (None: the whole preset).
PRESETS = {
    "baseline": None,
    "jiamusi_1_6_n": None,
    "task_inflation": None,
    "resident_groups": None,
    "channels": None,
    "turnover": None,
    "turnover_channels": None,
    "beijiaohua_community": None,
    "xinbei_district": ["longhutang"],  # 111 of 1,134 grids, the hardest grid among them
    "yanchi_county": ["huamachi"],  # 26 town and 153 village grids of 1,011
    "jiamusi_city": ["qianjin-heping", "jiaoqu-t01"],  # 120 urban and 64 rural grids of 8,528
}


def reduced(name: str, folder: Path) -> sim.Scenario:
    """The preset, or the preset cut down to the streets of PRESETS (a staffing table's county
    total scaled to the households kept, written to `folder`)."""
    path = ROOT / "scenarios" / f"{name}.yaml"
    streets = PRESETS[name]
    if streets is None:
        return sim.load_scenario(path)
    data, _ = load_data(path)
    full = sim.scenario_from_dict(data)
    data["world"]["streets"] = [s for s in data["world"]["streets"] if s["id"] in streets]
    table = data.get("grid_workers", {}).get("table")
    if table:
        kept = sim.scenario_from_dict({**data, "grid_workers": {"per_grid": 1}})
        share = households(kept) / households(full)
        members = round(1894 * share)
        scaled = folder / f"reduced-{name}.csv"
        scaled.write_text(f"unit,members\n{data['world']['district']},{members}\n", "utf-8")
        data["grid_workers"]["table"] = str(scaled)
    return sim.scenario_from_dict(data)


def households(scenario: sim.Scenario) -> int:
    rng = np.random.default_rng(0)
    return World(scenario.world, rng, np.random.default_rng(1)).n_households


def monthly_open(result: sim.Result, column: str) -> np.ndarray:
    """Time-average (closed-loop backlog) or end-of-hour (tasks) open count per month."""
    ts = result.timeseries
    per_tick = ts[ts[column].notna()].groupby("t_h")[column].sum()
    month = ((per_tick.index.to_numpy() - 1e-9) // MONTH).astype(int)
    return per_tick.groupby(month).mean().to_numpy()[:12]


@pytest.mark.slow
@pytest.mark.parametrize("name", list(PRESETS))
def test_a_year_of_the_preset_has_no_trend(name: str, tmp_path: Path) -> None:
    scenario = reduced(name, tmp_path)
    result = sim.run(scenario, seed=11, days=DAYS)
    summary = result.summary
    assert summary["offered_load"]["utilisation"] < 1.0
    assert summary["steady_state"]["stationary"] is True, summary["steady_state"]
    assert summary["warnings"] == []
    columns = ["backlog_mean"] + [c for c in result.timeseries.columns if c.startswith("open_")]
    for column in columns:
        months = monthly_open(result, column)
        fit = stats.linregress(np.arange(len(months)), months, alternative="greater")
        rise = fit.slope * (len(months) - 1)
        mean = months.mean()
        print(f"{name} {column}: monthly mean {mean:.1f}, rise {rise:+.1f}, p {fit.pvalue:.3f}")
        assert fit.pvalue >= 0.01 or rise <= 0.25 * mean, (column, months.round(1))
