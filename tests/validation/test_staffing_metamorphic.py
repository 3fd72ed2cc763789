"""Metamorphic relations of staffing and grid design, with common random numbers.

Each relation compares two arms over PAIRS replications, the two runs of a pair sharing their
seed (the `replicate` fixture derives the seeds from the key, and both arms use the same key),
so the arms see the same resident requests, forms and revisits and differ only by the change
under test. The relation holds if the paired mean difference is significant in the stated
direction (one-sided paired t-test, p < P_MAX) and at most WORSE_SHARE_MAX of the pairs go the
other way.

1. More staff closes cases sooner: baseline ("1 only") vs jiamusi_1_6_n ("1+6+N") on the same
   community — mean time to close of the resident requests, each still open at the horizon
   counted with its age then, so both arms average over the same requests.
2. Less top-down work, more field time: baseline vs the admission list blocking half of the
   twelve departments, and vs no forms at all — field share of grid-side staff.
3. Staggered hours (错时) reach more residents at the first visit when they are out by day:
   two workers per grid, both 08:00–17:00 vs one of them 11:00–20:00 (the same hours in
   total), residents rarely at home before 17:00 — share of home visits closed at the first
   attempt.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import sim
from sim.config.loader import merge_mappings
from sim.vocabulary import WEEKDAYS

from scenario_parts import NO_ATTRIBUTES, flat_requests

PAIRS = 20
P_MAX = 0.01
WORSE_SHARE_MAX = 0.10
DAYS = 14.0
IDENTITY = ["created_h", "category", "grid", "household", "source_seq", "work_h"]


def paired_better(label: str, reference: np.ndarray, changed: np.ndarray, alternative: str) -> None:
    """Assert that `changed` is paired-significantly `alternative` ("less" or "greater") than
    `reference`, and that hardly any pair goes the other way."""
    difference = changed - reference
    test = stats.ttest_rel(changed, reference, alternative=alternative)
    worse = float((difference >= 0).mean() if alternative == "less" else (difference <= 0).mean())
    print(
        f"{label}: reference {reference.mean():.4g}, changed {changed.mean():.4g}, paired "
        f"difference {difference.mean():+.4g} (SE {stats.sem(difference):.2g}), "
        f"one-sided p = {test.pvalue:.2g}, worse in {worse:.0%} of {len(difference)} pairs"
    )
    assert test.pvalue < P_MAX
    assert worse <= WORSE_SHARE_MAX


# --- 1. more staff ------------------------------------------------------------------------------


def request_stats(result: sim.Result, cases: pd.DataFrame) -> dict:
    """Mean time to close of resident requests (censored at the horizon) and a fingerprint of
    the requests themselves, to check that both arms of a pair saw the same ones."""
    horizon = result.summary["horizon_h"]
    requests = cases[(cases["source"] == "resident") & (cases["kind"] == "request")]
    closed = requests["closed_h"].fillna(horizon).clip(upper=horizon)
    identity = requests[IDENTITY].sort_values("source_seq").reset_index(drop=True)
    identity = identity.assign(category=identity["category"].astype(str))
    identity = identity.assign(grid=identity["grid"].astype(str))
    return {
        "time_to_close": float((closed - requests["created_h"]).mean()),
        "requests": int(pd.util.hash_pandas_object(identity, index=False).sum()),
        "n": len(requests),
    }


def test_more_staff_closes_cases_sooner(replicate, scenarios: Path) -> None:
    arms = {
        name: replicate(
            sim.load_scenario(scenarios / f"{name}.yaml"),
            request_stats,
            key="staffing-more-staff",
            reps=PAIRS,
            days=DAYS,
            cooldown=None,
        )
        for name in ("baseline", "jiamusi_1_6_n")
    }
    baseline, jiamusi = arms["baseline"], arms["jiamusi_1_6_n"]
    assert [r["requests"] for r in baseline] == [r["requests"] for r in jiamusi]
    assert min(r["n"] for r in baseline) > 50
    paired_better(
        "time to close, 1 only → 1+6+N (h)",
        np.array([r["time_to_close"] for r in baseline]),
        np.array([r["time_to_close"] for r in jiamusi]),
        "less",
    )


# --- 2. less admin burden -----------------------------------------------------------------------


def burden_stats(result: sim.Result, cases: pd.DataFrame) -> dict:
    summary = result.summary
    return {
        "field_share": summary["field_share"],
        "admin_share": summary["admin_share"],
        "forms": summary["tasks"]["admin"]["created"],
    }


@pytest.fixture(scope="module")
def baseline_burden(replicate, scenarios: Path) -> list[dict]:
    return replicate(
        sim.load_scenario(scenarios / "baseline.yaml"),
        burden_stats,
        key="staffing-admin-burden",
        reps=PAIRS,
        days=DAYS,
        cooldown=None,
    )


@pytest.mark.parametrize("relief", ["half the departments blocked", "no forms"])
def test_less_admin_burden_raises_field_share(
    relief: str, baseline_burden: list[dict], replicate, scenarios: Path
) -> None:
    base = sim.load_scenario(scenarios / "baseline.yaml")
    departments = list(base.sources.admin.departments)
    assert len(departments) == 12
    override = (
        f"sources.admin.blocked=[{', '.join(departments[::2])}]"
        if relief.startswith("half")
        else "sources.admin.enabled=false"
    )
    relieved = replicate(
        sim.load_scenario(scenarios / "baseline.yaml", overrides=[override]),
        burden_stats,
        key="staffing-admin-burden",
        reps=PAIRS,
        days=DAYS,
        cooldown=None,
    )
    forms = np.array([r["forms"] for r in relieved]) / [r["forms"] for r in baseline_burden]
    print(f"{relief}: forms kept {forms.mean():.3f} of the baseline's")
    if relief.startswith("half"):
        assert 0.4 < forms.mean() < 0.6
    else:
        assert (forms == 0).all()
    paired_better(
        f"field share, baseline → {relief}",
        np.array([r["field_share"] for r in baseline_burden]),
        np.array([r["field_share"] for r in relieved]),
        "greater",
    )
    paired_better(
        f"admin share, baseline → {relief}",
        np.array([r["admin_share"] for r in baseline_burden]),
        np.array([r["admin_share"] for r in relieved]),
        "less",
    )


# --- 3. staggered hours -------------------------------------------------------------------------

EARLY = {"start": "08:00", "end": "17:00", "days": list(WEEKDAYS)}
LATE = {"start": "11:00", "end": "20:00", "days": list(WEEKDAYS)}
#: Residents are rarely in before 17:00 and mostly in after (hours 0–6 do not matter: nobody
#: works then).
AT_HOME = [0.9] * 7 + [0.25] * 10 + [0.95] * 7
REVISITS = {
    "name": "staggered-hours",
    "run": {"days": 10, "tick": "24h"},
    "world": {
        "households": NO_ATTRIBUTES,
        "streets": [
            {"id": "s", "communities": [{"id": "c", "grids": 10, "households_per_grid": 200}]}
        ],
    },
    "categories": {
        "service": {"work": "20min", "priority": 1},
        "revisit_phone": {"kind": "revisit", "skill": "it", "work": "3min", "loop": False},
        "revisit_home": {
            "kind": "revisit",
            "skill": "field",
            "work": "10min",
            "travel": "3min",
            "loop": False,
        },
    },
    "grid_workers": {"per_grid": 2, "shift": EARLY, "patrol": {"enabled": False}},
    "sources": {
        "resident": flat_requests("0.0005/h"),
        "revisits": {"at_home": AT_HOME, "retry_after": "6h", "max_attempts": 3},
    },
    "loop": {"feedback": {"handler": "none"}},
}


def first_visit_stats(result: sim.Result, cases: pd.DataFrame) -> dict:
    """Share of the home visits due a day or more before the horizon that reached the
    household at the first attempt; scheduled hours of the grid workers."""
    horizon = result.summary["horizon_h"]
    visits = cases[(cases["category"] == "revisit_home") & (cases["created_h"] < horizon - 24)]
    assert (visits["attempts"] >= 1).all()  # every visit due was attempted
    first = (visits["status"] == "closed") & (visits["attempts"] == 1)
    return {
        "first": float(first.mean()),
        "n": len(visits),
        "scheduled": float(result.workers["scheduled_h"].sum()),
    }


def test_staggered_hours_reach_more_households_at_the_first_visit(replicate) -> None:
    everyone_early = sim.scenario_from_dict(REVISITS)
    staggered = sim.scenario_from_dict(
        merge_mappings(REVISITS, {"grid_workers": {"roster": [[EARLY], [LATE]]}})
    )
    early, mixed = (
        replicate(scenario, first_visit_stats, key="staffing-staggered", reps=PAIRS, cooldown=None)
        for scenario in (everyone_early, staggered)
    )
    assert [r["n"] for r in early] == [r["n"] for r in mixed]
    assert min(r["n"] for r in early) > 400
    assert [r["scheduled"] for r in early] == [r["scheduled"] for r in mixed]  # same hours
    paired_better(
        "first-visit success, all 08–17 → half 11–20",
        np.array([r["first"] for r in early]),
        np.array([r["first"] for r in mixed]),
        "greater",
    )
