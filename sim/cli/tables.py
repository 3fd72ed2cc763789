"""The tables the commands print: a run's KPIs, a scenario's offered load, sensitivity indices."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.table import Table


def _count(value: Any) -> str:
    return "n/a" if value is None else f"{int(value):,}"


def _hours(value: Any) -> str:
    return "n/a" if value is None else f"{float(value):,.2f}"


def _percent(value: Any) -> str:
    return "n/a" if value is None else f"{100 * float(value):.1f}"


def _yuan(value: Any) -> str:
    return "n/a" if value is None else f"{float(value):,.0f}"


#: How each task kind is named in the KPI table.
TASK_LABELS = {
    "incident": "incident tasks",
    "admin": "forms (top-down)",
    "revisit": "revisits",
    "warning": "monitoring warnings",
}


def kpi_table(summary: dict[str, Any], title: str | None = None) -> Table:
    """The KPI table of a run summary: KPI, value, unit. The first section
    counts the closed loop (residents' requests and patrol finds created after the warm-up);
    each task kind follows in a section of its own."""
    table = Table(title=title, title_justify="left")
    table.add_column("KPI")
    table.add_column("value", justify="right")
    table.add_column("unit")
    steady = summary.get("steady_state") or {}
    method = steady.get("warmup_method", "")
    table.add_row(
        f"warm-up{f' ({method})' if method else ''}", _hours(summary.get("warmup_h")), "h"
    )
    table.add_row("closed loop: residents' requests and patrol finds after it", "", "")
    table.add_row("cases created", _count(summary.get("cases_created")), "cases")
    table.add_row("cases closed", _count(summary.get("cases_closed")), "cases")
    table.add_row("backlog at end", _count(summary.get("backlog_end")), "cases")
    table.add_row("backlog peak", _count(summary.get("backlog_peak")), "cases")
    table.add_row("never started (unhandled)", _count(summary.get("unhandled")), "cases")
    for key, label, not_yet in (
        ("first_response_h", "first response", "not started at end"),
        ("time_to_close_h", "time to close", "still open at end"),
    ):
        stats = summary.get(key) or {}
        table.add_row(f"{label} mean (cases that got there)", _hours(stats.get("mean")), "h")
        table.add_row(f"{label} p90 (cases that got there)", _hours(stats.get("p90")), "h")
        table.add_row(f"{label} median (Kaplan–Meier)", _hours(stats.get("km_p50")), "h")
        table.add_row(f"{label} p90 (Kaplan–Meier)", _hours(stats.get("km_p90")), "h")
        table.add_row(f"{label}: {not_yet}", _percent(stats.get("open_share")), "%")
    table.add_row("on-time rate", _percent(summary.get("on_time_rate")), "%")
    for tier, share in (summary.get("escalated_share") or {}).items():
        table.add_row(f"escalated to {tier}", _percent(share), "%")
    for tier, stats in (summary.get("time_to_close_by_tier_h") or {}).items():
        table.add_row(f"time to close, up to {tier} tier (mean)", _hours(stats.get("mean")), "h")
    for tier, stats in (summary.get("tiers") or {}).items():
        wait = (stats.get("wait_h") or {}).get("mean")
        where = "the feedback call" if tier == "feedback" else f"{tier} tier"
        table.add_row(f"wait at {where} (mean per job)", _hours(wait), "h")
    for kind, block in (summary.get("tasks") or {}).items():
        label = TASK_LABELS.get(kind, kind)
        table.add_section()
        table.add_row(f"{label} created", _count(block.get("created")), "tasks")
        table.add_row(f"{label} done", _count(block.get("done")), "tasks")
        table.add_row(f"{label} open at end", _count(block.get("open")), "tasks")
        table.add_row(f"{label} done by deadline", _percent(block.get("on_time_rate")), "% of due")
        table.add_row(f"{label} unmet", _percent(block.get("unmet_share")), "% of due")
    table.add_section()
    for role, kpis in (summary.get("by_role") or {}).items():
        members = kpis.get("members")
        share = (kpis.get("utilization") or {}).get(role)
        table.add_row(f"utilisation {role} ({members})", _percent(share), "%")
    table.add_row("admin share (grid-side staff)", _percent(summary.get("admin_share")), "%")
    table.add_row("field share (grid-side staff)", _percent(summary.get("field_share")), "%")
    if summary.get("meeting_share"):
        table.add_row("meeting share (grid-side staff)", _percent(summary["meeting_share"]), "%")
    table.add_row("overtime", _hours(summary.get("overtime_hours")), "h")
    table.add_row("revisit coverage", _percent(summary.get("revisit_coverage")), "%")
    table.add_row("cost", _yuan(summary.get("cost_yuan")), "yuan")
    table.add_row("cost per closed case", _yuan(summary.get("cost_per_closed_case_yuan")), "yuan")
    emergency = summary.get("emergency")
    if emergency:
        table.add_section()
        for mode, hours in emergency["hours_in_mode"].items():
            table.add_row(f"hours in {mode} mode", _hours(hours), "h")
        table.add_row("mobilised staff hours", _hours(emergency["mobilised_hours"]), "h")
        for name, incident in emergency["incidents"].items():
            table.add_row(f"{name}: backlog peak", _count(incident["backlog_peak"]), "cases")
            table.add_row(f"{name}: time to absorb", _hours(incident["time_to_absorb_h"]), "h")
            table.add_row(
                f"{name}: time to recover service", _hours(incident["time_to_recover_h"]), "h"
            )
            for plan, switch in incident["switch_over"].items():
                table.add_row(f"{name}: {plan} fired after", _hours(switch["fired_h"]), "h")
            for key, task in incident.items():
                if key.startswith("task_") and "coverage" in task:
                    label = key.split("_", 2)[2]
                    table.add_row(f"{name}: {label} done in", _hours(task["completed_h"]), "h")
                    table.add_row(f"{name}: {label} on time", _percent(task["coverage"]), "%")
                elif key.startswith("task_"):
                    label = key.split("_", 2)[2]
                    table.add_row(f"{name}: {label} unmet", _percent(task["unmet_share"]), "%")
    bands = summary.get("by_difficulty_band") or {}
    if len([b for b in bands.values() if b.get("cases_created")]) > 1:
        table.add_section()
        for band, kpis in bands.items():
            mean = (kpis.get("time_to_close_h") or {}).get("mean")
            table.add_row(f"time to close, {band}-difficulty grids (mean)", _hours(mean), "h")
    return table


#: How each kind of work is named in the offered-load table.
WORK_LABELS = {
    "request": "residents' requests",
    "patrol": "patrol finds",
    **TASK_LABELS,
}


def load_table(load: dict[str, Any], title: str | None = None) -> Table:
    """The offered load of a scenario (summary.json's `offered_load`): work a week by kind
    against the hours on duty, the utilisation that implies, departments and incidents."""
    table = Table(title=title, title_justify="left")
    table.add_column("offered load")
    table.add_column("value", justify="right")
    table.add_column("unit")
    demand = load.get("demand_h_per_week") or {}
    for kind, hours in demand.items():
        table.add_row(WORK_LABELS.get(kind, kind), _hours(hours), "h of work a week")
    table.add_row("all work", _hours(sum(demand.values())), "h of work a week")
    for team, hours in (load.get("capacity_h_per_week") or {}).items():
        table.add_row(f"on duty less meetings: {team}", _hours(hours), "h a week")
    table.add_row("utilisation, grid side", _percent(load.get("utilisation")), "%")
    busiest = load.get("busiest_grid") or {}
    table.add_row(
        f"busiest grid ({busiest.get('grid')})", _percent(busiest.get("utilisation")), "%"
    )
    for kind, row in (load.get("departments") or {}).items():
        table.add_row(f"utilisation, {kind}", _percent(row.get("utilisation")), "%")
    for team, hours in (load.get("standby_capacity_h_per_week") or {}).items():
        table.add_row(f"on standby: {team}", _hours(hours), "h a week when mobilised")
    for name, incident in (load.get("incidents") or {}).items():
        table.add_row(
            f"incident {name}: extra work for {incident['days']:g} days",
            _hours(incident["h_per_week"]),
            "h a week",
        )
    return table


def indices_table(rows: Any, measures: Sequence[str], title: str) -> Table:
    """Sensitivity indices of one KPI: a row per parameter (or pair), each measure with its
    interval and, with replications, its spread over them; the noise in the caption."""
    out = Table(title=title, title_justify="left", caption_justify="left")
    replicated = rows["replications"].iloc[0] > 1
    out.add_column("parameter")
    for measure in measures:
        out.add_column(measure, justify="right")
        out.add_column("CI", justify="right")
        if replicated:
            out.add_column("sd over reps", justify="right")
    for row in rows.to_dict("records"):
        cells = [row["parameter"]]
        for measure in measures:
            value, half = row[measure], row[f"{measure}_conf"]
            cells += [f"{value:.3g}", f"[{value - half:.3g}, {value + half:.3g}]"]
            if replicated:
                cells.append(f"{row[f'{measure}_rep_sd']:.2g}")
        out.add_row(*cells)
    noise = rows["noise"].iloc[0]
    out.caption = (
        f"{rows['points'].iloc[0]} points × {rows['replications'].iloc[0]} replications; "
        + (
            f"replication noise: {noise:.1%} of the variance of the point means"
            if noise == noise
            else "replication noise not estimated (one replication)"
        )
    )
    return out
