"""The KPIs of a run (summary.json), computed from its tables."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.agents.staff import ACTIVITIES, JOB_ACTIVITIES
from sim.config.schema import CLOSED_LOOP_KINDS, TIERS

QUANTILES = {"p50": 0.5, "p90": 0.9, "p99": 0.99}


def _stats(values: pd.Series) -> dict[str, float | None]:
    values = values.dropna()
    if values.empty:
        return {"mean": None, **dict.fromkeys(QUANTILES)}
    out = {"mean": float(values.mean())}
    out.update({k: float(values.quantile(q)) for k, q in QUANTILES.items()})
    return out


def _peak(created: np.ndarray, closed: np.ndarray) -> int:
    """Largest number of cases open at once (exact, from the case log)."""
    times = np.concatenate([created, closed[~np.isnan(closed)]])
    change = np.concatenate([np.ones(len(created)), -np.ones(int((~np.isnan(closed)).sum()))])
    order = np.lexsort((change, times))  # closures before openings at equal times
    return int(np.cumsum(change[order]).max(initial=0))


def summarize(
    cases: pd.DataFrame,
    workers: pd.DataFrame,
    timeseries: pd.DataFrame,
    horizon: float,
    warmup: float,
) -> dict:
    """KPIs of DESIGN.md §4 for the service cases (resident and patrol: the closed loop);
    admin tasks and revisits are reported on their own; worker KPIs overall and per role; case
    and worker KPIs per grid-difficulty band."""
    service = cases[cases["kind"].isin(CLOSED_LOOP_KINDS)]
    counted = service[service["created_h"] >= warmup]
    summary = {"horizon_h": horizon, "warmup_h": warmup}
    summary.update(_case_kpis(counted, service, horizon))
    summary["backlog_peak"] = _peak(service["created_h"].to_numpy(), service["closed_h"].to_numpy())
    summary["escalated_share"] = {
        tier: float((counted["tier_reached"].cat.codes >= TIERS.index(tier)).mean())
        if len(counted)
        else 0.0
        for tier in TIERS[1:]
    }
    summary["by_source"] = _counts(counted["source"])
    summary["found_by"] = _counts(counted["found_by"])
    summary.update(_worker_kpis(workers))
    summary["cost_per_closed_case_yuan"] = (
        summary["cost_yuan"] / summary["cases_closed"] if summary["cases_closed"] else None
    )
    summary["admin_tasks"] = _task_counts(cases[cases["kind"] == "admin"])
    revisits = cases[cases["kind"] == "revisit"]
    summary["revisits"] = _task_counts(revisits)
    summary["revisit_coverage"] = _coverage(revisits, horizon)
    summary["by_role"] = {
        str(role): _worker_kpis(group) for role, group in workers.groupby("role", sort=True)
    }
    summary["by_difficulty_band"] = {
        str(band): {
            **_case_kpis(
                counted[counted["difficulty_band"] == band],
                service[service["difficulty_band"] == band],
                horizon,
            ),
            "revisit_coverage": _coverage(revisits[revisits["difficulty_band"] == band], horizon),
            **_worker_kpis(workers[workers["difficulty_band"] == band]),
        }
        for band in cases["difficulty_band"].cat.categories
    }
    warnings = cases[cases["source"] == "monitoring"]
    if len(warnings):  # red/yellow/green monitoring: warnings raised and cleared (动态清零)
        summary["monitoring"] = {
            str(category): {
                "raised": len(group),
                "cleared": int((group["status"] == "closed").sum()),
                "open": int((group["status"] == "open").sum()),
                "time_to_clear_h": _stats(group["time_to_close_h"]),
            }
            for category, group in warnings.groupby("category", observed=True)
        }
    summary["checks"] = checks(cases, timeseries, horizon)
    return summary


def _case_kpis(counted: pd.DataFrame, service: pd.DataFrame, horizon: float) -> dict:
    """Case KPIs for cases created after the warm-up (`counted`); the backlog over all."""
    closed = counted["status"] == "closed"
    # on time: the result reported back (结果反馈) by the deadline — for work outside the loop,
    # closed by it; counted once due or done
    done = counted["feedback_h"].fillna(counted["closed_h"])
    due = counted[(counted["deadline_h"] <= horizon) | done.notna()]
    on_time = float((done[due.index] <= due["deadline_h"]).mean()) if len(due) else None
    untouched = service[(service["status"] == "open") & service["accepted_h"].isna()]
    return {
        "cases_created": len(counted),
        "cases_closed": int(closed.sum()),
        "backlog_end": int((service["status"] == "open").sum()),
        "unhandled": len(untouched),
        "first_response_h": _stats(counted["first_response_h"]),
        "time_to_close_h": _stats(counted["time_to_close_h"]),
        "on_time_rate": on_time,
    }


def _coverage(revisits: pd.DataFrame, horizon: float) -> float | None:
    """Share of revisits due by the horizon in which the household was reached in time."""
    due = revisits[revisits["deadline_h"] <= horizon]
    return float((due["closed_h"] <= due["deadline_h"]).mean()) if len(due) else None


def _counts(values: pd.Series) -> dict[str, int]:
    return {str(k): int(v) for k, v in values.value_counts().items() if v}


def _task_counts(tasks: pd.DataFrame) -> dict[str, int]:
    status = tasks["status"].value_counts()
    return {
        "created": len(tasks),
        "closed": int(status.get("closed", 0)),
        "unreached": int(status.get("unreached", 0)),
        "open": int(status.get("open", 0)),
    }


def _worker_kpis(workers: pd.DataFrame) -> dict:
    """Utilisation per role, admin and field shares, overtime and cost of a set of staff."""
    on_duty = workers[[f"{a}_h" for a in ACTIVITIES if a != "off"]].sum(axis=1)
    busy = workers[[f"{a}_h" for a in JOB_ACTIVITIES]].sum(axis=1)
    grouped = (
        pd.DataFrame({"busy": busy, "on": on_duty, "role": workers["role"]})
        .groupby("role", sort=True)[["busy", "on"]]
        .sum()
    )
    grid_side = workers["kind"] != "department"
    on = float(on_duty[grid_side].sum())
    return {
        "members": len(workers),
        "utilization": {
            str(role): float(r.busy / r.on) if r.on > 0 else None for role, r in grouped.iterrows()
        },
        "admin_share": float(workers.loc[grid_side, "admin_h"].sum() / on) if on else None,
        "field_share": float(workers.loc[grid_side, "field_h"].sum() / on) if on else None,
        "hours": {f"{a}": float(workers[f"{a}_h"].sum()) for a in ACTIVITIES},
        "overtime_hours": float(workers["overtime_h"].sum()),
        "tired_errors": int(workers["errors"].sum()),
        "cost_yuan": float(workers["cost_yuan"].sum()),
    }


def checks(cases: pd.DataFrame, timeseries: pd.DataFrame, horizon: float) -> dict:
    """Invariants of every run. Conservation, exact: every case or task is closed, given up
    (unreached revisits) or open, and the run-time counters agree with the case log on the
    closed loop (arrivals = cases created, completions = cases closed, the last tick's backlog =
    cases open). Little's law over the closed-loop cases, whose open count the time series
    records: L, their time-average number open measured by the run-time counters, equals
    λW + L_open exactly, where λ = closures per hour, W = mean time in system of closed cases
    and L_open = the open cases' time in system up to the horizon, divided by the horizon (the
    edge term, small when few cases are open at the end)."""
    finished = cases["status"].isin(["closed", "unreached"])
    still_open = cases["status"] == "open"
    loop = cases[cases["kind"].isin(CLOSED_LOOP_KINDS)]
    loop_closed = loop["status"] == "closed"
    n_closed = int(loop_closed.sum())
    rows = timeseries[timeseries["backlog_mean"].notna()] if len(timeseries) else timeseries
    if len(rows):
        ticks = rows.groupby("t_h")[["arrivals", "completions", "backlog", "backlog_mean"]].sum()
        counters = (
            int(ticks["arrivals"].sum()),
            int(ticks["completions"].sum()),
            int(ticks["backlog"].iloc[-1]),
        )
    else:
        ticks, counters = pd.DataFrame({"backlog_mean": []}), (0, 0, 0)
    durations = np.diff(np.concatenate([[0.0], ticks.index.to_numpy()]))
    return {
        "conservation": bool((finished | still_open).all())
        and counters == (len(loop), n_closed, len(loop) - n_closed),
        "created": len(cases),
        "closed": int(finished.sum()),
        "open": int(still_open.sum()),
        "little_L": float((ticks["backlog_mean"].to_numpy() * durations).sum() / horizon)
        if horizon
        else None,
        "little_lambda": n_closed / horizon if horizon else None,
        "little_W": float(loop.loc[loop_closed, "time_to_close_h"].mean()) if n_closed else None,
        "little_open_L": float((horizon - loop.loc[~loop_closed, "created_h"]).sum() / horizon)
        if horizon
        else None,
    }
