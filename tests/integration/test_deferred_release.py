"""Screening tasks released at onset are opened only as members of staff take them
(`Intake.defer`), yet a run is exactly what it would be if every task were opened at onset: the
same case ids, arrival numbers, times and records, in every table, the summary, and the drill's
live view, including at a horizon that falls while most tasks still wait unopened."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import sim
from sim.drill.live import CaseView
from sim.metrics.recorder import SOURCE_CODE
from sim.metrics.tables import cases_table, jobs_table
from sim.model import GridModel
from sim.runner import scenario_as_run
from sim.work.case import Case, Job
from sim.work.intake import Intake
from sim.work.station import Deferred

from cycle_parts import left_in_cycles

ROOT = Path(__file__).resolve().parents[2]
#: The baseline community's 14-day epidemic, onset at day 3; 3,000 households screened.
SCENARIO = ROOT / "scenarios" / "epidemic_14d.yaml"
SEED = 5
ONSET_H = 72.0


def _open_at_release(monkeypatch: pytest.MonkeyPatch) -> None:
    """Open every released task at once, as it arrives (the plain event-level way)."""
    monkeypatch.setattr(Intake, "defer", Intake.open)


def _unopened(model: GridModel) -> int:
    """Tasks released but not yet opened, over every station."""
    return sum(
        len(entry[2])
        for station in model.stations.all
        for queue in station.queues
        for entry in queue
        if entry[2].__class__ is Deferred
    )


@pytest.mark.parametrize("days", [3.25, 5.0])
def test_a_run_is_the_same_whether_tasks_open_at_release_or_when_taken(
    monkeypatch: pytest.MonkeyPatch, days: float
) -> None:
    """3.25 days: the horizon falls 6 hours into the screening, most tasks unopened; 5 days:
    all of them taken."""
    scenario = scenario_as_run(sim.load_scenario(SCENARIO), days)
    deferred = sim.run(scenario, seed=SEED)
    with monkeypatch.context() as patch:
        _open_at_release(patch)
        eager = sim.run(scenario, seed=SEED)
    for name in ("cases", "jobs", "timeseries", "workers"):
        pd.testing.assert_frame_equal(getattr(deferred, name), getattr(eager, name))
    assert deferred.summary == eager.summary
    screening = deferred.cases[deferred.cases["category"] == "screening"]
    assert len(screening) == 3000
    if days < 4:
        assert (screening["status"] == "open").sum() > 1000
        assert (deferred.jobs["outcome"] == "waiting").sum() > 1000


def test_tasks_wait_unopened_and_the_live_view_counts_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Six hours into the screening most tasks have no case yet, and still the drill's view of
    the open cases, and the count of open tasks by category, are those of a run that opened them
    all at onset."""
    scenario = scenario_as_run(sim.load_scenario(SCENARIO), 10.0)
    deferred = GridModel(scenario, seed=SEED)
    deferred.run_until(ONSET_H + 6.0)
    assert _unopened(deferred) > 1000
    assert len(deferred.metrics.open) < 2000
    by_category = np.array(deferred.metrics.by_category).sum(axis=0)
    with monkeypatch.context() as patch:
        _open_at_release(patch)
        eager = GridModel(scenario, seed=SEED)
        eager.run_until(ONSET_H + 6.0)
    assert _unopened(eager) == 0
    assert by_category.tolist() == np.array(eager.metrics.by_category).sum(axis=0).tolist()
    view, expected = CaseView.of(deferred), CaseView.of(eager)
    assert _unopened(deferred) == 0
    assert _records(deferred) == _records(eager)
    for field in ("created", "accepted", "due", "category", "grid", "priority", "open"):
        got, want = getattr(view, field), getattr(expected, field)
        assert np.array_equal(np.sort(got), np.sort(want), equal_nan=True), field


def _records(model: GridModel) -> dict[int, str]:
    """Each open case's record, by case id (NaN written out, so that records compare)."""
    return {case_id: repr(case.record(SOURCE_CODE)) for case_id, case in model.metrics.open.items()}


def test_the_tables_read_unopened_tasks_without_opening_them() -> None:
    """The cases and jobs tables make each unopened task's rows as it would be opened, but
    leave it unopened (a city's screening backlog would otherwise be built as objects at the
    horizon, hundreds of megabytes), so building them twice gives the same tables; the cases
    made to read them are freed as they are read, not left in reference cycles."""
    model = GridModel(scenario_as_run(sim.load_scenario(SCENARIO), ONSET_H / 24 + 0.25), SEED)
    model.run_model()
    unopened, opened = _unopened(model), len(model.metrics.open)
    assert unopened > 1000
    (cases, jobs), garbage = left_in_cycles(lambda: (cases_table(model), jobs_table(model)))
    left = [o for o in garbage if isinstance(o, Case | Job)]
    assert not left, f"{len(left)} cases and jobs in reference cycles"
    assert (_unopened(model), len(model.metrics.open)) == (unopened, opened)
    assert (cases["status"] == "open").sum() == unopened + opened
    assert (jobs["outcome"] == "waiting").sum() >= unopened
    pd.testing.assert_frame_equal(cases_table(model), cases)
    pd.testing.assert_frame_equal(jobs_table(model), jobs)
