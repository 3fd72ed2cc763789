"""Team meetings (例会, docs/sources.md A54): exactly the hours the rule gives, and the offered
load counts the same hours out of the hours for work.

The rule (sim/agents/staff.py): a member on duty when a meeting starts attends it until it ends
or until they go off duty (a lunch break, the end of the day); one off duty at its start does
not attend. With no demand nobody has a job in hand, so nobody joins late and the hours in
meetings are exactly the block's length (cut at the end of the duty stretch) times the members
on duty at its start.
"""

from __future__ import annotations

import pytest

import sim
from sim.calendar import Calendar, meeting_times
from sim.config.loader import ScenarioError
from sim.load import scenario_load

MMC = "scenarios/theory/mmc.yaml"
NO_DEMAND = "sources.resident.rate_per_household=0/h"
DAYS = 14  # two weeks: every weekday twice, whatever the start weekday
OFFICE_DAY = [
    "grid_workers.shift={start: '08:00', end: '17:00', days: [mon, tue, wed, thu, fri], "
    "breaks: [['12:00', '13:00']]}",
    "grid_workers.starts_early=0.5h",
    "grid_workers.stays_late=0h",
]
#: Per member a week: Wed 1 h; Sat off duty: 0; Mon within the lunch break: 0; Thu cut at
#: 17:00: 0.5 h; Tue from 07:45, on duty since the early start at 07:30: 0.5 h. In all 2 h.
OFFICE_MEETINGS = (
    "grid_workers.meetings=["
    "{start: '14:00', end: '15:00', days: [wed]}, {start: '10:00', end: '11:00', days: [sat]}, "
    "{start: '12:15', end: '12:45', days: [mon]}, {start: '16:30', end: '17:30', days: [thu]}, "
    "{start: '07:45', end: '08:15', days: [tue]}]"
)
OFFICE_WEEK_PER_MEMBER = 2.0


def run(overrides: list[str], days: float = DAYS, seed: int = 1) -> sim.Result:
    return sim.run(sim.load_scenario(MMC, overrides), seed=seed, days=days)


def test_round_the_clock_meetings_take_block_times_members() -> None:
    meetings = (
        "grid_workers.meetings=[{start: '14:00', end: '15:30', days: [wed]}, "
        "{start: '09:00', end: '10:00', days: [fri]}]"
    )
    result = run([NO_DEMAND, "grid_workers.per_grid=3", meetings])
    workers = result.workers
    assert workers["meetings_h"].tolist() == pytest.approx([2 * 2.5] * 3, abs=1e-9)
    on_duty = 3 * DAYS * 24.0
    assert result.summary["meeting_share"] == pytest.approx(3 * 2 * 2.5 / on_duty, rel=1e-12)
    assert result.summary["utilization"]["grid_worker"] == 0.0
    load = scenario_load(sim.load_scenario(MMC, [NO_DEMAND, "grid_workers.per_grid=3", meetings]))
    assert load.capacity["grid_worker"] == pytest.approx(3 * (168.0 - 2.5), rel=1e-12)


def test_only_meetings_on_duty_are_attended_and_cut_at_the_end_of_duty() -> None:
    base = [NO_DEMAND, "grid_workers.per_grid=2", *OFFICE_DAY]
    with_meetings = run([*base, OFFICE_MEETINGS])
    without = run(base)
    weeks = DAYS / 7
    assert with_meetings.workers["meetings_h"].tolist() == pytest.approx(
        [weeks * OFFICE_WEEK_PER_MEMBER] * 2, abs=1e-9
    )
    # meetings are hours on duty: off duty and overtime are those of the run without them
    for column in ("off_h", "overtime_h", "scheduled_h"):
        assert with_meetings.workers[column].tolist() == pytest.approx(
            without.workers[column].tolist(), abs=1e-9
        )
    idle_lost = without.workers["idle_h"] - with_meetings.workers["idle_h"]
    assert idle_lost.tolist() == pytest.approx(with_meetings.workers["meetings_h"].tolist())
    load = scenario_load(sim.load_scenario(MMC, [*base, OFFICE_MEETINGS]))
    assert load.capacity["grid_worker"] == pytest.approx(
        2 * (5 * (8 + 0.5) - OFFICE_WEEK_PER_MEMBER), rel=1e-12
    )


def test_with_work_members_join_late_and_every_hour_is_accounted() -> None:
    meetings = "grid_workers.meetings=[{start: '10:00', end: '12:00', days: [mon, thu]}]"
    busy = ["sources.resident.rate_per_household=0.02/h", "grid_workers.per_grid=1", meetings]
    result = run(busy, days=28)
    worker = result.workers.iloc[0]
    full = 4 * 2 * 2.0
    assert 0 < worker["meetings_h"] < full  # some meetings found a job in hand
    hours = sum(worker[f"{a}_h"] for a in sim.vocabulary.ACTIVITIES)
    assert hours == pytest.approx(28 * 24.0, rel=1e-12)
    # no job starts inside a meeting: a member in hand joins when done, then takes none
    calendar = Calendar(result.scenario.run.start_weekday)
    times = meeting_times(calendar, 28 * 24.0, result.scenario.grid_workers.meetings)
    started = result.jobs["started_h"].dropna().to_numpy()
    assert len(times) == 8 and len(started) > 100
    for start, end in times:
        assert not ((started > start) & (started < end)).any()
    assert result.summary["checks"]["conservation"]


def test_without_meetings_no_meeting_hours() -> None:
    result = run(["grid_workers.per_grid=2"], days=3)
    assert (result.workers["meetings_h"] == 0).all()
    assert result.summary["meeting_share"] == 0.0


@pytest.mark.parametrize(
    ("meetings", "message"),
    [
        ("[{start: '14:00', end: '16:00', days: [wed], breaks: [['14:30', '15:00']]}]", "breaks"),
        (
            "[{start: '14:00', end: '15:00', days: [wed]}, "
            "{start: '14:30', end: '15:30', days: [wed]}]",
            "meetings overlap",
        ),
    ],
)
def test_bad_meetings_are_refused(meetings: str, message: str) -> None:
    with pytest.raises(ScenarioError, match=message) as error:
        sim.load_scenario(MMC, [f"grid_workers.meetings={meetings}"])
    assert any("grid_workers" in p.path for p in error.value.problems)
