"""gridsim: community grid management (网格化管理) under peacetime/emergency switching."""

from sim.config import Scenario, ScenarioError, load_scenario, scenario_from_dict
from sim.runner import Result, run

__all__ = ["Result", "Scenario", "ScenarioError", "load_scenario", "run", "scenario_from_dict"]
