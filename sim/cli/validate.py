"""`gridsim validate`: check scenario and experiment files, and print their offered load."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

import sim
from sim.cli.app import (
    EXIT_BAD_INPUT,
    LangOption,
    Language,
    app,
    plural,
    say,
    stderr,
    stdout,
    warn,
)
from sim.cli.formats import as_rich
from sim.cli.tables import load_sheet
from sim.config.loader import ScenarioError
from sim.scenario import Scenario

VALIDATE_HELP = (
    'Check scenario, experiment, drill and decisions files: print "ok FILE" for each good one, '
    "and every problem of each bad one as file:line: field.path: what is wrong. An experiment "
    "is checked with every scenario it runs, a drill with its scenario, a decisions file "
    "(NAME.decisions.yaml) against the drill beside it (NAME.yaml). Exit 0 if all are good, 2 "
    "otherwise. With --load, also print each scenario's offered load (work a week against hours "
    "on duty) and warn where it is more than the staff can do."
)
#: A decisions file is checked against the drill file of the same name beside it.
DECISIONS_SUFFIX = ".decisions"


@app.command("validate", help=VALIDATE_HELP)
def validate_command(
    files: Annotated[
        list[str],
        typer.Argument(
            metavar="FILE",
            help="Scenario, experiment, drill or decisions files (YAML).",
            show_default=False,
        ),
    ],
    load: Annotated[
        bool, typer.Option("--load", help="Print the offered load of each scenario.")
    ] = False,
    lang: LangOption = Language.en,
) -> None:
    """Validate scenario files (see VALIDATE_HELP)."""
    out, err = stdout(), stderr()
    bad = 0
    for file in files:
        try:
            scenarios = check_file(file)
        except ScenarioError as exc:
            bad += 1
            say(err, f"error: {file}: {plural(len(exc.problems), 'problem')}", "bold red")
            for problem in exc.problems:
                say(err, f"  {problem}")
        else:
            say(out, f"ok {file}")
            if load:
                from sim.load import scenario_load
                from sim.terms import scenario_names, word

                for label, scenario in scenarios:
                    offered = scenario_load(scenario)
                    title = word("offered_load_title", lang.value).format(name=label)
                    sheet = load_sheet(
                        offered.as_dict(), title, lang.value, scenario_names(scenario)
                    )
                    out.print(as_rich(sheet))
                    warn(offered.warnings())
    if bad:
        if len(files) > 1:
            say(err, f"{bad} of {len(files)} files have problems")
        raise typer.Exit(EXIT_BAD_INPUT)


def is_experiment(data: dict[str, Any]) -> bool:
    """Whether loaded data is an experiment: it has `base:` and none of a scenario's own
    settings (a scenario with a stray `base:` key is checked as a scenario, and told that
    `base` is not one of its settings)."""
    from sim.sweep.spec import Experiment

    scenario_only = set(Scenario.model_fields) - set(Experiment.model_fields)
    return "base" in data and not scenario_only & set(data)


def check_file(file: str) -> list[tuple[str, Scenario]]:
    """Validate a scenario file; an experiment file (`is_experiment`) with every scenario it
    runs: each arm, and each factor level, applied to it; a drill file (it has `scenario:`)
    with its scenario; or a decisions file (it has `decisions:` and no `world:`) against the
    drill file beside it. Returns (label, scenario) of each scenario checked: the scenario, the
    drill's, or each arm of an experiment on its first factor levels."""
    from sim.config.loader import load_data

    data, _ = load_data(file)
    if "scenario" in data:
        from sim.drill import load_drill

        return [(f"{file} scenario", load_drill(file).played)]
    if "decisions" in data and "world" not in data:
        return _check_decisions(file)
    if not is_experiment(data):
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


def _check_decisions(file: str) -> list[tuple[str, Scenario]]:
    """Check the decisions file `file` against its drill, NAME.yaml for NAME.decisions.yaml."""
    from sim.config.loader import Problem
    from sim.drill import load_drill, load_script

    path = Path(file)
    stem = path.name.removesuffix(path.suffix)
    drill_file = path.with_name(stem.removesuffix(DECISIONS_SUFFIX) + path.suffix)
    if not stem.endswith(DECISIONS_SUFFIX) or not drill_file.is_file():
        raise ScenarioError(
            [
                Problem(
                    file,
                    "",
                    None,
                    "a decisions file is checked against its drill: name it "
                    "NAME.decisions.yaml beside the drill NAME.yaml, or play it with "
                    "gridsim drill DRILL --script FILE",
                )
            ]
        )
    drill = load_drill(drill_file)
    load_script(file, drill)
    return [(f"{file} scenario", drill.played)]
