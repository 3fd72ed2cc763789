"""Every headline number counts exactly what the README says it counts: the closed loop
(residents' requests and the issues patrols find), created after the warm-up; the backlog counts
closed-loop cases open at the end; the time series' backlog is the same count hour by hour.
Incident tasks, forms, revisits and monitoring warnings are counted in blocks of their own."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import sim
from sim.metrics.steady_state import TOO_FEW_TICKS

ROOT = Path(__file__).resolve().parents[2]
#: Scenarios with every kind of work: an epidemic (incident tasks, forms, revisits) run past its
#: onset, and the 盐池 county (monitoring warnings) for a day.
SCENARIOS = {
    "epidemic_14d": ("scenarios/epidemic_14d.yaml", 6.0),
    "yanchi_county": ("scenarios/yanchi_county.yaml", 1.0),
}


@pytest.fixture(scope="module", params=SCENARIOS, ids=list(SCENARIOS))
def result(request) -> sim.Result:
    path, days = SCENARIOS[request.param]
    return sim.run(sim.load_scenario(ROOT / path), seed=5, days=days)


def test_headline_counts_are_the_residents_and_patrol_rows(result: sim.Result) -> None:
    cases, summary = result.cases, result.summary
    loop = cases[cases["source"].isin(["resident", "patrol"])]
    assert len(cases) > len(loop) > 0  # the run has other work too
    counted = loop[loop["created_h"] >= summary["warmup_h"]]
    assert summary["cases_created"] == len(counted)
    assert summary["cases_closed"] == int((counted["status"] == "closed").sum())
    assert summary["backlog_end"] == int((loop["status"] == "open").sum())
    closed = counted[counted["status"] == "closed"]
    assert summary["time_to_close_h"]["mean"] == pytest.approx(closed["time_to_close_h"].mean())
    assert summary["first_response_h"]["mean"] == pytest.approx(counted["first_response_h"].mean())


def test_the_time_series_backlog_is_the_kpi_backlog(result: sim.Result) -> None:
    ts, summary = result.timeseries, result.summary
    last = ts[ts["t_h"] == ts["t_h"].max()]
    assert int(last["backlog"].sum()) == summary["backlog_end"]
    cases, categories = result.cases, result.scenario.categories
    for kind in ("incident", "admin", "revisit", "warning"):
        rows = cases[cases["kind"] == kind]
        if any(category.kind == kind for category in categories.values()):
            assert int(last[f"open_{kind}"].sum()) == int((rows["status"] == "open").sum())
        else:
            assert f"open_{kind}" not in ts.columns


def test_hour_by_hour_backlog_equals_the_case_log(result: sim.Result) -> None:
    cases = result.cases
    loop = cases[cases["source"].isin(["resident", "patrol"])]
    per_hour = result.timeseries.groupby("t_h")["backlog"].sum()
    created, closed = loop["created_h"].to_numpy(), loop["closed_h"].to_numpy()
    closed = np.nan_to_num(closed, nan=np.inf)
    for t in per_hour.index[:: max(1, len(per_hour) // 24)]:
        # the tick ending at t holds what happened before t; events at t fall in the next
        open_at_t = int(((created < t) & ~(closed < t)).sum())
        assert per_hour[t] == open_at_t


def test_a_warm_start_backlog_counts_by_its_kind() -> None:
    """Cases waiting at the start (a drill's warm start) are counted where their category's
    kind says: requests in the closed loop, from time 0 (no warm-up after a warm start)."""
    scenario = sim.load_scenario(
        ROOT / "scenarios" / "baseline.yaml",
        ["warm_start={backlog: {convenience_service: 50, admin_form: 20}}"],
    )
    result = sim.run(scenario, seed=2, days=2)
    summary, cases = result.summary, result.cases
    assert summary["warmup_h"] == 0.0
    assert summary["steady_state"]["warmup_method"].startswith("none")
    loop = cases[cases["kind"].isin(["request", "patrol"])]
    assert int((loop["source"] == "initial").sum()) == 50
    assert summary["cases_created"] == len(loop)
    forms = cases[cases["kind"] == "admin"]
    assert summary["tasks"]["admin"]["created"] == len(forms) >= 20


def test_a_warm_up_not_searched_for_want_of_ticks_is_not_called_mser() -> None:
    """With fewer than 50 ticks before the horizon (20 days of 24 h ticks) MSER-5 cannot search:
    no warm-up is removed, the method says so rather than naming MSER-5, and a warning says
    the KPIs include the start-up transient. Hourly ticks over the same days are searched."""
    daily_ticks = sim.load_scenario(ROOT / "scenarios" / "baseline.yaml", ["run.tick=24h"])
    daily = sim.run(daily_ticks, seed=1, days=20)
    steady = daily.summary["steady_state"]
    assert (steady["warmup_h"], steady["warmup_method"]) == (0.0, TOO_FEW_TICKS)
    assert steady["warmup_settled"] is None and steady["stationary"] is not None
    assert [w for w in daily.summary["warnings"] if w.startswith("no warm-up was removed")]
    hourly = sim.run(ROOT / "scenarios" / "baseline.yaml", seed=1, days=20).summary
    assert hourly["steady_state"]["warmup_method"] == "MSER-5 on the closed-loop backlog"
    assert not [w for w in hourly["warnings"] if w.startswith("no warm-up was removed")]
