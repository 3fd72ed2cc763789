"""Recurrence (M5): a category with recurrence {p, after} reopens a share p of its closed cases,
within 3 standard errors over replications; and the same needs recur whatever the staffing.

On the M/M/c scenario (scenarios/theory/mmc.yaml) at light load, every case may recur a fixed
day after its closure. Per replication: the share of the closed cases that reopened, among those
closed at least a day before the horizon (so that every recurrence drawn for them is in the
run); a recurring case may recur in turn.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

import sim

P, AFTER = 0.3, 24.0
OVERRIDES = [
    "sources.resident.rate_per_household=0.02/h",
    f"categories.service.recurrence={{p: {P}, after: {AFTER}h}}",
    "run.warmup=0h",
]


def reopened_share(result: sim.Result, cases: pd.DataFrame) -> dict[str, float]:
    horizon = result.summary["horizon_h"]
    closed = cases[(cases["status"] == "closed") & (cases["closed_h"] < horizon - AFTER)]
    reopened = closed["case_id"].isin(cases["reopens"].dropna())
    return {"share": float(reopened.mean())}


def test_reopened_share_matches_p(replicate, helpers, scenarios: Path) -> None:
    scenario = sim.load_scenario(scenarios / "theory" / "mmc.yaml", overrides=OVERRIDES)
    reps = replicate(scenario, reopened_share, key="recurrence", reps=20, days=60, cooldown=None)
    line = helpers.disagreement("recurrence", reps, "share", P)
    assert line is None, line


def test_the_same_needs_recur_whatever_the_staffing(scenarios: Path) -> None:
    """Common random numbers: the cases that reopen, and the work content of their recurrences,
    are the same with 3 workers or 4 (only the times differ, as the closures do)."""
    found = []
    for workers in (3, 4):
        scenario = sim.load_scenario(
            scenarios / "theory" / "mmc.yaml",
            overrides=[*OVERRIDES, f"grid_workers.per_grid={workers}"],
        )
        cases = sim.run(scenario, seed=5, days=40).cases
        seq = cases.set_index("case_id")["source_seq"]
        recurring = cases[cases["source"] == "recurrence"]
        parents = seq[recurring["reopens"].astype("int64")].to_numpy()
        found.append(
            pd.DataFrame({"parent_seq": parents, "work_h": recurring["work_h"].to_numpy()})
            .sort_values("parent_seq")
            .reset_index(drop=True)
        )
    assert len(found[0]) > 20
    # recurrences of recurrences close later with fewer workers: compare first-generation ones
    first = [frame[frame["parent_seq"] < 2**40] for frame in found]
    pd.testing.assert_frame_equal(first[0], first[1])
