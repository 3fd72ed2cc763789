"""`gridsim drill`: play a drill of emergency plans headless from a decisions file, and write
its folder (the run folder, the log, the objectives)."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from sim.cli.app import app, bad_input, reject_scenario, say, stderr, stdout
from sim.config.loader import ScenarioError

if TYPE_CHECKING:
    from sim.drill import Drill

DRILL_HELP = (
    "Play a drill of emergency plans (预案演练). With --script, headless: the decisions file's "
    "decisions and injects are taken at their simulated times, the drill runs to its horizon, "
    "and DIR receives the run folder (run/), the drill log (drill_log.json, drill_log.csv), "
    "the objectives met or missed (objectives.json), the expected decisions against those "
    "taken (expectations.json), the drill and the decisions as played, and the after-action "
    "report (report.html, charts/*.png; with --replays N, the decisions and the plan alone "
    "replayed on N other seeds, replays.csv). Bad drill or decisions files exit 2, naming the "
    "file, line and field."
)
APP_NOT_YET = (
    "the drill app (a browser screen for the facilitator and the players) is not available "
    "yet: play the drill headless with --script DECISIONS.yaml"
)


@app.command("drill", help=DRILL_HELP)
def drill_command(
    drill_file: Annotated[
        str, typer.Argument(metavar="DRILL", help="Drill file (YAML).", show_default=False)
    ],
    script: Annotated[
        Path | None,
        typer.Option(
            "--script",
            metavar="DECISIONS",
            help="Decisions file: play headless (required until the app is available).",
            show_default=False,
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            metavar="DIR",
            help="Drill folder to write. Default: runs/<drill name>-s<seed>.",
            show_default=False,
        ),
    ] = None,
    seed: Annotated[
        int | None,
        typer.Option(
            "--seed", min=0, help="Root random seed (default: the drill's).", show_default=False
        ),
    ] = None,
    overrides: Annotated[
        list[str] | None,
        typer.Option(
            "--set",
            metavar="KEY=VALUE",
            help="Override a setting of the drill file, e.g. --set clock.horizon=80h.",
            show_default=False,
        ),
    ] = None,
    replays: Annotated[
        int,
        typer.Option(
            "--replays",
            min=0,
            help="After-action report: replay the decisions and the plan alone on N other "
            "seeds (0: none, faster).",
        ),
    ] = 20,
    workers: Annotated[
        int, typer.Option("--workers", min=1, help="Worker processes for the replays.")
    ] = 2,
) -> None:
    """Play a drill (see DRILL_HELP)."""
    from sim.drill import DrillSession, load_drill, load_script, play

    try:
        drill = load_drill(drill_file, overrides or [])
        decisions = load_script(script, drill) if script is not None else None
    except ScenarioError as exc:
        reject_scenario(drill_file, [str(problem) for problem in exc.problems])
    if decisions is None:
        bad_input(f"{drill_file}: {APP_NOT_YET}")
    chosen = drill.seed if seed is None else seed
    target = out if out is not None else Path("runs") / f"{drill.name}-s{chosen}"
    if target.exists() and any(target.iterdir()) and not (target / "drill_log.json").is_file():
        bad_input(
            f"{drill_file}: nothing was run",
            [f"--out {target}: holds files that are not a drill's; choose another folder"],
        )
    with stderr().status(f"Playing {drill.name}: seed {chosen} …"):
        session = DrillSession(drill, chosen)
        play(session, decisions)
        session.finish(target)
    console = stdout()
    console.print(_objectives_table(session.objectives(), f"{drill.name} · seed {chosen}"))
    taken = sum(entry.outcome == "taken" for entry in session.log)
    refused = [entry for entry in session.log if entry.outcome == "refused"]
    say(console, f"decisions taken: {taken}, refused: {len(refused)}")
    for entry in refused:
        say(console, f"  refused at {entry.sim_h:g} h ({entry.role}): {entry.detail}")
    say(console, f"drill folder: {target}")
    _report(
        target,
        drill,
        replays,
        workers,
        drill_file,
        decisions_file=script,
        seed=chosen,
        overrides=overrides or [],
    )


def _report(
    target: Path,
    drill: Drill,
    replays: int,
    workers: int,
    drill_file: str,
    decisions_file: Path,
    seed: int,
    overrides: list[str],
) -> None:
    """Write the after-action report of the drill folder `target`, naming the command."""
    from sim.drill.report import write_report

    command = ["gridsim", "drill", drill_file, "--script", str(decisions_file)]
    command += ["--out", str(target), "--seed", str(seed), "--replays", str(replays)]
    command += [part for override in overrides for part in ("--set", override)]
    with stderr().status(f"Writing the after-action report ({replays} replays) …"):
        report = write_report(target, drill, replays, workers, shlex.join(command))
    say(stdout(), f"after-action report: {report}")


def _objectives_table(objectives: dict[str, dict], title: str) -> Table:
    table = Table(title=title)
    for column in ("objective", "status", "value", "when (h)"):
        table.add_column(column)
    for name, objective in objectives.items():
        value = objective["value"]
        shown = "–" if value is None else f"{value:.3g} {objective['unit']}"
        when = objective["met_at_h"] or objective["missed_at_h"]
        label = f"{name} {objective['label_zh']}".strip()
        table.add_row(label, objective["status"], shown, "–" if when is None else f"{when:g}")
    return table
