"""Scenario files: schema, YAML loading with `extends:` and overrides, units, distributions."""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any

from sim.config.loader import Problem, ScenarioError, load_validated, validate_dict
from sim.config.schema import Scenario


def load_scenario(path: str | os.PathLike[str], overrides: Iterable[str] = ()) -> Scenario:
    """Load and validate a scenario file; `overrides` are `a.b.c=value` strings (`--set`).

    Raises ScenarioError naming the file, line and field path of every problem.
    """
    return load_validated(path, Scenario, overrides)[0]


def scenario_from_dict(data: dict[str, Any], source: str = "<dict>") -> Scenario:
    """Validate an in-memory scenario (tests, notebooks)."""
    return validate_dict(data, Scenario, source)


__all__ = ["Problem", "Scenario", "ScenarioError", "load_scenario", "scenario_from_dict"]
