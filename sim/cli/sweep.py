"""`gridsim sweep`, `compare` and `sensitivity`: run an experiment, compare its arms on common
random numbers, and measure how its KPIs depend on its ranges."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from sim.cli.app import (
    EXIT_INTERRUPTED,
    PIPED_WIDTH,
    ExecutorOption,
    ForceOption,
    FormatOption,
    LangOption,
    Language,
    SetOption,
    WorkersOption,
    app,
    bad_input,
    out_option,
    plural,
    refuse_existing,
    reject_scenario,
    say,
    stderr,
    stdout,
    warn,
    write_text,
)
from sim.cli.formats import Format, Sheet, as_csv, as_latex, as_markdown, as_rich, as_text
from sim.cli.tables import comparison_csv, comparison_sheets, indices_csv, indices_sheets
from sim.config.loader import ScenarioError
from sim.terms import Term, scenario_names

SWEEP_HELP = (
    "Run an experiment: every arm × factor level × replication, with common random numbers, "
    "streaming each run to DIR as it finishes. Rerunning the same command resumes: finished "
    "runs are skipped, failed ones are tried again."
)


@app.command("sweep", help=SWEEP_HELP)
def sweep_command(
    experiment: Annotated[str, typer.Argument(metavar="EXPERIMENT", show_default=False)],
    executor: ExecutorOption = "processes",
    workers: WorkersOption = 2,
    scheduler: Annotated[
        str | None, typer.Option(help="Address of a running Dask scheduler (implies dask).")
    ] = None,
    out: Annotated[Path | None, out_option("DIR", "Results folder (default runs/NAME).")] = None,
    overrides: SetOption = None,
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
    folder = str(out if out is not None else Path("runs") / spec.name)
    here = Path(experiment).resolve().parent
    if dry_run:  # the sweep's own checks of the results folder, then the count
        from sim.sweep.spec import scenario_digests

        try:
            Store(folder).check(spec, scenario_digests(spec, here))
        except ValueError as exc:
            bad_input(f"--out: {exc}")
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
    except OSError as exc:  # a full disk, say: what is recorded stays
        finished = len(ids & Store(folder).done())
        bad_input(
            f"--out {folder}: {exc.strerror or exc}; {finished} of {total} runs done, rerun the "
            "same command to resume"
        )
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


#: compare's and sensitivity's --out.
TABLES_OUT = "Write the tables to FILE instead of printing them (refused if FILE exists)."


def _labels(folder: Path) -> dict[str, Term]:
    """The names the experiment file gives its factors, ranges and arms (`labels:`), each in
    both languages (the other's where one is left out)."""
    from sim.config.loader import load_validated
    from sim.sweep.spec import Experiment

    path = folder / "experiment.yaml"
    if not path.is_file():
        return {}
    return load_validated(path, Experiment)[0].label_terms()


def _names(folder: Path, table: Any) -> dict[str, str]:
    """The Chinese names the scenarios of a sweep give their teams, categories, departments,
    incidents and plans: from the first finished run of each arm (its scenario.yaml)."""
    import yaml

    names: dict[str, str] = {}
    ok = table[table["status"] == "ok"]
    for run_id in ok.groupby("arm", sort=False)["run_id"].first():
        path = folder / "runs" / str(run_id) / "scenario.yaml"
        if path.is_file():
            names |= scenario_names(yaml.safe_load(path.read_text(encoding="utf-8")) or {})
    return names


def _emit(
    sheets: list[Sheet],
    numbers: Callable[[], Any],
    form: Format,
    out: Path | None,
) -> None:
    """Give the tables in the format asked: on stdout, or written to `out` (checked by
    `refuse_existing` beforehand). `numbers` makes the data frame of the CSV."""
    if form is Format.table and out is None:
        for sheet in sheets:
            stdout().print(as_rich(sheet))
        return
    text = {
        Format.table: lambda: as_text(sheets, PIPED_WIDTH),
        Format.markdown: lambda: as_markdown(sheets),
        Format.latex: lambda: as_latex(sheets),
        Format.csv: lambda: as_csv(numbers()),
    }[form]()
    if out is None:
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        write_text(out, text)


COMPARE_HELP = (
    "Paired differences (same seeds) per KPI, with 95 % confidence intervals, from a sweep's "
    "results folder: every arm against the first, or with --along every level of a factor "
    "against its first, within each combination of the others. Prints tables (--format "
    "table, markdown, latex or csv), or writes them to --out FILE; writes nothing else."
)


@app.command("compare", help=COMPARE_HELP)
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
    form: FormatOption = Format.table,
    out: Annotated[Path | None, out_option("FILE", TABLES_OUT)] = None,
    force: ForceOption = False,
    lang: LangOption = Language.en,
) -> None:
    """Compare every arm (or factor level) with the reference one (see COMPARE_HELP)."""
    from sim.sweep import load_results
    from sim.sweep.compare import paired_comparisons, transient_runs

    refuse_existing(out, force)
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
    if len(levels) < 2:
        what = "arm" if column == "arm" else f"level of {along}"
        factors = [c.removeprefix("factor.") for c in table.columns if c.startswith("factor.")]
        hint = f"; compare a factor's levels with --along ({', '.join(factors)})" if factors else ""
        bad_input(f"{folder}: one {what} only ({levels[0]}): nothing to compare{hint}")
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
    here, language = Path(folder), lang.value
    labels, names = _labels(here), _names(here, table)
    sheets = comparison_sheets(frame, column, levels, language, labels, names)
    _emit(sheets, lambda: comparison_csv(frame, column, language, labels, names), form, out)


SENSITIVITY_HELP = (
    "Sensitivity of KPIs to the ranges of a sweep's experiment: Sobol first-order and total "
    "indices (design sobol), Morris elementary effects (morris) or RBD-FAST first-order indices "
    "(lhs), with 95 % bootstrap intervals, computed on the replication means; with several "
    "replications, their spread across replications and the noise share. Prints tables "
    "(--format table, markdown, latex or csv), or writes them to --out FILE; writes nothing "
    "else."
)


@app.command("sensitivity", help=SENSITIVITY_HELP)
def sensitivity_command(
    folder: Annotated[str, typer.Argument(metavar="DIR", show_default=False)],
    kpi: Annotated[list[str] | None, typer.Option(help="KPI columns (default: main ones).")] = None,
    form: FormatOption = Format.table,
    out: Annotated[Path | None, out_option("FILE", TABLES_OUT)] = None,
    force: ForceOption = False,
    lang: LangOption = Language.en,
) -> None:
    """Print or write the sensitivity indices (see SENSITIVITY_HELP)."""
    from sim.sweep import load_results
    from sim.sweep.sensitivity import sensitivity

    refuse_existing(out, force)
    here = Path(folder)
    if not (here / "experiment.yaml").is_file():
        bad_input(f"{folder}: not a sweep's results folder (no experiment.yaml)")
    try:
        frame = sensitivity(folder, _kpi_columns(kpi))
        labels = _labels(here)
    except ScenarioError as exc:
        reject_scenario(str(here / "experiment.yaml"), [str(p) for p in exc.problems])
    except ValueError as exc:
        bad_input(f"{folder}: {exc}")
    language, names = lang.value, _names(here, load_results(folder))
    sheets = indices_sheets(frame, language, labels, names)
    _emit(sheets, lambda: indices_csv(frame, language, labels, names), form, out)
