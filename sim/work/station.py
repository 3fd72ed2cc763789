"""Stations: the jobs waiting for one place (a grid, a department), one queue per case category,
and the staff serving it who are idle and can be handed a job at once; and the stations of a run,
found by grid and by department."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from heapq import heappop, heappush
from itertools import count
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import simpy

    from sim.agents.staff import Staff
    from sim.config.teams import Department
    from sim.work.case import Job
    from sim.world import World


#: The queue of a category with no job waiting.
EMPTY: tuple = ()


class Station:
    """Jobs wait here in (priority, arrival) order within their category; idle staff wait in
    first-idle-first order and are handed only jobs of categories they may take.

    A category's queue holds (priority, arrival, job) entries, its head first. While every job
    joins at or behind the priority of the last one (the usual case: one priority per
    category), arrival numbers only grow, so the entries come in order: the queue is a deque,
    taken from the front in constant time. A job that must go ahead of the last turns that
    queue into a heap (a sorted list already is one) until it runs empty. An empty queue is
    the empty tuple (a deque costs 760 bytes even when empty, and a city has 200,000 queues).

    `order` is the model's shared arrival counter, so jobs compare across stations; `index` is
    the station's number in the jobs table; `env` stamps the time each job is queued.
    """

    __slots__ = ("env", "filled", "idle", "index", "name", "order", "queues", "unit", "waiting")

    def __init__(
        self,
        name: str,
        unit: int,
        index: int,
        env: simpy.Environment,
        order: Iterator[int],
        n_categories: int,
    ) -> None:
        self.name = name
        self.unit = unit
        self.index = index
        self.env = env
        self.order = order
        self.queues: list[deque | list | tuple] = [EMPTY] * n_categories
        #: The categories whose queue holds a job (a station rarely has more than a few).
        self.filled: dict[int, None] = {}
        self.waiting = 0
        self.idle: dict[Staff, None] = {}

    def submit(self, job: Job) -> None:
        """Hand the job to the longest-idle member who may take it, or queue it."""
        job.queued = self.env.now
        category = job.case.category
        for staff in self.idle:
            if staff.accepting[category]:
                staff.assign(job)
                return
        queue = self.queues[category]
        entry = (job.priority, next(self.order), job)
        if not queue:
            self.filled[category] = None
            self.queues[category] = deque((entry,))
        elif queue.__class__ is deque and entry[0] >= queue[-1][0]:
            queue.append(entry)
        else:
            if queue.__class__ is deque:
                queue = self.queues[category] = list(queue)
            heappush(queue, entry)
        self.waiting += 1

    def best(self, takes: list[bool]) -> tuple[tuple, int] | None:
        """The queue head (priority, arrival, job) of the most urgent waiting job of a category
        `takes` allows (one flag per category index), with its category; None if there is none.
        Heads never tie: every arrival has its own number."""
        best = None
        queues = self.queues
        for category in self.filled:
            if takes[category]:
                head = queues[category][0]
                if best is None or head < best[0]:
                    best = (head, category)
        return best

    def take(self, category: int) -> Job:
        """Remove and return the next job of `category` (its queue must not be empty)."""
        self.waiting -= 1
        queue = self.queues[category]
        job = (queue.popleft() if queue.__class__ is deque else heappop(queue))[2]
        if not queue:
            del self.filled[category]
            self.queues[category] = EMPTY
        return job

    def clear(self) -> None:
        """Drop every waiting job."""
        self.queues = [EMPTY] * len(self.queues)
        self.filled.clear()
        self.waiting = 0

    def __len__(self) -> int:
        return self.waiting


class Stations:
    """Every queue of a run, numbered in creation order (the jobs table's station ids): one per
    grid, then one per department and unit of its tier (e.g. the street office of each street).
    Jobs compare across stations by one shared arrival counter."""

    def __init__(
        self,
        env: simpy.Environment,
        world: World,
        departments: dict[str, Department],
        n_categories: int,
    ) -> None:
        self.env = env
        self.order: Iterator[int] = count()
        self.n_categories = n_categories
        self.all: list[Station] = []
        self.grids = [self._new(grid.id, grid.index) for grid in world.grids]
        self.community_of_grid = [grid.community for grid in world.grids]
        #: (department kind, unit index of its tier) → its station, in creation order.
        self.departments: dict[tuple[str, int], Station] = {
            (kind, unit): self._new(f"{kind}@{unit_id}", unit)
            for kind, spec in departments.items()
            for unit, unit_id in enumerate(world.unit_ids(spec.tier))
        }
        self._unit_of_grid = {
            kind: world.unit_of_grid(spec.tier).tolist() for kind, spec in departments.items()
        }

    def _new(self, name: str, unit: int) -> Station:
        station = Station(name, unit, len(self.all), self.env, self.order, self.n_categories)
        self.all.append(station)
        return station

    def department(self, kind: str, grid: int) -> Station:
        """The station of department `kind` responsible for grid `grid`."""
        return self.departments[(kind, self._unit_of_grid[kind][grid])]

    def community(self, grid: int) -> list[Station]:
        """The stations of every grid of `grid`'s community."""
        community = self.community_of_grid[grid]
        grids = zip(self.grids, self.community_of_grid, strict=True)
        return [station for station, c in grids if c == community]
