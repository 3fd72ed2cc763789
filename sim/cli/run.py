"""`gridsim run`: one scenario, its KPI table and its run folder."""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn

import sim
from sim.cli.app import (
    LangOption,
    Language,
    SeedOption,
    SetOption,
    app,
    bad_input,
    out_option,
    reject_scenario,
    say,
    stderr,
    stdout,
    warn,
)
from sim.cli.formats import as_rich
from sim.cli.tables import kpi_sheet, load_sheet
from sim.config.loader import ScenarioError
from sim.emergency.plans import Decision
from sim.terms import scenario_names, word


def _check_days(days: float | None) -> list[str]:
    if days is None or (math.isfinite(days) and days > 0):
        return []
    return [f"--days: must be a positive, finite number of days, got {days:g}"]


def _first_line(exc: ValueError) -> str:
    """What is wrong, without pydantic's headers and links."""
    errors = getattr(exc, "errors", None)
    if callable(errors):
        return "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in errors())
    return str(exc)


def _default_out(name: str, seed: int) -> Path:
    """`runs/<scenario name>-s<seed>`, with the name made safe as a folder name."""
    safe = re.sub(r"[^\w.-]+", "_", name).strip("._") or "scenario"
    return Path("runs") / f"{safe}-s{seed}"


def _out_problem(out: Path) -> str | None:
    """Why the run folder cannot be written at `out`, or None. Leaves nothing behind (the
    folders it goes into are tried with an empty folder made and removed at once).

    `Result.write` replaces an existing folder only when it is empty or holds an earlier run
    that gridsim wrote, and nothing else.
    """
    from sim.folders import unwritable
    from sim.runner import holds_working_folder, replace_problem

    if holds_working_folder(out):
        return (
            f"--out {out}: is the working folder or holds it, and a run folder is replaced as a "
            "whole; give a folder inside it, e.g. --out runs/NAME"
        )
    problem = replace_problem(out)
    if problem:
        return (
            f"--out {out}: {problem}, so it is not a gridsim run folder; refusing to replace "
            "it, choose another folder"
        )
    for folder in (out, out.parent):  # the folder is replaced, and staged beside it
        problem = unwritable(folder)
        if problem:
            return f"--out {out}: {problem}"
    return None


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
    seed: SeedOption = 0,
    days: Annotated[
        float | None,
        typer.Option(
            "--days",
            metavar="D",
            help="Simulated days (> 0); shorthand for --set run.days=D. Default: the file's.",
            show_default=False,
        ),
    ] = None,
    overrides: SetOption = None,
    decide: Annotated[
        list[str] | None,
        typer.Option(
            "--decide",
            metavar="PLAN@TIME",
            help="Take a decision by hand: set emergency plan PLAN off at TIME (e.g. "
            "surge@36h), or stand it down with PLAN@TIME:stand_down (repeatable).",
            show_default=False,
        ),
    ] = None,
    out: Annotated[
        Path | None,
        out_option(
            "DIR",
            "Run folder to write (replaced if it holds an earlier run). "
            "Default: runs/<scenario name>-s<seed> in the current directory.",
        ),
    ] = None,
    lang: LangOption = Language.en,
) -> None:
    """Run one scenario (see RUN_HELP)."""
    settings = list(overrides or [])
    problems = _check_days(days)
    if days is not None and not problems:
        settings.append(f"run.days={days!r}")
    decisions = []
    for text in decide or []:
        try:
            decisions.append(Decision.parse(text))
        except ValueError as exc:
            problems.append(f"--decide {text}: {_first_line(exc)}")
    try:
        loaded = sim.load_scenario(scenario, settings, decisions)
    except ScenarioError as exc:
        problems.extend(str(problem) for problem in exc.problems)
    if problems:
        reject_scenario(scenario, problems)

    target = out if out is not None else _default_out(loaded.name, seed)
    problem = _out_problem(target)
    if problem:
        bad_input(f"{scenario}: cannot write the run folder; nothing was run", [problem])

    from sim.load import scenario_load

    before = scenario_load(loaded, seed).warnings()
    warn(before)
    err = stderr()
    horizon = loaded.run.days
    clock = time.perf_counter()
    with _progress(err, f"{loaded.name}, seed {seed}", horizon) as progress:
        result = sim.run(loaded, seed=seed, progress=progress)
    wall = time.perf_counter() - clock
    with err.status(f"Writing {target} …"):
        try:
            written = result.write(target)
        except OSError as exc:
            reason = exc.strerror or str(exc)
            bad_input(
                f"{scenario}: the run finished but its folder could not be written",
                [f"--out {target}: {reason}"],
            )

    console, language, names = stdout(), lang.value, scenario_names(loaded)
    load = result.summary["offered_load"]
    title = word("offered_load_title", language).format(name=loaded.name)
    console.print(as_rich(load_sheet(load, title, language, names)))
    title = word("run_title", language).format(name=loaded.name, seed=seed, days=horizon, wall=wall)
    console.print(as_rich(kpi_sheet(result.summary, title, language, names)))
    checks = result.summary.get("checks") or {}
    if checks.get("conservation") is False:
        warn(["cases created != closed + open (see summary.json checks)"])
    warn(w for w in result.summary.get("warnings", []) if w not in before)
    say(console, word("run_folder", language).format(path=written))


@contextmanager
def _progress(
    console: Console, what: str, days: float
) -> Iterator[Callable[[float, float], None] | None]:
    """A progress bar on `console` (stderr) while a run of `days` simulates: the simulated
    day, the share done and the time left; none when it is not a terminal."""
    if not console.is_terminal:
        yield None
        return
    columns = (
        TextColumn("Running {task.description}"),
        BarColumn(),
        TextColumn("day {task.fields[day]:.0f} of {task.fields[days]:g}"),
        TaskProgressColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task(what, total=24 * days, day=0, days=days)

        def report(now: float, horizon: float) -> None:
            bar.update(task, completed=now, total=horizon, day=now / 24, days=horizon / 24)

        yield report
