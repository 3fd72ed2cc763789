"""Emergency plans (预案) in the scenario file: when to switch from peacetime to emergency
operation (triggers, sim.emergency.triggers), what to do then (actions, sim.emergency.actions),
when and how to switch back (stand-down); and the decisions a commander takes by hand."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from sim.config.base import StrictModel
from sim.config.units import Duration
from sim.emergency.actions import AnyAction
from sim.emergency.triggers import AnyTrigger, BacklogAbove, Manual


class StandDown(StrictModel):
    """When the plan stands down (de-escalation): once the backlog stays below `backlog_below`
    for `sustained` hours, and not before `after` hours from firing; then `recovery` mode for
    `recovery` hours, and peacetime."""

    backlog_below: int | None = Field(None, ge=0)
    sustained: Duration = 0.0
    after: Duration = 0.0
    recovery: Duration = Field(0.0, description="Hours in recovery mode before peacetime.")


class Plan(StrictModel):
    """An emergency plan: fires on the first of its triggers, takes its actions, stands down."""

    label_zh: str = ""
    triggers: list[AnyTrigger] = Field(min_length=1)
    actions: list[AnyAction] = Field(min_length=1)
    stand_down: StandDown | None = None

    @property
    def manual_only(self) -> bool:
        """True when only a decision can set the plan off."""
        return all(isinstance(trigger, Manual) for trigger in self.triggers)

    @model_validator(mode="after")
    def _no_loop(self) -> Plan:
        """A stand-down threshold at or above a trigger's would fire the plan again at once."""
        if self.stand_down is None or self.stand_down.backlog_below is None:
            return self
        for trigger in self.triggers:
            if isinstance(trigger, BacklogAbove) and (
                self.stand_down.backlog_below > trigger.backlog_above
            ):
                raise ValueError(
                    "stand_down.backlog_below above a trigger's backlog_above: the plan would "
                    "stand down and fire again in a circle"
                )
        return self


class Decision(StrictModel):
    """A decision taken by hand at a simulated time (a drill's commander): set a plan off, or
    stand it down."""

    plan: str = Field(description="The plan decided on.")
    at: Duration = Field(description="When (hours from the start).")
    do: Literal["fire", "stand_down"] = "fire"

    @classmethod
    def parse(cls, text: str) -> Decision:
        """A decision from `PLAN@TIME` (fire) or `PLAN@TIME:stand_down`; raises ValueError."""
        plan, at, rest = text.partition("@")
        time, _, do = rest.partition(":")
        if not at or not plan or not time:
            raise ValueError(f"{text!r}: give a decision as PLAN@TIME, e.g. surge@36h")
        return cls(plan=plan, at=time, do=do or "fire")
