"""How well a surge was absorbed (平战结合): hours in each mode, and per
incident the peak backlog, the time to absorb it (back under the highest backlog of the day
before onset), the time to get peacetime service back, the
screening's completion and coverage, and needs of elderly or vulnerable households left unmet.
Mobilised staff and their cost come from the workers table."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.scenario import Scenario
from sim.vocabulary import CLOSED_LOOP_KINDS

#: Service is back when the day's mean first response is within this factor of the day before.
RECOVERED = 1.1


def emergency_kpis(
    scenario: Scenario,
    cases: pd.DataFrame,
    timeseries: pd.DataFrame,
    workers: pd.DataFrame,
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
            for name, incident in scenario.incidents.items()
        },
    }


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
    for i, task in enumerate(incident.tasks):
        rows = cases[(cases["source"] == "incident") & (cases["category"] == task.category)]
        key = f"task_{i}_{task.category}"
        if task.every_household is not None:
            out[key] = {
                "tasks": len(rows),
                "completed_h": float(rows["closed_h"].max() - onset)
                if len(rows) and rows["closed_h"].notna().all()
                else None,
                "coverage": float((rows["closed_h"] <= rows["deadline_h"]).mean())
                if len(rows)
                else None,
            }
        else:
            due = rows[rows["deadline_h"] <= horizon]
            unmet = due[~(due["closed_h"] <= due["deadline_h"])]
            out[key] = {
                "tasks": len(rows),
                "due": len(due),
                "unmet": len(unmet),
                "unmet_share": len(unmet) / len(due) if len(due) else None,
            }
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
