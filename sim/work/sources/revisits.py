"""Scheduled contacts with a group of households (回访/入户): a call and a home visit each due once
per window, at a phase drawn per household. Nobody may answer: a call reaches the household
with a probability, a home visit finds someone in with a probability by hour of day; local
workers reach some who would not otherwise answer; a visit that finds nobody is tried again
later (打时间差) up to a number of attempts, then given up (the household unreached)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from pydantic import field_validator

from sim.config.base import StrictModel, sourced
from sim.config.distributions import Distribution
from sim.config.units import Duration, Probability
from sim.vocabulary import HouseholdGroup
from sim.work.intake import Batch
from sim.work.sources.base import DAY, WEEK, Source, SourceContext
from sim.world import World

if TYPE_CHECKING:
    from sim.agents.staff import Staff
    from sim.work.case import Case, Job


class RevisitsSpec(StrictModel):
    """Scheduled contacts with a group of households: by phone and at home, each at least once
    per window (盐池: phone ≤ 15 days, home ≤ 30 days)."""

    enabled: bool = True
    households: HouseholdGroup = sourced(
        "all",
        "docs/sources.md A80: 盐池 contacts every household of its monitoring system (article "
        "#6); urban presets target vulnerable households (P33, P35)",
        "Which households are revisited.",
    )
    phone_every: Duration = sourced(
        360.0,
        "docs/sources.md A80: phone/WeChat at least every 15 days (article #6)",
        "Longest time between two phone contacts with a household.",
        gt=0,
    )
    home_every: Duration = sourced(
        720.0,
        "docs/sources.md A80: a home visit at least every month (article #6)",
        "Longest time between two home visits to a household.",
        gt=0,
    )
    phone_category: str = "revisit_phone"
    home_category: str = "revisit_home"
    phone_reach: Probability = sourced(0.9, "assumption", "P(a call reaches the household).")
    at_home: list[Probability] = sourced(
        lambda: (
            [0.95] * 7
            + [0.9, 0.85, 0.85, 0.85, 0.85, 0.88, 0.8, 0.75, 0.75, 0.78, 0.85]
            + [0.92, 0.95, 0.95, 0.95, 0.95, 0.95]
        ),
        "docs/sources.md A53: 68 of 80 households reached on a census morning (0.85); rest "
        "assumption",
        "P(someone is at home) by hour of day (24 values).",
    )
    retry_after: Distribution = sourced(
        lambda: {"dist": "fixed", "value": 6.0},
        "docs/sources.md A54: revisit the not-at-home households later in the day (打时间差); "
        "assumption",
        "",
    )
    max_attempts: int = sourced(3, "assumption", "", ge=1)

    @field_validator("at_home")
    @classmethod
    def _profile(cls, value: list[float]) -> list[float]:
        if len(value) != 24:
            raise ValueError("at_home needs 24 values, one per hour of day")
        return value

    def categories(self) -> dict[str, str]:
        """The categories it brings, with the field that names each."""
        return {self.phone_category: "phone_category", self.home_category: "home_category"}


class Revisits(Source):
    """Phone contacts and home visits due to each targeted household once per window."""

    name = "revisit"
    kind = "revisit"
    key = "revisits"
    Spec = RevisitsSpec

    @classmethod
    def weekly_arrivals(cls, spec: RevisitsSpec, world: World) -> dict[str, np.ndarray]:
        targets = world.per_grid(world.in_group(spec.households))
        return {
            spec.phone_category: targets * WEEK / spec.phone_every,
            spec.home_category: targets * WEEK / spec.home_every,
        }

    def __init__(self, context: SourceContext, spec: RevisitsSpec) -> None:
        world = context.world
        self.household_grid = world.households["grid"]
        self.targets = np.flatnonzero(world.in_group(spec.households))
        n = len(self.targets)
        phase_rng = context.streams.get("revisit/schedule")
        index = context.category_index
        self.kinds = (
            (index[spec.phone_category], spec.phone_every),
            (index[spec.home_category], spec.home_every),
        )
        self.next_release = [phase_rng.random(n) * every for _, every in self.kinds]
        self.contact_rng = context.streams.get("revisit/contact")
        self.retry_rng = context.streams.get("revisit/retry")
        self.home_category = self.kinds[1][0]
        super().__init__(context, spec)

    def day(self, day: int) -> Batch | None:
        end = (day + 1) * DAY
        times, households, categories, deadlines = [], [], [], []
        for (category, every), release in zip(self.kinds, self.next_release, strict=True):
            due = np.flatnonzero(release < end)
            times.append(release[due])
            households.append(self.targets[due])
            categories.append(np.full(len(due), category))
            deadlines.append(np.full(len(due), every))
            release[due] += every
        times = np.concatenate(times)
        order = np.argsort(times, kind="stable")
        households = np.concatenate(households)[order]
        return self.intake.draw(
            times[order],
            np.concatenate(categories)[order],
            self.household_grid[households],
            households,
            np.concatenate(deadlines)[order],
        )

    def on_done(self, case: Case, job: Job, staff: Staff) -> None:
        """A visit or call ended: closed if someone answered, otherwise tried again later or
        given up. Local workers reach some households that would not otherwise answer."""
        case.attempts += 1
        if case.category == self.home_category:
            p = self.spec.at_home[int(self.env.now % DAY)]
        else:
            p = self.spec.phone_reach
        if self.contact_rng.random() < staff.contact(p):
            self.flow.close(case)
        elif case.attempts >= self.spec.max_attempts:
            self.flow.give_up(case)
        else:
            self.flow.retry(case, float(self.spec.retry_after.sample(self.retry_rng, 1)[0]))
