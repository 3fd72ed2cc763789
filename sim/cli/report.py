"""`gridsim report`: a report for a planning meeting on a run folder or a sweep's results
folder (sim.report), in English or Chinese."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sim.cli.app import (
    ForceOption,
    LangOption,
    Language,
    app,
    bad_input,
    out_option,
    say,
    stderr,
    stdout,
)

REPORT_HELP = (
    "Write a report on DIR — a run folder (gridsim run) or a sweep's results folder (gridsim "
    "sweep) — for a planning meeting: one self-contained HTML file (charts embedded) with an "
    "executive summary of at most five sentences made from the numbers (for a sweep, each arm "
    "against the reference with paired 95 % confidence intervals), the charts with captions, "
    "the key figures, the scenario's values with the sources they cite (docs/sources.md), and "
    "the provenance (seeds, version, the command that reproduces it). Beside it, OUT's stem + "
    "_files/ holds each chart as PNG at slide resolution and each table as CSV. An existing "
    "report is replaced only with --force. Bad DIR exits 2, writing nothing."
)


@app.command("report", help=REPORT_HELP)
def report_command(
    folder: Annotated[str, typer.Argument(metavar="DIR", show_default=False)],
    out: Annotated[
        Path | None,
        out_option(
            "FILE", "The report to write (HTML). Default: DIR's name + -report.html, beside DIR."
        ),
    ] = None,
    lang: LangOption = Language.en,
    force: ForceOption = False,
    reference: Annotated[
        str | None,
        typer.Option(help="Arm the others are compared with (default: the experiment's first)."),
    ] = None,
    made_from: Annotated[
        Path | None,
        typer.Option(
            "--from",
            metavar="FILE",
            help="The scenario (run) or experiment (sweep) file DIR was made from, for the "
            "sources of its values (default: looked for by name under scenarios/ and "
            "experiments/).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Write a report (see REPORT_HELP)."""
    from sim.report import NotAStudy, ReportExists, files_folder, write_report

    if made_from is not None and not made_from.is_file():
        bad_input(f"--from {made_from}: no such file")
    source = Path(folder)
    resolved = source.resolve()
    target = out if out is not None else resolved.parent / f"{resolved.name}-report.html"
    try:
        with stderr().status(f"Writing the report on {folder} …"):
            path = write_report(source, target, lang.value, force, reference, made_from)
    except NotAStudy as error:
        bad_input(f"{error}; nothing was written")
    except ReportExists as error:
        bad_input(f"{error}; nothing was written")
    say(stdout(), f"report written to {path}")
    say(stdout(), f"charts and tables in {files_folder(path)}")
