"""The experiment file: a base scenario, named arms, factors (full factorial), replications and
one root seed. Every run's seed depends only on its replication number, so every arm and every
factor level sees the same random numbers (common random numbers)."""

from __future__ import annotations

import hashlib
import itertools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, field_validator
from scipy.stats import qmc

from sim.config.base import StrictModel
from sim.rng import derive_seed


class Arm(StrictModel):
    """A policy arm: another scenario file, and/or overrides (`a.b.c=value`) of the base."""

    scenario: str | None = Field(None, description="Scenario file (relative to the experiment).")
    set: list[str] = Field(default_factory=list, description="Overrides, as with --set.")


class Range(StrictModel):
    """A continuous factor: values between `low` and `high` (numbers in the scenario's units:
    hours, per hour …), placed by the design; `integer` rounds them."""

    low: float
    high: float
    integer: bool = False

    @field_validator("high")
    @classmethod
    def _ordered(cls, value: float, info) -> float:
        if "low" in info.data and value <= info.data["low"]:
            raise ValueError("high must be above low (an empty range)")
        return value


class Design(StrictModel):
    """Points in the ranges: a Latin hypercube or a scrambled Sobol sequence (scipy.stats.qmc),
    drawn from the experiment's seed."""

    kind: Literal["lhs", "sobol"] = "lhs"
    samples: int = Field(8, ge=1)


class Experiment(StrictModel):
    """An experiment: arms × (factor levels, or design points over ranges) × replications."""

    name: str
    base: str = Field(description="Base scenario file, relative to the experiment file.")
    days: float | None = Field(None, gt=0, allow_inf_nan=False, description="Horizon override.")
    replications: int = Field(1, ge=1)
    seed: int = Field(0, ge=0, description="Root seed; run seeds are derived from it.")
    arms: dict[str, Arm] = Field(default_factory=lambda: {"base": Arm()})
    factors: dict[str, list[Any]] = Field(
        default_factory=dict, description="Scenario path → values; all combinations are run."
    )
    ranges: dict[str, Range] = Field(
        default_factory=dict, description="Scenario path → range, sampled by `design`."
    )
    design: Design = Field(default_factory=Design)

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


def design_points(experiment: Experiment) -> list[dict[str, float]]:
    """The design's points over the ranges (one empty point when there are none)."""
    if not experiment.ranges:
        return [{}]
    names = list(experiment.ranges)
    seed = derive_seed(experiment.seed, "design")
    if experiment.design.kind == "sobol":
        sampler = qmc.Sobol(len(names), scramble=True, seed=seed)
    else:
        sampler = qmc.LatinHypercube(len(names), seed=seed)
    unit = sampler.random(experiment.design.samples)
    points = []
    for row in unit:
        point = {}
        for name, u in zip(names, row, strict=True):
            spec = experiment.ranges[name]
            value = spec.low + u * (spec.high - spec.low)
            point[name] = round(float(value)) if spec.integer else float(value)
        points.append(point)
    return points


def runs_of(experiment: Experiment, folder: Path) -> list[RunSpec]:
    """Every run of the experiment, in a stable order; paths resolved against `folder`."""
    names = list(experiment.factors)
    levels_product = list(itertools.product(*(experiment.factors[n] for n in names)))
    combinations = [
        (dict(zip(names, combination, strict=True)) | point)
        for combination in levels_product
        for point in design_points(experiment)
    ]
    runs = []
    for arm_name, arm in experiment.arms.items():
        scenario = str((folder / (arm.scenario or experiment.base)).resolve())
        for levels in combinations:
            overrides = tuple(arm.set) + tuple(
                f"{path}={json.dumps(value, ensure_ascii=False)}" for path, value in levels.items()
            )
            for replication in range(experiment.replications):
                key = json.dumps(
                    [arm_name, levels, replication], sort_keys=True, ensure_ascii=False, default=str
                )
                run_id = hashlib.blake2b(key.encode(), digest_size=8).hexdigest()
                seed = derive_seed(experiment.seed, "replication", replication)
                runs.append(
                    RunSpec(
                        run_id,
                        arm_name,
                        levels,
                        replication,
                        seed,
                        scenario,
                        overrides,
                        experiment.days,
                    )
                )
    return runs
