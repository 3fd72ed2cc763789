"""What sets an emergency plan off. One class per kind of trigger, registered in `TRIGGERS`; in a
scenario file each is a mapping whose key names its kind (`{incident: epidemic}`,
`{backlog_above: 300, sustained: 6h}`).

A timed trigger (`at`, `incident`) fires exactly at its time; an `incident` trigger with
`reported_to` fires when the incident's report reaches that tier (sim.emergency.response). A
condition (`backlog_above`, `wait_above`) is checked at the end of every tick and fires once it
has held for `sustained` hours, which is how an operations room watches a dashboard. A `manual`
plan fires only by a decision (`decisions:` in the scenario, `run(..., decisions=...)`,
`gridsim run --decide`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Literal

from pydantic import Field

from sim.config.base import StrictModel, one_of
from sim.config.units import Duration
from sim.vocabulary import UpperTier

if TYPE_CHECKING:
    from sim.emergency.operations import Operations
    from sim.scenario import Scenario

Problems = list[tuple[str, str]]


class Trigger(StrictModel):
    """A condition that sets a plan off; `key` is the field that names its kind in a file."""

    key: ClassVar[str]

    def describe(self) -> str:
        """The trigger in words, for the event log."""
        raise NotImplementedError

    def problems(self, scenario: Scenario, where: str) -> Problems:
        """Why the trigger could never fire in `scenario`, as (field path, message) pairs."""
        return []

    def fires_at(self, scenario: Scenario) -> float | None:
        """The time (hours) a timed trigger fires; None for conditions and manual triggers."""
        return None

    def holds(self, operations: Operations) -> bool | None:
        """Whether a condition holds now; None when the trigger is not a condition."""
        return None

    def awaits_report(self, incident: str, tier: str) -> bool:
        """Whether the report of `incident` reaching `tier` sets the plan off."""
        return False


def _never_before_horizon(at: float, scenario: Scenario, where: str, what: str) -> Problems:
    if at >= scenario.run.days * 24:
        return [(where, f"{what} after the horizon: this trigger can never fire")]
    return []


class At(Trigger):
    """At a simulated time (hours from the start)."""

    key: ClassVar[str] = "at"
    at: Duration

    def describe(self) -> str:
        return f"at {self.at:g} h"

    def problems(self, scenario: Scenario, where: str) -> Problems:
        return _never_before_horizon(self.at, scenario, f"{where}.at", "it comes")

    def fires_at(self, scenario: Scenario) -> float:
        return self.at


class IncidentStarts(Trigger):
    """When an incident of the scenario starts; with `reported_to`, when its report reaches
    that tier (the plan belongs to that tier: it learns of the incident from the report)."""

    key: ClassVar[str] = "incident"
    incident: str
    reported_to: UpperTier | None = Field(
        None,
        description="Fire when the incident's report reaches this tier (its `response`), not at "
        "onset.",
    )

    def describe(self) -> str:
        if self.reported_to is not None:
            return f"report of incident {self.incident} reaches the {self.reported_to}"
        return f"incident {self.incident} starts"

    def problems(self, scenario: Scenario, where: str) -> Problems:
        incident = scenario.incidents.get(self.incident)
        if incident is None:
            return [(f"{where}.incident", f"no incident {self.incident!r}")]
        if self.reported_to is not None and incident.response is None:
            return [
                (
                    f"{where}.reported_to",
                    f"incident {self.incident!r} has no response to report it: give "
                    f"incidents.{self.incident}.response",
                )
            ]
        return _never_before_horizon(
            incident.onset, scenario, f"{where}.incident", "the incident starts"
        )

    def fires_at(self, scenario: Scenario) -> float | None:
        if self.reported_to is not None:
            return None
        return scenario.incidents[self.incident].onset

    def awaits_report(self, incident: str, tier: str) -> bool:
        return self.reported_to == tier and self.incident == incident


class BacklogAbove(Trigger):
    """Open closed-loop cases above a number for `sustained` hours."""

    key: ClassVar[str] = "backlog_above"
    backlog_above: int = Field(ge=0)
    sustained: Duration = Field(0.0, description="How long the backlog must stay above.")

    def describe(self) -> str:
        return f"backlog above {self.backlog_above} for {self.sustained:g} h"

    def holds(self, operations: Operations) -> bool:
        return operations.metrics.backlog_now() > self.backlog_above


class WaitAbove(Trigger):
    """Closed-loop cases nobody has started yet have waited this long on average, for
    `sustained` hours."""

    key: ClassVar[str] = "wait_above"
    wait_above: Duration = Field(gt=0)
    sustained: Duration = Field(0.0, description="How long the mean wait must stay above.")

    def describe(self) -> str:
        return f"mean wait above {self.wait_above:g} h for {self.sustained:g} h"

    def holds(self, operations: Operations) -> bool:
        return operations.metrics.mean_wait_of_unstarted(operations.env.now) > self.wait_above


class Manual(Trigger):
    """Only a decision sets the plan off (a drill's commander, `gridsim run --decide`)."""

    key: ClassVar[str] = "manual"
    manual: Literal[True]

    def describe(self) -> str:
        return "manual decision"


TRIGGERS: tuple[type[Trigger], ...] = (At, IncidentStarts, BacklogAbove, WaitAbove, Manual)


AnyTrigger = one_of(TRIGGERS)
