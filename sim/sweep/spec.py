"""The experiment file: a base scenario, named arms, factors (full factorial), replications and
one root seed. Every run's seed depends only on its replication number, so every arm and every
factor level sees the same random numbers (common random numbers)."""

from __future__ import annotations

import hashlib
import itertools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import Field, field_validator

from sim.config.base import StrictModel
from sim.rng import derive_seed


class Arm(StrictModel):
    """A policy arm: another scenario file, and/or overrides (`a.b.c=value`) of the base."""

    scenario: str | None = Field(None, description="Scenario file (relative to the experiment).")
    set: list[str] = Field(default_factory=list, description="Overrides, as with --set.")


class Experiment(StrictModel):
    """An experiment: arms × factor levels × replications of a base scenario."""

    name: str
    base: str = Field(description="Base scenario file, relative to the experiment file.")
    days: float | None = Field(None, gt=0, allow_inf_nan=False, description="Horizon override.")
    replications: int = Field(1, ge=1)
    seed: int = Field(0, ge=0, description="Root seed; run seeds are derived from it.")
    arms: dict[str, Arm] = Field(default_factory=lambda: {"base": Arm()})
    factors: dict[str, list[Any]] = Field(
        default_factory=dict, description="Scenario path → values; all combinations are run."
    )

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


def runs_of(experiment: Experiment, folder: Path) -> list[RunSpec]:
    """Every run of the experiment, in a stable order; paths resolved against `folder`."""
    names = list(experiment.factors)
    combinations = list(itertools.product(*(experiment.factors[n] for n in names)))
    runs = []
    for arm_name, arm in experiment.arms.items():
        scenario = str((folder / (arm.scenario or experiment.base)).resolve())
        for combination in combinations:
            levels = dict(zip(names, combination, strict=True))
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
