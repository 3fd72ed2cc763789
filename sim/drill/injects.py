"""Injects (情景注入): the events a drill's facilitator puts into the run, at their time or by
hand. One class per kind, registered in `INJECTS`; in a drill file each is a mapping whose key
names its kind (`{hotline_outage: property, duration: 1h}`), with a time `at` (absent: fired by
the facilitator), what the players are told (`message`) and, optionally, what they are expected
to decide and by when (`expects`), as in an exercise's master scenario events list
(docs/sources.md P90).

An inject acts on the running model through `Targets` (its clock, event log, teams, departments,
desks and sources): `apply` now, and `undo` when its `duration` is over. Every inject is logged
in the run's event log (plan `drill`). Random choices (the member who falls ill) come from a
stream named after the inject, so the rest of the run draws as it would have."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, Literal

from pydantic import Field, PrivateAttr, model_validator

from sim.config.base import StrictModel, one_of
from sim.config.incidents import Area, Incident
from sim.config.units import Duration
from sim.drill.clock import Moment
from sim.drill.decisions import ACTION_KEYS
from sim.vocabulary import TIERS

if TYPE_CHECKING:
    from collections.abc import Callable

    import numpy as np
    import simpy

    from sim.agents.department import Department
    from sim.agents.staff import Staff
    from sim.model import GridModel
    from sim.rng import Streams
    from sim.scenario import Scenario
    from sim.work.channels import Desk
    from sim.work.sources import Source

Problems = list[tuple[str, str]]
#: The plan name injects log under in the run's event log.
LOG_AS = "drill"


@dataclass(frozen=True)
class Targets:
    """What injects act on in one run: the clock, the event log, each team's members, the
    departments, the residents' desks by name, the running sources, the random streams; and how
    to start an incident and find the grids of an area."""

    env: simpy.Environment
    log: Callable[[str, str, str], None]
    teams: dict[str, list[Staff]]
    departments: list[Department]
    desks: dict[str, Desk]
    sources: dict[str, Source]
    streams: Streams
    start_incident: Callable[[str, Incident], None]
    in_area: Callable[[Area], np.ndarray]
    unit_ids: Callable[[str], list[str]]

    @classmethod
    def of(cls, model: GridModel) -> Targets:
        """The targets of a model."""
        switchboard = model.channels
        return cls(
            model.env,
            model.events.add,
            model.operations.teams,
            model.departments,
            {desk.name: desk for desk in switchboard.desks} if switchboard else {},
            model.sources,
            model.streams,
            model.start_incident,
            model.operations.in_area,
            model.world.unit_ids,
        )


class Expectation(StrictModel):
    """What the players should decide after an inject, and how soon: set off a plan, or take an
    action (by key, by hand or through a plan that takes it)."""

    plan: str | None = Field(None, description="A plan the players should set off.")
    action: Literal[ACTION_KEYS] | None = Field(  # type: ignore[valid-type]
        None, description="An action the players should take."
    )
    by: Duration = Field(gt=0, description="How soon after the inject (hours).")

    @model_validator(mode="after")
    def _one(self) -> Expectation:
        if (self.plan is None) == (self.action is None):
            raise ValueError("give one of plan or action")
        return self


class Inject(StrictModel):
    """An event put into the run; `key` is the field that names its kind in a file."""

    key: ClassVar[str]
    #: Whether it lasts (`duration` required) and is undone when it ends.
    lasts: ClassVar[bool] = True
    label_zh: str = ""
    message: str = Field("", description="What the players are told.")
    at: Moment | None = Field(
        None, description="When (hours from the run's start); absent: fired by the facilitator."
    )
    duration: Duration | None = Field(None, gt=0, description="How long it lasts.")
    expects: Expectation | None = None

    @model_validator(mode="after")
    def _duration(self) -> Inject:
        if self.lasts and self.duration is None:
            raise ValueError(f"{self.key} needs a duration")
        if not self.lasts and self.duration is not None:
            raise ValueError(f"{self.key} takes no duration")
        return self

    def fire(self, targets: Targets, name: str) -> str:
        """Apply the inject now as `name`, log it, and undo it when its duration is over;
        returns what it did, in words."""
        detail = self.apply(targets, name)
        targets.log(LOG_AS, f"inject {self.key}", f"{name}: {detail}")
        if self.duration is not None:
            targets.env.timeout(self.duration).callbacks.append(lambda _: self._end(targets, name))
        return detail

    def _end(self, targets: Targets, name: str) -> None:
        self.undo(targets, name)
        targets.log(LOG_AS, f"inject {self.key} ends", name)

    def apply(self, targets: Targets, name: str) -> str:
        """Put the inject into the run now; returns what it did, in words."""
        raise NotImplementedError

    def undo(self, targets: Targets, name: str) -> None:
        """Take it out when its duration is over."""

    def problems(self, scenario: Scenario, where: str) -> Problems:
        """Names the scenario does not have, as (field path, message) pairs."""
        return []


class InjectedIncident(Incident):
    """An incident of the scenario's kind, whose onset is the time its inject is fired."""

    onset: Duration = Field(0.0, description="Set to the time the inject is fired.")

    @model_validator(mode="after")
    def _no_onset(self) -> InjectedIncident:
        if "onset" in self.model_fields_set:
            raise ValueError("an injected incident starts when its inject is fired: no onset")
        return self


class NewIncident(Inject):
    """A new incident starts (a second leak reported, a new cluster of cases): its tasks and its
    surge of residents' requests, from streams of its own. Its first hours and learning curve
    are not modelled."""

    key: ClassVar[str] = "incident"
    lasts: ClassVar[bool] = False
    incident: InjectedIncident

    def apply(self, targets: Targets, name: str) -> str:
        targets.start_incident(name, self.incident)
        hours = self.incident.duration
        return f"{self.incident.kind} for {hours:g} h, {len(self.incident.tasks)} task streams"

    def problems(self, scenario: Scenario, where: str) -> Problems:
        incident, here = self.incident, f"{where}.incident"
        problems = scenario.area_problems(incident.area, f"{here}.area")
        for field in ("response", "learning", "drills"):
            if getattr(incident, field) is not None:
                problems.append(
                    (f"{here}.{field}", "not modelled for an incident started during a drill")
                )
        for source in incident.demand:
            if source != "resident":
                problems.append(
                    (f"{here}.demand.{source}", "an injected incident surges residents' requests")
                )
        if incident.demand.get("resident", 1.0) < 1.0:
            problems.append((f"{here}.demand.resident", "an injected incident may only raise it"))
        for i, task in enumerate(incident.tasks):
            category = scenario.categories.get(task.category)
            if category is None:
                problems.append((f"{here}.tasks.{i}.category", f"no category {task.category!r}"))
            elif category.kind != "incident":
                problems.append(
                    (
                        f"{here}.tasks.{i}.category",
                        f"category {task.category!r} has kind {category.kind!r}, not 'incident'",
                    )
                )
        return problems


class HotlineOutage(Inject):
    """A residents' desk (the 12345 hotline, the property company's line) is cut off: every
    call arriving blocks as if it were closed, and callers try the next channel or give up."""

    key: ClassVar[str] = "hotline_outage"
    hotline_outage: Literal["hotline", "property"]

    def apply(self, targets: Targets, name: str) -> str:
        targets.desks[self.hotline_outage].cut_off(True)
        return f"{self.hotline_outage} cut off for {self.duration:g} h"

    def undo(self, targets: Targets, name: str) -> None:
        targets.desks[self.hotline_outage].cut_off(False)

    def problems(self, scenario: Scenario, where: str) -> Problems:
        if scenario.channels is None:
            return [(f"{where}.hotline_outage", "the scenario has no residents' channels")]
        if self.hotline_outage not in scenario.channels.desks():
            return [(f"{where}.hotline_outage", f"the scenario has no {self.hotline_outage} desk")]
        return []


class WorkerIll(Inject):
    """A member of a team falls ill: away (the job in hand handed back, no shift worked) for
    the duration. The member posted at `grid` (the `number`-th there), or one drawn at random
    from the team's holders of a post (stream `drill/<inject name>`)."""

    key: ClassVar[str] = "worker_ill"
    worker_ill: str = Field(description="The team.")
    grid: str | None = Field(None, description="The member's home grid; absent: drawn.")
    number: int = Field(1, ge=1, description="Which of the team's members at that grid.")
    _staff: Staff | None = PrivateAttr(None)

    def apply(self, targets: Targets, name: str) -> str:
        members = targets.teams[self.worker_ill]
        if self.grid is not None:
            here = [staff for staff in members if staff.unit_id == self.grid]
            if len(here) < self.number:
                return f"no member {self.number} of {self.worker_ill} at {self.grid}: nobody"
            staff = here[self.number - 1]
        else:
            held = [staff for staff in members if not staff.vacant]
            if not held:
                return f"no member of {self.worker_ill} holds a post: nobody"
            staff = held[int(targets.streams.get(f"drill/{name}").integers(len(held)))]
        self._staff = staff
        staff.absent()
        return f"{staff.name} ill for {self.duration:g} h"

    def undo(self, targets: Targets, name: str) -> None:
        if self._staff is not None:
            self._staff.present()

    def problems(self, scenario: Scenario, where: str) -> Problems:
        if self.worker_ill not in scenario.all_teams():
            return [(f"{where}.worker_ill", f"no team {self.worker_ill!r}")]
        if self.grid is not None and self.grid not in scenario.world.grid_ids():
            return [(f"{where}.grid", f"no grid {self.grid!r}")]
        return []


class RumourSurge(Inject):
    """A rumour spreads (谣言): residents' requests from the area come `rumour_surge` times as
    often for the duration; the extra requests come from streams of their own."""

    key: ClassVar[str] = "rumour_surge"
    rumour_surge: float = Field(ge=1, description="Rate multiplier of residents' requests.")
    area: Area = Field(default_factory=Area, description="Where; absent: everywhere.")

    def apply(self, targets: Targets, name: str) -> str:
        requests = targets.sources["resident"]
        end = targets.env.now + self.duration
        grids = targets.in_area(self.area)
        requests.add_surge(f"inject/{name}", grids, self.rumour_surge, targets.env.now, end)
        return (
            f"requests ×{self.rumour_surge:g} in {int(grids.sum())} grids for {self.duration:g} h"
        )

    def problems(self, scenario: Scenario, where: str) -> Problems:
        if not scenario.sources.resident.enabled:
            return [(f"{where}.rumour_surge", "the scenario has no residents' requests")]
        return scenario.area_problems(self.area, f"{where}.area")


class DepartmentUnreachable(Inject):
    """A department cannot be reached (its line down, its staff called away): its staff are away
    for the duration, so its station takes no work and jobs wait in its queue. Every unit of its
    tier, or the one named by `unit` (a street's id for a street department)."""

    key: ClassVar[str] = "department_unreachable"
    department_unreachable: str = Field(description="The department.")
    unit: str | None = Field(None, description="Which unit of its tier; absent: every one.")
    _staff: list[Staff] = PrivateAttr(default_factory=list)

    def apply(self, targets: Targets, name: str) -> str:
        departments = [
            department
            for department in targets.departments
            if department.kind == self.department_unreachable
            and (self.unit is None or _is_unit(targets, department, self.unit))
        ]
        self._staff = [staff for department in departments for staff in department.staff]
        for staff in self._staff:
            staff.absent()
        return f"{len(departments)} offices, {len(self._staff)} staff away for {self.duration:g} h"

    def undo(self, targets: Targets, name: str) -> None:
        for staff in self._staff:
            staff.present()

    def problems(self, scenario: Scenario, where: str) -> Problems:
        department = scenario.departments.get(self.department_unreachable)
        if department is None:
            return [
                (
                    f"{where}.department_unreachable",
                    f"no department {self.department_unreachable!r}",
                )
            ]
        if self.unit is None:
            return []
        known = {
            "street": {street.id for street in scenario.world.streets},
            "community": {c.id for street in scenario.world.streets for c in street.communities},
        }.get(department.tier)
        if known is None:
            return [(f"{where}.unit", f"a {department.tier} department has one unit: give none")]
        if self.unit not in known:
            return [(f"{where}.unit", f"no {department.tier} {self.unit!r}")]
        return []


def _is_unit(targets: Targets, department: Department, unit: str) -> bool:
    """Whether `department` serves the unit `unit` (a repeated community by its base id)."""
    own = targets.unit_ids(TIERS[department.tier])[department.station.unit]
    return own == unit or own.rsplit("-", 1)[0] == unit


INJECTS: tuple[type[Inject], ...] = (
    NewIncident,
    HotlineOutage,
    WorkerIll,
    RumourSurge,
    DepartmentUnreachable,
)

AnyInject = one_of(INJECTS)
