"""The operations room at run time: every emergency plan's state, the operating mode, and the
decisions taken by hand. Timed triggers fire exactly; conditions and stand-down rules are checked
at the end of every tick; every step goes to the event log.

A plan is idle until a trigger or a decision sets it off; it then takes its actions (each after
its delay), and stands down by its rule or by a decision: its actions are undone, recovery mode
follows for the plan's recovery time, then peacetime once no other plan is in force.

An action taken by hand (a drill's decision, `Operations.take`) is a plan of its own, named by
the decision, that a decision stands down like any plan."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.emergency.incidents import affected_grids
from sim.emergency.plans import Decision, Plan
from sim.emergency.triggers import Manual

if TYPE_CHECKING:
    import numpy as np
    import simpy

    from sim.agents.staff import Staff
    from sim.agents.volunteer_pool import VolunteerPool
    from sim.config.incidents import Area
    from sim.emergency.actions import Action
    from sim.metrics import Metrics
    from sim.metrics.events import EventLog
    from sim.scenario import Scenario
    from sim.work.sources import Source
    from sim.work.station import Stations
    from sim.world import World

PEACETIME = "peacetime"


class PlanState:
    """One plan in one run: idle, or in force since `fired_at` (its actions taken or pending)."""

    def __init__(self, operations: Operations, name: str, plan: Plan) -> None:
        self.operations = operations
        self.name = name
        self.plan = plan
        self.actions: list[Action] = [action.model_copy(deep=True) for action in plan.actions]
        self.taken: list[Action] = []
        self.fired_at: float | None = None
        self.above_since: dict[int, float] = {}  # condition trigger → since when it holds
        self.below_since: float | None = None

    def fire(self, reason: str) -> None:
        """Set the plan off now (once, until it stands down)."""
        if self.fired_at is not None:
            return
        operations = self.operations
        fired_at = self.fired_at = operations.env.now
        self.below_since = None
        operations.log(self.name, "fired", reason)
        for action in self.actions:
            if action.delay > 0:
                operations.env.timeout(action.delay).callbacks.append(
                    lambda _, action=action: self._take(action, fired_at)
                )
            else:
                self._take(action, fired_at)

    def _take(self, action: Action, fired_at: float) -> None:
        if self.fired_at != fired_at:  # stood down before this delayed action came due
            return
        action.apply(self.operations, self.name)
        self.taken.append(action)

    def check(self) -> None:
        """End of a tick: condition triggers while idle, the stand-down rule while in force."""
        now = self.operations.env.now
        if self.fired_at is None:
            for i, trigger in enumerate(self.plan.triggers):
                holds = trigger.holds(self.operations)
                if holds is None:
                    continue
                if not holds:
                    self.above_since.pop(i, None)
                elif now - self.above_since.setdefault(i, now) >= trigger.sustained:
                    self.fire(f"trigger {i}: {trigger.describe()}")
                    return
            return
        rule = self.plan.stand_down
        if rule is None or now - self.fired_at < rule.after:
            return
        if rule.backlog_below is not None:
            if self.operations.metrics.backlog_now() >= rule.backlog_below:
                self.below_since = None
                return
            if self.below_since is None:
                self.below_since = now
            if now - self.below_since < rule.sustained:
                return
        self.stand_down(f"recovery for {self.recovery:g} h")

    @property
    def recovery(self) -> float:
        """Hours of recovery mode after the plan stands down."""
        return self.plan.stand_down.recovery if self.plan.stand_down else 0.0

    def stand_down(self, detail: str) -> None:
        """Undo the actions taken, newest first; recovery mode, then peacetime."""
        if self.fired_at is None:
            return
        operations = self.operations
        for action in reversed(self.taken):
            action.undo(operations, self.name)
        self.taken.clear()
        self.fired_at = None
        self.above_since.clear()
        operations.log(self.name, "stand_down", detail)
        if self.recovery > 0:
            operations.set_mode(self.name, "recovery")
            operations.env.timeout(self.recovery).callbacks.append(
                lambda _: operations.back_to_peacetime(self.name)
            )
        else:
            operations.back_to_peacetime(self.name)


class Operations:
    """What the scenario's plans watch and act on, and their state: the clock, the event log,
    the run's counters, each team's members, the stations, the categories' priorities, the
    running sources, the volunteer pools by team, the world (for areas); the operating mode;
    and the decisions to take at their times."""

    def __init__(
        self,
        scenario: Scenario,
        env: simpy.Environment,
        log: EventLog,
        metrics: Metrics,
        teams: dict[str, list[Staff]],
        stations: Stations,
        priorities: dict[str, int],
        sources: dict[str, Source],
        decisions: list[Decision],
        pools: dict[str, VolunteerPool] | None = None,
        world: World | None = None,
    ) -> None:
        self.env = env
        self.pools = pools or {}
        self.world = world
        self.log = log.add
        self.metrics = metrics
        self.teams = teams
        self.stations = stations
        self.priorities = priorities
        self.sources = sources
        self.mode = PEACETIME
        self.plans = {name: PlanState(self, name, plan) for name, plan in scenario.plans.items()}
        for state in self.plans.values():
            for i, trigger in enumerate(state.plan.triggers):
                at = trigger.fires_at(scenario)
                if at is not None:
                    reason = f"trigger {i}: {trigger.describe()}"
                    env.timeout(at).callbacks.append(lambda _, s=state, r=reason: s.fire(r))
        for decision in decisions:
            env.timeout(decision.at).callbacks.append(lambda _, d=decision: self.decide(d))

    def tick(self) -> None:
        """End of a tick: check every plan's conditions and stand-down rule."""
        for state in self.plans.values():
            state.check()

    def report_reached(self, incident: str, tier: str) -> None:
        """The report of `incident` reaches `tier` now: set off the plans waiting for it."""
        for state in self.plans.values():
            for i, trigger in enumerate(state.plan.triggers):
                if trigger.awaits_report(incident, tier):
                    state.fire(f"trigger {i}: {trigger.describe()}")

    def decide(self, decision: Decision) -> None:
        """Take a decision now: set its plan off, or stand it down."""
        state = self.plans[decision.plan]
        self.log(decision.plan, "decision", decision.do)
        if decision.do == "fire":
            state.fire("manual decision")
        else:
            state.stand_down("by decision")

    def take(self, name: str, action: Action) -> None:
        """Take `action` now by hand, as a plan of its own named `name` (a new name) with a
        manual trigger: it stays in force until a decision stands `name` down."""
        if name in self.plans:
            raise ValueError(f"a plan {name!r} exists already")
        plan = Plan(triggers=[Manual(manual=True)], actions=[action])
        self.plans[name] = PlanState(self, name, plan)
        self.decide(Decision(plan=name, at=self.env.now))

    def in_area(self, area: Area) -> np.ndarray:
        """Boolean mask over grids: those `area` names."""
        return affected_grids(area, self.world)

    def set_mode(self, plan: str, mode: str) -> None:
        """Switch the operating mode on behalf of `plan`."""
        self.mode = mode
        self.log(plan, "mode", mode)

    def back_to_peacetime(self, plan: str) -> None:
        """Peacetime again after `plan` stood down, unless a plan is in force."""
        if not any(state.fired_at is not None for state in self.plans.values()):
            self.set_mode(plan, PEACETIME)
