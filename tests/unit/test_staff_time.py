"""Every hour of every member of staff is accounted for, and work happens on shift.

The invariant, derived from `sim/agents/staff.py`:

* Every instant of [0, horizon] is accounted to exactly one activity: `_switch` closes the
  running activity whenever it changes and `flush` closes the last one at the horizon, so
  Σ over ACTIVITIES (cases, admin, visits, patrol, travel, idle, off) of `hours` == horizon.
* A worker is "off" exactly when not on duty and not busy. The roster sets `on_duty` at a
  shift's start and the work loop leaves "off" at that same instant. At the shift's end an
  idle or patrolling worker is signalled and switches to "off" at once; a busy one keeps
  working and an overtime clock runs from the shift's end until the job ends (then "off"), or
  until the next shift starts (if the job runs into it), or until the horizon (`flush`).
  Hence, to float rounding:

      on-duty hours := Σ hours over every activity except "off" == scheduled_h + overtime_h,
      i.e. off_h == horizon − scheduled_h − overtime_h,

  where scheduled_h = Σ over shifts starting before the horizon of
  min(end, horizon) − start (the horizon may cut the last shift).
* Round the clock (start == end, all seven days) there is no roster: on duty throughout,
  scheduled_h == horizon, off_h == 0 and overtime_h == 0.
* A job is only taken on duty (`_next_job` / station idle registration happen on duty only),
  so every grid-tier job begins inside a grid-worker shift, and work outside a shift is only
  the overtime of a job begun on it.
"""

from __future__ import annotations

import numpy as np
import pytest

import sim
from sim.calendar import Block, Calendar, shift_times
from sim.config.teams import Shift, Team
from sim.vocabulary import ACTIVITIES, ATTRIBUTES, WEEKDAYS

BASELINE = "scenarios/baseline.yaml"
MMC = "scenarios/theory/mmc.yaml"
NIGHT = [
    "grid_workers.shift.start=20:00",
    "grid_workers.shift.end=08:00",
    "grid_workers.shift.days=[mon,tue,wed,thu,fri,sat]",
    "grid_workers.shift.breaks=[]",
]

RUNS = {
    # id: (scenario file, overrides, seed, days)
    "baseline-10d": (BASELINE, [], 3, 10),
    "baseline-9.5d": (BASELINE, [], 4, 9.5),  # horizon cuts a shift (and jobs) short
    "baseline-night": (BASELINE, NIGHT, 5, 8),  # shifts across midnight, a day off
    "mmc-5d": (MMC, [], 6, 5),
}
_cache: dict[str, sim.Result] = {}


def result(run_id: str) -> sim.Result:
    if run_id not in _cache:
        path, overrides, seed, days = RUNS[run_id]
        _cache[run_id] = sim.run(sim.load_scenario(path, overrides), seed=seed, days=days)
    return _cache[run_id]


def blocks(res: sim.Result, team: Team) -> list[Block]:
    """The stretches on duty of a team's single shift over the run."""
    horizon = res.summary["horizon_h"]
    calendar = Calendar(res.scenario.run.start_weekday)
    return shift_times(calendar, horizon, [team.shift], team.starts_early, team.stays_late)


def duty_windows(res: sim.Result, team: Team) -> np.ndarray:
    """(start, end) of every stretch on duty, routine early start and late finish included, as
    an array of shape (n, 2)."""
    rows = [(b.start - b.early, b.end + b.late) for b in blocks(res, team)]
    return np.array(rows, dtype=float).reshape(-1, 2)


def official_hours(res: sim.Result, team: Team) -> float:
    """Hours of the official shifts (breaks, early start and late finish left out) within the
    horizon."""
    horizon = res.summary["horizon_h"]
    return sum(max(0.0, min(b.end, horizon) - b.start) for b in blocks(res, team))


def office_windows(res: sim.Result, shift: Shift) -> np.ndarray:
    """(start, end) of every shift of the run, as an array of shape (n, 2)."""
    horizon = res.summary["horizon_h"]
    calendar = Calendar(res.scenario.run.start_weekday)
    return np.array(list(calendar.shifts(shift, horizon)), dtype=float).reshape(-1, 2)


def inside(times: np.ndarray, windows: np.ndarray, tol: float = 1e-9) -> np.ndarray:
    """Whether each time lies in some [start, end) window."""
    k = np.searchsorted(windows[:, 0], times + tol, side="right") - 1
    ok = k >= 0
    k = np.maximum(k, 0)
    return ok & (times < windows[k, 1] - tol)


@pytest.mark.parametrize("run_id", list(RUNS))
def test_activity_hours_sum_to_horizon(run_id):
    res = result(run_id)
    horizon = res.summary["horizon_h"]
    workers = res.workers
    assert len(workers) > 0
    total = workers[[f"{a}_h" for a in ACTIVITIES]].sum(axis=1)
    np.testing.assert_allclose(total, horizon, rtol=0, atol=1e-9)
    for activity in ACTIVITIES:
        assert (workers[f"{activity}_h"] >= -1e-12).all(), activity
    np.testing.assert_allclose(workers["field_h"], workers["visits_h"] + workers["patrol_h"])


@pytest.mark.parametrize("run_id", list(RUNS))
def test_on_duty_hours_are_scheduled_plus_overtime(run_id):
    """Σ hours over activities other than off == scheduled_h + overtime_h (see module doc)."""
    res = result(run_id)
    workers = res.workers
    on_duty = workers[[f"{a}_h" for a in ACTIVITIES if a != "off"]].sum(axis=1)
    np.testing.assert_allclose(
        on_duty, workers["scheduled_h"] + workers["overtime_h"], rtol=0, atol=1e-9
    )
    assert (workers["overtime_h"] >= 0).all()
    assert (workers["scheduled_h"] <= res.summary["horizon_h"] + 1e-9).all()


@pytest.mark.parametrize("run_id", ["baseline-10d", "baseline-9.5d", "baseline-night"])
def test_scheduled_hours_match_the_roster(run_id):
    res = result(run_id)
    horizon = res.summary["horizon_h"]
    scenario = res.scenario
    grid = res.workers[res.workers["role"] == "grid_worker"]
    expected = official_hours(res, scenario.grid_workers)
    np.testing.assert_allclose(grid["scheduled_h"], expected)
    assert 0 < expected < horizon
    assert grid["overtime_h"].sum() > 0  # early starts, late finishes, jobs finished after


def test_baseline_scheduled_hours_by_hand():
    """10 days from a Monday: 8 weekdays × 8 official hours for grid workers (08:00–17:00 less
    the lunch hour), 8 × 9 h for departments; grid workers also do 2.5 h of routine overtime
    a day (in from 07:30, out at 19:00) and the overtime of jobs finished after it."""
    workers = result("baseline-10d").workers
    grid = workers["role"] == "grid_worker"
    assert (workers.loc[grid, "scheduled_h"] == 8 * 8.0).all()
    assert (workers.loc[grid, "overtime_h"] >= 8 * 2.5 - 1e-9).all()
    assert (workers.loc[~grid, "scheduled_h"] == 8 * 9.0).all()


def test_round_the_clock_has_no_off_time():
    res = result("mmc-5d")
    workers = res.workers
    assert res.scenario.grid_workers.shift.round_the_clock
    assert (workers["off_h"] == 0).all()
    assert (workers["overtime_h"] == 0).all()
    assert (workers["scheduled_h"] == res.summary["horizon_h"]).all()
    assert (res.timeseries["off"] == 0).all()


@pytest.mark.parametrize("run_id", ["baseline-10d", "baseline-9.5d", "baseline-night"])
def test_grid_work_begins_inside_a_shift(run_id):
    """accepted_h is when a grid worker starts the case's grid-tier job (or the first attempt
    of a task or revisit): always inside a grid-worker shift."""
    res = result(run_id)
    cases = res.cases
    accepted = cases["accepted_h"].dropna().to_numpy()
    assert len(accepted) > 100
    windows = duty_windows(res, res.scenario.grid_workers)
    outside = accepted[~inside(accepted, windows)]
    assert len(outside) == 0, f"grid jobs begun off shift at t = {outside[:10]}"


def test_department_work_begins_inside_office_hours():
    """tracked_h of an escalated case is when its resolving department starts."""
    res = result("baseline-10d")
    cases = res.cases
    escalated = cases[(cases["tier_reached"] != "grid") & cases["tracked_h"].notna()]
    assert len(escalated) > 5
    shifts = {spec.shift.model_dump_json() for spec in res.scenario.departments.values()}
    assert len(shifts) == 1  # all departments keep the default office hours here
    office = next(iter(res.scenario.departments.values())).shift
    started = escalated["tracked_h"].to_numpy()
    outside = started[~inside(started, office_windows(res, office))]
    assert len(outside) == 0, f"department jobs begun off shift at t = {outside[:10]}"


@pytest.mark.parametrize("run_id", ["baseline-10d", "baseline-night"])
def test_off_shift_grid_workers_only_finish_jobs(run_id):
    """At tick ends outside a shift no grid worker is idle or patrolling, and the number busy
    never rises between two off-shift tick ends of the same off period (no job is begun)."""
    res = result(run_id)
    ts = res.timeseries
    grids = res.cases["grid"].cat.categories
    ts = ts[ts["unit"].isin(grids)].copy()
    windows = duty_windows(res, res.scenario.grid_workers)
    # `env.run(until=t)` stops before the events at t, so a snapshot at t shows the state
    # just before t: a tick end t is off shift when t − 0 lies outside every shift.
    off_rows = ts[~inside(ts["t_h"].to_numpy() - 1e-6, windows, tol=0)]
    assert len(off_rows) > 0
    assert (off_rows["idle"] == 0).all()
    per_grid = res.scenario.grid_workers.per_grid
    assert ((off_rows["busy"] + off_rows["off"]) == per_grid).all()
    for _, unit in off_rows.groupby("unit", observed=True):
        unit = unit.sort_values("t_h")
        same_period = np.diff(unit["t_h"].to_numpy()) <= res.scenario.run.tick + 1e-9
        rises = np.diff(unit["busy"].to_numpy()) > 0
        assert not (same_period & rises).any()


def test_workers_table_has_one_row_per_member_of_staff():
    res = result("baseline-10d")
    scenario = res.scenario
    workers = res.workers
    n_grids = len(res.cases["grid"].cat.categories)
    assert (workers["role"] == "grid_worker").sum() == n_grids * scenario.grid_workers.per_grid
    expected_departments = sum(spec.staff for spec in scenario.departments.values())
    # one street, one community, one district, the city: one instance per department here
    assert (workers["role"] != "grid_worker").sum() == expected_departments
    assert workers["staff_id"].is_unique


# --- a job handed over at the very instant a shift ends ----------------------------------------


def test_job_handed_over_at_shift_end_counts_as_overtime():
    """Grid workers start at 07:30 and take 10 h (fixed) over the night's requests, so a grid
    job ends at 17:30 sharp, when the street office (08:30-17:30) closes; its 2 h job must be
    overtime (or wait for the next morning), never unaccounted off-shift work."""
    every_day = list(WEEKDAYS)
    data = {
        "name": "shift-end-race",
        "run": {"days": 3},
        "world": {
            "households": dict.fromkeys(ATTRIBUTES, 0.0),
            "streets": [
                {"id": "s", "communities": [{"id": "c", "grids": 1, "households_per_grid": 10}]}
            ],
        },
        "categories": {
            "service": {
                "work": "10h",
                "escalation": [{"tier": "street", "departments": ["office"], "p": 1}],
            }
        },
        "departments": {"office": {"tier": "street", "staff": 1, "work": "2h"}},
        "grid_workers": {
            "per_grid": 1,
            "shift": {"start": "07:30", "end": "23:00", "days": every_day},
            "starts_early": "0h",
            "stays_late": "0h",
            "patrol": {"enabled": False},
        },
        "sources": {
            "resident": {
                "rate_per_household": "0.02/h",
                "multipliers": {},
                "hourly_profile": [1] * 7 + [0] * 17,  # requests arrive 00:00-07:00 only
                "mix": {"service": 1},
            }
        },
        "loop": {"feedback": {"handler": "none"}},
    }
    res = sim.run(sim.scenario_from_dict(data), seed=1)
    cases = res.cases
    handed_at_close = cases[(cases["dispatched_h"] % 24 == 17.5) & cases["tracked_h"].notna()]
    assert len(handed_at_close) > 0  # the premise: grid jobs do end at 17:30 sharp
    office = res.workers[res.workers["role"] == "office"]
    on_duty = office[[f"{a}_h" for a in ACTIVITIES if a != "off"]].sum(axis=1)
    np.testing.assert_allclose(on_duty, office["scheduled_h"] + office["overtime_h"], atol=1e-9)
    assert (office["overtime_h"] > 0).all()


def test_scheduled_hours_follow_the_calendar():
    """Without no-shows or standby, scheduled_h is the roster's shift hours within the horizon,
    lunch breaks left out, computed here independently from the calendar."""
    res = sim.run("scenarios/baseline.yaml", seed=5, days=9)
    calendar = Calendar(res.scenario.run.start_weekday)
    horizon = res.summary["horizon_h"]
    shift = res.scenario.grid_workers.shift
    assert shift.breaks  # the premise: a lunch hour to leave out

    def overlap(a: float, b: float) -> float:
        return max(0.0, min(b, horizon) - a)

    expected = sum(
        overlap(start, end)
        - sum(
            overlap(start + (b0 - shift.start) % 24, start + (b1 - shift.start) % 24)
            for b0, b1 in shift.breaks
        )
        for start, end in calendar.shifts(shift, horizon)
    )
    grid = res.workers[res.workers["role"] == "grid_worker"]
    assert np.allclose(grid["scheduled_h"], expected)


@pytest.mark.parametrize(
    "overrides",
    [
        [],  # round the clock: jobs cut by the horizon, on the way or at work
        [  # a day shift whose overtime is cut short: jobs handed back on the way and at work
            "grid_workers.shift.start=08:00",
            "grid_workers.shift.end=17:00",
            "grid_workers.shift.breaks=[]",
            "grid_workers.overtime_limit=10min",
        ],
    ],
    ids=["round-the-clock", "overtime-limit"],
)
def test_travel_hours_are_the_travel_of_the_jobs_begun(overrides):
    """A job's travel and work are one wait (`Staff._do`), its hours split when accounted: each
    member's travel hours are, over the executions they began, the travel (30 min) or the part
    of it done before the job ended, was handed back or the horizon came."""
    scenario = sim.load_scenario(MMC, ["categories.service.travel=30min", *overrides])
    res = sim.run(scenario, seed=7, days=3.03)
    jobs = res.jobs[res.jobs["outcome"] != "waiting"]
    ended = jobs["finished_h"].fillna(res.summary["horizon_h"])
    travel = np.minimum(0.5, ended - jobs["started_h"])
    expected = travel.groupby(jobs["staff_id"].astype(str)).sum()
    workers = res.workers.set_index("staff_id")["travel_h"]
    workers.index = workers.index.astype(str)
    assert expected.sum() > 10
    if overrides:  # some handed back on the way, some at work
        handed_back = jobs[jobs["outcome"] == "handed_back"]
        on_the_way = handed_back["finished_h"] - handed_back["started_h"] < 0.5
        assert on_the_way.any() and not on_the_way.all()
    np.testing.assert_allclose(workers.reindex(expected.index), expected, rtol=0, atol=1e-9)
