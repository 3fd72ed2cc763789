"""A station: the jobs waiting for one place (a grid, a department), one queue per case category,
and the staff serving it who are idle and can be handed a job at once."""

from __future__ import annotations

from collections.abc import Iterator
from heapq import heappop, heappush
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import simpy

    from sim.agents.staff import Staff
    from sim.work.case import Job


class Station:
    """Jobs wait here in (priority, arrival) order within their category; idle staff wait in
    first-idle-first order and are handed only jobs of categories they may take.

    `order` is the model's shared arrival counter, so jobs compare across stations; `index` is
    the station's number in the jobs table; `env` stamps the time each job is queued.
    """

    __slots__ = ("env", "idle", "index", "name", "order", "queues", "unit", "waiting")

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
        self.queues: list[list[tuple[int, int, Job]]] = [[] for _ in range(n_categories)]
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
        heappush(self.queues[category], (job.priority, next(self.order), job))
        self.waiting += 1

    def best(self, categories: list[int]) -> tuple[tuple, int] | None:
        """The queue head (priority, arrival, job) of the most urgent waiting job among
        `categories`, with its category; None if there is none."""
        if not self.waiting:
            return None
        best = None
        for category in categories:
            queue = self.queues[category]
            if queue and (best is None or queue[0] < best[0]):
                best = (queue[0], category)
        return best

    def take(self, category: int) -> Job:
        """Remove and return the next job of `category` (its queue must not be empty)."""
        self.waiting -= 1
        return heappop(self.queues[category])[2]

    def __len__(self) -> int:
        return self.waiting
