"""Red/yellow/green household monitoring (盐池, article #6): each day, green monitored households
turn yellow ("暂时存在问题") or red ("存在重大风险") at their rates (drawn per household,
vectorised); each warning is a case of its category — dispatched to departments by its
escalation steps, verified at the home by the grid worker — and when it closes the household is
green again (动态清零)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.config.base import StrictModel, sourced
from sim.config.units import Rate
from sim.vocabulary import HouseholdGroup
from sim.work.intake import Batch
from sim.work.sources.base import DAY, WEEK, Source, SourceContext
from sim.world import World

if TYPE_CHECKING:
    from sim.work.case import Case


class MonitoringSpec(StrictModel):
    """Red/yellow/green monitoring of households (盐池, article #6): a green household turns
    yellow ("暂时存在问题") or red ("存在重大风险") at its rate; each warning is a case of the
    warning's category — dispatched to departments by its escalation steps, verified at the
    home by the grid worker (the loop's feedback) — and when it closes the household is green
    again (动态清零)."""

    enabled: bool = True
    yellow_rate: Rate = sourced(
        0.011 / (365 * 24),
        "docs/sources.md A79, A23: 541 yellow warnings among 48,924 households (assumption: in "
        "about a year)",
        "Green → yellow, per household.",
    )
    red_rate: Rate = sourced(0.002 / (365 * 24), "assumption", "Green → red, per household.")
    yellow_category: str = "yellow_warning"
    red_category: str = "red_warning"
    households: HouseholdGroup = "all"

    def categories(self) -> dict[str, str]:
        """The categories it brings, with the field that names each."""
        return {self.yellow_category: "yellow_category", self.red_category: "red_category"}


class Monitoring(Source):
    """Warnings raised by monitored households; a warning's closure clears the household."""

    name = "monitoring"
    kind = "warning"
    key = "monitoring"
    Spec = MonitoringSpec
    GREEN, YELLOW, RED = 0, 1, 2

    @classmethod
    def weekly_arrivals(cls, spec: MonitoringSpec, world: World) -> dict[str, np.ndarray]:
        monitored = world.per_grid(world.in_group(spec.households))
        return {
            spec.yellow_category: monitored * spec.yellow_rate * WEEK,
            spec.red_category: monitored * spec.red_rate * WEEK,
        }

    def __init__(self, context: SourceContext, spec: MonitoringSpec) -> None:
        world = context.world
        self.monitored = world.in_group(spec.households)
        self.state = np.zeros(world.n_households, dtype=np.int8)
        self.household_grid = world.households["grid"]
        index = context.category_index
        self.categories = {
            self.YELLOW: index[spec.yellow_category],
            self.RED: index[spec.red_category],
        }
        super().__init__(context, spec)

    def day(self, day: int) -> Batch | None:
        candidates = np.flatnonzero(self.monitored & (self.state == self.GREEN))
        p_red = 1.0 - np.exp(-self.spec.red_rate * DAY)
        p_yellow = 1.0 - np.exp(-self.spec.yellow_rate * DAY)
        u = self.rng.random(len(candidates))
        colour = np.where(u < p_red, self.RED, np.where(u < p_red + p_yellow, self.YELLOW, 0))
        turning = candidates[colour > 0]
        colour = colour[colour > 0]
        if not len(turning):
            return None
        times = day * DAY + self.rng.random(len(turning)) * DAY
        order = np.argsort(times, kind="stable")
        turning, colour, times = turning[order], colour[order], times[order]
        self.state[turning] = colour  # flagged from the day's draw: no second warning meanwhile
        categories = np.array([self.categories[c] for c in colour])
        return self.intake.draw(times, categories, self.household_grid[turning], turning)

    def on_closed(self, case: Case) -> None:
        """A warning closed: the household is green again."""
        self.state[case.household] = self.GREEN
