"""The KPIs of a run (summary.json), computed from its tables.

Headline KPIs count the closed loop (八步闭环): residents' requests and the issues patrols find,
created after the warm-up (`backlog_end` and `backlog_peak` count every closed-loop case open).
Times to close and to first response are summarised over the cases that reached that point
(mean and quantiles of closed cases) and, since the cases still open at the horizon are
right-censored, by Kaplan–Meier quantiles that count them too (`km_p50`, `km_p90`) with the share
still open. Each other kind of work — an incident's tasks, top-down forms, revisits, monitoring
warnings — is a block of its own under `tasks`. The jobs table gives the time at each tier and
the wait there.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.metrics.censoring import km_summary
from sim.vocabulary import ACTIVITIES, CLOSED_LOOP_KINDS, JOB_ACTIVITIES, TASK_KINDS, TIERS

QUANTILES = {"p50": 0.5, "p90": 0.9, "p99": 0.99}
#: The columns of the cases table that the blocks of tasks (and revisit coverage) read.
TASK_COLUMNS = [
    "kind",
    "category",
    "status",
    "created_h",
    "closed_h",
    "deadline_h",
    "difficulty_band",
]


def _stats(values: pd.Series) -> dict[str, float | None]:
    """Mean and quantiles of the values that are there (NaN left out)."""
    values = values.dropna()
    if values.empty:
        return {"mean": None, **dict.fromkeys(QUANTILES)}
    out = {"mean": float(values.mean())}
    out.update({k: float(values.quantile(q)) for k, q in QUANTILES.items()})
    return out


def durations(start: pd.Series, end: pd.Series, horizon: float) -> dict:
    """Hours from `start` to `end` of a set of cases or tasks: mean and quantiles of those that
    got there (`end` not NaN), their number (`observed` of `n`), the share that had not by the
    horizon (`open_share`), and Kaplan–Meier quantiles counting those as censored at the
    horizon (`km_p50`, `km_p90`; None when the estimate never reaches the level)."""
    hours, reached = censored_hours(start, end, horizon)
    return {**_stats(hours[reached]), **km_summary(hours.to_numpy(), reached.to_numpy())}


def censored_hours(start: pd.Series, end: pd.Series, horizon: float) -> tuple[pd.Series, pd.Series]:
    """Hours from `start` to `end`, those that had not got there by the horizon (`end` NaN)
    counted to the horizon; and whether each got there (False: right-censored)."""
    reached = end.notna()
    return (end.where(reached, horizon) - start).clip(lower=0.0), reached


def _peak(created: np.ndarray, closed: np.ndarray) -> int:
    """Largest number of cases open at once (exact, from the case log)."""
    times = np.concatenate([created, closed[~np.isnan(closed)]])
    change = np.concatenate([np.ones(len(created)), -np.ones(int((~np.isnan(closed)).sum()))])
    order = np.lexsort((change, times))  # closures before openings at equal times
    return int(np.cumsum(change[order]).max(initial=0))


def summarize(
    cases: pd.DataFrame,
    jobs: pd.DataFrame,
    workers: pd.DataFrame,
    timeseries: pd.DataFrame,
    horizon: float,
    warmup: float,
) -> dict:
    """summary.json (README, "KPIs"): the closed loop's KPIs, with time at each tier and time to
    close by the highest tier reached; each task kind's block; worker KPIs overall and per
    role; case and worker KPIs per grid-difficulty band; the run's invariants."""
    loop = cases[cases["kind"].isin(CLOSED_LOOP_KINDS)]
    counted = loop[loop["created_h"] >= warmup]
    summary = {"horizon_h": horizon, "warmup_h": warmup}
    summary.update(_case_kpis(counted, loop, horizon))
    summary["backlog_peak"] = _peak(loop["created_h"].to_numpy(), loop["closed_h"].to_numpy())
    summary["escalated_share"] = {
        tier: float((counted["tier_reached"].cat.codes >= TIERS.index(tier)).mean())
        if len(counted)
        else 0.0
        for tier in TIERS[1:]
    }
    summary["time_to_close_by_tier_h"] = {
        str(tier): durations(group["created_h"], group["closed_h"], horizon)
        for tier, group in counted.groupby("tier_reached", observed=True)
    }
    if len(jobs):
        summary["tiers"] = _tiers(jobs[jobs["case_id"].isin(counted["case_id"])])
    summary["by_source"] = _counts(counted["source"])
    summary["found_by"] = _counts(counted["found_by"])
    summary.update(_worker_kpis(workers))
    summary["cost_per_closed_case_yuan"] = (
        summary["cost_yuan"] / summary["cases_closed"] if summary["cases_closed"] else None
    )
    after_warmup = (cases["created_h"] >= warmup).to_numpy()

    def tasks_of(kind: str) -> pd.DataFrame:
        """The tasks of one kind created after the warm-up, the columns the blocks read (one
        kind at a time, narrow: a city has millions)."""
        return cases.loc[after_warmup & (cases["kind"] == kind).to_numpy(), TASK_COLUMNS]

    summary["tasks"] = {  # every task kind the scenario has categories of, even if none came
        kind: _task_block(tasks_of(kind), horizon)
        for kind in TASK_KINDS
        if kind in cases["kind"].cat.categories
    }
    revisits = tasks_of("revisit")
    summary["revisit_coverage"] = _coverage(revisits, horizon)
    summary["by_role"] = {
        str(role): _worker_kpis(group) for role, group in workers.groupby("role", sort=True)
    }
    summary["by_difficulty_band"] = {
        str(band): {
            **_case_kpis(
                counted[counted["difficulty_band"] == band],
                loop[loop["difficulty_band"] == band],
                horizon,
            ),
            "revisit_coverage": _coverage(revisits[revisits["difficulty_band"] == band], horizon),
            **_worker_kpis(workers[workers["difficulty_band"] == band]),
        }
        for band in cases["difficulty_band"].cat.categories
    }
    summary["checks"] = checks(cases, timeseries, horizon)
    return summary


def _case_kpis(counted: pd.DataFrame, loop: pd.DataFrame, horizon: float) -> dict:
    """Closed-loop KPIs of the cases created after the warm-up (`counted`); the backlog and the
    cases nobody has started over all closed-loop cases (`loop`)."""
    closed = counted["status"] == "closed"
    # on time: the result reported back (结果反馈) by the deadline, counted once due or done
    done = counted["feedback_h"].fillna(counted["closed_h"])
    due = counted[(counted["deadline_h"] <= horizon) | done.notna()]
    on_time = float((done[due.index] <= due["deadline_h"]).mean()) if len(due) else None
    untouched = loop[(loop["status"] == "open") & loop["accepted_h"].isna()]
    return {
        "cases_created": len(counted),
        "cases_closed": int(closed.sum()),
        "backlog_end": int((loop["status"] == "open").sum()),
        "unhandled": len(untouched),
        "first_response_h": durations(counted["created_h"], counted["accepted_h"], horizon),
        "time_to_close_h": durations(counted["created_h"], counted["closed_h"], horizon),
        "on_time_rate": on_time,
    }


def _tiers(jobs: pd.DataFrame) -> dict:
    """Per tier (and for the feedback call): jobs done there, cases that had work there, the
    wait of each job before someone took it, jobs still waiting at the horizon, and each
    case's time there (first queued to last finished, over the cases that finished there)."""
    feedback = jobs["purpose"] == "feedback"
    groups = {str(t): jobs[(jobs["tier"] == t) & ~feedback] for t in TIERS}
    groups["feedback"] = jobs[feedback]
    out = {}
    for name, rows in groups.items():
        if rows.empty:
            continue
        per_case = (
            rows.assign(unfinished=rows["finished_h"].isna())
            .groupby("case_id")
            .agg(
                first=("queued_h", "min"),
                last=("finished_h", "max"),
                unfinished=("unfinished", "any"),
            )
        )
        spans = (per_case["last"] - per_case["first"])[~per_case["unfinished"]]
        out[name] = {
            "jobs": len(rows),
            "cases": len(per_case),
            "wait_h": _stats(rows["wait_h"]),
            "waiting_end": int((rows["outcome"] == "waiting").sum()),
            "time_h": _stats(spans),
        }
    return out


def _task_block(tasks: pd.DataFrame, horizon: float) -> dict:
    """One kind of task (created after the warm-up): how many were created, done, given up
    (revisits: household unreached), lapsed (duty posts nobody was at when their shift ended)
    and open at the end; of those due by the horizon (or finished), how many were done by their
    deadline, late, or unmet (not done by the deadline: late, given up, lapsed or still open);
    time to done; and counts by category. Computed on arrays: an epidemic brings millions of
    tasks."""
    status = tasks["status"]
    done = (status == "closed").to_numpy()
    unreached = (status == "unreached").to_numpy()
    lapsed = (status == "lapsed").to_numpy()
    still_open = (status == "open").to_numpy()
    closed_h, deadline_h = tasks["closed_h"].to_numpy(), tasks["deadline_h"].to_numpy()
    due = (deadline_h <= horizon) | ~np.isnan(closed_h)
    on_time = done & (closed_h <= deadline_h)
    unmet = due & ~on_time
    n_due = int(due.sum())
    reachable = ~(unreached | lapsed)
    categories = tasks["category"].cat
    codes, n_categories = categories.codes.to_numpy(), len(categories.categories)

    def per_category(flags: np.ndarray | None = None) -> np.ndarray:
        return np.bincount(codes, weights=flags, minlength=n_categories).astype(int)

    created = per_category()
    counts = {"done": per_category(done), "open": per_category(still_open)}
    counts["unmet"] = per_category(unmet)
    return {
        "created": len(tasks),
        "done": int(done.sum()),
        "unreached": int(unreached.sum()),
        "lapsed": int(lapsed.sum()),
        "open": int(still_open.sum()),
        "due": n_due,
        "on_time": int(on_time.sum()),
        "late": int((done & ~on_time).sum()),
        "unmet": int(unmet.sum()),
        "on_time_rate": float(on_time.sum() / n_due) if n_due else None,
        "unmet_share": float(unmet.sum() / n_due) if n_due else None,
        "time_to_done_h": durations(
            pd.Series(tasks["created_h"].to_numpy()[reachable], copy=False),
            pd.Series(closed_h[reachable], copy=False),
            horizon,
        ),
        "by_category": {
            str(category): {"created": int(created[code])}
            | {name: int(values[code]) for name, values in counts.items()}
            for code, category in enumerate(categories.categories)
            if created[code]
        },
    }


def _coverage(revisits: pd.DataFrame, horizon: float) -> float | None:
    """Share of revisits due by the horizon in which the household was reached in time."""
    due = revisits[revisits["deadline_h"] <= horizon]
    return float((due["closed_h"] <= due["deadline_h"]).mean()) if len(due) else None


def _counts(values: pd.Series) -> dict[str, int]:
    return {str(k): int(v) for k, v in values.value_counts().items() if v}


def _worker_kpis(workers: pd.DataFrame) -> dict:
    """Utilisation per role, admin, field and meeting shares, overtime and cost of a set of
    staff."""
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
        "meeting_share": float(workers.loc[grid_side, "meetings_h"].sum() / on) if on else None,
        "hours": {f"{a}": float(workers[f"{a}_h"].sum()) for a in ACTIVITIES},
        "overtime_hours": float(workers["overtime_h"].sum()),
        "tired_errors": int(workers["errors"].sum()),
        "cost_yuan": float(workers["cost_yuan"].sum()),
    }


def checks(cases: pd.DataFrame, timeseries: pd.DataFrame, horizon: float) -> dict:
    """Invariants of every run. Conservation, exact: every case or task is closed, given up
    (unreached revisits), lapsed (duty posts nobody was at when their shift ended) or open, and
    the run-time counters agree with the case log on the closed loop (arrivals = cases created,
    completions = cases closed, the last tick's backlog = cases open). Little's law over the
    closed-loop cases, whose open count the time series records: L, their time-average number
    open measured by the run-time counters, equals λW + L_open exactly, where λ = closures per
    hour, W = mean time in system of closed cases and L_open = the open cases' time in system up
    to the horizon, divided by the horizon (the edge term, small when few cases are open at the
    end)."""
    finished = cases["status"].isin(["closed", "unreached", "lapsed"])
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
