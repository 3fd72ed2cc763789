"""How well a surge was absorbed (平战结合): hours in each mode, and per
incident the peak backlog, the time to absorb it (back under the highest backlog of the day
before onset), the time to get peacetime service back, the
screening's completion and coverage, needs of elderly or vulnerable households left unmet, and
the share of duty posts' hours staffed;
from the event log, its first hours (detected, assessed, reported, first response, the report
reaching each tier) and how fast each of its plans switched over (伸缩时效快, docs/sources.md
A92). Mobilised staff and their cost come from the workers table."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.config.incidents import Incident
from sim.emergency.actions import Mobilise
from sim.emergency.operations import PEACETIME
from sim.emergency.response import DONE, REACHED, REDONE
from sim.emergency.triggers import IncidentStarts
from sim.scenario import Scenario
from sim.vocabulary import CLOSED_LOOP_KINDS, TIERS

#: Service is back when the day's mean first response is within this factor of the day before.
RECOVERED = 1.1


def emergency_kpis(
    scenario: Scenario,
    cases: pd.DataFrame,
    timeseries: pd.DataFrame,
    workers: pd.DataFrame,
    events: pd.DataFrame,
    jobs: pd.DataFrame,
    horizon: float,
) -> dict:
    """The emergency section of summary.json."""
    ticks = timeseries.groupby("t_h", sort=True)
    modes = ticks["mode"].first()
    lengths = np.diff(np.concatenate([[0.0], modes.index.to_numpy()]))
    hours_in_mode = pd.Series(lengths, index=modes.index).groupby(modes.to_numpy()).sum()
    backlog = ticks["backlog"].sum()  # closed-loop cases open at the end of each tick
    standby = [name for name, team in scenario.teams.items() if team.standby]
    mobilised = workers[workers["role"].isin(standby)]
    return {
        "hours_in_mode": {str(k): float(v) for k, v in hours_in_mode.items()},
        "mobilised_hours": float(mobilised["scheduled_h"].sum()),
        "mobilisation_cost_yuan": float(mobilised["cost_yuan"].sum()),
        "standby_teams": {  # the shortfall: members who dropped out, shifts missed
            team: {
                "members": int((mobilised["role"] == team).sum()),
                "left": int(mobilised.loc[mobilised["role"] == team, "left_h"].notna().sum()),
                "shifts_missed": int(
                    mobilised.loc[mobilised["role"] == team, "shifts_missed"].sum()
                ),
            }
            for team in standby
        },
        "incidents": {
            name: _incident(incident, scenario, cases, backlog, horizon)
            | _first_hours(name, incident, events)
            | {"switch_over": _switch_over(name, incident, scenario, events, workers, jobs)}
            for name, incident in scenario.incidents.items()
        },
    }


def _first_hours(name: str, incident: Incident, events: pd.DataFrame) -> dict:
    """Hours from onset to each milestone of the incident's response (null: not by the
    horizon), and the steps that were wrong and redone; nothing without a response."""
    if incident.response is None:
        return {}
    rows = events[events["plan"] == name]

    def since_onset(event: str, detail: str | None = None) -> float | None:
        hit = rows[(rows["event"] == event) & ((rows["detail"] == detail) if detail else True)]
        return float(hit["t_h"].iloc[0] - incident.onset) if len(hit) else None

    done = rows[rows["event"].isin(DONE.values())]
    redone = done.loc[done["detail"].str.endswith(REDONE), "event"]
    return {
        "first_hours": {
            **{f"{event}_h": since_onset(event) for event in DONE.values()},
            "reached_h": {tier: since_onset(REACHED, tier) for tier in TIERS[1:]},
            "redone": [step for step, event in DONE.items() if event in set(redone)],
        }
    }


def _switch_over(
    name: str,
    incident: Incident,
    scenario: Scenario,
    events: pd.DataFrame,
    workers: pd.DataFrame,
    jobs: pd.DataFrame,
) -> dict:
    """Per plan that the incident sets off (an `incident` trigger naming it): hours from onset
    until the plan fired, until it switched the mode, and until a member of a team it mobilises
    started a job (null: not by the horizon, or the plan does no such thing)."""
    out = {}
    for plan_name, plan in scenario.plans.items():
        if not any(isinstance(t, IncidentStarts) and t.incident == name for t in plan.triggers):
            continue
        rows = events[(events["plan"] == plan_name) & (events["t_h"] >= incident.onset)]
        fired = rows.loc[rows["event"] == "fired", "t_h"]
        if not len(fired):
            out[plan_name] = dict.fromkeys(("fired_h", "mode_h", "first_mobilised_job_h"))
            continue
        at = float(fired.iloc[0])
        later = rows[rows["t_h"] >= at]
        mode = later.loc[
            (later["event"] == "mode") & ~later["detail"].isin([PEACETIME, "recovery"]), "t_h"
        ]
        teams = {action.mobilise for action in plan.actions if isinstance(action, Mobilise)}
        staff = workers.loc[workers["role"].isin(teams), "staff_id"]
        started = jobs.loc[jobs["staff_id"].isin(staff) & (jobs["started_h"] >= at), "started_h"]
        out[plan_name] = {
            "fired_h": at - incident.onset,
            "mode_h": float(mode.iloc[0]) - incident.onset if len(mode) else None,
            "first_mobilised_job_h": float(started.min()) - incident.onset
            if len(started)
            else None,
        }
    return out


def _incident(
    incident, scenario: Scenario, cases: pd.DataFrame, backlog: pd.Series, horizon: float
) -> dict:
    onset, end = incident.onset, min(incident.onset + incident.duration, horizon)
    before = backlog[(backlog.index > onset - 24) & (backlog.index <= onset)]
    baseline = float(before.max()) if len(before) else 0.0  # the day's own ups and downs
    during = backlog[backlog.index > onset]
    peak_at = float(during.idxmax()) if len(during) else None
    absorbed = during[(during.index >= (peak_at or onset)) & (during <= baseline)]
    out = {
        "onset_h": onset,
        "backlog_before_max": baseline,
        "backlog_peak": float(during.max()) if len(during) else None,
        "time_to_absorb_h": float(absorbed.index[0] - onset) if len(absorbed) else None,
        "time_to_recover_h": _recovery(cases, onset, end, horizon),
    }
    closed, deadline = cases["closed_h"].to_numpy(), cases["deadline_h"].to_numpy()
    done = (cases["status"] == "closed").to_numpy()
    incident_task = (cases["source"] == "incident").to_numpy()
    for i, task in enumerate(incident.tasks):
        mine = np.flatnonzero(incident_task & (cases["category"] == task.category).to_numpy())
        key = f"task_{i}_{task.category}"
        if task.every_household is not None:
            out[key] = {
                "tasks": len(mine),
                "completed_h": float(closed[mine].max() - onset)
                if len(mine) and not np.isnan(closed[mine]).any()
                else None,
                "coverage": float((closed[mine] <= deadline[mine]).mean()) if len(mine) else None,
            }
            continue
        due = mine[deadline[mine] <= horizon]
        met = done[due] & (closed[due] <= deadline[due])
        out[key] = {
            "tasks": len(mine),
            "due": len(due),
            "unmet": int((~met).sum()),
            "unmet_share": float((~met).mean()) if len(due) else None,
        }
        if task.posts_per_community is not None:  # hours someone was at the post
            staffed = cases["staffed_h"].to_numpy()[due]
            shifts = deadline[due] - cases["created_h"].to_numpy()[due]
            out[key]["hours_staffed_share"] = (
                float(staffed.sum() / shifts.sum()) if len(due) else None
            )
    return out


def _recovery(cases: pd.DataFrame, onset: float, end: float, horizon: float) -> float | None:
    """Hours from onset until, after the incident ends, a day's cases are first seen as fast
    as on the day before onset (mean first response within RECOVERED of it)."""
    service = cases[cases["kind"].isin(CLOSED_LOOP_KINDS)]
    day = np.floor(service["created_h"] / 24.0)
    daily = service.groupby(day)["first_response_h"].mean()
    before = daily.get(np.floor(onset / 24.0) - 1)
    if before is None or np.isnan(before):
        return None
    after = daily[(daily.index * 24.0 >= end) & (daily.index * 24.0 + 24.0 <= horizon)]
    back = after[after <= RECOVERED * max(before, 1e-9)]
    return float(back.index[0] * 24.0 - onset) if len(back) else None
