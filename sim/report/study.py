"""The folder a report is written from, read back: a run folder (`sim.load_run`) or a sweep's
results folder (its runs table, `sim.sweep.load_results`, and its runs as results), with the
file it was made from (sim.report.origin). A sweep's runs are grouped by combination of factor
levels (a `Cell`) and by arm within it, the reference arm first; points of a design over ranges
stay together in their arm."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import pandas as pd
import yaml

from sim.plots.levels import in_value_order
from sim.report.origin import Origin, experiment_origin, scenario_origin
from sim.terms import Lang, Term, setting

if TYPE_CHECKING:
    from sim.runner import Result
    from sim.sweep.spec import Experiment


class NotAStudy(ValueError):
    """The folder is neither a run folder nor a sweep's results folder with finished runs."""


@dataclass
class Cell:
    """One combination of factor levels (none without factors): its label, the level of each
    factor column, and its runs by arm."""

    label: str
    levels: dict[str, Any]
    arms: dict[str, list[Result]]


@dataclass
class Study:
    """A run folder or a sweep's results folder, read back."""

    folder: Path
    kind: Literal["run", "sweep"]
    name: str  # the scenario's (run) or the experiment's (sweep)
    scenario: str  # the name of the scenario that ran (a sweep: its base's)
    cells: list[Cell]
    origin: Origin
    table: pd.DataFrame | None = None  # the runs table of the finished runs (sweep)
    experiment: Experiment | None = None
    arms: list[str] = field(default_factory=list)  # reference first

    @property
    def results(self) -> list[Result]:
        """Every run, cell by cell and arm by arm."""
        return [r for cell in self.cells for runs in cell.arms.values() for r in runs]

    @property
    def first(self) -> Result:
        return self.results[0]

    @property
    def seeds(self) -> list[int]:
        """The seeds of the runs (a sweep's replications share them across arms)."""
        return sorted({r.seed for r in self.results})

    @property
    def replications(self) -> int:
        return len(self.seeds)

    @property
    def reference(self) -> str:
        return self.arms[0]

    @property
    def factors(self) -> list[str]:
        """The runs table's columns of the experiment's factors (not its ranges)."""
        if self.experiment is None:
            return []
        return [f"factor.{name}" for name in self.experiment.factors]

    @property
    def has_ranges(self) -> bool:
        return self.experiment is not None and bool(self.experiment.ranges)

    @property
    def has_incidents(self) -> bool:
        return any(r.scenario.incidents for r in self.results)

    @property
    def days(self) -> float:
        return float(self.first.summary["horizon_h"]) / 24.0

    @property
    def labels(self) -> dict[str, Term]:
        """The names the experiment file gives its arms, factors and ranges (`labels:`)."""
        return self.experiment.label_terms() if self.experiment is not None else {}

    def arm_name(self, arm: str, lang: Lang) -> str:
        """An arm as the experiment file names it, else its key."""
        return setting("arm", arm, lang, self.labels, None)

    def cell_title(self, cell: Cell, lang: Lang) -> str:
        """A combination of factor levels as shown: "deliveries per household a day = 1/day"."""
        return ", ".join(setting(c, v, lang, self.labels, None) for c, v in cell.levels.items())


def open_study(
    folder: str | os.PathLike[str],
    reference: str | None = None,
    made_from: str | os.PathLike[str] | None = None,
) -> Study:
    """Read `folder`: a run folder (summary.json) or a sweep's results folder (experiment.yaml
    and finished runs); `reference` is the arm the others are compared with (default the
    experiment's first), `made_from` the scenario or experiment file it was made from (default:
    looked for by name). NotAStudy says why the folder cannot be reported on."""
    folder = Path(folder)
    if not folder.exists():
        raise NotAStudy(f"{folder}: no such folder")
    if not folder.is_dir():
        raise NotAStudy(f"{folder}: not a folder")
    if (folder / "summary.json").is_file():
        return _run(folder, made_from)
    if (folder / "experiment.yaml").is_file():
        return _sweep(folder, reference, made_from)
    raise NotAStudy(
        f"{folder}: neither a run folder (no summary.json) nor a sweep's results folder "
        "(no experiment.yaml)"
    )


def _run(folder: Path, made_from: str | os.PathLike[str] | None) -> Study:
    from sim.runner import load_run

    try:
        result = load_run(folder)
    except Exception as error:  # a damaged folder: its files say what is wrong
        raise NotAStudy(f"{folder}: cannot read the run folder ({error})") from error
    name = result.scenario.name
    cell = Cell("", {}, {name: [result]})
    origin = scenario_origin(result.scenario, folder, made_from)
    return Study(folder, "run", name, name, [cell], origin, arms=[name])


def _sweep(folder: Path, reference: str | None, made_from: str | os.PathLike[str] | None) -> Study:
    from sim.runner import load_run
    from sim.sweep import load_results
    from sim.sweep.spec import Experiment
    from sim.sweep.store import Store

    try:
        experiment = Experiment.model_validate(
            yaml.safe_load((folder / "experiment.yaml").read_text(encoding="utf-8"))
        )
        table = load_results(folder)
    except Exception as error:
        raise NotAStudy(f"{folder}: cannot read the sweep's results ({error})") from error
    table = table[table["status"] == "ok"] if len(table) else table
    if not len(table):
        raise NotAStudy(f"{folder}: the sweep has no finished runs yet")
    arms = [arm for arm in experiment.arms if arm in set(table["arm"])]
    if reference is not None:
        if reference not in arms:
            raise NotAStudy(f"--reference: no arm {reference!r} (arms: {', '.join(arms)})")
        arms = [reference, *(arm for arm in arms if arm != reference)]
    factors = [f"factor.{name}" for name in experiment.factors]
    runs = Store(folder).runs
    cells: list[Cell] = []
    groups = table.groupby(factors, sort=False, dropna=False) if factors else [((), table)]
    for keys, rows in groups:
        keys = keys if isinstance(keys, tuple) else (keys,)
        levels = dict(zip(factors, keys, strict=True))
        label = ", ".join(f"{c.rsplit('.', 1)[-1]}={v}" for c, v in levels.items())
        by_arm = {
            arm: [load_run(runs / run_id) for run_id in rows[rows["arm"] == arm]["run_id"]]
            for arm in arms
        }
        cells.append(Cell(label, levels, {arm: rs for arm, rs in by_arm.items() if rs}))
    cells = in_value_order(cells, [list(cell.levels.values()) for cell in cells])
    scenario = cells[0].arms[next(iter(cells[0].arms))][0].scenario.name
    origin = experiment_origin(experiment, folder, made_from)
    study = Study(folder, "sweep", experiment.name, scenario, cells, origin, table, experiment)
    study.arms = arms
    return study
