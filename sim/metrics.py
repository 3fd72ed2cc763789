"""What a run records and the KPIs computed from it.

During the run: counters per time-series unit, updated as cases open and close (including the
exact area under the backlog curve, so time-average backlog is measured independently of the
case log), and one state per member of staff. After the run: the cases, time-series and workers
tables (DESIGN.md §4) and the summary KPIs.
"""

from __future__ import annotations

from array import array
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sim.agents.staff import ACTIVITIES, BUSY, IDLE, OFF
from sim.config.schema import TIERS
from sim.work.case import LOOP_STEPS, RECORD_FIELDS, SOURCES, STATUSES, Case
from sim.world import BANDS

if TYPE_CHECKING:
    from sim.model import GridModel

QUANTILES = {"p50": 0.5, "p90": 0.9, "p99": 0.99}


class Metrics:
    """Run-time counters of one model."""

    def __init__(
        self, unit_of_grid: np.ndarray, n_units: int, n_categories: int, n_staff: int
    ) -> None:
        self.unit_of_grid = unit_of_grid.tolist()
        self.records = array("d")  # closed cases, one flat row of numbers after another
        self.open: dict[int, Case] = {}
        self.staff_state = np.full(n_staff, OFF, dtype=np.int8)
        self.arrivals = [0] * n_units
        self.completions = [0] * n_units
        self.backlog = [0] * n_units
        self.area = [0.0] * n_units
        self.last = [0.0] * n_units
        self.by_category = [[0] * n_categories for _ in range(n_units)]
        self.rows: list[dict[str, np.ndarray]] = []
        self._previous = np.zeros((3, n_units))

    def opened(self, case: Case) -> None:
        """Count a new case."""
        unit = self.unit_of_grid[case.grid]
        now = case.created
        self.area[unit] += self.backlog[unit] * (now - self.last[unit])
        self.last[unit] = now
        self.backlog[unit] += 1
        self.arrivals[unit] += 1
        self.by_category[unit][case.category] += 1
        self.open[case.id] = case

    def closed(self, case: Case) -> None:
        """Count a closed case."""
        unit = self.unit_of_grid[case.grid]
        now = case.steps[-1]
        self.area[unit] += self.backlog[unit] * (now - self.last[unit])
        self.last[unit] = now
        self.backlog[unit] -= 1
        self.completions[unit] += 1
        self.by_category[unit][case.category] -= 1
        self.records.extend(case.record())
        del self.open[case.id]
        case.stages.clear()  # break case ↔ job references so memory is freed at once

    def open_in(self, categories: list[int]) -> int:
        """Cases of these categories open now, over all units."""
        return sum(row[c] for row in self.by_category for c in categories)

    def snapshot(
        self, now: float, tick: float, staff_unit: np.ndarray, n_staff_units: int, mode: str
    ) -> None:
        """Record the tick ending at `now`: per unit, arrivals, completions, backlog at the end,
        time-average backlog, backlog by category; per staff unit, staff busy/idle/off."""
        for unit, last in enumerate(self.last):
            self.area[unit] += self.backlog[unit] * (now - last)
            self.last[unit] = now
        totals = np.array([self.arrivals, self.completions, self.area], dtype=float)
        flows = totals - self._previous
        self._previous = totals
        cases = np.column_stack(
            [
                flows[0],
                flows[1],
                self.backlog,
                flows[2] / tick,
                np.array(self.by_category, dtype=float),
            ]
        )
        staff = np.bincount(staff_unit * 3 + self.staff_state, minlength=3 * n_staff_units)
        self.rows.append((now, mode, cases, staff.reshape(-1, 3)))


def cases_table(model: GridModel) -> pd.DataFrame:
    """One row per case or task, in creation order (DESIGN.md §4)."""
    metrics, world, plans = model.metrics, model.world, model.plans
    width = len(RECORD_FIELDS)
    still_open = np.array([case.record() for case in metrics.open.values()], dtype=float)
    table = np.concatenate(
        [
            np.frombuffer(metrics.records, dtype=float).reshape(-1, width),
            still_open.reshape(-1, width),
        ]
    )
    table = table[np.argsort(table[:, 0], kind="stable")]

    def column(name: str, dtype: type) -> np.ndarray:
        return table[:, RECORD_FIELDS.index(name)].astype(dtype)

    def coded(codes: np.ndarray, labels: list[str]) -> pd.Categorical:
        return pd.Categorical.from_codes(codes, categories=labels)

    grids, category = column("grid", np.int64), column("category", np.int64)
    community = np.array([g.community for g in world.grids], dtype=np.int64)[grids]
    street = np.array([g.street for g in world.grids], dtype=np.int64)[grids]
    kinds = sorted({p.kind for p in plans})
    staff = sorted((s for s, _ in model.staff_records()), key=lambda s: s.index)
    handler = column("handler", np.int64)
    roles = sorted({s.role for s in staff})
    role_code = np.array([roles.index(s.role) for s in staff] + [-1])
    frame = pd.DataFrame(
        {
            "case_id": column("case_id", np.int64),
            "source": coded(column("source", np.int64), list(SOURCES)),
            "found_by": coded(column("found_by", np.int64), list(SOURCES)),
            "source_seq": column("source_seq", np.int64),
            "category": coded(category, [p.name for p in plans]),
            "kind": coded(np.array([kinds.index(p.kind) for p in plans])[category], kinds),
            "grid": coded(grids, world.unit_ids("grid")),
            "community": coded(community, world.unit_ids("community")),
            "street": coded(street, world.unit_ids("street")),
            "difficulty_band": pd.Categorical(np.array(world.difficulty_bands())[grids], BANDS),
            "household": column("household", np.int64),
            "priority": column("priority", np.int8),
            "created_h": column("created_h", float),
            "deadline_h": column("deadline_h", float),
            "work_h": column("work_h", float),
        }
    )
    for step in LOOP_STEPS:
        frame[f"{step}_h"] = column(f"{step}_h", float)
    frame["closed_h"] = frame["archived_h"]
    frame["tier_reached"] = coded(column("tier_reached", np.int64), list(TIERS))
    frame["handler_kind"] = coded(role_code[handler], roles)
    frame["handler_id"] = coded(handler, [s.name for s in staff])
    frame["status"] = coded(column("status", np.int64), list(STATUSES))
    frame["attempts"] = column("attempts", np.int16)
    frame["first_response_h"] = frame["accepted_h"] - frame["created_h"]
    frame["time_to_close_h"] = frame["closed_h"] - frame["created_h"]
    return frame


def timeseries_table(model: GridModel) -> pd.DataFrame:
    """One row per tick and unit: arrivals, completions, backlog (at the tick's end, its time
    average, and by category), staff busy/idle/off, mode. Department units carry staff
    counts only (their case columns are NaN)."""
    rows = model.metrics.rows
    units = model.timeseries_units
    if not rows:
        return pd.DataFrame()
    n_ticks, n_units = len(rows), len(units)
    cases = np.stack([row[2] for row in rows])  # tick × case unit × column
    padded = np.full((n_ticks, n_units, cases.shape[2]), np.nan)
    padded[:, : cases.shape[1]] = cases
    padded = padded.reshape(n_ticks * n_units, -1)
    staff = np.stack([row[3] for row in rows]).reshape(n_ticks * n_units, 3)
    frame = pd.DataFrame(
        {
            "t_h": np.repeat([row[0] for row in rows], n_units),
            "unit": pd.Categorical.from_codes(np.tile(np.arange(n_units), n_ticks), units),
            "mode": pd.Categorical(np.repeat([row[1] for row in rows], n_units)),
        }
    )
    for i, key in enumerate(("arrivals", "completions", "backlog", "backlog_mean")):
        frame[key] = padded[:, i]
    for plan in model.plans:
        frame[f"backlog_{plan.name}"] = padded[:, 4 + plan.index]
    for i, key in enumerate(("busy", "idle", "off")):
        frame[key] = staff[:, [BUSY, IDLE, OFF][i]]
    return frame


def workers_table(model: GridModel) -> pd.DataFrame:
    """One row per member of staff: hours by activity, overtime, scheduled hours, cost."""
    records = []
    bands = model.world.difficulty_bands()
    for staff, pay in model.staff_records():
        grid_side = staff.kind != "department"
        row = {
            "staff_id": staff.name,
            "role": staff.role,
            "kind": staff.kind,
            "unit": staff.unit_id,
            "difficulty_band": bands[staff.unit] if grid_side else None,
        }
        row.update({f"{a}_h": staff.hours[a] for a in ACTIVITIES})
        row["field_h"] = staff.hours["visits"] + staff.hours["patrol"]
        row["overtime_h"] = staff.overtime
        row["scheduled_h"] = staff.scheduled
        row["shifts_missed"] = staff.shifts_missed
        row["errors"] = staff.errors
        row["left_h"] = staff.left_at
        row["jobs_done"] = staff.jobs_done
        employed = staff.scheduled if staff.member.standby else model.horizon  # paid when called
        row["cost_yuan"] = pay.cost(employed, staff.overtime)
        records.append(row)
    frame = pd.DataFrame.from_records(records)
    frame["difficulty_band"] = pd.Categorical(frame["difficulty_band"], BANDS)
    return frame


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
    service = cases[cases["kind"].isin(["task", "patrol"])]
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
    busy = workers[["cases_h", "admin_h", "visits_h", "travel_h"]].sum(axis=1)
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
    """Invariants of every run, over all cases and tasks. Conservation is exact. Little's law:
    L, the time-average number open measured by the run-time counters (time series), equals
    λW + L_open exactly, where λ = closures per hour, W = mean time in system of closed cases
    and L_open = the open cases' time in system up to the horizon, divided by the horizon (the
    edge term, small when few cases are open at the end)."""
    created = len(cases)
    finished = cases["status"].isin(["closed", "unreached"])
    closed, open_ = int(finished.sum()), int((cases["status"] == "open").sum())
    rows = timeseries[timeseries["backlog_mean"].notna()] if len(timeseries) else timeseries
    ticks = rows.groupby("t_h")["backlog_mean"].sum() if len(rows) else pd.Series(dtype=float)
    durations = np.diff(np.concatenate([[0.0], ticks.index.to_numpy()]))
    return {
        "conservation": created == closed + open_,
        "created": created,
        "closed": closed,
        "open": open_,
        "little_L": float((ticks.to_numpy() * durations).sum() / horizon) if horizon else None,
        "little_lambda": closed / horizon if horizon else None,
        "little_W": float(cases.loc[finished, "time_to_close_h"].mean()) if closed else None,
        "little_open_L": float((horizon - cases.loc[~finished, "created_h"]).sum() / horizon)
        if horizon
        else None,
    }
