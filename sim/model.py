"""GridModel: the Mesa model that wires one run together and owns the SimPy environment.

One clock: simulated time is `env.now` in hours. `step()` advances one tick with
`env.run(until=...)`; within a tick everything is event-driven. `run_until(t)` stops at any time
inside a tick (a drill's pause, decision or inject) and the tick ends later as usual, so where a
run pauses never changes it. The model builds the parts in the order the case path runs
(stations, staff, case flow, sources, the operations room) and hands each the collaborators it
needs; no part calls back into the model.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from itertools import count

import mesa
import numpy as np

from sim.agents.attrition import Attrition
from sim.agents.department import Department
from sim.agents.household import Household, Households
from sim.agents.staff import Staff, Workplace
from sim.agents.volunteer_pool import VolunteerPool
from sim.agents.worker import AGENT_OF_KIND, Worker
from sim.calendar import Calendar
from sim.config.incidents import Incident
from sim.config.teams import Pay
from sim.emergency.incidents import Incidents
from sim.emergency.operations import Operations
from sim.emergency.plans import Decision
from sim.emergency.response import start_responses
from sim.engine import Environment
from sim.memory import HugePages, give_back, release_free_lists
from sim.metrics import Metrics
from sim.metrics.events import EventLog
from sim.rng import Streams
from sim.scenario import Scenario
from sim.staffing import Posting, department_members, team_members
from sim.vocabulary import CLOSED_LOOP_KINDS
from sim.work.channels import Switchboard
from sim.work.flow import CaseFlow
from sim.work.intake import Intakes, case_types
from sim.work.self_governance import ResidentGroups
from sim.work.sources import SourceContext, start_sources
from sim.work.sources.incident import IncidentTasks
from sim.work.station import Stations
from sim.world import World

#: How often `run_model` reports its progress and settles memory in huge pages (simulated hours).
PROGRESS_EVERY_H = 24.0


class GridModel(mesa.Model):
    """A community grid-management system: households, grid workers, departments, cases.

    `decisions` are taken by hand at their times, after the scenario's own (`decisions:`)."""

    def __init__(
        self,
        scenario: Scenario,
        seed: int = 0,
        days: float | None = None,
        decisions: Iterable[Decision] = (),
    ) -> None:
        super().__init__(rng=seed)
        self.scenario = scenario
        self.seed = seed
        self.horizon = 24.0 * (scenario.run.days if days is None else days)
        self.tick = scenario.run.tick
        self.tick_start = 0.0  # start of the tick under way
        self.ticks_done = 0  # tick k ends at k × tick: no rounding error adds up over the ticks
        self.env = env = Environment()
        self.streams = Streams(seed)
        self.calendar = Calendar(scenario.run.start_weekday)
        self.world = world = World(
            scenario.world, self.streams.get("households"), self.streams.get("grid_sizes")
        )
        self.case_types = case_types(scenario.categories, scenario.departments, scenario.loop)
        self.events = EventLog(env)
        self.stations = Stations(env, world, scenario.departments, len(self.case_types))
        posting = Posting(world, self.calendar, self.horizon, self.case_types, self.stations.grids)
        members = {
            name: team_members(posting, name, team) for name, team in scenario.all_teams().items()
        }
        n_staff = sum(len(team) for team in members.values()) + sum(
            scenario.departments[kind].staff for kind, _ in self.stations.departments
        )
        level = scenario.output.timeseries_level
        n_level = len(world.unit_ids(level))
        self.timeseries_units = world.unit_ids(level) + [
            station.name for station in self.stations.departments.values()
        ]
        self.metrics = Metrics(
            world.unit_of_grid(level),
            n_level,
            [case_type.kind in CLOSED_LOOP_KINDS for case_type in self.case_types],
            n_staff,
            scenario.output.jobs,
        )
        self.flow = CaseFlow(env, self.metrics, self.case_types)
        self.incidents = Incidents(scenario.incidents, world)
        self.residents = ResidentGroups.of(env, self.flow, world, self.case_types)
        intakes = Intakes(
            env,
            self.flow,
            self.stations,
            self.case_types,
            self.streams,
            scenario.loop,
            self.incidents.learning(self.case_types),
            world.travel_factors(),
            self.residents,
        )
        self.source_context = SourceContext(
            scenario,
            env,
            self.horizon,
            self.streams,
            world,
            self.calendar,
            self.incidents,
            self.case_types,
            intakes,
            self.flow,
        )
        self.sources = start_sources(self.source_context)
        self.flow.attach(self.sources)
        workplace = Workplace(
            env, self.flow, self.metrics.staff_state, self.metrics.job_ended, self.horizon
        )
        if "patrol" in self.sources:
            workplace = replace(workplace, patrol=self.sources["patrol"])
        staff_ids = count()
        self.departments = []
        for (kind, _), station in self.stations.departments.items():
            spec = scenario.departments[kind]
            staff = department_members(posting, kind, spec, station)
            department = Department(self, kind, spec, station, staff, workplace, staff_ids)
            self.departments.append(department)
        self.workers: list[Worker] = [
            AGENT_OF_KIND[member.kind](
                self, member, workplace, next(staff_ids), self.streams.get(f"staff/{name}")
            )
            for name, team in members.items()
            for member in team
        ]
        self.households = Households(
            self, world, scenario.channels.satisfaction.initial if scenario.channels else 0.0
        )
        self.channels = self._switchboard()
        teams = {
            name: [worker.staff for worker in self.workers if worker.member.role == name]
            for name in members
        }
        self.attrition, self.pools = self._turnover(teams)
        self.operations = Operations(
            scenario,
            env,
            self.events,
            self.metrics,
            teams,
            self.stations,
            intakes.priority_override,
            self.sources,
            [*scenario.decisions, *decisions],
            self.pools,
            world,
        )
        start_responses(
            scenario.incidents,
            members,
            self.incidents.first_grids(),
            self.streams,
            env,
            self.events.add,
            self.operations.report_reached,
        )
        self.staff_unit = self._staff_units(n_level)

    def _switchboard(self) -> Switchboard | None:
        """The residents' channels, when the scenario has them: requests become needs routed
        through it, and it hears the loop's ratings; the grid worker can be reached when a
        member posted to the grid is on duty."""
        settings = self.scenario.channels
        if settings is None or "resident" not in self.sources:
            return None
        switchboard = Switchboard(
            self.env, settings, self.calendar, self.horizon, self.households, self.streams
        )
        grid_of = {id(station): g for g, station in enumerate(self.stations.grids)}
        serving: list[list[Staff]] = [[] for _ in self.stations.grids]
        for worker in self.workers:
            for station in worker.staff.stations:
                if id(station) in grid_of:
                    serving[grid_of[id(station)]].append(worker.staff)
        switchboard.reach(serving)
        self.sources["resident"].route_through(switchboard)
        self.flow.rating_watchers.append(switchboard.rated)
        return switchboard

    def _turnover(
        self, teams: dict[str, list[Staff]]
    ) -> tuple[dict[str, Attrition], dict[str, VolunteerPool]]:
        """The teams whose members leave (attrition) and the volunteer pools, by team."""
        attrition, pools = {}, {}
        for name, team in self.scenario.all_teams().items():
            staff = teams[name]
            community = [self.world.grids[s.unit].community for s in staff]
            args = (self.env, name, team, staff, community, self.streams, self.horizon)
            if team.attrition is not None:
                attrition[name] = Attrition(*args)
            elif team.pool is not None:
                pools[name] = VolunteerPool(*args)
        return attrition, pools

    def _staff_units(self, n_level: int) -> np.ndarray:
        """Each member of staff's time-series unit: their home grid's unit at the recorded
        level, or their department's row after those."""
        unit_of_grid = self.metrics.unit_of_grid
        units = np.empty(len(self.metrics.staff_state), dtype=np.int64)
        for worker in self.workers:
            units[worker.staff.index] = unit_of_grid[worker.member.unit]
        for position, department in enumerate(self.departments):
            for staff in department.staff:
                units[staff.index] = n_level + position
        return units

    def household(self, row: int) -> Household:
        """The household agent of row `row` of the household table, created on first use."""
        return self.households.get(row)

    def start_incident(self, name: str, incident: Incident) -> None:
        """Start `incident` now, as `name` (a drill's inject): its onset is now; its tasks and
        its surge of residents' requests come from streams of their own, so every other draw
        stays as it was. Its first hours, learning curve and drills are not modelled, and it
        surges residents' requests only (sim.drill.injects checks that)."""
        incident = incident.model_copy(update={"onset": self.env.now})
        mask = self.incidents.add(name, incident.area)
        if incident.tasks:
            tasks = self.sources.get("incident")
            if tasks is None:  # the scenario brings no incident tasks: start the source now
                tasks = self.sources["incident"] = IncidentTasks(self.source_context, None)
            tasks.start(name, incident)
        multiplier = incident.demand.get("resident", 1.0)
        requests = self.sources.get("resident")
        if multiplier == 1.0 or requests is None:
            return
        for k, (start, end, level) in enumerate(incident.stretches()):
            if level > 0:
                surge = 1.0 + (multiplier - 1.0) * level
                requests.add_surge(f"{name}/{k}", mask, surge, start, end)

    def step(self) -> None:
        """Advance to the end of the tick under way, record the time series, then check the
        plans. The time series holds each tick as it ran, [start, end): what the plans do as it
        ends (set off by a condition, stand down) happens at its end, so it is the next tick's,
        as are the events due at that instant. A run covers [0, horizon), so nothing is checked
        at the horizon: a plan due to stand down then is still in force when the run ends (its
        held forms still held)."""
        start = self.tick_start
        until = self._tick_end()
        if until > self.env.now:
            self.env.run(until=until)
        self.tick_start = until
        self.ticks_done += 1
        self.metrics.snapshot(
            until,
            until - start,
            self.staff_unit,
            len(self.timeseries_units),
            self.operations.mode,
        )
        if self.operations.plans and until < self.horizon - 1e-9:  # no plans: nothing to check
            self.operations.tick()

    def _tick_end(self) -> float:
        end = (self.ticks_done + 1) * self.tick
        return self.horizon if end > self.horizon - 1e-9 else end

    def run_until(self, until: float) -> None:
        """Run to `until` hours (at most the horizon): the ticks that end by then, then the
        events of the tick under way before `until`; that tick ends at its usual time."""
        until = min(until, self.horizon)
        while self.tick_start < self.horizon - 1e-9 and self._tick_end() <= until:
            self.step()
        if until > self.env.now:
            self.env.run(until=until)

    def run_model(self, progress: Callable[[float, float], None] | None = None) -> None:
        """Step until the horizon, then close every worker's time account. `progress(now,
        horizon)`, if given, is called with the simulated hours done at the end of each
        simulated day (the first tick that ends at or after it) and at the horizon. At the
        start and at the end of each day, the model's memory that grew is moved into huge
        pages (`sim.memory.HugePages`: a large model's jobs wait less on memory)."""
        huge_pages = HugePages()
        huge_pages.settle()
        day_end = PROGRESS_EVERY_H
        while self.tick_start < self.horizon - 1e-9:
            self.step()
            if self.tick_start >= day_end or self.tick_start >= self.horizon - 1e-9:
                huge_pages.settle()
                if progress is not None:
                    progress(self.tick_start, self.horizon)
                day_end = self.tick_start + PROGRESS_EVERY_H
        for staff, _ in self.staff_records():
            staff.flush()

    def release_cases(self) -> None:
        """Let go of the cases still open, the jobs waiting and the events still pending, once
        the tables hold them (the model's last use: it cannot run on); the memory goes back to
        the system. An open case and its jobs refer to each other: each case lets go of its
        jobs first, so that reference counting frees them at once, without a collection (which
        would scan every object of a city)."""
        for case in self.metrics.open.values():
            case.stages.clear()
        self.metrics.open.clear()
        for station in self.stations.all:
            station.clear()
        self.env.clear()
        release_free_lists()
        give_back()

    def staff_records(self) -> Iterator[tuple[Staff, Pay]]:
        """Every member of staff with their pay."""
        for worker in self.workers:
            yield worker.staff, worker.pay
        for department in self.departments:
            for staff in department.staff:
                yield staff, department.pay
