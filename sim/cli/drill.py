"""`gridsim drill`: play a drill of emergency plans in the browser app (sim.drill.app), or
headless from a decisions file; either writes its folder (the run folder, the log, the
objectives) and the after-action report (sim.drill.report)."""

from __future__ import annotations

import shlex
import socket
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from sim.cli.app import (
    SeedOption,
    SetOption,
    WorkersOption,
    app,
    bad_input,
    out_option,
    reject_scenario,
    say,
    stderr,
    stdout,
)
from sim.config.loader import ScenarioError

if TYPE_CHECKING:
    from collections.abc import Callable

    from sim.drill import Drill
    from sim.drill.room import DrillRoom

DRILL_HELP = (
    "Play a drill of emergency plans (预案演练). Without --script, serve the drill app at "
    "http://HOST:PORT for the facilitator and the players (map, KPIs and objectives, clock, "
    "decisions, injects, log; Ctrl-C stops it), and its Finish button writes DIR. With "
    "--script, headless: the decisions file's decisions and injects are taken at their "
    "simulated times, the drill runs to its horizon, and DIR receives the run folder (run/), "
    "the drill log (drill_log.json, drill_log.csv), the objectives met or missed "
    "(objectives.json), the expected decisions against those taken (expectations.json), the "
    "drill and the decisions as played, and the after-action report (report.html, "
    "charts/*.png; with --replays N, the decisions and the plan alone replayed on N other "
    "seeds, replays.csv). Bad drill or decisions files exit 2, naming the file, line and field."
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
            help="Decisions file: play headless (without it, the app is served).",
            show_default=False,
        ),
    ] = None,
    out: Annotated[
        Path | None,
        out_option(
            "DIR",
            "Drill folder to write. Default: runs/<drill name>-s<seed> headless, "
            "runs/drill-<drill name>-<date-time> from the app.",
        ),
    ] = None,
    host: Annotated[
        str, typer.Option("--host", help="Address the app listens on (0.0.0.0: every one).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=0, max=65535, help="The app's port.")] = 8765,
    seed: SeedOption = None,
    overrides: SetOption = None,
    replays: Annotated[
        int,
        typer.Option(
            "--replays",
            min=0,
            help="After-action report: replay the decisions and the plan alone on N other "
            "seeds (0: none, faster).",
        ),
    ] = 20,
    workers: WorkersOption = 2,
) -> None:
    """Play a drill (see DRILL_HELP)."""
    from sim.drill import DrillSession, load_drill, load_script, play
    from sim.drill.room import DrillRoom
    from sim.drill.session import drill_folder_problem

    try:
        drill = load_drill(drill_file, overrides or [])
        decisions = load_script(script, drill) if script is not None else None
    except ScenarioError as exc:
        reject_scenario(drill_file, [str(problem) for problem in exc.problems])
    chosen = drill.seed if seed is None else seed
    if out is not None:
        target = out
    elif decisions is None:
        target = Path("runs") / f"drill-{drill.name}-{datetime.now():%Y%m%d-%H%M%S}"
    else:
        target = Path("runs") / f"{drill.name}-s{chosen}"
    problem = drill_folder_problem(target)
    if problem:
        bad_input(
            f"{drill_file}: nothing was run",
            [f"--out {target}: {problem}; choose another folder"],
        )
    if decisions is None:
        # The report names the headless command that plays the folder's decisions again.
        report = _reporter(replays, workers, command=None)
        _serve(DrillRoom(DrillSession(drill, chosen), target, report), host, port)
        return
    command = ["gridsim", "drill", drill_file, "--script", str(script), "--out", str(target)]
    command += ["--seed", str(chosen), "--replays", str(replays)]
    command += [part for override in overrides or [] for part in ("--set", override)]
    report = _reporter(replays, workers, shlex.join(command))
    with stderr().status(f"Playing {drill.name}: seed {chosen} …"):
        session = DrillSession(drill, chosen)
        play(session, decisions)
        try:
            session.finish(target)
        except OSError as exc:  # a full disk, say: said as such, not as a bug
            bad_input(
                f"{drill_file}: the drill finished but its folder could not be written",
                [f"--out {target}: {exc.strerror or exc}"],
            )
    console = stdout()
    console.print(_objectives_table(session.objectives(), f"{drill.name} · seed {chosen}"))
    taken = sum(entry.outcome == "taken" for entry in session.log)
    refused = [entry for entry in session.log if entry.outcome == "refused"]
    say(console, f"decisions taken: {taken}, refused: {len(refused)}")
    for entry in refused:
        say(console, f"  refused at {entry.sim_h:g} h ({entry.role}): {entry.detail}")
    say(console, f"drill folder: {target}")
    with stderr().status(f"Writing the after-action report ({replays} replays) …"):
        say(console, f"after-action report: {report(target, drill)}")


def _reporter(replays: int, workers: int, command: str | None) -> Callable[[Path, Drill], Path]:
    """What writes the after-action report of a drill folder, naming `command` (None: the
    command that plays the folder's decisions again)."""

    def report(folder: Path, drill: Drill) -> Path:
        from sim.drill.report import write_report

        return write_report(folder, drill, replays, workers, command)

    return report


def _serve(room: DrillRoom, host: str, port: int) -> None:
    """Serve the drill app on `room` until Ctrl-C (exit 2 if the address is taken)."""
    from sim.drill.app import serve

    try:
        with socket.create_server((host, port)) as probe:
            port = probe.getsockname()[1]  # --port 0: a free one
    except OSError as error:
        bad_input(f"{host}:{port}: cannot listen there ({error.strerror}); choose another --port")
    drill = room.session.drill
    say(stdout(), f"drill app for {drill.name}: http://{host}:{port}  (Ctrl-C stops it)")
    say(stdout(), f"Finish writes the drill folder and its after-action report: {room.out}")
    serve(room, host, port)


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
