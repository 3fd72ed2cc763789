"""Hidden issues in the six patrol categories (社会治安类 … 文明城市类): they arise in each grid
in proportion to its households and its difficulty per household; patrol finds one once the
grid has been patrolled for a random number of hours since it arose, unless a resident reports
it first. Detection is drawn with the issue, so it does not depend on staffing.

A grid's patrol hours grow continuously, at the number of its members patrolling at the time;
the next discovery is scheduled for the instant they reach the next issue's threshold, and
moved whenever a member starts or stops patrolling there (no polling in rounds)."""

from __future__ import annotations

import heapq
from typing import TYPE_CHECKING, Any

import numpy as np
from pydantic import Field

from sim.config.base import StrictModel, sourced
from sim.config.units import Rate
from sim.work.intake import Batch
from sim.work.sources.base import DAY, WEEK, RateSource, SourceContext, poisson_times
from sim.world import World

if TYPE_CHECKING:
    from simpy.events import Event

    from sim.agents.staff import Staff


class PatrolIssuesSpec(StrictModel):
    """Hidden issues arising in a grid (the six patrol categories), found by patrol or reported."""

    enabled: bool = True
    rate_per_household: dict[str, Rate] = Field(
        description="Category → issues per household per unit time (scaled by difficulty)."
    )
    difficulty_elasticity: float = sourced(
        1.0,
        "assumption",
        "Issue rate per household ∝ (the grid's difficulty per household / the world's)"
        "^elasticity.",
        ge=0,
    )

    def categories(self) -> dict[str, str]:
        """The categories it brings, with the field that names each."""
        return {name: f"rate_per_household.{name}" for name in self.rate_per_household}

    def rates(self, world: World) -> np.ndarray:
        """Issues per hour in each grid (rows) and category (columns, in `rate_per_household`
        order)."""
        households = np.array([g.households for g in world.grids], dtype=float)
        scale = world.relative_difficulty() ** self.difficulty_elasticity
        per_household = np.array(list(self.rate_per_household.values()))
        return np.outer(households * scale, per_household)


class PatrolIssues(RateSource):
    """Hidden issues in the six patrol categories, found by patrol or reported by residents."""

    name = "patrol"
    kind = "patrol"
    key = "patrol"
    Spec = PatrolIssuesSpec

    @classmethod
    def weekly_arrivals(cls, spec: PatrolIssuesSpec, world: World) -> dict[str, np.ndarray]:
        rates = spec.rates(world) * WEEK
        return {name: rates[:, i] for i, name in enumerate(spec.rate_per_household)}

    def __init__(self, context: SourceContext, spec: PatrolIssuesSpec) -> None:
        patrol = context.scenario.grid_workers.patrol
        self.report_delay = patrol.resident_report_delay
        self.exposure_mean = patrol.exposure
        world = context.world
        index = context.category_index
        self.categories = np.array([index[n] for n in spec.rate_per_household])
        self.per_grid_and_category = spec.rates(world)  # per hour
        grids = len(world.grids)
        self.exposure = [0.0] * grids  # cumulative patrol hours per grid, up to `since`
        self.since = [0.0] * grids
        self.patrolling = [0] * grids  # members patrolling each grid now
        self.due: list[Event | None] = [None] * grids  # the next discovery's event, if any
        self.hidden: list[list[tuple[float, int, Batch, int]]] = [[] for _ in world.grids]
        self.found: set[int] = set()
        # per batch of the day being replayed: patrol exposure and report delay of each issue
        self._detection: dict[int, tuple[list[float], list[float]]] = {}
        self.detect_rng = context.streams.get("detect/patrol")
        self.surge_detect_rng = context.streams.get("detect/patrol/surge")
        super().__init__(context, spec)

    def day(self, day: int) -> Batch | list[Batch] | None:
        self._detection = {}  # a new day: the previous day's batches have all arrived
        return super().day(day)

    def rates(self, day: int) -> np.ndarray:
        """(grid × category) rates over the whole day, one row each."""
        return self.per_grid_and_category.reshape(-1, 1)

    def surge_level(self, surge: np.ndarray) -> np.ndarray:
        """Issues arise at the day's mean surge of their grid."""
        return np.repeat(surge.mean(axis=1), len(self.categories)).reshape(-1, 1)

    def draw(self, rates: np.ndarray, day: int, surge: bool) -> tuple[Batch, Any]:
        """Issues at `rates`: the batch, and each issue's row in `rates`. Detection is drawn
        with the issue, so it does not depend on staffing."""
        rng, intake = self.streams(surge)
        detect = self.surge_detect_rng if surge else self.detect_rng
        times, rows = poisson_times(rng, rates, day * DAY, DAY)
        grids, categories = np.divmod(rows, len(self.categories))
        households = np.full(len(times), -1)
        batch = intake.draw(times, self.categories[categories], grids, households)
        self._detection[id(batch)] = (
            detect.exponential(self.exposure_mean, len(times)).tolist(),
            self.report_delay.sample(detect, len(times)).tolist(),
        )
        return batch, (rows, np.zeros_like(rows))

    def arrive(self, batch: Batch, i: int) -> None:
        """The issue arises: it waits, hidden, for a patrol or a resident's report."""
        exposure, report = self._detection[id(batch)]
        grid = int(batch.grids[i])
        hidden = self.hidden[grid]
        threshold = self._bring_up(grid) + exposure[i]
        first = not hidden or threshold < hidden[0][0]
        heapq.heappush(hidden, (threshold, batch.seq[i], batch, i))
        if first and self.patrolling[grid]:
            self._schedule(grid)
        self.env.timeout(report[i]).callbacks.append(lambda _: self._discover(batch, i, "resident"))

    def started(self, staff: Staff) -> None:
        """A member starts patrolling their home grid."""
        grid = staff.unit
        self._bring_up(grid)
        self.patrolling[grid] += 1
        self._schedule(grid)

    def stopped(self, staff: Staff) -> None:
        """A member stops patrolling their home grid."""
        grid = staff.unit
        self._bring_up(grid)
        self.patrolling[grid] -= 1
        self._schedule(grid)

    def _bring_up(self, grid: int) -> float:
        """The grid's patrol hours up to now."""
        now = self.env.now
        self.exposure[grid] += self.patrolling[grid] * (now - self.since[grid])
        self.since[grid] = now
        return self.exposure[grid]

    def _schedule(self, grid: int) -> None:
        """Schedule the grid's next discovery at its patrol rate now (none if nobody patrols
        or nothing is hidden); an event scheduled before is void."""
        hidden, patrolling = self.hidden[grid], self.patrolling[grid]
        if not (hidden and patrolling):
            self.due[grid] = None
            return
        wait = max(0.0, (hidden[0][0] - self.exposure[grid]) / patrolling)
        event = self.due[grid] = self.env.timeout(wait, grid)
        event.callbacks.append(self._found)

    def _found(self, event: Event) -> None:
        """The grid's patrol hours reached the next issue's threshold: open it, with any other
        reached, and schedule the next discovery."""
        grid = event.value
        if self.due[grid] is not event:
            return  # void: the patrol rate changed since it was scheduled
        hidden = self.hidden[grid]
        self.exposure[grid] = max(self._bring_up(grid), hidden[0][0])
        while hidden and hidden[0][0] <= self.exposure[grid]:
            _, _, batch, i = heapq.heappop(hidden)
            self._discover(batch, i, "patrol")
        self._schedule(grid)

    def _discover(self, batch: Batch, i: int, by: str) -> None:
        key = batch.seq[i]
        if key in self.found:
            return
        self.found.add(key)
        self.intake.open(batch, i, found_by=by)
