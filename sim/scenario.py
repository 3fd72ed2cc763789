"""The scenario: every input a user can vary, with defaults that say where they come from. It is
made of the parts' own settings (the world, teams, categories, each work source, incidents,
emergency plans), checked against each other here, so that a bad file fails at validation, never
in the middle of a run. Time is in hours throughout; durations and rates in files carry units
("15min", "3d", "1/year").
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationInfo, field_validator

from sim.config.base import StrictModel
from sim.config.categories import Category, Loop
from sim.config.channels import Channels
from sim.config.distributions import Fixed
from sim.config.incidents import Area, Incident
from sim.config.limits import Limits, limits, number, over
from sim.config.loader import is_file, load_validated, validate_dict
from sim.config.performance import Performance
from sim.config.staff_table import read_staff_table
from sim.config.teams import GRID_WORKER, Department, GridWorkers, Team
from sim.config.units import Duration
from sim.config.world import World
from sim.emergency.actions import Mobilise
from sim.emergency.plans import Decision, Plan
from sim.vocabulary import Weekday
from sim.work.sources import Sources, arriving_categories, named_categories
from sim.work.sources.admin import SendingDepartment
from sim.work.sources.initial import WarmStart

_DEFAULTS = Limits.model_fields


class RunSettings(StrictModel):
    """Horizon and clock."""

    days: float = Field(
        30.0,
        gt=0,
        description=f"Simulated days; at most {number(_DEFAULTS['days'].default)} (limit `days`, "
        "GRIDSIM_LIMITS).",
    )
    tick: Duration = Field(
        1.0,
        gt=0,
        description="Length of one model step (hours); the horizon holds at most "
        f"{number(_DEFAULTS['ticks'].default)} steps (limit `ticks`, GRIDSIM_LIMITS).",
    )
    warmup: Literal["auto"] | Duration = Field(
        "auto",
        description="KPIs ignore cases created before this; auto: chosen by MSER-5 on the "
        "closed-loop backlog (before the first incident; none after a warm start).",
    )

    @field_validator("days")
    @classmethod
    def _days_within_limit(cls, value: float) -> float:
        if value > limits().days:
            raise ValueError(f"{over('days', value, ' days')}")
        return value

    @field_validator("tick")
    @classmethod
    def _ticks_within_limit(cls, value: float, info: ValidationInfo) -> float:
        days = info.data.get("days")
        if days is not None and value > 0 and days * 24 / value > limits().ticks:
            steps = over("ticks", days * 24 / value, " steps")
            raise ValueError(f"{number(days)} days in steps of {value:g} h make {steps}")
        return value

    @field_validator("warmup")
    @classmethod
    def _warmup_not_negative(cls, value: str | float) -> str | float:
        if isinstance(value, float) and value < 0:
            raise ValueError("warmup must be ≥ 0")
        return value

    start_weekday: Weekday = "mon"


class Output(StrictModel):
    """What the run folder records."""

    timeseries_level: Literal["grid", "community", "street", "district"] = "grid"
    jobs: bool = Field(
        True,
        description="Record every job of every case (jobs.parquet) and the KPIs by tier; "
        "false saves memory in city-scale runs.",
    )


class Scenario(StrictModel):
    """A complete scenario."""

    name: str
    description: str = ""
    run: RunSettings = Field(default_factory=RunSettings)
    world: World
    categories: dict[str, Category] = Field(min_length=1)
    departments: dict[str, Department] = Field(default_factory=dict)
    grid_workers: GridWorkers = Field(default_factory=GridWorkers)
    teams: dict[str, Team] = Field(
        default_factory=dict,
        description='More grid-side staff: the "6" specialists, the "N" part-time members, '
        "volunteers, pooled community teams.",
    )
    sources: Sources
    incidents: dict[str, Incident] = Field(
        default_factory=dict, description="Incidents by name: surges and emergency work."
    )
    plans: dict[str, Plan] = Field(
        default_factory=dict, description="Emergency plans (预案) by name."
    )
    decisions: list[Decision] = Field(
        default_factory=list,
        description="Decisions taken by hand at their times: a plan set off or stood down.",
    )
    warm_start: WarmStart | None = None
    channels: Channels | None = Field(
        None,
        description="Where residents take their needs (grid worker, 12345, 物业) and how their "
        "experience changes it; absent: every request goes to the grid worker.",
    )
    loop: Loop = Field(default_factory=Loop)
    performance: Performance | None = Field(
        None,
        description="Score each member of grid-side staff out of 100, with 1-5 stars "
        "(星级评定, 百分制); off if absent.",
    )
    output: Output = Field(default_factory=Output)

    def reference_problems(self) -> list[tuple[str, str]]:
        """Cross-references that do not resolve, as (dotted field path, message) pairs. A world
        or staff beyond the limits is reported alone: the other checks list the grids."""
        problems = self.world.size_problems() or self._staff_problems() + self._batch_problems()
        if problems:
            return problems

        def need_category(name: str, where: str, kind: str | None = None) -> None:
            if name not in self.categories:
                problems.append((where, f"unknown category {name!r}"))
            elif kind and self.categories[name].kind != kind:
                actual = self.categories[name].kind
                problems.append(
                    (where, f"category {name!r} has kind {actual!r}; this source needs {kind!r}")
                )

        for name, category in self.categories.items():
            for i, step in enumerate(category.escalation):
                for dept in step.departments:
                    where = f"categories.{name}.escalation.{i}.departments"
                    if dept not in self.departments:
                        problems.append((where, f"unknown department {dept!r}"))
                    elif self.departments[dept].tier != step.tier:
                        tier = self.departments[dept].tier
                        problems.append(
                            (where, f"department {dept!r} is at tier {tier!r}, not {step.tier!r}")
                        )
        for category, where, kind in named_categories(self):
            need_category(category, where, kind)
        handler = self.loop.feedback.handler
        if handler not in ("grid", "none") and handler not in self.departments:
            problems.append(
                ("loop.feedback.handler", f"{handler!r} is neither 'grid', 'none' nor a department")
            )
        for name, team in self.all_teams().items():
            where = "grid_workers" if name == GRID_WORKER else f"teams.{name}"
            if name in self.departments:
                problems.append((where, f"team id {name!r} is also a department id"))
            for field in ("categories", "resolves", "category_speed"):
                for category in getattr(team, field) or []:
                    need_category(category, f"{where}.{field}")
        for where, group in self._resident_groups():
            for i, category in enumerate(group.categories):
                kind = self.categories[category].kind if category in self.categories else None
                if kind is None:
                    problems.append((f"{where}.categories.{i}", f"unknown category {category!r}"))
                elif kind != "request":
                    problems.append(
                        (
                            f"{where}.categories.{i}",
                            f"category {category!r} has kind {kind!r}: a residents' group takes "
                            "residents' requests (kind 'request') only",
                        )
                    )
        if self.channels is not None and not self.sources.resident.enabled:
            problems.append(("channels", "channels route residents' requests: none are enabled"))
        channels = self.channels
        if (
            channels is not None
            and not channels.grid.enabled
            and set(channels.desks()) == {"property"}
        ):
            mixes = [
                self.world.mix_of(c) for street in self.world.streets for c in street.communities
            ]
            if any(mix.managed < 1 for mix in mixes):
                problems.append(
                    (
                        "channels",
                        "households outside a managed compound (world households.managed below "
                        "1) have no channel: enable the grid or the hotline",
                    )
                )
        problems += self._saved_state_problems()
        problems += self._table_problems()
        problems += self._incident_problems()
        problems += self._plan_problems()
        problems += self._coverage_problems()
        return problems

    def _staff_problems(self) -> list[tuple[str, str]]:
        """Staff beyond the `staff` limit, naming the largest team or department; counted
        without building anything (a difficulty rule at its max, a pool at its places)."""
        communities = [c for street in self.world.streets for c in street.communities]
        units = {
            "community": sum(c.count for c in communities),
            "street": len(self.world.streets),
            "district": 1,
            "city": 1,
        }
        sizes = [
            (
                "grid_workers" if name == GRID_WORKER else f"teams.{name}",
                _team_size(team, communities),
            )
            for name, team in self.all_teams().items()
        ]
        sizes += [
            (f"departments.{name}.staff", dept.staff * units[dept.tier])
            for name, dept in self.departments.items()
        ]
        total = sum(n for _, n in sizes)
        if total <= limits().staff:
            return []
        where, most = max(sizes, key=lambda pair: pair[1])
        return [(where, f"staff of the scenario {over('staff', total)}; here {number(most)}")]

    def _batch_problems(self) -> list[tuple[str, str]]:
        """Work released at one time beyond the `batch` limit (a warm start's backlog, a quota
        over every grid, duty posts over every community)."""
        communities = [c for street in self.world.streets for c in street.communities]
        grids = sum(c.grid_count() for c in communities)
        places = sum(c.count for c in communities)
        batches = []
        if self.warm_start is not None:
            batches.append(("warm_start.backlog", sum(self.warm_start.backlog.values())))
        admin = getattr(self.sources, "admin", None)
        for name, sender in admin.departments.items() if admin is not None else []:
            if isinstance(sender, SendingDepartment) and sender.quota is not None:
                batches.append((f"sources.admin.departments.{name}.quota", sender.quota * grids))
        for name, incident in self.incidents.items():
            for i, task in enumerate(incident.tasks):
                if task.posts_per_community is not None:
                    where = f"incidents.{name}.tasks.{i}.posts_per_community"
                    batches.append((where, task.posts_per_community * places))
        return [
            (where, f"work released at once {over('batch', n, ' tasks')}")
            for where, n in batches
            if n > limits().batch
        ]

    def _resident_groups(self) -> list[tuple[str, Any]]:
        """(field path, settings) of the world's residents' group and of each community's own
        fields, where given."""
        groups = [("world.self_governance", self.world.self_governance)]
        for i, street in enumerate(self.world.streets):
            for j, community in enumerate(street.communities):
                where = f"world.streets.{i}.communities.{j}.self_governance"
                groups.append((where, community.self_governance))
        return [(w, g) for w, g in groups if g is not None and g.categories is not None]

    def _saved_state_problems(self) -> list[tuple[str, str]]:
        """A warm start from a run folder that is missing, or from another world."""
        if self.warm_start is None or self.warm_start.from_run is None:
            return []
        where = "warm_start.from_run"
        if not is_file(Path(self.warm_start.from_run) / "cases.parquet"):
            return [(where, f"no run folder with cases.parquet at {self.warm_start.from_run!r}")]
        try:
            cases = self.warm_start.open_cases()
        except ValueError as error:
            return [(where, str(error))]
        grids = set(self.world.grid_ids())
        problems: list[tuple[str, str]] = []
        for category, grid, _ in cases:
            if category not in self.categories:
                problem = (where, f"its open cases have category {category!r}, unknown here")
            elif grid not in grids:
                problem = (where, f"its open cases are in grid {grid!r}, not in this world")
            else:
                continue
            if problem not in problems:
                problems.append(problem)
        return problems

    def _plan_problems(self) -> list[tuple[str, str]]:
        """Plans naming unknown teams, incidents or categories, triggers that can never fire,
        manual plans nothing decides; decisions on unknown plans; standby teams no plan
        mobilises."""
        problems = []
        for name, plan in self.plans.items():
            where = f"plans.{name}"
            for i, trigger in enumerate(plan.triggers):
                problems += trigger.problems(self, f"{where}.triggers.{i}")
            for i, action in enumerate(plan.actions):
                problems += action.problems(self, f"{where}.actions.{i}")
            if plan.manual_only and not any(d.plan == name for d in self.decisions):
                problems.append(
                    (
                        f"{where}.triggers",
                        "only a decision sets this plan off, and none does: add one "
                        f"(decisions: [{{plan: {name}, at: 24h}}], or gridsim run --decide "
                        f"{name}@24h)",
                    )
                )
        for i, decision in enumerate(self.decisions):
            if decision.plan not in self.plans:
                problems.append((f"decisions.{i}.plan", f"no plan {decision.plan!r}"))
            elif decision.at >= self.run.days * 24:
                problems.append((f"decisions.{i}.at", "after the horizon: it is never taken"))
        mobilised = {
            action.mobilise
            for plan in self.plans.values()
            for action in plan.actions
            if isinstance(action, Mobilise)
        }
        for name, team in self.teams.items():
            if team.standby and name not in mobilised:
                problems.append((f"teams.{name}.standby", "no plan mobilises this team"))
        return problems

    def _incident_problems(self) -> list[tuple[str, str]]:
        """Incident areas naming places that do not exist; responses by unknown teams; posts
        whose category's work is not their shift."""
        problems = []
        for name, incident in self.incidents.items():
            problems += self.area_problems(incident.area, f"incidents.{name}.area")
            team = incident.response.team if incident.response else GRID_WORKER
            if team not in self.all_teams():
                problems.append((f"incidents.{name}.response.team", f"no team {team!r}"))
            for i, task in enumerate(incident.tasks):
                category = self.categories.get(task.category)
                if (
                    category is not None
                    and task.posts_per_community is not None
                    and not (
                        isinstance(category.work, Fixed) and category.work.value == task.post_shift
                    )
                ):
                    problems.append(
                        (
                            f"incidents.{name}.tasks.{i}.category",
                            f"a post's category needs fixed work equal to the "
                            f"post shift ({task.post_shift:g} h)",
                        )
                    )
        return problems

    def area_problems(self, area: Area, where: str) -> list[tuple[str, str]]:
        """Streets, communities and grids that `area` (at field path `where`) names and the
        world does not have."""
        known = {
            "streets": {s.id for s in self.world.streets},
            "communities": {c.id for s in self.world.streets for c in s.communities},
            "grids": set(self.world.grid_ids()),
        }
        return [
            (f"{where}.{field}.{i}", f"no {field[:-1]} {unit!r}")
            for field, ids in known.items()
            for i, unit in enumerate(getattr(area, field))
            if unit not in ids
        ]

    def all_teams(self) -> dict[str, Team]:
        """The full-time grid workers (as team `grid_worker`) and every other team."""
        return {GRID_WORKER: self.grid_workers, **self.teams}

    def _table_covers_every_grid(self, path: str) -> bool:
        """Whether a staffing table gives every grid a member: each grid lies in a place
        with at least as many members as grids (false for a table that cannot be read)."""
        try:
            rows = read_staff_table(path)
        except ValueError:
            return False
        covered: set[str] = set()
        for row in rows:
            grids = self.world.grids_of(row.unit)
            if grids and row.members >= len(grids):
                covered.update(grids)
        return covered >= set(self.world.grid_ids())

    def _table_problems(self) -> list[tuple[str, str]]:
        """Staffing tables that cannot be read or name places that do not exist."""
        problems = []
        for name, team in self.all_teams().items():
            if team.table is None:
                continue
            where = f"{'grid_workers' if name == GRID_WORKER else f'teams.{name}'}.table"
            try:
                rows = read_staff_table(team.table)
            except ValueError as error:
                problems.append((where, str(error)))
                continue
            for row in rows:
                if not self.world.grids_of(row.unit):
                    problems.append(
                        (where, f"{Path(team.table).name}:{row.line}: no place {row.unit!r}")
                    )
        return problems

    def _coverage_problems(self) -> list[tuple[str, str]]:
        """Categories that reach every grid but that no team present at every grid may take:
        such cases could never be handled."""
        covering = [
            team
            for team in self.all_teams().values()
            if not team.standby
            and (
                team.covers_every_grid
                if team.table is None
                else self._table_covers_every_grid(team.table)
            )
        ]
        problems = []
        for category, where in arriving_categories(self).items():
            if category not in self.categories:
                continue  # reported as an unknown category
            if not any(team.categories is None or category in team.categories for team in covering):
                problems.append(
                    (
                        where,
                        f"nobody present at every grid may take category "
                        f"{category!r}: its cases could never be handled",
                    )
                )
        return problems


def _team_size(team: Team, communities: list[Any]) -> int:
    """Most members `team` can have in these communities (a table: its rows' members)."""
    how, value = team.size
    grids = sum(c.grid_count() for c in communities)
    places = sum(c.count for c in communities)
    if how == "per_grid":
        return value * grids
    if how == "rule":
        return value.max * grids
    if how == "per_community":
        return value * places
    if how == "pool":
        return value.slots * places
    if how == "grids_per_member":
        return sum(c.count * -(-c.grids // value) for c in communities)
    try:
        return sum(row.members for row in read_staff_table(value))
    except ValueError:
        return 0  # reported by _table_problems


def load_scenario(
    path: str | os.PathLike[str],
    overrides: Iterable[str] = (),
    decisions: Iterable[Decision] = (),
) -> Scenario:
    """Load and validate a scenario file; `overrides` are `a.b.c=value` strings (`--set`);
    `decisions` are taken besides the file's own (`--decide`).

    Raises ScenarioError naming the file, line and field path of every problem.
    """
    taken = [decision.model_dump() for decision in decisions]
    append = {"decisions": ("--decide", taken)} if taken else None
    return load_validated(path, Scenario, overrides, append)[0]


def scenario_from_dict(data: dict[str, Any], source: str = "<dict>") -> Scenario:
    """Validate an in-memory scenario (tests, notebooks)."""
    return validate_dict(data, Scenario, source)
