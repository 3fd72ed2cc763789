"""The gridsim Typer app, its exit codes, and how every command talks to the user: results on
stdout, errors, warnings and progress on stderr; bad input reported and exit 2."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console

from sim.cli.formats import Format

EXIT_OK, EXIT_INTERNAL, EXIT_BAD_INPUT = 0, 1, 2
EXIT_INTERRUPTED = 130  # as a shell reports a command stopped with Ctrl-C
DEBUG_ENV = "GRIDSIM_DEBUG"

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


#: Width of tables written to a file or a pipe (a terminal's own width is used otherwise).
PIPED_WIDTH = 120


def _console(stderr: bool = False) -> Console:
    """A console made per call, so that captured streams are honoured. Piped into a file or a
    log, tables get PIPED_WIDTH columns rather than rich's 80 (unless COLUMNS says otherwise).
    Text is printed as it is: no markup, no emoji codes (`file.yaml:100:` stays as written), no
    highlighting, whatever a file or a name holds."""
    stream = sys.stderr if stderr else sys.stdout
    piped = not stream.isatty() and "COLUMNS" not in os.environ
    return Console(
        stderr=stderr,
        highlight=False,
        markup=False,
        emoji=False,
        width=PIPED_WIDTH if piped else None,
    )


def stdout() -> Console:
    """Console for results (stdout)."""
    return _console()


def stderr() -> Console:
    """Console for errors, warnings and progress (stderr)."""
    return _console(stderr=True)


def say(console: Console, text: str, style: str | None = None) -> None:
    """Print plain text: no markup, no highlighting, no wrapping (paths stay on one line)."""
    console.print(text, style=style, markup=False, emoji=False, highlight=False, soft_wrap=True)


def bad_input(header: str, problems: Iterable[str] = ()) -> NoReturn:
    """Report bad input on stderr and exit 2."""
    err = stderr()
    say(err, f"error: {header}", style="bold red")
    for problem in problems:
        say(err, f"  {problem}")
    raise typer.Exit(EXIT_BAD_INPUT)


def plural(count: int, word: str) -> str:
    """`1 run`, `2 runs`."""
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def reject_scenario(file: str, problems: list[str]) -> NoReturn:
    """Report a file's problems, say that nothing was run or written, and exit 2."""
    header = f"{file}: {plural(len(problems), 'problem')}; nothing was run or written"
    bad_input(header, problems)


def warn(lines: Iterable[str]) -> None:
    """Print warnings on stderr, one per line."""
    err = stderr()
    for line in lines:
        say(err, f"warning: {line}", "yellow")


class Language(StrEnum):
    """What `--lang` may ask for: the language of a table's labels (sim.terms)."""

    en = "en"
    zh = "zh"


# The options several commands take, each declared once: a command's parameter is typed with
# one of these (`lang: LangOption = Language.en`), its default given where it is used.


def out_option(metavar: str, help: str) -> Any:
    """`--out`/`-o`: what a command writes, a FILE or a DIR, described by `help`."""
    return typer.Option("--out", "-o", metavar=metavar, help=help, show_default=False)


LangOption = Annotated[
    Language,
    typer.Option("--lang", help="Language of the labels: en (English) or zh (Chinese)."),
]
FormatOption = Annotated[
    Format,
    typer.Option(
        "--format",
        help="table: rich tables on the terminal; markdown: pipe tables; latex: booktabs "
        "tables; csv: the numbers unformatted, with label columns.",
    ),
]
ForceOption = Annotated[
    bool,
    typer.Option("--force", help="Let --out replace a file (a report: and its files folder)."),
]
SeedOption = Annotated[
    int | None,
    typer.Option(
        "--seed",
        min=0,
        help="Root random seed; the same seed gives the same run (a drill's default: its own).",
    ),
]
SetOption = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        metavar="KEY=VALUE",
        help="Override a field of the file, e.g. --set grid_workers.per_grid=2, or of an "
        "experiment --set replications=40 (repeatable; the value is YAML, list items by "
        "index: world.streets.0.id=s1).",
        show_default=False,
    ),
]
WorkersOption = Annotated[
    int,
    typer.Option("--workers", min=1, help="Worker processes (a sweep's runs, a drill's replays)."),
]
ExecutorOption = Annotated[str, typer.Option("--executor", help="serial, processes or dask.")]


def refuse_existing(out: Path | None, force: bool) -> None:
    """Exit 2 if `out` exists and `--force` was not given: a file is never silently
    overwritten."""
    if out is not None and out.exists() and not force:
        bad_input(f"--out {out}: the file exists; nothing was written (--force replaces it)")


def write_text(path: Path, text: str) -> None:
    """Write a file atomically (a temporary file beside it, then renamed; its folder made if
    need be) and say where, on stderr (stdout stays the results'). Exit 2 if it cannot be
    written."""
    temporary = path.with_name(f".{path.name}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary.write_text(text, encoding="utf-8")
        temporary.replace(path)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        bad_input(f"--out {path}: {exc.strerror or exc}; nothing was written")
    say(stderr(), f"written to {path}")
