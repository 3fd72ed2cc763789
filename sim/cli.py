"""The `gridsim` command: a thin layer over `sim.load_scenario` and `sim.run`.

Exit codes: 0 success; 2 bad input (the message names the file, the line, the field path and
what is wrong, never a traceback); 1 internal error (a short message, and the traceback only
with GRIDSIM_DEBUG=1). A scenario is validated completely before anything is run or written.
"""

from __future__ import annotations

import json
import math
import os
import re
import sys
import time
import traceback
from collections.abc import Iterable, Sequence
from importlib import metadata
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.table import Table

import sim
from sim.config import ScenarioError
from sim.config.schema import Scenario

__all__ = ["app", "main", "scenario_json_schema"]

EXIT_OK, EXIT_INTERNAL, EXIT_BAD_INPUT = 0, 1, 2
EXIT_INTERRUPTED = 130  # as a shell reports a command stopped with Ctrl-C
DEBUG_ENV = "GRIDSIM_DEBUG"
JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"

app = typer.Typer(
    name="gridsim",
    help=(
        "Simulate community grid management (网格化管理) under peacetime/emergency switching.\n\n"
        "Exit codes: 0 success, 2 bad input (file, line, field and what is wrong), "
        "1 internal error (set GRIDSIM_DEBUG=1 to see the traceback)."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
)


# --- output helpers -----------------------------------------------------------------------


#: Width of tables written to a file or a pipe (a terminal's own width is used otherwise).
PIPED_WIDTH = 120


def _console(stderr: bool = False) -> Console:
    """A console made per call, so that captured streams are honoured. Piped into a file or a
    log, tables get PIPED_WIDTH columns rather than rich's 80 (unless COLUMNS says otherwise)."""
    stream = sys.stderr if stderr else sys.stdout
    piped = not stream.isatty() and "COLUMNS" not in os.environ
    return Console(stderr=stderr, highlight=False, width=PIPED_WIDTH if piped else None)


def _out() -> Console:
    """Console for results (stdout)."""
    return _console()


def _err() -> Console:
    """Console for errors, warnings and progress (stderr)."""
    return _console(stderr=True)


def _say(console: Console, text: str, style: str | None = None) -> None:
    """Print plain text: no markup, no highlighting, no wrapping (paths stay on one line)."""
    console.print(text, style=style, markup=False, highlight=False, soft_wrap=True)


def _bad_input(header: str, problems: Iterable[str] = ()) -> NoReturn:
    """Report bad input on stderr and exit 2."""
    err = _err()
    _say(err, f"error: {header}", style="bold red")
    for problem in problems:
        _say(err, f"  {problem}")
    raise typer.Exit(EXIT_BAD_INPUT)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _reject_scenario(file: str, problems: list[str]) -> NoReturn:
    header = f"{file}: {_plural(len(problems), 'problem')}; nothing was run or written"
    _bad_input(header, problems)


# --- run ----------------------------------------------------------------------------------


def _check_days(days: float | None) -> list[str]:
    if days is None or (math.isfinite(days) and days > 0):
        return []
    return [f"--days: must be a positive, finite number of days, got {days:g}"]


def _default_out(name: str, seed: int) -> Path:
    """`runs/<scenario name>-s<seed>`, with the name made safe as a folder name."""
    safe = re.sub(r"[^\w.-]+", "_", name).strip("._") or "scenario"
    return Path("runs") / f"{safe}-s{seed}"


def _out_problem(out: Path) -> str | None:
    """Why the run folder cannot be written at `out`, or None. Creates nothing.

    `Result.write` replaces an existing folder only when it is empty or holds an earlier run
    that gridsim wrote, and nothing else.
    """
    from sim.runner import replace_problem

    problem = replace_problem(out)
    if problem:
        return (
            f"--out {out}: {problem}, so it is not a gridsim run folder; refusing to replace "
            "it, choose another folder"
        )
    ancestor = out.absolute().parent
    while not ancestor.exists():
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        return f"--out {out}: {ancestor} is not a directory"
    if not os.access(ancestor, os.W_OK | os.X_OK):
        return f"--out {out}: no permission to write in {ancestor}"
    return None


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
        table.add_row(f"on duty: {team}", _hours(hours), "h a week")
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


def _warn(lines: Iterable[str]) -> None:
    """Print warnings on stderr, one per line."""
    err = _err()
    for line in lines:
        _say(err, f"warning: {line}", "yellow")


RUN_HELP = (
    "Run one scenario, print its KPI table and write the run folder.\n\n"
    "The run folder holds summary.json, cases.parquet, timeseries.parquet, workers.parquet, "
    "scenario.yaml (fully resolved) and manifest.json. The scenario is validated first; "
    "if it has problems, nothing is run or written (exit 2)."
)


@app.command("run", help=RUN_HELP)
def run_command(
    scenario: Annotated[
        str, typer.Argument(metavar="SCENARIO", help="Scenario file (YAML).", show_default=False)
    ],
    seed: Annotated[
        int,
        typer.Option("--seed", min=0, help="Root random seed; the same seed gives the same run."),
    ] = 0,
    days: Annotated[
        float | None,
        typer.Option(
            "--days",
            metavar="D",
            help="Simulated days (> 0); shorthand for --set run.days=D. Default: the file's.",
            show_default=False,
        ),
    ] = None,
    overrides: Annotated[
        list[str] | None,
        typer.Option(
            "--set",
            metavar="KEY=VALUE",
            help="Override a setting, e.g. --set grid_workers.per_grid=2 (repeatable; "
            "the value is YAML, list items by index: world.streets.0.id=s1).",
            show_default=False,
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            metavar="DIR",
            help="Run folder to write (replaced if it holds an earlier run). "
            "Default: runs/<scenario name>-s<seed> in the current directory.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Run one scenario (see RUN_HELP)."""
    settings = list(overrides or [])
    problems = _check_days(days)
    if days is not None and not problems:
        settings.append(f"run.days={days!r}")
    try:
        loaded = sim.load_scenario(scenario, settings)
    except ScenarioError as exc:
        problems.extend(str(problem) for problem in exc.problems)
    if problems:
        _reject_scenario(scenario, problems)

    target = out if out is not None else _default_out(loaded.name, seed)
    problem = _out_problem(target)
    if problem:
        _bad_input(f"{scenario}: cannot write the run folder; nothing was run", [problem])

    from sim.load import scenario_load

    before = scenario_load(loaded, seed).warnings()
    _warn(before)
    err = _err()
    horizon = loaded.run.days
    clock = time.perf_counter()
    with err.status(f"Running {loaded.name}: {horizon:g} simulated days, seed {seed} …"):
        result = sim.run(loaded, seed=seed)
    wall = time.perf_counter() - clock
    with err.status(f"Writing {target} …"):
        try:
            written = result.write(target)
        except OSError as exc:
            reason = exc.strerror or str(exc)
            _bad_input(
                f"{scenario}: the run finished but its folder could not be written",
                [f"--out {target}: {reason}"],
            )

    console = _out()
    title = f"{loaded.name} · seed {seed} · {horizon:g} days · {wall:.2f} s wall"
    console.print(load_table(result.summary["offered_load"], f"{loaded.name} · offered load"))
    console.print(kpi_table(result.summary, title))
    checks = result.summary.get("checks") or {}
    if checks.get("conservation") is False:
        _warn(["cases created != closed + open (see summary.json checks)"])
    _warn(w for w in result.summary.get("warnings", []) if w not in before)
    _say(console, f"run folder: {written}")


# --- validate -----------------------------------------------------------------------------


VALIDATE_HELP = (
    'Check scenario files: print "ok FILE" for each good one, and every problem of each bad '
    "one as file:line: field.path: what is wrong. Exit 0 if all are good, 2 otherwise. With "
    "--load, also print each scenario's offered load (work a week against hours on duty) and "
    "warn where it is more than the staff can do."
)


@app.command("validate", help=VALIDATE_HELP)
def validate_command(
    files: Annotated[
        list[str],
        typer.Argument(metavar="FILE", help="Scenario files (YAML).", show_default=False),
    ],
    load: Annotated[
        bool, typer.Option("--load", help="Print the offered load of each scenario.")
    ] = False,
) -> None:
    """Validate scenario files (see VALIDATE_HELP)."""
    out, err = _out(), _err()
    bad = 0
    for file in files:
        try:
            scenarios = check_file(file)
        except ScenarioError as exc:
            bad += 1
            _say(err, f"error: {file}: {_plural(len(exc.problems), 'problem')}", "bold red")
            for problem in exc.problems:
                _say(err, f"  {problem}")
        else:
            _say(out, f"ok {file}")
            if load:
                from sim.load import scenario_load

                for label, scenario in scenarios:
                    offered = scenario_load(scenario)
                    out.print(load_table(offered.as_dict(), f"{label} · offered load"))
                    _warn(offered.warnings())
    if bad:
        if len(files) > 1:
            _say(err, f"{bad} of {len(files)} files have problems")
        raise typer.Exit(EXIT_BAD_INPUT)


def check_file(file: str) -> list[tuple[str, Scenario]]:
    """Validate a scenario file, or an experiment file (it has `base:`) with every scenario it
    runs: each arm, and each factor level, applied to it. Returns (label, scenario) of the
    scenario, or of each arm of an experiment on its first factor levels."""
    from sim.config.loader import load_data

    data, _ = load_data(file)
    if "base" not in data:
        return [(file, sim.load_scenario(file))]
    from sim.sweep import check_experiment
    from sim.sweep.spec import runs_of

    experiment = check_experiment(file)
    first: dict[str, Any] = {}
    for spec in runs_of(experiment, Path(file).resolve().parent):
        first.setdefault(spec.arm, spec)
    return [
        (f"{file} arm {arm}", sim.load_scenario(spec.scenario, spec.overrides))
        for arm, spec in first.items()
    ]


# --- sweep and compare --------------------------------------------------------------------

SWEEP_HELP = (
    "Run an experiment: every arm × factor level × replication, with common random numbers, "
    "streaming each run to DIR as it finishes. Rerunning the same command resumes: finished "
    "runs are skipped, failed ones are tried again."
)


@app.command("sweep", help=SWEEP_HELP)
def sweep_command(
    experiment: Annotated[str, typer.Argument(metavar="EXPERIMENT", show_default=False)],
    executor: Annotated[str, typer.Option(help="serial, processes or dask.")] = "processes",
    workers: Annotated[int, typer.Option(min=1, help="Worker processes.")] = 2,
    scheduler: Annotated[
        str | None, typer.Option(help="Address of a running Dask scheduler (implies dask).")
    ] = None,
    out: Annotated[str | None, typer.Option(help="Results folder (default runs/NAME).")] = None,
    overrides: Annotated[
        list[str] | None,
        typer.Option(
            "--set",
            metavar="FIELD=VALUE",
            help="Override a field of the experiment, e.g. --set replications=40 (repeatable).",
        ),
    ] = None,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run", help="Validate and count the runs (done and to do); run nothing."
        ),
    ] = False,
) -> None:
    """Run a sweep (see SWEEP_HELP)."""
    from sim.sweep import check_experiment, sweep
    from sim.sweep.spec import runs_of
    from sim.sweep.store import Store

    if scheduler is not None:
        executor = "dask"
    if executor not in ("serial", "processes", "dask"):
        _bad_input(f"--executor: {executor!r} is not one of serial, processes, dask")
    try:
        spec = check_experiment(experiment, overrides or [])
    except ScenarioError as exc:
        _reject_scenario(experiment, [str(p) for p in exc.problems])
    folder = out or str(Path("runs") / spec.name)
    here = Path(experiment).resolve().parent
    if dry_run:
        _say(_out(), _run_count(spec, here, folder))
        return
    ids = {run.run_id for run in runs_of(spec, here)}
    total, start = len(ids), time.perf_counter()
    try:
        table = sweep(
            experiment, out, executor, workers, None, scheduler, overrides or [], progress=True
        )
    except ValueError as exc:  # the results folder is a file, or holds something else
        _bad_input(f"--out: {exc}")
    except KeyboardInterrupt:
        finished = len(ids & Store(folder).done())
        _say(
            _err(),
            f"interrupted: {finished} of {total} runs done in {folder}; rerun the same "
            "command to resume",
        )
        raise typer.Exit(EXIT_INTERRUPTED) from None
    table = table[table["run_id"].isin(ids)]
    ok = int((table["status"] == "ok").sum())
    elapsed = time.perf_counter() - start
    _say(
        _out(),
        f"{ok} of {total} runs done, {total - ok} failed ({elapsed:.0f} s); results: {folder}",
    )
    for row in table[table["status"] != "ok"].head(5).itertuples():
        last_line = str(row.error).strip().splitlines()[-1]
        _say(_err(), f"  failed: {row.arm}, replication {row.replication}: {last_line}")
    fingerprint = Store(folder).fingerprint()
    _say(_out(), f"fingerprint of the results: {fingerprint} (equal fingerprints, equal numbers)")
    if ok < total:
        raise typer.Exit(1)


def _run_count(spec: Any, here: Path, folder: str) -> str:
    """What a sweep of experiment `spec` would run: arms × cells × replications, and how many
    runs `folder` already holds."""
    from sim.sweep.spec import design_points, level_combinations, runs_of
    from sim.sweep.store import Store

    ids = {run.run_id for run in runs_of(spec, here)}
    cells, points = len(level_combinations(spec)), len(design_points(spec))
    done = len(ids & Store(folder).done())
    return (
        f"{spec.name}: {_plural(len(spec.arms), 'arm')} × {_plural(cells, 'cell')} (factor "
        f"levels × {_plural(points, 'design point')}) × {_plural(spec.replications, 'replication')}"
        f" = {_plural(len(ids), 'distinct run')}; {done} already done in {folder}, "
        f"{len(ids) - done} to run"
    )


#: KPI columns that compare and sensitivity report unless told otherwise: times to close and to
#: first response as Kaplan–Meier medians (open cases counted, censored at the horizon) beside
#: the mean of closed cases, the share still open, lateness, backlog and cost.
MAIN_KPIS = [
    "kpi.time_to_close_h.mean",
    "kpi.time_to_close_h.km_p50",
    "kpi.time_to_close_h.km_p90",
    "kpi.time_to_close_h.open_share",
    "kpi.first_response_h.km_p50",
    "kpi.on_time_rate",
    "kpi.backlog_end",
    "kpi.cost_yuan",
]


def _kpi_columns(names: list[str] | None) -> list[str]:
    """Runs-table columns of the KPIs asked for (`kpi.` may be left out), or the main ones."""
    return [name if name.startswith("kpi.") else f"kpi.{name}" for name in names or MAIN_KPIS]


@app.command(
    "compare",
    help="Paired differences (same seeds) per KPI, with 95 % confidence intervals, from a "
    "sweep's results folder: every arm against the first, or with --along every level of a "
    "factor against its first, within each combination of the others. Writes DIR/compare.csv.",
)
def compare_command(
    folder: Annotated[str, typer.Argument(metavar="DIR", show_default=False)],
    kpi: Annotated[list[str] | None, typer.Option(help="KPI columns (default: main ones).")] = None,
    along: Annotated[
        str, typer.Option(help="Compare the levels of this factor (a scenario path) instead.")
    ] = "arm",
    reference: Annotated[
        str | None,
        typer.Option(help="Arm (or factor level) to compare against (default: the first)."),
    ] = None,
) -> None:
    """Compare every arm (or factor level) with the reference one."""
    from sim.sweep import load_results
    from sim.sweep.compare import paired_comparisons, transient_runs

    table = load_results(folder)
    if not len(table):
        _bad_input(f"{folder}: no runs found")
    kpis = _kpi_columns(kpi)
    unknown = [name for name in kpis if name not in table.columns]
    if unknown and kpi:
        _bad_input(f"{folder}: unknown KPI column(s): {', '.join(unknown)}")
    kpis = [name for name in kpis if name in table.columns]  # results of an older gridsim
    column = along if along == "arm" else f"factor.{along.removeprefix('factor.')}"
    if column not in table.columns:
        factors = [c.removeprefix("factor.") for c in table.columns if c.startswith("factor.")]
        _bad_input(f"--along: no factor {along!r} (factors: {', '.join(factors) or 'none'})")
    levels = list(dict.fromkeys(table[column]))  # in the experiment's order
    if reference is not None:
        matches = [level for level in levels if str(level) == reference]
        if not matches:
            _bad_input(
                f"--reference: no level {reference!r} (levels: {', '.join(map(str, levels))})"
            )
        levels = [matches[0], *(level for level in levels if level != matches[0])]
    frame = paired_comparisons(table, column, levels, kpis)
    ok = table[table["status"] == "ok"]
    for level, rows in ok.groupby(column, sort=False):
        for name in kpis:
            missing = int(rows[name].isna().sum())
            if missing:
                _warn(
                    [
                        f"{level}: {name.removeprefix('kpi.')} is missing in {missing} of "
                        f"{len(rows)} runs (a Kaplan–Meier quantile is missing when too many "
                        "cases are still open at the end to reach it); those pairs are left out"
                    ]
                )
    for level, (runs, overloaded, growing) in transient_runs(table, column).items():
        if overloaded or growing:
            _warn(
                [
                    f"{level}: {overloaded} of {runs} runs offered more work than the staff's "
                    f"hours, {growing} with open work found growing (a run in steady state is "
                    "flagged about once in a hundred): such runs measure a transient that "
                    "depends on the horizon"
                ]
            )
    others = [c for c in frame.columns if c == "arm" or c.startswith("factor.")]
    others.remove(column)
    name = column.removeprefix("factor.")
    for keys, group in frame.groupby([column, *others], sort=False):
        cell = ", ".join(
            f"{other.removeprefix('factor.')} = {value}"
            for other, value in zip(others, keys[1:], strict=True)
        )
        label = keys[0] if column == "arm" else f"{name} = {keys[0]}"
        out = Table(
            title=f"{label} against {levels[0]}" + (f" · {cell}" if cell else ""),
            title_justify="left",
        )
        for heading in ("KPI", f"{levels[0]} → {keys[0]}", "difference [95 % CI]", "p"):
            out.add_column(heading, justify="left" if heading == "KPI" else "right")
        out.add_column("higher in", justify="right")
        for row in group.to_dict("records"):
            out.add_row(
                row["kpi"].removeprefix("kpi."),
                f"{row['mean_a']:.4g} → {row['mean_b']:.4g}",
                f"{row['diff']:+.4g} [{row['ci_low']:+.4g}, {row['ci_high']:+.4g}]",
                f"{row['p_value']:.2g}",
                f"{row['share_b_higher']:.0%} of {row['n']}",
            )
        _out().print(out)
    _write_csv(frame, Path(folder) / "compare.csv")


def _write_csv(frame: Any, path: Path) -> None:
    """Save a table beside the results (temporary file, then rename) and say where."""
    frame.to_csv(path.with_suffix(".csv.tmp"), index=False)
    path.with_suffix(".csv.tmp").replace(path)
    _say(_out(), f"table written to {path}")


SENSITIVITY_HELP = (
    "Sensitivity of KPIs to the ranges of a sweep's experiment: Sobol first-order and total "
    "indices (design sobol), Morris elementary effects (morris) or RBD-FAST first-order indices "
    "(lhs), with 95 % bootstrap intervals, computed on the replication means; with several "
    "replications, their spread across replications and the noise share. Writes "
    "DIR/sensitivity.csv."
)


@app.command("sensitivity", help=SENSITIVITY_HELP)
def sensitivity_command(
    folder: Annotated[str, typer.Argument(metavar="DIR", show_default=False)],
    kpi: Annotated[list[str] | None, typer.Option(help="KPI columns (default: main ones).")] = None,
) -> None:
    """Print and save the sensitivity indices (see SENSITIVITY_HELP)."""
    from sim.sweep.sensitivity import MEASURES, sensitivity

    if not (Path(folder) / "experiment.yaml").is_file():
        _bad_input(f"{folder}: not a sweep's results folder (no experiment.yaml)")
    try:
        frame = sensitivity(folder, _kpi_columns(kpi))
    except ScenarioError as exc:
        _reject_scenario(str(Path(folder) / "experiment.yaml"), [str(p) for p in exc.problems])
    except ValueError as exc:
        _bad_input(f"{folder}: {exc}")
    method = frame["method"].iloc[0]
    groups = [c for c in frame.columns if c == "arm" or c.startswith("factor.")] + ["kpi"]
    for keys, group in frame.groupby(groups, sort=False):
        title = " · ".join(str(k).removeprefix("kpi.") for k in keys)
        pairs = group["parameter"].str.contains(" × ", regex=False)
        singles = _indices_table(group[~pairs], MEASURES[method], f"{title} ({method}, 95 % CI)")
        _out().print(singles)
        if pairs.any():
            _out().print(_indices_table(group[pairs], ("S2",), f"{title} (pairs, 95 % CI)"))
    _write_csv(frame, Path(folder) / "sensitivity.csv")


def _indices_table(rows: Any, measures: Sequence[str], title: str) -> Table:
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


# --- schema -------------------------------------------------------------------------------


def scenario_json_schema() -> dict[str, Any]:
    """JSON Schema of scenario files, for editors: the model's schema plus `extends:`.

    A file with `extends:` may leave out top-level settings its parent provides, so the
    top-level `required` list applies only to files without `extends:`.
    """
    body = Scenario.model_json_schema()
    schema: dict[str, Any] = {
        "$schema": JSON_SCHEMA_DIALECT,
        "title": "gridsim scenario",
        "description": "A gridsim scenario file. Generated by `gridsim schema`.",
    }
    schema.update({k: v for k, v in body.items() if k not in ("title", "description")})
    schema["properties"] = {
        "extends": {
            "type": "string",
            "description": "Parent scenario file, relative to this one; this file's settings "
            "are merged over it (mappings key by key, lists and values replaced).",
        },
        **schema.get("properties", {}),
    }
    required = schema.pop("required", [])
    if required:
        schema["if"] = {"required": ["extends"]}
        schema["else"] = {"required": required}
    return schema


def experiment_json_schema() -> dict[str, Any]:
    """JSON Schema of experiment files (`gridsim sweep`), for editors."""
    from sim.sweep.spec import Experiment

    body = Experiment.model_json_schema()
    return {
        "$schema": JSON_SCHEMA_DIALECT,
        "title": "gridsim experiment",
        "description": "A gridsim experiment file (arms × factors × design × replications). "
        "Generated by `gridsim schema --experiment`.",
        **{k: v for k, v in body.items() if k not in ("title", "description")},
    }


SCHEMA_HELP = (
    "Print the JSON Schema of scenario files (or, with --experiment, of experiment files), so "
    "editors can complete and check them.\n\n"
    "Save it (gridsim schema --out scenario.schema.json), then point the YAML language server "
    '(VS Code "YAML" extension, yaml-language-server in Neovim/Helix/Emacs, JetBrains) at it, '
    "either with this first line in a scenario file (the path is relative to that file):\n\n"
    "# yaml-language-server: $schema=../scenario.schema.json\n\n"
    "or in the editor settings, e.g. VS Code settings.json:\n\n"
    '"yaml.schemas": {"./scenario.schema.json": "scenarios/**/*.yaml"}'
)


@app.command("schema", help=SCHEMA_HELP)
def schema_command(
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            metavar="FILE",
            help="Write the schema to FILE instead of printing it.",
            show_default=False,
        ),
    ] = None,
    experiment: Annotated[
        bool, typer.Option("--experiment", help="The schema of experiment files instead.")
    ] = False,
) -> None:
    """Print the JSON Schema of scenario or experiment files (see SCHEMA_HELP)."""
    schema = experiment_json_schema() if experiment else scenario_json_schema()
    text = json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
    if out is None:
        sys.stdout.write(text)
        return
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        _bad_input(f"--out {out}: cannot write the schema: {exc.strerror or exc}")
    _say(_err(), f"wrote {out}")


# --- entry point --------------------------------------------------------------------------


def _version(value: bool) -> None:
    if value:
        try:
            version = metadata.version("gridsim")
        except metadata.PackageNotFoundError:
            version = "unknown (not installed)"
        _say(_out(), f"gridsim {version}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """The gridsim command line."""


def _internal_error(exc: BaseException) -> None:
    err = _err()
    _say(err, f"gridsim: internal error: {type(exc).__name__}: {exc}", "bold red")
    if os.environ.get(DEBUG_ENV, "").strip() not in ("", "0"):
        sys.stderr.write("".join(traceback.format_exception(exc)))
    else:
        _say(
            err,
            f"This is a bug in gridsim, not in your input. Set {DEBUG_ENV}=1 to see the "
            "traceback, and include it when you report the bug.",
        )


def main(argv: list[str] | None = None) -> None:
    """Console entry point: `gridsim ...` (also `python -m sim.cli` and `python -m sim`)."""
    try:
        app(args=argv, prog_name="gridsim")
    except SystemExit:
        raise
    except ScenarioError as exc:  # bad input that escaped a command's own handling
        _say(_err(), f"error: {exc}", "bold red")
        sys.exit(EXIT_BAD_INPUT)
    except Exception as exc:
        _internal_error(exc)
        sys.exit(EXIT_INTERNAL)


if __name__ == "__main__":
    main()
