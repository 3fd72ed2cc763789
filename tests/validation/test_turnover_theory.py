"""Attrition and volunteer pools against their closed forms (docs/sources.md Q20, Q21), and pay
against service on common random numbers (Q22). Replication means must lie within `se_limit`
standard errors (3 SE in the Student-t sense) of the theory; every run also passes the exact
conservation, backlog-integral and Little checks of `check_invariants` (conftest.py), so
leaving, covering and volunteers coming and going never break them.

1. A post alternates filled (an exponential stay at hazard h) and vacant (a recruitment delay of
   mean d): an alternating renewal process, filled a share π = (1/h) / (1/h + d) of the time in
   the long run. Checked (a) from a stationary start (a burn-in of many relaxation times), and
   (b) from a filled start, where with an exponential delay the filled probability at t is
   π + (1 − π) e^(−λt), λ = h + 1/d, so the time-average over [0, T] is
   π + (1 − π)(1 − e^(−λT)) / (λT).
2. A volunteer pool is M/M/∞: joining at rate λ, each leaving at rate μ, its size is Poisson with
   mean λ/μ (time-average and the share of time at each size). With c places it is Erlang's
   loss system: mean size a(1 − B(c, a)), and a joiner is turned away with probability
   B(c, a) (arrivals see time averages).
3. Paying the baseline's grid workers 2,800 instead of 1,500 yuan a month, with the turnover
   preset's attrition: on the same seeds, fewer leave and residents' requests and patrol finds
   are closed sooner (paired).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

import sim
from sim.config.loader import merge_mappings
from sim.theory import erlang_b

from scenario_parts import INSTANT_LOOP, NO_ATTRIBUTES, ROUND_THE_CLOCK, flat_requests

REPS = 20
YEAR = 24 * 365.0

WORLD = {
    "households": NO_ATTRIBUTES,
    "streets": [
        {
            "id": "s",
            "communities": [
                {"id": f"c{k}", "grids": 10, "households_per_grid": 20} for k in range(5)
            ],
        }
    ],
}
BASE = {
    "name": "turnover-theory",
    "run": {"tick": "24h", "warmup": 0},
    "world": WORLD,
    "categories": {"service": {"work": {"dist": "exponential", "mean": "30min"}, "priority": 1}},
    "grid_workers": {
        "per_grid": 1,
        "shift": ROUND_THE_CLOCK,
        "patrol": {"enabled": False},
        "pay": {"monthly_yuan": 2000, "annual_bonus_yuan": 0},
    },
    "sources": {"resident": flat_requests("0.0001/h")},  # a little work: staffing is the point
    "loop": INSTANT_LOOP,
}


def scenario(days: float, patch: dict) -> sim.Scenario:
    data = merge_mappings(BASE, {"run": {"days": days}})
    return sim.scenario_from_dict(merge_mappings(data, patch))


# --- 1. attrition: an alternating renewal process ----------------------------------------------


def filled_share(result: sim.Result, _cases) -> dict:
    return {"filled": result.summary["turnover"]["grid_worker"]["filled_share"]}


@pytest.mark.parametrize(
    ("label", "rate", "delay_days", "days", "burn_in"),
    [
        ("stationary", 2.0, 30.0, 730.0, "1y"),  # λ = 14.2 a year: burn-in of 14 relaxations
        ("from filled", 4.0, 45.0, 365.0, 0),
    ],
)
def test_filled_share_of_posts_is_the_renewal_share(
    replicate, helpers, label: str, rate: float, delay_days: float, days: float, burn_in
) -> None:
    patch = {
        "grid_workers": {
            "attrition": {
                "annual_rate": f"{rate}/year",
                "recruitment_delay": {"dist": "exponential", "mean": f"{delay_days}d"},
                "burn_in": burn_in,
            }
        }
    }
    reps = replicate(
        scenario(days, patch), filled_share, key=f"attrition-{label}", reps=REPS, cooldown=None
    )
    h, d, horizon = rate / YEAR, delay_days * 24.0, days * 24.0
    share = 1.0 / (1.0 + h * d)
    if not burn_in:
        decay = (h + 1.0 / d) * horizon
        share += (1.0 - share) * -math.expm1(-decay) / decay
    assert helpers.disagreement(f"attrition {label}", reps, "filled", share) is None


# --- 2. volunteer pools: M/M/∞ and Erlang's loss system ----------------------------------------


def pool_stats(result: sim.Result, _cases) -> dict:
    block = result.summary["turnover"]["vol"]
    shares = block["size_share_per_community"]
    out = {"mean": block["mean_per_community"]}
    out |= {f"share_{k}": shares[k] if k < len(shares) else 0.0 for k in range(40)}
    out["turned_away"] = block["turned_away"] / block["joined"] if block["joined"] else 0.0
    return out


def pool_scenario(**settings) -> sim.Scenario:
    team = {
        "kind": "volunteer",
        "shift": ROUND_THE_CLOCK,
        "categories": ["service"],
        "pay": {"monthly_yuan": 0, "annual_bonus_yuan": 0},
        "pool": {"join_rate": "2/week", "leave_rate": "0.1/week", **settings},
    }
    return scenario(365.0, {"teams": {"vol": team}})


def test_a_volunteer_pool_is_poisson_with_mean_join_over_leave(replicate, helpers) -> None:
    reps = replicate(pool_scenario(), pool_stats, key="pool-mminf", reps=REPS, cooldown=None)
    a = 20.0
    problems = [helpers.disagreement("pool M/M/∞", reps, "mean", a)]
    for k in (12, 16, 20, 24, 28):
        pmf = stats.poisson.pmf(k, a)
        problems.append(helpers.disagreement(f"pool P(size = {k})", reps, f"share_{k}", pmf))
    assert [p for p in problems if p] == []


def test_a_pool_with_few_places_is_erlangs_loss_system(replicate, helpers) -> None:
    c, a = 15, 20.0
    reps = replicate(
        pool_scenario(size_limit=c), pool_stats, key="pool-erlang", reps=REPS, cooldown=None
    )
    blocking = erlang_b(c, a)
    problems = [
        helpers.disagreement("pool M/M/c/c", reps, "mean", a * (1.0 - blocking)),
        helpers.disagreement("pool M/M/c/c", reps, "turned_away", blocking),
    ]
    assert [p for p in problems if p] == []


# --- 3. pay against service, on common random numbers -------------------------------------------

PAIRS = 20
P_MAX = 0.01
WORSE_SHARE_MAX = 0.10


def pay_stats(result: sim.Result, cases) -> dict:
    horizon = result.summary["horizon_h"]
    loop = cases[cases["kind"].isin(["request", "patrol"])]
    requests = loop[loop["source"] == "resident"]
    closed = requests["closed_h"].fillna(horizon).clip(upper=horizon)
    return {
        "leavers": result.summary["turnover"]["grid_worker"]["leavers"],
        "time_to_close": float((closed - requests["created_h"]).mean()),
        "requests": len(requests),
    }


def test_better_pay_keeps_workers_and_closes_cases_sooner(replicate, scenarios: Path) -> None:
    """The turnover preset with a higher hazard, so that vacancies matter: at 1,500 yuan about
    a quarter of the posts stand vacant, at 2,800 less than a tenth. Time to close is heavy-
    tailed (an arm short of staff may tip into overload), so its paired differences are tested
    by rank (Wilcoxon signed-rank), the leavers by a paired t-test, with hardly any pair the
    other way. (Not every pair of times to close: with a burn-in the arms start with their own
    vacancies, and one arm's may by chance fall in calmer weeks.)"""
    arms = {
        pay: replicate(
            sim.load_scenario(
                scenarios / "turnover.yaml",
                [
                    f"grid_workers.pay.monthly_yuan={pay}",
                    "grid_workers.attrition.annual_rate=1/year",
                ],
            ),
            pay_stats,
            key="turnover-pay",
            reps=PAIRS,
            days=91.0,
            cooldown=None,
        )
        for pay in (1500, 2800)
    }
    low, high = arms[1500], arms[2800]
    assert [r["requests"] for r in low] == [r["requests"] for r in high]  # the same requests
    tests = {"leavers": stats.ttest_rel, "time_to_close": stats.wilcoxon}
    for kpi, test in tests.items():
        reference = np.array([r[kpi] for r in low], dtype=float)
        changed = np.array([r[kpi] for r in high], dtype=float)
        difference = changed - reference
        p = test(changed, reference, alternative="less").pvalue
        worse = float((difference > 0).mean())
        print(
            f"{kpi}: 1,500 yuan {reference.mean():.4g}, 2,800 yuan {changed.mean():.4g}, paired "
            f"difference {difference.mean():+.4g} (SE {stats.sem(difference):.2g}), one-sided "
            f"p = {p:.2g}, worse in {worse:.0%} of {PAIRS} pairs"
        )
        assert difference.mean() < 0 and p < P_MAX
        if kpi == "leavers":
            assert worse <= WORSE_SHARE_MAX
