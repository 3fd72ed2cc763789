"""Emergency plans (预案) in the scenario file: when to switch from peacetime to emergency
operation (triggers), what to do then (actions), and when and how to switch back."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from sim.config.base import StrictModel
from sim.config.units import Duration

Mode = Literal["peacetime", "alert", "emergency", "recovery"]
#: Emergency response levels (应急响应级别), I the most severe.
Level = Literal["I", "II", "III", "IV"]
MODES: tuple[str, ...] = ("peacetime", "alert", "emergency", "recovery")


class Trigger(StrictModel):
    """One condition that sets a plan off; give exactly one of: `at` (a time), `incident`
    (when that incident starts), `backlog_above` (open cases above this many for `sustained`
    hours, checked every tick), `wait_above` (cases not yet started have waited this long on
    average, for `sustained` hours), `manual` (only a drill's decision)."""

    at: Duration | None = None
    incident: str | None = None
    backlog_above: int | None = Field(None, ge=0)
    wait_above: Duration | None = Field(None, gt=0)
    sustained: Duration = Field(0.0, description="How long the backlog must stay above.")
    manual: bool = False

    @model_validator(mode="after")
    def _one(self) -> Trigger:
        given = [
            self.at is not None,
            self.incident is not None,
            self.backlog_above is not None,
            self.wait_above is not None,
            self.manual,
        ]
        if sum(given) != 1:
            raise ValueError("give exactly one of at, incident, backlog_above, wait_above, manual")
        return self


class Action(StrictModel):
    """What a plan does when it fires; give exactly one. All are undone when it stands down,
    except `set_mode`, which the stand-down replaces."""

    set_mode: Mode | None = None
    level: Level | None = Field(None, description="With set_mode emergency: response level.")
    mobilise: str | None = Field(None, description="A standby team: its members come on duty.")
    suspend_admin: bool = Field(False, description="Hold top-down forms until stand-down.")
    extend_shifts: Duration | None = Field(
        None, description="Members of `teams` stay this long past each shift end (overtime)."
    )
    teams: list[str] = Field(default_factory=list, description="Teams extend_shifts applies to.")
    prioritise: dict[str, int] | None = Field(
        None, description="New priority (1 most urgent) of cases of these categories."
    )
    pool: list[str] | None = Field(
        None, description="These teams serve every grid of their community (pooled)."
    )
    split: list[str] | None = Field(
        None,
        description="These teams' members each serve only their home grid (网格细分: "
        "finer responsibility; with a mobilised team per grid, grids split among more people).",
    )
    delay: Duration = Field(0.0, description="From the plan firing to the action.")
    ramp: Duration = Field(
        0.0, description="mobilise: members arrive evenly over this span after the delay."
    )

    @model_validator(mode="after")
    def _one(self) -> Action:
        given = [
            self.set_mode is not None,
            self.mobilise is not None,
            self.suspend_admin,
            self.extend_shifts is not None,
            self.prioritise is not None,
            self.pool is not None,
            self.split is not None,
        ]
        if sum(given) != 1:
            raise ValueError(
                "give exactly one of set_mode, mobilise, suspend_admin, extend_shifts, "
                "prioritise, pool, split"
            )
        if self.level is not None and self.set_mode != "emergency":
            raise ValueError("a response level goes with set_mode: emergency")
        if self.extend_shifts is not None and not self.teams:
            raise ValueError("extend_shifts needs the teams it applies to")
        return self


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
    triggers: list[Trigger] = Field(min_length=1)
    actions: list[Action] = Field(min_length=1)
    stand_down: StandDown | None = None

    @model_validator(mode="after")
    def _no_loop(self) -> Plan:
        """A stand-down threshold at or above a trigger's would fire the plan again at once."""
        if self.stand_down is None or self.stand_down.backlog_below is None:
            return self
        for trigger in self.triggers:
            if trigger.backlog_above is not None and (
                self.stand_down.backlog_below > trigger.backlog_above
            ):
                raise ValueError(
                    "stand_down.backlog_below above a trigger's backlog_above: the plan would "
                    "stand down and fire again in a circle"
                )
        return self
