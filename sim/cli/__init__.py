"""The `gridsim` command: a thin layer over `sim.load_scenario` and `sim.run`, one module per
command (run, validate, sweep with compare and sensitivity, schema, drill, report).

Exit codes: 0 success; 2 bad input (the message names the file, the line, the field path and
what is wrong, never a traceback); 1 internal error (a short message, and the traceback only
with GRIDSIM_DEBUG=1). A scenario is validated completely before anything is run or written.
"""

from __future__ import annotations

import os
import sys
import traceback
from importlib import metadata
from typing import Annotated

import typer

from sim.cli import drill, report, run, sweep, validate  # noqa: F401 - registers the commands
from sim.cli.app import DEBUG_ENV, EXIT_BAD_INPUT, EXIT_INTERNAL, app, say, stderr, stdout
from sim.cli.schema import experiment_json_schema, scenario_json_schema
from sim.config.loader import ScenarioError

__all__ = ["app", "experiment_json_schema", "main", "scenario_json_schema"]


def _version(value: bool) -> None:
    if value:
        try:
            version = metadata.version("gridsim")
        except metadata.PackageNotFoundError:
            version = "unknown (not installed)"
        say(stdout(), f"gridsim {version}")
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
    err = stderr()
    say(err, f"gridsim: internal error: {type(exc).__name__}: {exc}", "bold red")
    if os.environ.get(DEBUG_ENV, "").strip() not in ("", "0"):
        sys.stderr.write("".join(traceback.format_exception(exc)))
    else:
        say(
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
        say(stderr(), f"error: {exc}", "bold red")
        sys.exit(EXIT_BAD_INPUT)
    except Exception as exc:
        _internal_error(exc)
        sys.exit(EXIT_INTERNAL)
