"""The drill file (`scenarios/drills/*.yaml`): which scenario is played, with which seed and
clock; the objectives; the events list of injects; the players' roles; the resources they may
mobilise — the preparation (准备) of an exercise (docs/sources.md P90, P91). It is loaded like a
scenario (`extends:` another drill file, `--set`, every problem as file:line: field.path:
message), then checked against its scenario."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from pydantic import Field, PrivateAttr

from sim.config.base import StrictModel
from sim.config.loader import ScenarioError, load_data, located, validate_loaded
from sim.drill.clock import Clock
from sim.drill.decisions import Resource, Role
from sim.drill.injects import AnyInject, Inject
from sim.drill.objectives import Objective
from sim.emergency.actions import Mobilise
from sim.scenario import Scenario, load_scenario

Problems = list[tuple[str, str]]


class Drill(StrictModel):
    """A drill of emergency plans (预案演练) on a scenario."""

    name: str
    label_zh: str = ""
    description: str = ""
    scenario: str = Field(description="The scenario file played (relative to the drill file).")
    seed: int = Field(0, ge=0, description="Root random seed of the run.")
    clock: Clock = Field(default_factory=Clock)
    objectives: dict[str, Objective] = Field(default_factory=dict)
    injects: dict[str, AnyInject] = Field(
        default_factory=dict, description="The events list (情景注入), by name."
    )
    roles: dict[str, Role] = Field(min_length=1, description="The players' roles, by name.")
    resources: dict[str, Resource] = Field(
        default_factory=dict,
        description="Standby teams and volunteer pools the players may mobilise, by team.",
    )
    _scenario: Scenario | None = PrivateAttr(None)

    # -- the scenario played --------------------------------------------------------------

    @property
    def played(self) -> Scenario:
        """The scenario played (set by `load_drill` or `drill_from_dict`)."""
        if self._scenario is None:
            raise ValueError(f"drill {self.name!r} was built without its scenario")
        return self._scenario

    @property
    def start(self) -> float:
        """When the players take over (hours from the run's start)."""
        return self.clock.start

    @property
    def horizon(self) -> float:
        """When the drill ends (hours from the run's start)."""
        return self.horizon_on(self.played)

    def horizon_on(self, scenario: Scenario) -> float:
        """When the drill ends if `scenario` is played (hours from the run's start): the
        clock's horizon, or else the end of the scenario's run."""
        if self.clock.horizon is None:
            return 24.0 * scenario.run.days
        return self.clock.horizon

    def since(self, objective: Objective) -> float:
        """From when an objective's cases count."""
        return self.start if objective.since is None else objective.since

    def timed_injects(self) -> list[tuple[float, str, Inject]]:
        """(time, name, inject) of the injects with a time, in time order (file order at a
        tie)."""
        timed = [(inject.at, name, inject) for name, inject in self.injects.items()]
        return sorted(((at, n, i) for at, n, i in timed if at is not None), key=lambda x: x[0])

    # -- checks against the scenario ------------------------------------------------------

    def problems(self, scenario: Scenario) -> Problems:
        """What in the drill its scenario does not have, or cannot happen in it, as (field
        path, message) pairs."""
        start = self.start
        horizon = self.horizon_on(scenario)
        problems: Problems = []
        if not 0 <= start < horizon:
            problems.append(("clock.start", f"{start:g} h: not before the horizon {horizon:g} h"))
        for name, objective in self.objectives.items():
            where = f"objectives.{name}"
            problems += objective.measure.problems(scenario, f"{where}.measure")
            if not start < objective.by <= horizon:
                problems.append(
                    (
                        f"{where}.by",
                        f"{objective.by:g} h: not within the drill ({start:g}, {horizon:g}] h",
                    )
                )
        for name, inject in self.injects.items():
            problems += self.inject_problems(inject, scenario, f"injects.{name}")
            if name in scenario.incidents:
                problems.append((f"injects.{name}", "a scenario incident has this name"))
        for name, role in self.roles.items():
            problems += [
                (f"roles.{name}.plans.{i}", f"no plan {plan!r}")
                for i, plan in enumerate(role.plans)
                if plan not in scenario.plans
            ]
            if not role.plans and not role.actions:
                problems.append((f"roles.{name}", "decides nothing: give plans or actions"))
        for name in self.resources:
            problems += [
                (f"resources.{name}", message)
                for _, message in Mobilise(mobilise=name).problems(scenario, "")
            ]
        return problems

    def inject_problems(self, inject: Inject, scenario: Scenario, where: str) -> Problems:
        """Why `inject` cannot happen in this drill, as (field path, message) pairs."""
        problems = inject.problems(scenario, where)
        horizon = self.horizon_on(scenario)
        if inject.at is not None and not self.start <= inject.at < horizon:
            problems.append(
                (
                    f"{where}.at",
                    f"{inject.at:g} h: not within the drill [{self.start:g}, {horizon:g}) h",
                )
            )
        expected = inject.expects.plan if inject.expects is not None else None
        if expected is not None and expected not in scenario.plans:
            problems.append((f"{where}.expects.plan", f"no plan {expected!r}"))
        return problems


def drill_from_dict(data: dict, scenario: Scenario, source: str = "<dict>") -> Drill:
    """A drill from in-memory data, played on `scenario` (tests, notebooks); raises
    ScenarioError as `load_drill` does."""
    drill = validate_loaded(data, {"": (source, None)}, Drill, source)
    problems = located(drill.problems(scenario), {"": (source, None)}, source)
    if problems:
        raise ScenarioError(problems)
    drill._scenario = scenario
    return drill


def load_drill(path: str | os.PathLike[str], overrides: Iterable[str] = ()) -> Drill:
    """Load a drill file with its `extends:` chain and `overrides` (`a.b=value`), load its
    scenario (relative to the file that names it), and check the drill against it.

    Raises ScenarioError naming the file, line and field path of every problem (the scenario
    file's own problems as they are).
    """
    file = os.fspath(path)
    data, origins = load_data(file, overrides)
    named = data.get("scenario")
    if isinstance(named, str):
        origin, _ = origins.get("scenario", (file, None))
        base = Path.cwd() if origin == "--set" else Path(origin).resolve().parent
        data["scenario"] = str(base / named)
    drill = validate_loaded(data, origins, Drill, file)
    scenario = load_scenario(drill.scenario)
    problems = located(drill.problems(scenario), origins, file)
    if problems:
        raise ScenarioError(problems)
    drill._scenario = scenario
    return drill
