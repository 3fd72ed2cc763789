"""The experiment file: a base scenario, named arms, factors (full factorial), replications and
one root seed. Every run's seed depends only on its replication number, so every arm and every
factor level sees the same random numbers (common random numbers)."""

from __future__ import annotations

import hashlib
import itertools
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import Field, field_validator, model_validator

from sim.config.base import StrictModel
from sim.config.limits import Limits, limits, number, over
from sim.config.loader import Problem, is_file, located
from sim.config.units import Quantity
from sim.rng import derive_seed
from sim.terms import Term


class Arm(StrictModel):
    """A policy arm: another scenario file, and/or overrides (`a.b.c=value`) of the base."""

    scenario: str | None = Field(None, description="Scenario file (relative to the experiment).")
    set: list[str] = Field(default_factory=list, description="Overrides, as with --set.")


class Range(StrictModel):
    """A continuous factor: values between `low` and `high`, placed by the design; `integer`
    rounds them. Give plain numbers, durations (`12min`) or rates (`2/year`); the runs get
    numbers in the scenario's base units (hours, per hour)."""

    low: Quantity
    high: Quantity
    integer: bool = False

    @field_validator("high")
    @classmethod
    def _ordered(cls, value: float, info) -> float:
        if "low" in info.data and value <= info.data["low"]:
            raise ValueError("high must be above low (an empty range)")
        return value


class Design(StrictModel):
    """Points in the ranges, drawn from the experiment's seed: a Latin hypercube (exploration;
    first-order indices by RBD-FAST), Saltelli's scheme on a scrambled Sobol sequence (Sobol
    first-order and total indices) or Morris trajectories (elementary effects). The samplers
    are SALib's, so `gridsim sensitivity` can analyse the runs."""

    kind: Literal["lhs", "sobol", "morris"] = "lhs"
    samples: int = Field(
        8,
        ge=1,
        description="lhs: points; sobol: base samples N, a power of 2 (N·(k+2) points for k "
        "ranges, N·(2k+2) with second_order); morris: trajectories r (r·(k+1) points).",
    )
    levels: int = Field(4, ge=2, description="morris: levels of the grid (even is best).")
    second_order: bool = Field(
        False,
        description="sobol: also second-order indices of each pair of ranges (N·(2k+2) points).",
    )

    @model_validator(mode="after")
    def _consistent(self) -> Design:
        n = self.samples
        if self.kind == "sobol" and n & (n - 1):
            raise ValueError(f"samples: a Sobol design needs a power of 2 (got {n})")
        if self.second_order and self.kind != "sobol":
            raise ValueError("second_order: only a sobol design gives second-order indices")
        return self


class Label(StrictModel):
    """How tables name a factor, a range or an arm, in English and Chinese (one may be left
    out: the other is used)."""

    en: str | None = Field(None, min_length=1)
    zh: str | None = Field(None, min_length=1)

    @model_validator(mode="after")
    def _some(self) -> Label:
        if self.en is None and self.zh is None:
            raise ValueError("give en, zh or both")
        return self


class Experiment(StrictModel):
    """An experiment: arms × (factor levels, or design points over ranges) × replications."""

    name: str
    base: str = Field(description="Base scenario file, relative to the experiment file.")
    days: float | None = Field(
        None,
        gt=0,
        description="Horizon override; at most "
        f"{number(Limits.model_fields['days'].default)} (limit `days`, GRIDSIM_LIMITS).",
    )
    replications: int = Field(
        1,
        ge=1,
        description="Runs of each arm and cell, each with its own seed. An experiment has at "
        f"most {number(Limits.model_fields['runs'].default)} runs in all (limit `runs`, "
        "GRIDSIM_LIMITS).",
    )
    seed: int = Field(0, ge=0, description="Root seed; run seeds are derived from it.")
    arms: dict[str, Arm] = Field(default_factory=lambda: {"base": Arm()})
    factors: dict[str, list[Any]] = Field(
        default_factory=dict, description="Scenario path → values; all combinations are run."
    )
    ranges: dict[str, Range] = Field(
        default_factory=dict, description="Scenario path → range, sampled by `design`."
    )
    design: Design = Field(default_factory=Design)
    labels: dict[str, Label] = Field(
        default_factory=dict,
        description="Names of factors, ranges (by path) and arms in the tables of gridsim "
        "compare and sensitivity: {en: ..., zh: ...}. They change no number.",
    )

    @field_validator("days")
    @classmethod
    def _days_within_limit(cls, value: float | None) -> float | None:
        if value is not None and value > limits().days:
            raise ValueError(over("days", value, " days"))
        return value

    def run_count(self) -> int:
        """Runs of the experiment, counted without listing them (Morris trajectories that
        cross are counted each time)."""
        return math.prod(n for _, n in self._run_factors())

    def _run_factors(self) -> list[tuple[str, int]]:
        """(field, count) of what multiplies the runs: arms, factor levels, design points,
        replications."""
        counts = [("arms", len(self.arms))]
        counts += [(f"factors.{name}", len(levels)) for name, levels in self.factors.items()]
        if self.ranges:
            k, n = len(self.ranges), self.design.samples
            points = {
                "lhs": n,
                "sobol": n * (2 * k + 2 if self.design.second_order else k + 2),
                "morris": n * (k + 1),
            }[self.design.kind]
            counts.append(("design.samples", points))
        return [*counts, ("replications", self.replications)]

    def reference_problems(self) -> list[tuple[str, str]]:
        """Too many runs (the `runs` limit), blamed on the field that multiplies them most."""
        total = self.run_count()
        if total <= limits().runs:
            return []
        where, _ = max(self._run_factors(), key=lambda pair: pair[1])
        shown = " × ".join(f"{number(n)} {field}" for field, n in self._run_factors())
        return [(where, f"{shown}: {over('runs', total, ' runs')}")]

    def label_terms(self) -> dict[str, Term]:
        """The names `labels:` gives factors, ranges and arms, each in both languages (the
        other's where one is left out)."""
        return {
            name: Term(label.en or label.zh or name, label.zh or label.en or name)
            for name, label in self.labels.items()
        }

    @field_validator("arms")
    @classmethod
    def _arms(cls, value: dict[str, Arm]) -> dict[str, Arm]:
        if not value:
            raise ValueError("give at least one arm")
        return value

    @field_validator("factors")
    @classmethod
    def _levels(cls, value: dict[str, list[Any]]) -> dict[str, list[Any]]:
        empty = [path for path, levels in value.items() if not levels]
        if empty:
            raise ValueError(f"factors without values: {', '.join(empty)}")
        return value

    @field_validator("labels")
    @classmethod
    def _labelled(cls, value: dict[str, Label], info) -> dict[str, Label]:
        known = [*info.data.get("factors", {}), *info.data.get("ranges", {})]
        known += list(info.data.get("arms", {}))
        unknown = [name for name in value if name not in known]
        if unknown:
            raise ValueError(
                f"{', '.join(unknown)}: not a factor, range or arm of the experiment "
                f"(those are: {', '.join(known)})"
            )
        return value


@dataclass(frozen=True)
class RunSpec:
    """One run of an experiment: which scenario with which overrides, and its seed."""

    run_id: str
    arm: str
    levels: dict[str, Any]
    replication: int
    seed: int
    scenario: str
    overrides: tuple[str, ...]
    days: float | None


def missing_scenarios(experiment: Experiment, file: str, origins: dict) -> list[Problem]:
    """The scenario files the experiment `file` names (its base, each arm's) that are not
    there, each at the line of the key that names it, as written and where it was looked
    for (`origins`: from `load_data`)."""
    folder = Path(file).resolve().parent
    named = [("base", experiment.base)]
    named += [(f"arms.{n}.scenario", a.scenario) for n, a in experiment.arms.items() if a.scenario]
    return located(
        [
            (where, f"no scenario file {name!r} (looked for {folder / name})")
            for where, name in named
            if not is_file(folder / name)
        ],
        origins,
        file,
    )


def problem(experiment: Experiment) -> dict[str, Any]:
    """The ranges as a SALib problem (names and bounds, in the scenario's units)."""
    ranges = experiment.ranges
    return {
        "num_vars": len(ranges),
        "names": list(ranges),
        "bounds": [[spec.low, spec.high] for spec in ranges.values()],
    }


def design_matrix(experiment: Experiment) -> np.ndarray:
    """The design's points over the ranges, one row per point, before integer rounding."""
    from SALib.sample import morris, sobol
    from scipy.stats import qmc  # here, not at the top: workers running runs never need it

    design, spec = experiment.design, problem(experiment)
    seed = derive_seed(experiment.seed, "design")
    if design.kind == "sobol":
        return sobol.sample(spec, design.samples, calc_second_order=design.second_order, seed=seed)
    if design.kind == "morris":
        return morris.sample(spec, design.samples, num_levels=design.levels, seed=seed)
    unit = qmc.LatinHypercube(spec["num_vars"], seed=seed).random(design.samples)
    bounds = np.array(spec["bounds"])
    return qmc.scale(unit, bounds[:, 0], bounds[:, 1])


def design_points(experiment: Experiment) -> list[dict[str, float]]:
    """The design's points as scenario values (one empty point when there are no ranges)."""
    if not experiment.ranges:
        return [{}]
    return [
        {
            name: round(float(value)) if spec.integer else float(value)
            for (name, spec), value in zip(experiment.ranges.items(), row, strict=True)
        }
        for row in design_matrix(experiment)
    ]


def scenario_digests(experiment: Experiment, folder: Path) -> dict[str, str]:
    """A hash of each scenario file the experiment names (with its `extends:` chain and the
    files it reads, such as staffing tables), so that results are never mixed with runs of an
    edited scenario."""
    from sim.config.loader import load_data, referenced_files

    names = {experiment.base} | {arm.scenario for arm in experiment.arms.values() if arm.scenario}
    digests = {}
    for name in sorted(names):
        data = load_data(folder / name)[0]
        text = json.dumps(data, sort_keys=True, default=str)
        digest = hashlib.blake2b(text.encode(), digest_size=8)
        for path in referenced_files(data):
            digest.update(path.read_bytes())
        digests[name] = digest.hexdigest()
    return digests


def run_id(arm: str, levels: dict[str, Any], replication: int) -> str:
    """A run's stable id: a hash of its arm, factor values and replication."""
    key = json.dumps([arm, levels, replication], sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.blake2b(key.encode(), digest_size=8).hexdigest()


def level_combinations(experiment: Experiment) -> list[dict[str, Any]]:
    """Every factor combination × design point, as scenario path → value."""
    names = list(experiment.factors)
    points = design_points(experiment)
    return [
        dict(zip(names, combination, strict=True)) | point
        for combination in itertools.product(*(experiment.factors[n] for n in names))
        for point in points
    ]


def runs_of(experiment: Experiment, folder: Path) -> list[RunSpec]:
    """Every distinct run of the experiment, in a stable order; paths resolved against `folder`.
    A design point drawn twice (Morris trajectories may cross) is run once."""
    runs: dict[str, RunSpec] = {}
    for arm_name, arm in experiment.arms.items():
        scenario = str((folder / (arm.scenario or experiment.base)).resolve())
        for levels in level_combinations(experiment):
            overrides = tuple(arm.set) + tuple(
                f"{path}={json.dumps(value, ensure_ascii=False)}" for path, value in levels.items()
            )
            for replication in range(experiment.replications):
                identity = run_id(arm_name, levels, replication)
                seed = derive_seed(experiment.seed, "replication", replication)
                runs.setdefault(
                    identity,
                    RunSpec(
                        identity,
                        arm_name,
                        levels,
                        replication,
                        seed,
                        scenario,
                        overrides,
                        experiment.days,
                    ),
                )
    return list(runs.values())
