"""Meetings that take every server away: an M/M/c queue with scheduled server vacations
(docs/sources.md Q38).

scenarios/theory/mmc.yaml with c = 3 workers on duty round the clock, λ = 6/h, μ = 4/h and a
weekly meeting of all of them for V = 8 h. The queue is stable (λ/μ < c·(1 − V/168)), so:

* in the long run it closes what arrives: throughput λ;
* its servers work exactly the offered work, λ/μ an hour, so the utilisation of the hours not
  in meetings is (λ/μ)·T / (on-duty hours − meeting hours);
* a week after the last meeting the queue is in its stationary state, where a server is busy
  with probability ρ = λ/(cμ); one busy when the meeting starts joins it after the residual of
  its exponential job, mean 1/μ, so the share of the block attended is 1 − ρ/(μV);
* Little's law L = λW + L_open holds on every sample path (the run's `checks`).

R replications, each mean within 3 standard errors (Student t, conftest.se_limit).

And the metamorphic counterpart on common random numbers (same seed, same cases): adding a
meeting never makes a case close sooner. With one server taking cases in order of arrival this
holds case by case (the server's work is the same and only ever postponed); with three, the
paired mean time to close is longer in every replication.
"""

from __future__ import annotations

import pandas as pd
import pytest

import sim
from sim.calendar import Calendar, meeting_times
from sim.vocabulary import JOB_ACTIVITIES

MMC = "mmc.yaml"
HOUSEHOLDS = 100  # mmc.yaml: λ = 100 × the rate per household
LAM, MU, C, V = 6.0, 4.0, 3, 8.0
DAYS, REPS = 70, 20
WEEKLY_MEETING = "grid_workers.meetings=[{start: '09:00', end: '17:00', days: [wed]}]"


def queue(lam: float, mu: float, c: int) -> list[str]:
    """Overrides of mmc.yaml for λ, μ and c, with no warm-up (every case counts)."""
    return [
        f"sources.resident.rate_per_household={lam / HOUSEHOLDS!r}/h",
        f"categories.service.work.mean={60.0 / mu!r}min",
        f"grid_workers.per_grid={c}",
        "run.warmup=0h",
    ]


def meeting_starts(result: sim.Result) -> list[float]:
    """Start of every meeting of the grid workers in the run."""
    calendar = Calendar(result.scenario.run.start_weekday)
    meetings = result.scenario.grid_workers.meetings
    return [s for s, _ in meeting_times(calendar, result.summary["horizon_h"], meetings)]


def vacation_stats(result: sim.Result, _window: pd.DataFrame) -> dict[str, float]:
    """Throughput (closed an hour), utilisation of the hours not in meetings and its value
    for the offered work, share of the meeting blocks attended, Little's law's residual."""
    horizon = result.summary["horizon_h"]
    workers = result.workers
    busy = float(workers[[f"{a}_h" for a in JOB_ACTIVITIES]].sum().sum())
    meetings = float(workers["meetings_h"].sum())
    available = C * horizon - meetings
    checks = result.summary["checks"]
    little = checks["little_lambda"] * checks["little_W"] + checks["little_open_L"]
    return {
        "throughput": float((result.cases["status"] == "closed").sum()) / horizon,
        "utilisation": busy / available,
        "offered": LAM / MU * horizon / available,
        "attended": meetings / (C * V * len(meeting_starts(result))),
        "little": abs(checks["little_L"] - little) / checks["little_L"],
    }


def test_meetings_of_all_servers_are_server_vacations(replicate, helpers, scenarios) -> None:
    scenario = sim.load_scenario(scenarios / "theory" / MMC, [*queue(LAM, MU, C), WEEKLY_MEETING])
    reps = replicate(scenario, vacation_stats, key="meetings-vacations", reps=REPS, days=DAYS)
    offered, _ = helpers.mean_se(reps, "offered")
    failures = [
        helpers.disagreement("vacations", reps, "throughput", LAM),
        helpers.disagreement("vacations", reps, "utilisation", offered),
        helpers.disagreement("vacations", reps, "attended", 1.0 - LAM / (C * MU) / (MU * V)),
    ]
    assert not [line for line in failures if line], failures
    assert max(rep["little"] for rep in reps) < 1e-9
    assert offered > LAM / (C * MU)  # the meetings left fewer hours for the same work


def sojourn(result: sim.Result) -> pd.Series:
    """Hours from creation to closing per case id, open cases counted at their age."""
    cases = result.cases.set_index("case_id")
    closed = cases["closed_h"].fillna(result.summary["horizon_h"])
    return closed - cases["created_h"]


@pytest.mark.parametrize(("lam", "mu", "c"), [(2.0, 3.0, 1), (LAM, MU, C)], ids=["c1", "c3"])
def test_a_meeting_never_closes_a_case_sooner(lam, mu, c, helpers, scenarios) -> None:
    path = scenarios / "theory" / MMC
    without = sim.load_scenario(path, queue(lam, mu, c))
    with_meeting = sim.load_scenario(path, [*queue(lam, mu, c), WEEKLY_MEETING])
    for seed in helpers.replication_seeds(f"meetings-crn-{c}", 5):
        before = sojourn(sim.run(without, seed=seed, days=28))
        after = sojourn(sim.run(with_meeting, seed=seed, days=28))
        assert after.index.equals(before.index)  # the same cases in both arms
        assert after.mean() > before.mean()
        if c == 1:
            assert (after >= before - 1e-9).all()
