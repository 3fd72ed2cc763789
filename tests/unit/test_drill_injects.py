"""Each inject's effect, measured on the run: a desk's outage blocks every call that arrives
during it; an ill member starts no job while ill; a department cut off starts no job; a rumour
multiplies the area's requests (within 3 standard errors over replications) and leaves every
other arrival as it was; a new incident brings its tasks at the time it is fired."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from sim.drill import DrillSession
from sim.work.channels import CALL_FIELDS, CALL_OUTCOMES
from sim.work.sources.base import SEQ_BLOCK

from drill_parts import drill

QUIET = {"injects": {"leak": {"at": None}, "line_down": {"at": None}}}


def played(
    changes: dict,
    fire: list[tuple[float, str]],
    seed: int = 3,
    scenario: dict | None = None,
    without: tuple = (),
):
    """A session of the test drill with `changes` (the injects `without` left out) on the test
    scenario with `scenario` changes, the listed injects `fire` fired by hand at their times;
    returns the finished session and its result."""
    session = DrillSession(drill(changes, scenario, without), seed)
    for at, name in fire:
        session.advance(at)
        session.inject(name)
    return session, session.finish()


def test_an_outage_blocks_every_call_during_it() -> None:
    session, _ = played({}, [])  # line_down: 12 h for 3 h
    desk = session.model.channels.desks[0]
    calls = pd.DataFrame(
        np.frombuffer(desk.calls, dtype=float).reshape(-1, len(CALL_FIELDS)), columns=CALL_FIELDS
    )
    closed = float(CALL_OUTCOMES.index("closed"))
    during = calls[(calls.arrived_h >= 12) & (calls.arrived_h < 15)]
    outside = calls[(calls.arrived_h < 12) | (calls.arrived_h >= 15)]
    assert len(during) > 5 and (during.outcome == closed).all()
    assert (outside.outcome != closed).all() and len(outside) > 50


def test_an_ill_member_starts_no_job_while_ill() -> None:
    """And the 8 hours are off duty, not scheduled."""
    session, result = played(QUIET, [(14.0, "ill")])  # c-g02's grid worker, 8 h
    ill = next(e for e in session.log if e.name == "ill").detail.split()[0]
    assert ill.startswith("c-g02-grid_worker")
    jobs = result.jobs[result.jobs.staff_id == ill]
    started = jobs.started_h
    assert not ((started >= 14) & (started < 22)).any()
    assert (started < 14).any() and (started >= 22).any()
    member = result.workers.set_index("staff_id").loc[ill]  # on duty round the clock but 8 h
    assert (member.scheduled_h, member.off_h) == (40.0, 8.0)


def test_a_department_cut_off_starts_no_job() -> None:
    _, result = played(QUIET, [(14.0, "office_down")])  # the street office, 5 h
    jobs = result.jobs[result.jobs.station.astype(str).str.startswith("street_office")]
    started, queued = jobs.started_h, jobs.queued_h
    assert not ((started >= 14) & (started < 19)).any()
    assert ((queued >= 14) & (queued < 19) & (started >= 19)).sum() > 0  # they waited
    assert (started < 14).any()


def test_a_rumour_multiplies_requests_in_its_area_and_window() -> None:
    """Rate 0.01 per household an hour, 50 households in c-g03, ×4 for 6 h from 12 h: 3 × 3 = 9
    extra requests expected, from the inject's own streams; calm arrivals unchanged."""
    no_channels = {"channels": None}
    quiet = {"injects": {"leak": {"at": None}}}
    extra = []
    for seed in range(20):
        _, result = played(quiet, [(12.0, "rumour")], seed, no_channels, ("line_down",))
        cases = result.cases[result.cases.source == "resident"]
        surge = cases[cases.source_seq >= 2 << SEQ_BLOCK]
        assert (surge.grid.astype(str) == "c-g03").all()
        assert surge.created_h.between(12, 18, inclusive="left").all()
        extra.append(len(surge))
        if seed == 0:
            calm = cases[cases.source_seq < 1 << SEQ_BLOCK]
            plain = played(quiet, [], seed, no_channels, ("line_down",))[1].cases
            plain = plain[plain.source == "resident"]
            assert np.array_equal(calm.created_h.to_numpy(), plain.created_h.to_numpy())
    expected = 3 * 0.01 * 50 * 6
    se = np.std(extra, ddof=1) / np.sqrt(len(extra))
    assert abs(np.mean(extra) - expected) <= stats.t.ppf(0.99865, len(extra) - 1) * se


def test_a_new_incident_brings_its_tasks_when_fired() -> None:
    """The scenario has no incident: the leak, fired by hand at 20.5 h, checks c-g01's 50
    households from then, through the incident source started for it."""
    _, result = played(QUIET, [(20.5, "leak")])
    checks = result.cases[result.cases.category == "check"]
    assert len(checks) == 50 and (checks.created_h == 20.5).all()
    assert (checks.grid.astype(str) == "c-g01").all()
    assert (checks.status == "closed").all()
    assert result.summary["tasks"]["incident"]["created"] == 50


def test_an_incident_surges_requests_in_its_area_only() -> None:
    surge = {"injects": {"leak": {"incident": {"demand": {"resident": 11.0}}}}}
    _, result = played(surge, [], 5, {"channels": None}, ("line_down",))
    cases = result.cases[(result.cases.source == "resident")]
    extra = cases[cases.source_seq >= 2 << SEQ_BLOCK]
    assert len(extra) > 5  # ≈ 10 × 0.01 × 50 × 4 = 20 expected
    assert (extra.grid.astype(str) == "c-g01").all()
    assert extra.created_h.between(20, 24, inclusive="left").all()
