"""What an emergency plan does when it fires. One class per action, registered in `ACTIONS`; in a
scenario file each is a mapping whose key names it (`{mobilise: cadres, delay: 12h}`). Every
action is taken `delay` hours after the plan fires, and undone when the plan stands down, except
`set_mode`, which the stand-down replaces. A plan's actions are copied for each run, so what one
run's action remembers to undo never reaches another run."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Literal

from pydantic import Field, PrivateAttr, model_validator

from sim.config.base import StrictModel, one_of
from sim.config.incidents import Area
from sim.config.units import Duration

if TYPE_CHECKING:
    from sim.agents.staff import Staff
    from sim.emergency.operations import Operations
    from sim.scenario import Scenario
    from sim.work.station import Station

Problems = list[tuple[str, str]]
Mode = Literal["peacetime", "alert", "emergency", "recovery"]
#: Emergency response levels (应急响应级别), I the most severe.
Level = Literal["I", "II", "III", "IV"]


class Action(StrictModel):
    """Something a plan does; `key` is the field that names it in a file."""

    key: ClassVar[str]
    delay: Duration = Field(0.0, description="From the plan firing to the action.")

    def apply(self, operations: Operations, plan: str) -> None:
        """Take the action now, on behalf of plan `plan`, and log it."""
        raise NotImplementedError

    def undo(self, operations: Operations, plan: str) -> None:
        """Undo what `apply` did (the plan stands down)."""

    def problems(self, scenario: Scenario, where: str) -> Problems:
        """Names in the action that `scenario` does not have, as (field path, message) pairs."""
        return []


def _at_home_in(operations: Operations, team: str, area: Area | None) -> list[Staff]:
    """The members of `team` whose home grid lies in `area` (None: all), in the team's order."""
    members = operations.teams[team]
    if area is None:
        return members
    grids = operations.in_area(area)
    return [staff for staff in members if grids[staff.unit]]


def _unknown_teams(teams: list[str], scenario: Scenario, where: str) -> Problems:
    known = scenario.all_teams()
    return [(where, f"no team {team!r}") for team in teams if team not in known]


class SetMode(Action):
    """Switch the operating mode (peacetime, alert, emergency with a response level, recovery);
    the stand-down replaces it, so it has nothing to undo."""

    key: ClassVar[str] = "set_mode"
    set_mode: Mode
    level: Level | None = Field(None, description="With set_mode emergency: response level.")

    @model_validator(mode="after")
    def _level_with_emergency(self) -> SetMode:
        if self.level is not None and self.set_mode != "emergency":
            raise ValueError("a response level goes with set_mode: emergency")
        return self

    def apply(self, operations: Operations, plan: str) -> None:
        mode = self.set_mode if self.level is None else f"{self.set_mode} {self.level}"
        operations.set_mode(plan, mode)


class Mobilise(Action):
    """A standby team comes on duty (下沉干部), its members arriving evenly over `ramp`; for a
    volunteer pool, a call that each volunteer answers or not after the pool's response delay.
    With `area`, only members whose home grid lies in it; with `count`, only that many members
    not on call yet (in the team's order): part of a team, where it is needed."""

    key: ClassVar[str] = "mobilise"
    mobilise: str = Field(description="A standby team: its members come on duty.")
    ramp: Duration = Field(0.0, description="Members arrive evenly over this span.")
    count: int | None = Field(
        None, ge=1, description="Only this many members not on call yet; absent: all."
    )
    area: Area | None = Field(
        None, description="Only members whose home grid lies here; absent: everywhere."
    )
    _members: list[Staff] = PrivateAttr(default_factory=list)
    _round: int = PrivateAttr(0)  # apply and undo each start a new round

    def members(self, operations: Operations) -> list[Staff]:
        """The members of the team this action would bring on duty now."""
        members = _at_home_in(operations, self.mobilise, self.area)
        if self.count is not None:
            members = [staff for staff in members if not staff.active][: self.count]
        return members

    def apply(self, operations: Operations, plan: str) -> None:
        pool = operations.pools.get(self.mobilise)
        if pool is not None:
            reached = pool.call()
            operations.log(plan, "mobilise", f"{self.mobilise}: call to {reached} volunteers")
            return
        members = self._members = self.members(operations)
        self._round += 1
        round_ = self._round  # read once: a private attribute of a pydantic model is slow to read
        step = self.ramp / len(members) if members else 0.0
        for k, staff in enumerate(members):
            if step > 0 and k:
                operations.env.timeout(step * k).callbacks.append(
                    lambda _, staff=staff: self._arrive(staff, round_)
                )
            else:
                staff.activate()
        operations.log(plan, "mobilise", f"{self.mobilise}: {len(members)} members")

    def _arrive(self, staff: Staff, round_: int) -> None:
        if round_ == self._round:  # not stood down (or fired again) since
            staff.activate()

    def undo(self, operations: Operations, plan: str) -> None:
        pool = operations.pools.get(self.mobilise)
        if pool is not None:
            pool.stand_down()
            return
        self._round += 1
        for staff in self._members:
            staff.deactivate()

    def problems(self, scenario: Scenario, where: str) -> Problems:
        team = scenario.all_teams().get(self.mobilise)
        if team is None:
            return [(f"{where}.mobilise", f"no team {self.mobilise!r}")]
        if not team.standby:
            return [
                (
                    f"{where}.mobilise",
                    f"team {self.mobilise!r} is not on standby (set standby: true)",
                )
            ]
        if team.pool is not None and self.ramp > 0:
            return [
                (
                    f"{where}.ramp",
                    f"team {self.mobilise!r} is a pool: its volunteers answer after its "
                    "pool.response_delay, not over a ramp",
                )
            ]
        if team.pool is not None and (self.count is not None or self.area is not None):
            field = "count" if self.count is not None else "area"
            return [
                (
                    f"{where}.{field}",
                    f"team {self.mobilise!r} is a pool: a call reaches every volunteer in it",
                )
            ]
        if self.area is not None:
            return scenario.area_problems(self.area, f"{where}.area")
        return []


class SuspendAdmin(Action):
    """Hold top-down forms until stand-down; the held ones are released then."""

    key: ClassVar[str] = "suspend_admin"
    suspend_admin: Literal[True]

    def apply(self, operations: Operations, plan: str) -> None:
        self._suspend(operations, True)
        operations.log(plan, "suspend_admin", "top-down forms held")

    def undo(self, operations: Operations, plan: str) -> None:
        self._suspend(operations, False)

    @staticmethod
    def _suspend(operations: Operations, suspended: bool) -> None:
        admin = operations.sources.get("admin")
        if admin is not None:
            admin.suspend(suspended)


class ExtendShifts(Action):
    """Members of `teams` stay this long past each shift end (overtime)."""

    key: ClassVar[str] = "extend_shifts"
    extend_shifts: Duration
    teams: list[str] = Field(min_length=1, description="Teams whose shifts are extended.")
    _members: list[Staff] = PrivateAttr(default_factory=list)

    def apply(self, operations: Operations, plan: str) -> None:
        self._members = [staff for team in self.teams for staff in operations.teams[team]]
        for staff in self._members:
            staff.extension = self.extend_shifts
        detail = f"{', '.join(self.teams)}: +{self.extend_shifts:g} h"
        operations.log(plan, "extend_shifts", detail)

    def undo(self, operations: Operations, plan: str) -> None:
        for staff in self._members:
            staff.extension = 0.0

    def problems(self, scenario: Scenario, where: str) -> Problems:
        return _unknown_teams(self.teams, scenario, f"{where}.teams")


class Prioritise(Action):
    """New priorities (1 most urgent) for the cases of some categories, from now on."""

    key: ClassVar[str] = "prioritise"
    prioritise: dict[str, int] = Field(description="Category → new priority.")
    _before: dict[str, int] = PrivateAttr(default_factory=dict)

    def apply(self, operations: Operations, plan: str) -> None:
        self._before = dict(operations.priorities)
        operations.priorities.update(self.prioritise)
        operations.log(plan, "prioritise", str(self.prioritise))

    def undo(self, operations: Operations, plan: str) -> None:
        operations.priorities.clear()
        operations.priorities.update(self._before)

    def problems(self, scenario: Scenario, where: str) -> Problems:
        return [
            (f"{where}.prioritise", f"unknown category {category!r}")
            for category in self.prioritise
            if category not in scenario.categories
        ]


class Regroup(Action):
    """Teams' members serve other grids until stand-down."""

    _own: dict[Staff, list[Station]] = PrivateAttr(default_factory=dict)

    @property
    def team_names(self) -> list[str]:
        """The teams regrouped."""
        return getattr(self, self.key)

    def members(self, operations: Operations) -> list[Staff]:
        """The members this action would regroup now: every member of its teams."""
        return [staff for team in self.team_names for staff in operations.teams[team]]

    def stations(self, operations: Operations, staff: Staff) -> list[Station]:
        """The stations a member serves once regrouped."""
        raise NotImplementedError

    def apply(self, operations: Operations, plan: str) -> None:
        members = self.members(operations)
        self._own = {staff: staff.stations for staff in members}
        for staff in members:
            staff.serve(self.stations(operations, staff))
        operations.log(plan, self.key, self.described(len(members)))

    def described(self, members: int) -> str:
        """What the event log says the action did to `members` members."""
        return ", ".join(self.team_names)

    def undo(self, operations: Operations, plan: str) -> None:
        for staff, stations in self._own.items():
            staff.serve(stations)

    def problems(self, scenario: Scenario, where: str) -> Problems:
        return _unknown_teams(self.team_names, scenario, f"{where}.{self.key}")


class Pool(Regroup):
    """These teams serve every grid of their community (pooled)."""

    key: ClassVar[str] = "pool"
    pool: list[str] = Field(description="Teams pooled over their community.")

    def stations(self, operations: Operations, staff: Staff) -> list[Station]:
        return operations.stations.community(staff.unit)


class Split(Regroup):
    """These teams' members each serve only their home grid (网格细分: finer responsibility;
    with a mobilised team per grid, grids split among more people)."""

    key: ClassVar[str] = "split"
    split: list[str] = Field(description="Teams whose members keep to their home grid.")

    def stations(self, operations: Operations, staff: Staff) -> list[Station]:
        return [operations.stations.grids[staff.unit]]


class Reassign(Regroup):
    """Members of a team serve the grids of `to` instead of their own until stand-down (抽调:
    sent where the work is): those not serving `to` already; with `area`, only those whose
    home grid lies in it; with `count`, only that many (in the team's order). Their own grids
    keep whoever else serves them."""

    key: ClassVar[str] = "reassign"
    reassign: str = Field(description="The team whose members are sent.")
    to: Area = Field(description="The grids they serve instead of their own.")
    area: Area | None = Field(
        None, description="Only members whose home grid lies here; absent: everywhere."
    )
    count: int | None = Field(None, ge=1, description="Only this many members; absent: all.")

    @model_validator(mode="after")
    def _somewhere(self) -> Reassign:
        if self.to.everywhere:
            raise ValueError("`to` names no grid: give its streets, communities or grids")
        return self

    @property
    def team_names(self) -> list[str]:
        return [self.reassign]

    def members(self, operations: Operations) -> list[Staff]:
        target = self._targets(operations)
        members = _at_home_in(operations, self.reassign, self.area)
        members = [staff for staff in members if staff.stations != target]
        return members if self.count is None else members[: self.count]

    def stations(self, operations: Operations, staff: Staff) -> list[Station]:
        return self._targets(operations)

    def _targets(self, operations: Operations) -> list[Station]:
        grids = operations.stations.grids
        return [grids[index] for index in operations.in_area(self.to).nonzero()[0]]

    def described(self, members: int) -> str:
        return f"{self.reassign}: {members} members"

    def problems(self, scenario: Scenario, where: str) -> Problems:
        problems = super().problems(scenario, where)
        problems += scenario.area_problems(self.to, f"{where}.to")
        if self.area is not None:
            problems += scenario.area_problems(self.area, f"{where}.area")
        return problems


ACTIONS: tuple[type[Action], ...] = (
    SetMode,
    Mobilise,
    SuspendAdmin,
    ExtendShifts,
    Prioritise,
    Pool,
    Split,
    Reassign,
)

AnyAction = one_of(ACTIONS)
