"""Top-down forms and reports (填表、报材料) sent to each grid by upper departments in office hours;
those of departments the admission list keeps out (基层事项准入) never reach the grid. Every task
is drawn either way, so blocking leaves the other tasks unchanged. An emergency plan may hold
them (suspend) and send them on when it stands down."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from pydantic import Field, field_validator, model_validator

from sim.config.base import StrictModel, sourced
from sim.config.units import ClockTime, Rate
from sim.vocabulary import WEEKDAYS, Weekday
from sim.work.intake import Batch
from sim.work.sources.base import DAY, RateSource, SourceContext, poisson_times
from sim.world import World

#: The twelve upper departments that send tasks to the grid (article #2, docs/sources.md A60).
UPPER_DEPARTMENTS = (
    "民政",
    "人社",
    "宗教",
    "司法",
    "信访",
    "环保",
    "安全",
    "党政办",
    "城管",
    "统战",
    "消防",
    "经济发展",
)


class AdminTasksSpec(StrictModel):
    """Top-down forms and reports (填表、报材料) arriving at each grid in office hours."""

    enabled: bool = True
    category: str = "admin_form"
    rate_per_grid: Rate = Field(description="Tasks per grid per unit time on active days.")
    hours: tuple[ClockTime, ClockTime] = sourced(
        (8.0, 17.0), "assumption: sent in office hours", "Window in which tasks arrive."
    )
    days: list[Weekday] = Field(default_factory=lambda: list(WEEKDAYS[:5]))
    departments: dict[str, float] = sourced(
        lambda: dict.fromkeys(UPPER_DEPARTMENTS, 1.0),
        "docs/sources.md A60: twelve upper departments send tasks to the grid; equal weights "
        "assumption",
        "Upper department → relative share of the tasks it sends.",
    )
    blocked: list[str] = Field(
        default_factory=list,
        description="Departments whose tasks the admission list (基层事项准入, article #4) "
        "keeps out of the grid.",
    )

    @field_validator("departments")
    @classmethod
    def _weights(cls, value: dict[str, float]) -> dict[str, float]:
        if not value or min(value.values()) < 0 or sum(value.values()) <= 0:
            raise ValueError("departments need non-negative weights, not all zero")
        return value

    @model_validator(mode="after")
    def _known_blocked(self) -> AdminTasksSpec:
        unknown = sorted(set(self.blocked) - set(self.departments))
        if unknown:
            raise ValueError(f"blocked departments not in departments: {', '.join(unknown)}")
        return self

    @field_validator("hours")
    @classmethod
    def _window(cls, value: tuple[float, float]) -> tuple[float, float]:
        if value[0] >= value[1]:
            raise ValueError("hours must be [start, end] with start before end on the same day")
        return value

    def categories(self) -> dict[str, str]:
        """The categories it brings, with the field that names each."""
        return {self.category: "category"}

    @property
    def sent_share(self) -> float:
        """Share of the tasks drawn that the admission list lets through."""
        total = sum(self.departments.values())
        return sum(w for d, w in self.departments.items() if d not in self.blocked) / total


class AdminTasks(RateSource):
    """Top-down forms sent to each grid by upper departments, less those the admission list
    blocks; held while an emergency plan suspends them."""

    name = "admin"
    kind = "admin"
    key = "admin"
    Spec = AdminTasksSpec

    @classmethod
    def weekly_arrivals(cls, spec: AdminTasksSpec, world: World) -> dict[str, np.ndarray]:
        per_grid = spec.rate_per_grid * DAY * len(set(spec.days)) * spec.sent_share
        return {spec.category: np.full(len(world.grids), per_grid)}

    def __init__(self, context: SourceContext, spec: AdminTasksSpec) -> None:
        self.category = context.category_index[spec.category]
        self.n_grids = len(context.world.grids)
        names = list(spec.departments)
        weights = np.array([spec.departments[n] for n in names], dtype=float)
        self.shares = weights / weights.sum()
        self.is_blocked = np.array([n in spec.blocked for n in names])
        self.suspended = False
        self.held: list[tuple[Batch, int]] = []  # forms held while an emergency plan runs
        super().__init__(context, spec)

    def rates(self, day: int) -> np.ndarray | None:
        """Per-grid rates in office hours on working days (None on other days)."""
        if self.context.calendar.weekday(day) not in self.spec.days:
            return None
        start, end = self.spec.hours
        return np.full((self.n_grids, 1), self.spec.rate_per_grid * DAY / (end - start))

    def surge_level(self, surge: np.ndarray) -> np.ndarray:
        """Forms arrive at the mean surge over the window."""
        start, end = self.spec.hours
        return surge[:, int(start) : math.ceil(end)].mean(axis=1, keepdims=True)

    def draw(self, rates: np.ndarray, day: int, surge: bool) -> tuple[Batch, Any]:
        """Forms at per-grid `rates` in the window: the batch (blocked senders' forms skipped),
        and each form's row in `rates`."""
        rng, intake = self.streams(surge)
        start, end = self.spec.hours
        times, grids = poisson_times(rng, rates, day * DAY + start, end - start)
        senders = rng.choice(len(self.shares), len(times), p=self.shares)
        categories = np.full(len(times), self.category)
        batch = intake.draw(times, categories, grids, np.full(len(times), -1))
        batch.skip = self.is_blocked[senders].tolist()  # blocked tasks never reach the grid
        return batch, (grids, np.zeros_like(grids))

    def arrive(self, batch: Batch, i: int) -> None:
        """The form reaches the grid, or waits while forms are suspended."""
        if self.suspended:
            self.held.append((batch, i))
        else:
            self.intake.open(batch, i)

    def suspend(self, suspended: bool) -> None:
        """Suspend top-down forms, or resume and send the held ones on now."""
        self.suspended = suspended
        if not suspended:
            held, self.held = self.held, []
            for batch, i in held:
                self.intake.open(batch, i)
