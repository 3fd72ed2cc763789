"""`gridsim sweep`, `compare` and `sensitivity`: run an experiment, compare its arms on common
random numbers, and measure how its KPIs depend on its ranges."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from sim.cli.app import (
    EXIT_INTERRUPTED,
    app,
    bad_input,
    plural,
    reject_scenario,
    say,
    stderr,
    stdout,
    warn,
    write_csv,
)
from sim.cli.tables import indices_table
from sim.config.loader import ScenarioError

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
        bad_input(f"--executor: {executor!r} is not one of serial, processes, dask")
    try:
        spec = check_experiment(experiment, overrides or [])
    except ScenarioError as exc:
        reject_scenario(experiment, [str(p) for p in exc.problems])
    folder = out or str(Path("runs") / spec.name)
    here = Path(experiment).resolve().parent
    if dry_run:
        say(stdout(), _run_count(spec, here, folder))
        return
    ids = {run.run_id for run in runs_of(spec, here)}
    total, start = len(ids), time.perf_counter()
    try:
        table = sweep(
            experiment, out, executor, workers, None, scheduler, overrides or [], progress=True
        )
    except ValueError as exc:  # the results folder is a file, or holds something else
        bad_input(f"--out: {exc}")
    except KeyboardInterrupt:
        finished = len(ids & Store(folder).done())
        say(
            stderr(),
            f"interrupted: {finished} of {total} runs done in {folder}; rerun the same "
            "command to resume",
        )
        raise typer.Exit(EXIT_INTERRUPTED) from None
    table = table[table["run_id"].isin(ids)]
    ok = int((table["status"] == "ok").sum())
    elapsed = time.perf_counter() - start
    say(
        stdout(),
        f"{ok} of {total} runs done, {total - ok} failed ({elapsed:.0f} s); results: {folder}",
    )
    for row in table[table["status"] != "ok"].head(5).itertuples():
        last_line = str(row.error).strip().splitlines()[-1]
        say(stderr(), f"  failed: {row.arm}, replication {row.replication}: {last_line}")
    fingerprint = Store(folder).fingerprint()
    say(stdout(), f"fingerprint of the results: {fingerprint} (equal fingerprints, equal numbers)")
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
        f"{spec.name}: {plural(len(spec.arms), 'arm')} × {plural(cells, 'cell')} (factor "
        f"levels × {plural(points, 'design point')}) × {plural(spec.replications, 'replication')}"
        f" = {plural(len(ids), 'distinct run')}; {done} already done in {folder}, "
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
        bad_input(f"{folder}: no runs found")
    kpis = _kpi_columns(kpi)
    unknown = [name for name in kpis if name not in table.columns]
    if unknown and kpi:
        bad_input(f"{folder}: unknown KPI column(s): {', '.join(unknown)}")
    kpis = [name for name in kpis if name in table.columns]  # results of an older gridsim
    column = along if along == "arm" else f"factor.{along.removeprefix('factor.')}"
    if column not in table.columns:
        factors = [c.removeprefix("factor.") for c in table.columns if c.startswith("factor.")]
        bad_input(f"--along: no factor {along!r} (factors: {', '.join(factors) or 'none'})")
    levels = list(dict.fromkeys(table[column]))  # in the experiment's order
    if reference is not None:
        matches = [level for level in levels if str(level) == reference]
        if not matches:
            bad_input(
                f"--reference: no level {reference!r} (levels: {', '.join(map(str, levels))})"
            )
        levels = [matches[0], *(level for level in levels if level != matches[0])]
    frame = paired_comparisons(table, column, levels, kpis)
    ok = table[table["status"] == "ok"]
    for level, rows in ok.groupby(column, sort=False):
        for name in kpis:
            missing = int(rows[name].isna().sum())
            if missing:
                warn(
                    [
                        f"{level}: {name.removeprefix('kpi.')} is missing in {missing} of "
                        f"{len(rows)} runs (a Kaplan–Meier quantile is missing when too many "
                        "cases are still open at the end to reach it); those pairs are left out"
                    ]
                )
    for level, (runs, overloaded, growing) in transient_runs(table, column).items():
        if overloaded or growing:
            warn(
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
        stdout().print(out)
    write_csv(frame, Path(folder) / "compare.csv")


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
        bad_input(f"{folder}: not a sweep's results folder (no experiment.yaml)")
    try:
        frame = sensitivity(folder, _kpi_columns(kpi))
    except ScenarioError as exc:
        reject_scenario(str(Path(folder) / "experiment.yaml"), [str(p) for p in exc.problems])
    except ValueError as exc:
        bad_input(f"{folder}: {exc}")
    method = frame["method"].iloc[0]
    groups = [c for c in frame.columns if c == "arm" or c.startswith("factor.")] + ["kpi"]
    for keys, group in frame.groupby(groups, sort=False):
        title = " · ".join(str(k).removeprefix("kpi.") for k in keys)
        pairs = group["parameter"].str.contains(" × ", regex=False)
        singles = indices_table(group[~pairs], MEASURES[method], f"{title} ({method}, 95 % CI)")
        stdout().print(singles)
        if pairs.any():
            stdout().print(indices_table(group[pairs], ("S2",), f"{title} (pairs, 95 % CI)"))
    write_csv(frame, Path(folder) / "sensitivity.csv")
