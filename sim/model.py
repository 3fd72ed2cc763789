"""GridModel: the Mesa model that owns the SimPy environment.

One clock: simulated time is `env.now` in hours. `step()` advances one tick with
`env.run(until=...)`; within a tick everything is event-driven.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import count

import mesa
import numpy as np
import simpy

from sim.agents.department import Department
from sim.agents.household import Household
from sim.agents.staff import Staff
from sim.agents.worker import AGENT_OF_KIND, Worker
from sim.calendar import Calendar
from sim.config.schema import CLOSED_LOOP_KINDS, SKILLS, Pay, Scenario
from sim.emergency.incidents import Incidents
from sim.emergency.plans import Controller
from sim.metrics import Metrics
from sim.rng import Streams
from sim.staffing import team_members
from sim.work.flow import CaseFlow
from sim.work.intake import compile_categories
from sim.work.sources import (
    AdminTasks,
    IncidentTasks,
    InitialBacklog,
    Monitoring,
    PatrolIssues,
    ResidentRequests,
    Revisits,
)
from sim.work.station import Station
from sim.world import World

PEACETIME = "peacetime"


class GridModel(mesa.Model):
    """A community grid-management system: households, grid workers, departments, cases."""

    def __init__(self, scenario: Scenario, seed: int = 0, days: float | None = None) -> None:
        super().__init__(rng=seed)
        self.scenario = scenario
        self.seed = seed
        self.horizon = 24.0 * (scenario.run.days if days is None else days)
        self.tick = scenario.run.tick
        self.mode = PEACETIME
        self.events: list[dict] = []  # the event log: plans firing, acting, standing down
        self.priority_override: dict[str, int] = {}  # category → priority set by a plan
        self.env = simpy.Environment()
        self.streams = Streams(seed)
        self.calendar = Calendar(scenario.run.start_weekday)
        self.world = World(
            scenario.world, self.streams.get("households"), self.streams.get("grid_sizes")
        )
        self.plans = compile_categories(scenario)
        self.category_index = {plan.name: plan.index for plan in self.plans}
        self.skills = SKILLS
        self.arrival_order: Iterator[int] = count()
        self.case_ids: Iterator[int] = count()  # case ids in creation order
        self._staff_ids = count()

        grids = self.world.grids
        level = scenario.output.timeseries_level
        self.unit_of_grid = self.world.unit_of_grid(level)
        instances = self._department_units()
        self.timeseries_units = self.world.unit_ids(level) + [
            f"{kind}@{unit_id}" for kind, _, unit_id in instances
        ]
        self.stations: list[Station] = []  # every queue, grids first (the jobs table's ids)
        self.grid_stations = [self.new_station(g.id, g.index) for g in grids]
        teams = {
            name: team_members(self, name, team) for name, team in scenario.all_teams().items()
        }
        n_staff = sum(len(members) for members in teams.values()) + sum(
            scenario.departments[kind].staff for kind, _, _ in instances
        )
        self.closed_loop = [plan.kind in CLOSED_LOOP_KINDS for plan in self.plans]
        self.metrics = Metrics(
            self.unit_of_grid,
            len(self.world.unit_ids(level)),
            self.closed_loop,
            n_staff,
            scenario.output.jobs,
        )
        self.flow = CaseFlow(self)
        self.departments = {
            (kind, unit): Department(self, kind, scenario.departments[kind], unit, unit_id)
            for kind, unit, unit_id in instances
        }
        sources = scenario.sources
        self.incidents = Incidents(scenario.incidents, self.world)
        self.patrol_issues = (
            PatrolIssues(self, sources.patrol, scenario.grid_workers.patrol.resident_report_delay)
            if sources.patrol and sources.patrol.enabled
            else None
        )
        self.resident_requests = (
            ResidentRequests(self, sources.resident) if sources.resident.enabled else None
        )
        self.admin_tasks = (
            AdminTasks(self, sources.admin) if sources.admin and sources.admin.enabled else None
        )
        self.revisits = (
            Revisits(self, sources.revisits)
            if sources.revisits and sources.revisits.enabled
            else None
        )
        self.incident_tasks = (
            IncidentTasks(self, self.incidents)
            if any(i.tasks for i in scenario.incidents.values())
            else None
        )
        self.monitoring = (
            Monitoring(self, sources.monitoring)
            if sources.monitoring and sources.monitoring.enabled
            else None
        )
        self.initial_backlog = (
            InitialBacklog(self, scenario.warm_start) if scenario.warm_start else None
        )
        self._households: dict[int, Household] = {}
        self.plans_run = Controller(self)
        self.workers: list[Worker] = [
            AGENT_OF_KIND[member.kind](self, member, self.streams.get(f"staff/{name}"))
            for name, members in teams.items()
            for member in members
        ]
        n_level = len(self.world.unit_ids(level))
        staff_unit = np.empty(n_staff, dtype=np.int64)
        for worker in self.workers:
            staff_unit[worker.staff.index] = self.unit_of_grid[worker.member.unit]
        for position, department in enumerate(self.departments.values()):
            for staff in department.staff:
                staff_unit[staff.index] = n_level + position
        self.staff_unit = staff_unit

    def _department_units(self) -> list[tuple[str, int, str]]:
        """(department kind, unit index, unit id) for every department instance."""
        units = {
            "community": [(c.index, c.id) for c in self.world.communities],
            "street": [(s.index, s.id) for s in self.world.streets],
            "district": [(0, self.world.district.id)],
            "city": [(0, "city")],
        }
        return [
            (kind, index, unit_id)
            for kind, spec in self.scenario.departments.items()
            for index, unit_id in units[spec.tier]
        ]

    def new_station(self, name: str, unit: int) -> Station:
        """A new queue, numbered in creation order."""
        station = Station(
            name, unit, len(self.stations), self.env, self.arrival_order, len(self.plans)
        )
        self.stations.append(station)
        return station

    def department_station(self, kind: str, grid: int) -> Station:
        """The queue of department `kind` responsible for grid `grid`."""
        tier = self.scenario.departments[kind].tier
        g = self.world.grids[grid]
        unit = {"community": g.community, "street": g.street}.get(tier, 0)
        return self.departments[(kind, unit)].station

    def household(self, row: int) -> Household:
        """The household agent of row `row` of the household table, created on first use:
        demand is drawn per grid from the table, so a city's million households cost
        nothing until someone asks for one."""
        if row not in self._households:
            self._households[row] = Household(self, row)
        return self._households[row]

    def log(self, plan: str, event: str, detail: str) -> None:
        """Add a line to the event log."""
        self.events.append({"t_h": self.env.now, "plan": plan, "event": event, "detail": detail})

    def team_staff(self, team: str) -> list[Staff]:
        """The members of a grid-side team."""
        return [worker.staff for worker in self.workers if worker.member.role == team]

    def community_stations(self, grid: int) -> list[Station]:
        """The stations of every grid of `grid`'s community."""
        community = self.world.grids[grid].community
        return [self.grid_stations[g.index] for g in self.world.grids if g.community == community]

    def mean_wait_of_unstarted(self) -> float:
        """Mean hours that open closed-loop cases nobody has started yet have waited (0 if
        none)."""
        now = self.env.now
        closed_loop = self.closed_loop
        waits = [
            now - case.created
            for case in self.metrics.open.values()
            if closed_loop[case.category] and case.steps[0] != case.steps[0]
        ]
        return sum(waits) / len(waits) if waits else 0.0

    def suspend_admin(self, suspended: bool) -> None:
        """Hold top-down forms (emergency plan), or release the held ones."""
        if self.admin_tasks is not None:
            self.admin_tasks.suspend(suspended)

    def patrolled(self, staff: Staff, hours: float) -> None:
        """A worker patrolled their home grid for `hours`: hidden issues may come to light."""
        if self.patrol_issues is not None:
            self.patrol_issues.patrolled(staff, hours)

    def next_staff_index(self) -> int:
        """A new index into the staff state array."""
        return next(self._staff_ids)

    def step(self) -> None:
        """Advance one tick and record the time series."""
        start = self.env.now
        until = min(start + self.tick, self.horizon)
        self.env.run(until=until)
        if self.plans_run.runs:  # no plans: no backlog to count every tick
            self.plans_run.tick(self.metrics.backlog_now())
        self.metrics.snapshot(
            until, until - start, self.staff_unit, len(self.timeseries_units), self.mode
        )

    def run_model(self) -> None:
        """Step until the horizon, then close every worker's time account."""
        while self.env.now < self.horizon - 1e-9:
            self.step()
        for staff, _ in self.staff_records():
            staff.flush()

    def staff_records(self) -> Iterator[tuple[Staff, Pay]]:
        """Every member of staff with their pay."""
        for worker in self.workers:
            yield worker.staff, worker.pay
        for department in self.departments.values():
            for staff in department.staff:
                yield staff, department.pay
