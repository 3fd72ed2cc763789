"""Stations: the jobs waiting for one place (a grid, a department), one queue per case category,
and the staff serving it who are idle and can be handed a job at once; and the stations of a run,
found by grid and by department."""

from __future__ import annotations

from array import array
from collections import deque
from collections.abc import Iterator
from heapq import heapify, heappop, heappush
from itertools import count
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import simpy

    from sim.agents.staff import Staff
    from sim.config.teams import Department
    from sim.work.case import Case, Job
    from sim.work.intake import Batch, Intake
    from sim.world import World


#: The queue of a category with no job waiting.
EMPTY: tuple = ()


class Deferred:
    """Tasks of one batch released to a station at one time and priority but not yet opened
    (`Intake.defer`), with consecutive arrival numbers: one queue entry, (priority, arrival
    number of the next, run), that stands for them all. Taking it opens the next task's case
    (`Intake.open_deferred`) and leaves the entry for the rest in its place."""

    __slots__ = ("at", "batch", "ids", "intake", "next", "priority", "rows")

    def __init__(self, intake: Intake, batch: Batch, at: float, priority: int) -> None:
        self.intake = intake
        self.batch = batch
        self.at = at
        self.priority = priority
        self.rows = array("q")  # the tasks' rows in the batch
        self.ids = array("q")  # the case id each was given at release
        self.next = 0

    def add(self, row: int, case_id: int) -> None:
        """One more task, the next arrival number after the last."""
        self.rows.append(row)
        self.ids.append(case_id)

    def pop(self) -> Job:
        """Open the next task and return its job."""
        i = self.next
        self.next = i + 1
        return self.intake.open_deferred(
            self.batch, self.rows[i], self.ids[i], self.at, self.priority
        )

    def unopened(self) -> Iterator[Case]:
        """The cases of the tasks not yet taken, each made as it would be opened but left
        unopened (a new case each time: for reading, as the tables do)."""
        intake, batch, at, priority = self.intake, self.batch, self.at, self.priority
        for k in range(self.next, len(self.rows)):
            case = intake.released_case(batch, self.rows[k], self.ids[k], at, priority)
            try:
                yield case
            finally:  # the case and its job refer to each other: let go as soon as read
                case.stages.clear()

    def __len__(self) -> int:
        return len(self.rows) - self.next


class Station:
    """Jobs wait here in (priority, arrival) order within their category; idle staff wait in
    first-idle-first order and are handed only jobs of categories they may take.

    A category's queue holds (priority, arrival, job) entries, its head first. While every job
    joins at or behind the priority of the last one (the usual case: one priority per
    category), arrival numbers only grow, so the entries come in order: the queue is a deque,
    taken from the front in constant time. A job that must go ahead of the last turns that
    queue into a heap (a sorted list already is one) until it runs empty. An empty queue is
    the empty tuple (a deque costs 760 bytes even when empty, and a city has 200,000 queues).
    Tasks released but not yet opened wait as one `Deferred` entry per run of them; `deferred`
    counts those entries.

    `head` is the least queue head of all categories (None: nothing waits), of category
    `head_category`: staff who serve many stations compare those first (`best`).

    `order` is the model's shared arrival counter, so jobs compare across stations; `index` is
    the station's number in the jobs table; `env` stamps the time each job is queued.
    """

    __slots__ = (
        "deferred",
        "env",
        "filled",
        "head",
        "head_category",
        "idle",
        "index",
        "name",
        "order",
        "queues",
        "unit",
        "waiting",
    )

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
        self.deferred = 0
        self.head: tuple | None = None
        self.head_category = -1
        self.idle: dict[Staff, None] = {}

    def submit(self, job: Job) -> None:
        """Hand the job to the longest-idle member who may take it, or queue it."""
        job.queued = self.env.now
        category = job.case.category
        for staff in self.idle:
            if staff.accepting[category]:
                staff.assign(job)
                return
        self._queue(category, (job.priority, next(self.order), job))

    def has_idle(self, category: int) -> bool:
        """Whether a member idle here may take a job of `category` at once."""
        return any(staff.accepting[category] for staff in self.idle)

    def defer(
        self,
        category: int,
        priority: int,
        at: float,
        intake: Intake,
        batch: Batch,
        row: int,
        case_id: int,
    ) -> None:
        """Queue task `row` of `batch`, released at `at` hours with `priority` and `case_id`
        but not yet opened (nobody idle here may take it): it joins the last entry of its
        category if that is a run of the same release and the arrival numbers follow on."""
        order = next(self.order)
        queue = self.queues[category]
        if queue and queue.__class__ is deque:
            last_priority, last_order, run = queue[-1]
            if (
                run.__class__ is Deferred
                and run.batch is batch
                and run.intake is intake
                and run.at == at
                and last_priority == priority
                and last_order + len(run) == order
            ):
                run.add(row, case_id)
                self.waiting += 1
                return
        run = Deferred(intake, batch, at, priority)
        run.add(row, case_id)
        self.deferred += 1
        self._queue(category, (priority, order, run))

    def _queue(self, category: int, entry: tuple) -> None:
        queue = self.queues[category]
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
        if self.head is None or entry < self.head:
            self.head, self.head_category = entry, category

    def best(self, takes: list[bool]) -> tuple[tuple, int] | None:
        """The queue head (priority, arrival, job) of the most urgent waiting job of a category
        `takes` allows (one flag per category index), with its category; None if there is none.
        Heads never tie: every arrival has its own number."""
        if self.head is not None and takes[self.head_category]:
            return self.head, self.head_category
        best = None
        queues = self.queues
        for category in self.filled:
            if takes[category]:
                head = queues[category][0]
                if best is None or head < best[0]:
                    best = (head, category)
        return best

    def _find_head(self) -> None:
        """Set `head` and `head_category` from the queues."""
        head, head_category = None, -1
        queues = self.queues
        for category in self.filled:
            first = queues[category][0]
            if head is None or first < head:
                head, head_category = first, category
        self.head, self.head_category = head, head_category

    def take(self, category: int) -> Job:
        """Remove and return the next job of `category` (its queue must not be empty)."""
        self.waiting -= 1
        queue = self.queues[category]
        is_deque = queue.__class__ is deque
        priority, order, job = queue.popleft() if is_deque else heappop(queue)
        if job.__class__ is Deferred:
            run = job
            job = run.pop()
            if run:  # the rest of the run keeps its place, at the head
                rest = (priority, order + 1, run)
                if is_deque:
                    queue.appendleft(rest)
                else:
                    heappush(queue, rest)
                if category == self.head_category:  # still the least: its numbers are its own
                    self.head = rest
                return job
            self.deferred -= 1
        if not queue:
            del self.filled[category]
            self.queues[category] = EMPTY
        if category == self.head_category:
            self._find_head()
        return job

    def withdraw(self, job: Job) -> bool:
        """Take `job` out of its queue if it waits there (never a deferred task); False if it
        does not (taken, or not submitted)."""
        category = job.case.category
        queue = self.queues[category]
        entry = next((entry for entry in queue if entry[2] is job), None)
        if entry is None:
            return False
        queue.remove(entry)
        self.waiting -= 1
        if not queue:
            del self.filled[category]
            self.queues[category] = EMPTY
        elif queue.__class__ is not deque:
            heapify(queue)
        if entry is self.head:
            self._find_head()
        return True

    def open_deferred(self) -> None:
        """Open every task waiting here unopened (`Deferred`), keeping its place: what reads
        the open cases or the waiting jobs needs them all."""
        if not self.deferred:
            return
        for category in self.filled:
            queue = self.queues[category]
            if not any(entry[2].__class__ is Deferred for entry in queue):
                continue
            entries = []
            for priority, order, item in queue:
                if item.__class__ is Deferred:
                    entries.extend((priority, order + k, item.pop()) for k in range(len(item)))
                else:
                    entries.append((priority, order, item))
            if queue.__class__ is deque:
                self.queues[category] = deque(entries)
            else:
                heapify(entries)
                self.queues[category] = entries
        self.deferred = 0
        self._find_head()

    def runs(self) -> Iterator[Deferred]:
        """The runs of tasks waiting here unopened."""
        if self.deferred:
            for category in self.filled:
                for *_, item in self.queues[category]:
                    if item.__class__ is Deferred:
                        yield item

    def clear(self) -> None:
        """Drop every waiting job."""
        self.queues = [EMPTY] * len(self.queues)
        self.filled.clear()
        self.waiting = self.deferred = 0
        self.head, self.head_category = None, -1

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

    def open_deferred(self) -> None:
        """Open every task released but not yet opened, at every station."""
        for station in self.all:
            station.open_deferred()

    def unopened(self) -> tuple[int, Iterator[Case]]:
        """How many tasks wait unopened at every station, and their cases, made as they would
        be opened but left unopened (`Deferred.unopened`)."""
        runs = [run for station in self.all for run in station.runs()]
        return sum(map(len, runs)), (case for run in runs for case in run.unopened())

    def department(self, kind: str, grid: int) -> Station:
        """The station of department `kind` responsible for grid `grid`."""
        return self.departments[(kind, self._unit_of_grid[kind][grid])]

    def community(self, grid: int) -> list[Station]:
        """The stations of every grid of `grid`'s community."""
        community = self.community_of_grid[grid]
        grids = zip(self.grids, self.community_of_grid, strict=True)
        return [station for station, c in grids if c == community]
