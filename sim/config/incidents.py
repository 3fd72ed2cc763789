"""Incidents in the scenario file: epidemics, gas leaks, fires, floods — each with an onset, a
duration, an intensity profile, an affected area, the surge it brings to existing demand and
the work streams of its own (screening every household, deliveries to vulnerable households …).
Like interventions in epidemic models, they are first-class objects a user composes."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator

from sim.config.base import StrictModel
from sim.config.units import Duration, Rate
from sim.vocabulary import HouseholdGroup


class Area(StrictModel):
    """Where an incident strikes: the union of the listed streets, communities and grids (by
    id; a repeated community's numbered copies are matched by the base id too); empty =
    everywhere."""

    streets: list[str] = Field(default_factory=list)
    communities: list[str] = Field(default_factory=list)
    grids: list[str] = Field(default_factory=list)

    @property
    def everywhere(self) -> bool:
        """True when no part of the world is named."""
        return not (self.streets or self.communities or self.grids)


class IncidentTask(StrictModel):
    """A stream of work an incident brings to the affected grids: Poisson at
    `rate_per_household` × intensity (deliveries, hotline calls); one task for every affected
    household released at onset and due within `every_household` (排查 screening); or duty posts
    (checkpoints, 守门人) staffed round the clock while the incident lasts: `posts_per_community`
    jobs of `post_shift` hours each, released at the start of every post shift."""

    category: str
    rate_per_household: Rate | None = None
    every_household: Duration | None = Field(
        None, gt=0, description="Screening: every household once, due within this time."
    )
    posts_per_community: int | None = Field(None, ge=1)
    post_shift: Duration = Field(8.0, gt=0, description="Length of one duty shift at a post.")
    households: HouseholdGroup = "all"

    @model_validator(mode="after")
    def _one_kind(self) -> IncidentTask:
        kinds = [self.rate_per_household, self.every_household, self.posts_per_community]
        if sum(kind is not None for kind in kinds) != 1:
            raise ValueError(
                "give one of rate_per_household, every_household or posts_per_community"
            )
        return self


class Incident(StrictModel):
    """An incident: onset and duration (hours from the start of the run), intensity profile
    (level from each offset after onset; 1 = full), area, surge on existing demand and tasks."""

    kind: Literal["epidemic", "gas_leak", "fire", "flood", "typhoon", "other"] = "other"
    label_zh: str = ""
    onset: Duration
    duration: Duration = Field(gt=0)
    area: Area = Field(default_factory=Area)
    intensity: list[tuple[Duration, float]] = Field(
        default_factory=lambda: [(0.0, 1.0)],
        description="[offset after onset, level] steps, level held until the next step.",
    )
    demand: dict[Literal["resident", "patrol", "admin"], float] = Field(
        default_factory=dict,
        description="Rate multiplier of an existing source at full intensity: at level x the "
        "rate is multiplied by 1 + (m − 1)·x (hotline surge: resident 2.0).",
    )
    tasks: list[IncidentTask] = Field(default_factory=list)

    @field_validator("intensity")
    @classmethod
    def _profile(cls, value: list[tuple[float, float]]) -> list[tuple[float, float]]:
        offsets = [offset for offset, _ in value]
        if not value or offsets[0] != 0 or offsets != sorted(set(offsets)):
            raise ValueError("intensity steps start at offset 0 and increase")
        if min(level for _, level in value) < 0:
            raise ValueError("intensity levels must be ≥ 0")
        return value

    @field_validator("demand")
    @classmethod
    def _multipliers(cls, value: dict[str, float]) -> dict[str, float]:
        if any(m < 0 for m in value.values()):
            raise ValueError("demand multipliers must be ≥ 0")
        return value

    def level_over(self, start: float, end: float) -> float:
        """Mean intensity level over [start, end) (hours from the start of the run)."""
        steps = [(self.onset + offset, level) for offset, level in self.intensity]
        stop = self.onset + self.duration
        total = 0.0
        for (t0, level), (t1, _) in zip(steps, [*steps[1:], (stop, 0.0)], strict=True):
            overlap = min(end, t1, stop) - max(start, t0)
            if overlap > 0:
                total += level * overlap
        return total / (end - start)
