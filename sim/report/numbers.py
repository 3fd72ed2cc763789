"""The numbers a report states, as tables: a run's KPIs; a sweep's paired differences of each arm
against the reference (sim.sweep.compare.paired_comparisons, per combination of factor levels),
its means by arm with confidence intervals, and the runs overloaded or not stationary
(transient_runs); the sensitivity indices of a design over ranges. The executive summary, the
tables and the forest plot all read them from here, so a number is the same wherever it is."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy import stats

from sim.sweep.compare import paired_comparisons, transient_runs
from sim.sweep.store import flatten
from sim.terms import Lang, kpi_kind, kpi_name, kpi_unit, shown

if TYPE_CHECKING:
    from sim.report.study import Study
    from sim.runner import Result

#: KPIs of a sweep's tables and forest plot, in order (those the runs have).
SWEEP_KPIS: tuple[str, ...] = (
    "time_to_close_h.km_p50",
    "time_to_close_h.km_p90",
    "time_to_close_h.open_share",
    "first_response_h.km_p50",
    "on_time_rate",
    "backlog_end",
    "backlog_peak",
    "tasks.incident.unmet_share",
    "utilization.grid_worker",
    "admin_share",
    "overtime_hours",
    "emergency.mobilised_hours",
    "cost_yuan",
)
#: KPIs of a run's table, in order (those the run has), before its tasks and incidents.
RUN_KPIS: tuple[str, ...] = (
    "cases_created",
    "cases_closed",
    "backlog_end",
    "backlog_peak",
    "unhandled",
    "first_response_h.km_p50",
    "first_response_h.km_p90",
    "time_to_close_h.km_p50",
    "time_to_close_h.km_p90",
    "time_to_close_h.mean",
    "time_to_close_h.open_share",
    "on_time_rate",
    "offered_load.utilisation",
    "utilization.grid_worker",
    "admin_share",
    "field_share",
    "overtime_hours",
    "cost_yuan",
    "cost_per_closed_case_yuan",
)
#: Per kind of task, its KPIs shown in a run's table.
TASK_KPIS: tuple[str, ...] = ("created", "done", "on_time_rate", "unmet_share")
#: A difference is significant when its confidence interval leaves out zero.
CONFIDENCE = 0.95
#: The sensitivity of a design over ranges is reported for these KPIs (those the runs have).
SENSITIVITY_KPIS: tuple[str, ...] = (
    "time_to_close_h.mean",
    "time_to_close_h.km_p50",
    "on_time_rate",
)


def column(kpi: str) -> str:
    """The runs table's column of a KPI path."""
    return kpi if kpi.startswith("kpi.") else f"kpi.{kpi}"


def sweep_kpis(study: Study) -> list[str]:
    """The KPI columns of SWEEP_KPIS the runs table has, with a value in some run."""
    table = study.table
    return [
        column(k)
        for k in SWEEP_KPIS
        if table is not None and column(k) in table and table[column(k)].notna().any()
    ]


def significant(row: pd.Series | dict) -> bool:
    """Whether a paired difference's confidence interval leaves out zero."""
    return bool(row["ci_low"] > 0 or row["ci_high"] < 0)


def comparisons(study: Study) -> pd.DataFrame:
    """Every arm against the reference, per KPI of `sweep_kpis` and per combination of factor
    levels: paired_comparisons over the replications (the same seeds), ranges left out (a
    design's points are not paired). Empty with one arm."""
    if study.table is None or len(study.arms) < 2:
        return pd.DataFrame()
    table = study.table
    ranges = [f"factor.{name}" for name in (study.experiment.ranges if study.experiment else {})]
    if ranges:
        return pd.DataFrame()
    return paired_comparisons(table, "arm", study.arms, sweep_kpis(study), CONFIDENCE)


def arm_means(study: Study) -> pd.DataFrame:
    """Per combination of factor levels, arm and KPI: runs, mean and its 95 % t interval."""
    table = study.table
    rows = []
    keys = ["arm", *study.factors]
    for values, group in table.groupby(keys, sort=False, dropna=False):
        values = values if isinstance(values, tuple) else (values,)
        for kpi in sweep_kpis(study):
            data = group[kpi].dropna().astype(float)
            mean = float(data.mean()) if len(data) else np.nan
            half = (
                float(stats.t.ppf(0.5 + CONFIDENCE / 2, len(data) - 1) * data.sem())
                if len(data) > 1
                else np.nan
            )
            rows.append(
                {
                    **dict(zip(keys, values, strict=True)),
                    "kpi": kpi,
                    "n": len(data),
                    "runs": len(group),
                    "mean": mean,
                    "ci_low": mean - half,
                    "ci_high": mean + half,
                }
            )
    frame = pd.DataFrame(rows)
    order = {arm: i for i, arm in enumerate(study.arms)}
    return frame.sort_values("arm", key=lambda s: s.map(order), kind="stable", ignore_index=True)


def transients(study: Study) -> dict[str, tuple[int, int, int]]:
    """Per arm: (runs, runs offered more work than their staff's hours, runs whose open work
    grew), as sim.sweep.compare.transient_runs counts them."""
    return {str(k): v for k, v in transient_runs(study.table, "arm").items()}


def surge_runs(study: Study) -> int:
    """Runs whose steady state was not judged because they have an incident (a surge by
    design)."""
    return sum(1 for r in study.results if r.scenario.incidents)


def run_kpis(result: Result, lang: Lang) -> pd.DataFrame:
    """A run's KPIs as a table: path in summary.json, name, value as shown, unit, and the raw
    value; RUN_KPIS, then each kind of task's, then each incident's peak and its tasks'."""
    flat = flatten(result.summary)
    paths = [p for p in RUN_KPIS if p in flat]
    for kind in result.summary.get("tasks", {}):
        paths += [f"tasks.{kind}.{m}" for m in TASK_KPIS if f"tasks.{kind}.{m}" in flat]
    rows = [_row(path, kpi_name(path, lang), flat[path], lang) for path in paths]
    names = labels(result, lang)
    comma, colon = ("，", "：") if lang == "zh" else (", ", ": ")
    incidents = result.summary.get("emergency", {}).get("incidents", {})
    for name, block in incidents.items():
        incident = names.get(name, name)
        prefix = f"emergency.incidents.{name}"
        rows.append(
            _row(f"{prefix}.backlog_peak", f"{incident}{colon}{kpi_name('backlog_peak', lang)}",
                 block.get("backlog_peak"), lang, "backlog_peak")
        )  # fmt: skip
        for key, task in block.items():
            if not key.startswith("task_") or not isinstance(task, dict):
                continue
            category = names.get(key.split("_", 2)[-1], key.split("_", 2)[-1])
            if "unmet_share" in task:
                rows.append(
                    _row(f"{prefix}.{key}.unmet_share",
                         f"{incident}{comma}{category}{colon}{kpi_name('unmet_share', lang)}",
                         task["unmet_share"], lang, "unmet_share")
                )  # fmt: skip
            if "completed_h" in task:
                rows.append(
                    _row(f"{prefix}.{key}.completed_h",
                         f"{incident}{comma}{category}{colon}{kpi_name('time_to_done_h', lang)}",
                         task["completed_h"], lang, "time_to_done_h")
                )  # fmt: skip
    return pd.DataFrame(rows)


def _row(path: str, name: str, value: object, lang: Lang, unit_of: str | None = None) -> dict:
    kind = kpi_kind(unit_of or path)
    unit = "%" if kind == "share" else kpi_unit(unit_of or path, lang)
    number = value if isinstance(value, int | float) and not isinstance(value, bool) else None
    return {"kpi": path, "name": name, "shown": shown(number, kind, lang), "unit": unit,
            "value": number}  # fmt: skip


def labels(result: Result, lang: Lang) -> dict[str, str]:
    """Names of a run's incidents, categories and plans as shown: their Chinese labels
    (`label_zh`) in Chinese, else their names."""
    scenario = result.scenario
    parts = [*scenario.incidents.items(), *scenario.categories.items(), *scenario.plans.items()]
    return {
        name: (getattr(part, "label_zh", "") or name) if lang == "zh" else name
        for name, part in parts
    }
