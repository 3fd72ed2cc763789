"""Hidden issues in the six patrol categories (社会治安类 … 文明城市类): they arise in each grid
in proportion to its households and its difficulty per household; a patrolling worker finds
one after patrolling the grid for a random number of hours, unless a resident reports it first.
Detection is drawn with the issue, so it does not depend on staffing."""

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
        self.exposure = np.zeros(len(world.grids))  # cumulative patrol hours per grid
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
        grid = batch.grids[i]
        key = batch.seq[i]
        threshold = self.exposure[grid] + exposure[i]
        heapq.heappush(self.hidden[grid], (threshold, key, batch, i))
        self.env.timeout(report[i]).callbacks.append(lambda _: self._discover(batch, i, "resident"))

    def patrolled(self, staff: Staff, hours: float) -> None:
        """A worker patrolled `hours` in their grid: open every issue found."""
        grid = staff.unit
        self.exposure[grid] += hours
        hidden = self.hidden[grid]
        while hidden and hidden[0][0] <= self.exposure[grid]:
            _, _, batch, i = heapq.heappop(hidden)
            self._discover(batch, i, "patrol")

    def _discover(self, batch: Batch, i: int, by: str) -> None:
        key = batch.seq[i]
        if key in self.found:
            return
        self.found.add(key)
        self.intake.open(batch, i, found_by=by)
