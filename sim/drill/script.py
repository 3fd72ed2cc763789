"""A decisions file: the players' decisions, and the injects the facilitator fires by hand, at
their simulated times, to play a drill without a browser (CI, comparing teams) — and what a
played session saves (`DrillSession.script`), so any session can be played again.

    drill: gas-leak-evening          # optional, for the reader
    decisions:
      - {at: 69h10min, role: 网格长, decision: {mobilise: property_staff, count: 4}}
      - {at: 69h30min, role: 街道, decision: {fire: gas_response}}
      - {at: 70h, inject: second_leak}          # a listed inject, fired by hand
      - {at: 75h, role: 街道, decision: {stand_down: gas_response}}

Entries come in time order. The file is checked against the drill before anything runs: unknown
roles, plans, teams, resources or injects, decisions a role may not take, times outside the
drill, each as file:line: field.path: message."""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import ClassVar

from pydantic import Field

from sim.config.base import StrictModel, one_of
from sim.config.loader import ScenarioError, load_data, located, validate_loaded
from sim.drill.clock import Moment
from sim.drill.decisions import AnyDecision, decision_problems
from sim.drill.injects import AnyInject
from sim.drill.session import DrillRefusal, DrillSession
from sim.drill.spec import Drill
from sim.emergency.actions import Action
from sim.runner import Result

Problems = list[tuple[str, str]]


class DecisionEntry(StrictModel):
    """A decision of a role at a time; an action taken by hand stays in force as `name`
    (default `<role>/<action>/<n>`, the n-th decision of the file, as DrillSession.decide
    names it)."""

    key: ClassVar[str] = "decision"
    at: Moment
    role: str
    decision: AnyDecision
    name: str | None = None


class InjectEntry(StrictModel):
    """An inject fired by hand at a time: a listed one by name, or an improvised one."""

    key: ClassVar[str] = "inject"
    at: Moment
    inject: str | AnyInject
    name: str | None = Field(None, description="An improvised inject's name.")


class Script(StrictModel):
    """A decisions file."""

    drill: str = ""
    description: str = ""
    seed: int | None = Field(None, ge=0, description="For the reader: the CLI's --seed rules.")
    decisions: list[one_of((DecisionEntry, InjectEntry))] = Field(default_factory=list)

    def problems(self, drill: Drill) -> Problems:
        """What the drill cannot take, as (field path, message) pairs."""
        problems: Problems = []
        scenario = drill.played
        taken: dict[str, str] = {}
        previous = drill.start
        decided = 0
        for i, entry in enumerate(self.decisions):
            where = f"decisions.{i}"
            if entry.at < previous:
                problems.append((f"{where}.at", f"{entry.at:g} h: before the entry above"))
            previous = max(previous, entry.at)
            if not drill.start <= entry.at < drill.horizon:
                problems.append(
                    (
                        f"{where}.at",
                        f"{entry.at:g} h: outside the drill [{drill.start:g}, "
                        f"{drill.horizon:g}) h, never taken",
                    )
                )
            if isinstance(entry, InjectEntry):
                problems += self._inject_problems(entry, drill, where)
                continue
            decided += 1
            decision = entry.decision
            problems += decision_problems(
                decision,
                entry.role,
                drill.roles,
                drill.resources,
                scenario,
                f"{where}.decision",
                taken,
            )
            if isinstance(decision, Action):
                taken[entry.name or f"{entry.role}/{decision.key}/{decided}"] = decision.key
        return problems

    @staticmethod
    def _inject_problems(entry: InjectEntry, drill: Drill, where: str) -> Problems:
        if isinstance(entry.inject, str):
            if entry.inject not in drill.injects:
                return [(f"{where}.inject", f"no inject {entry.inject!r} in the events list")]
            return []
        if entry.inject.at is not None:
            return [(f"{where}.inject.at", "an inject fired by hand takes its entry's `at`")]
        return drill.inject_problems(entry.inject, drill.played, f"{where}.inject")


def load_script(
    path: str | os.PathLike[str], drill: Drill, overrides: Iterable[str] = ()
) -> Script:
    """Load a decisions file and check it against `drill`; raises ScenarioError naming the
    file, line and field path of every problem."""
    file = os.fspath(path)
    data, origins = load_data(file, overrides)
    script = validate_loaded(data, origins, Script, file)
    problems = located(script.problems(drill), origins, file)
    if problems:
        raise ScenarioError(problems)
    return script


def play(session: DrillSession, script: Script) -> None:
    """Take the script's decisions and fire its injects at their times (refusals are logged
    and the drill goes on)."""
    for entry in script.decisions:
        session.advance(entry.at)
        try:
            if isinstance(entry, InjectEntry):
                session.inject(entry.inject, entry.name)
            else:
                session.decide(entry.role, entry.decision, entry.name)
        except DrillRefusal:
            pass  # logged by the session


def play_drill(
    drill: Drill, script: Script, seed: int | None = None, out: str | os.PathLike[str] | None = None
) -> tuple[DrillSession, Result]:
    """Play `drill` with `script` headless to its horizon (seed: default the drill's); with
    `out`, write the drill folder. Returns the session and the run's result."""
    session = DrillSession(drill, seed)
    play(session, script)
    return session, session.finish(out)
