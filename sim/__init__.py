"""gridsim: community grid management (网格化管理) under peacetime/emergency switching.

`from sim import load_scenario, run, load_run`; the engine is imported on first use of
`run`/`Result`/`load_run`, so validating files stays quick.
"""

from typing import Any

from sim.config.loader import ScenarioError
from sim.scenario import Scenario, load_scenario, scenario_from_dict

__all__ = [
    "Result",
    "Scenario",
    "ScenarioError",
    "load_run",
    "load_scenario",
    "run",
    "scenario_from_dict",
]


def __getattr__(name: str) -> Any:
    if name in ("run", "Result", "load_run"):
        from sim import runner

        return getattr(runner, name)
    raise AttributeError(f"module 'sim' has no attribute {name!r}")
