"""A station: the queue of jobs waiting for one team (a grid's workers, a department), and the
team members who are idle and can be handed a job at once."""

from __future__ import annotations

from collections.abc import Iterator
from heapq import heappop, heappush
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sim.agents.staff import Staff
    from sim.work.case import Job


class Station:
    """Jobs wait here in (priority, arrival) order; idle staff wait in first-idle-first order.

    `order` is the model's shared arrival counter, so jobs compare across stations.
    """

    __slots__ = ("idle", "name", "order", "queue", "unit")

    def __init__(self, name: str, unit: int, order: Iterator[int]) -> None:
        self.name = name
        self.unit = unit
        self.order = order
        self.queue: list[tuple[int, int, Job]] = []
        self.idle: dict[Staff, None] = {}

    def submit(self, job: Job) -> None:
        """Hand the job to the longest-idle member, or queue it."""
        if self.idle:
            next(iter(self.idle)).assign(job)
        else:
            heappush(self.queue, (job.priority, next(self.order), job))

    def head(self) -> tuple[int, int] | None:
        """(priority, arrival order) of the job that would be taken next, if any."""
        return self.queue[0][:2] if self.queue else None

    def take(self) -> Job:
        """Remove and return the next job (the queue must not be empty)."""
        return heappop(self.queue)[2]

    def __len__(self) -> int:
        return len(self.queue)
