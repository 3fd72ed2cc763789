"""Residents' requests to their grid worker: a Poisson stream per grid and hour, its rate the sum
of the grid's household rates (more for group rentals, shops, elderly and vulnerable
households) shaped by hour of day and weekday; each request goes to a household drawn in
proportion to its rate, and its category is drawn from the mix.

With `channels` in the scenario a request is a need that the household may not report, or may
take to the 12345 hotline or the property company (sim.work.channels): the random numbers of
those decisions are drawn with each batch from the streams `channels/resident` (and
`channels/resident/surge` for an incident's extra requests), so staffing arms with the same seed
share them.

A surge nobody scheduled (a drill's inject: a rumour brings more requests) can be started during
a run (`add_surge`); its extra requests come from streams of their own."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from pydantic import Field, field_validator, model_validator

from sim.config.base import StrictModel, sourced
from sim.config.units import Rate
from sim.vocabulary import Attribute
from sim.work.intake import Batch
from sim.work.sources.base import DAY, SEQ_BLOCK, RateSource, SourceContext, poisson_times
from sim.world import World

if TYPE_CHECKING:
    from sim.work.channels import Switchboard
    from sim.work.intake import Intake


class ResidentRequestsSpec(StrictModel):
    """Requests residents bring to their grid worker, drawn per grid and hour."""

    enabled: bool = True
    rate_per_household: Rate = sourced(
        1.0 / (365 * 24),
        "docs/sources.md P1, P3: NYC 311 ≈1.0 request per household a year; Beijing 12345 ≈1.2",
        "",
    )
    multipliers: dict[Attribute, float] = sourced(
        lambda: {"group_rental": 2.0, "shop": 1.5, "elderly": 1.3, "vulnerable": 1.5},
        "assumption",
        "Rate multiplier for a household with the attribute (multiplied together).",
    )
    hourly_profile: list[float] = sourced(
        lambda: (
            [0.1] * 7
            + [0.8, 1.5, 1.8, 1.8, 1.4, 1.0, 1.2, 1.5, 1.6, 1.6, 1.5, 1.4, 1.2]
            + [1.0, 0.6, 0.3, 0.2]
        ),
        "assumption: daytime and early-evening peaks, normalised to mean 1 over the day",
        "Relative rate by hour of day (24 values).",
    )
    weekend_factor: float = sourced(0.8, "assumption", "Rate multiplier on sat/sun.", ge=0)
    mix: dict[str, float] = Field(
        default_factory=dict, description="Category → relative weight (needed when enabled)."
    )

    @field_validator("hourly_profile")
    @classmethod
    def _profile(cls, value: list[float]) -> list[float]:
        if len(value) != 24 or min(value) < 0 or sum(value) <= 0:
            raise ValueError("hourly_profile needs 24 non-negative values, not all zero")
        return value

    @field_validator("mix")
    @classmethod
    def _weights(cls, value: dict[str, float]) -> dict[str, float]:
        if value and (min(value.values()) < 0 or sum(value.values()) <= 0):
            raise ValueError("mix needs non-negative weights, not all zero")
        return value

    @model_validator(mode="after")
    def _mix_when_enabled(self) -> ResidentRequestsSpec:
        if self.enabled and not self.mix:
            raise ValueError("mix: an enabled source needs its categories and their weights")
        return self

    def categories(self) -> dict[str, str]:
        """The categories it brings, with the field that names each."""
        return {name: f"mix.{name}" for name in self.mix}


def household_weights(world: World, multipliers: dict[str, float]) -> np.ndarray:
    """Each household's request rate relative to a household without any attribute."""
    weight = np.ones(world.n_households)
    for attribute, factor in multipliers.items():
        weight = np.where(world.households[attribute], weight * factor, weight)
    return weight


class ResidentRequests(RateSource):
    """Requests from residents to their grid worker."""

    name = "resident"
    kind = "request"
    key = "resident"
    Spec = ResidentRequestsSpec

    @classmethod
    def weekly_arrivals(cls, spec: ResidentRequestsSpec, world: World) -> dict[str, np.ndarray]:
        per_grid = world.per_grid(household_weights(world, spec.multipliers))
        days = 5 + 2 * spec.weekend_factor
        requests = spec.rate_per_household * DAY * days * per_grid
        total = sum(spec.mix.values())
        return {name: requests * share / total for name, share in spec.mix.items()}

    def __init__(self, context: SourceContext, spec: ResidentRequestsSpec) -> None:
        world = context.world
        weight = household_weights(world, spec.multipliers)
        self.cumulative = np.cumsum(weight)
        self.grid_weight = np.bincount(
            world.households["grid"], weights=weight, minlength=len(world.grids)
        )
        self.grid_offset = np.concatenate([[0.0], np.cumsum(self.grid_weight)[:-1]])
        profile = np.asarray(spec.hourly_profile, dtype=float)
        self.profile = profile / profile.mean()
        names = list(spec.mix)
        index = context.category_index
        self.mix_categories = np.array([index[n] for n in names])
        mix = np.array([spec.mix[n] for n in names], dtype=float)
        self.mix = mix / mix.sum()
        self.switchboard: Switchboard | None = None
        self.added_surges = 0
        super().__init__(context, spec)

    def route_through(self, switchboard: Switchboard) -> None:
        """Take requests as needs through the residents' channels from now on."""
        self.switchboard = switchboard

    def arrive(self, batch: Batch, i: int) -> None:
        """Request `i` of the batch: to the grid worker, or through the channels."""
        if self.switchboard is None:
            self.intake.open(batch, i, channel="grid")
            return
        self.switchboard.need(
            batch.grids[i],
            batch.households[i],
            batch.categories[i],
            batch.needs,
            i,
            lambda channel: self.intake.open(batch, i, channel=channel),
        )

    def rates(self, day: int) -> np.ndarray:
        """Grid × hour rates."""
        weekend = self.context.calendar.weekday(day) in ("sat", "sun")
        factor = self.spec.weekend_factor if weekend else 1.0
        return (self.spec.rate_per_household * factor) * np.outer(self.grid_weight, self.profile)

    def surge_level(self, surge: np.ndarray) -> np.ndarray:
        return surge  # grid by grid, hour by hour

    def draw(self, rates: np.ndarray, day: int, surge: bool) -> tuple[Batch, Any]:
        """Requests at grid × hour `rates`: the batch, and each request's (grid, hour)."""
        channels = f"channels/{self.name}" + ("/surge" if surge else "")
        return self._draw(rates, day, *self.streams(surge), channels)

    def _draw(
        self,
        rates: np.ndarray,
        day: int,
        rng: np.random.Generator,
        intake: Intake,
        channels: str,
    ) -> tuple[Batch, Any]:
        """Requests at grid × hour `rates` from `rng` and `intake`, their needs' draws from the
        stream `channels`: the batch, and each request's (grid, hour)."""
        times, grids = poisson_times(rng, rates, day * DAY, 1.0)
        target = self.grid_offset[grids] + rng.random(len(grids)) * self.grid_weight[grids]
        households = np.searchsorted(self.cumulative, target, side="right")
        categories = self.mix_categories[rng.choice(len(self.mix), len(grids), p=self.mix)]
        hours = ((times - day * DAY) // 1).astype(int).clip(0, 23)
        batch = intake.draw(times, categories, grids, households)
        if self.switchboard is not None:
            batch.needs = self.switchboard.predraw(self.context.streams, channels, len(times))
        return batch, (grids, hours)

    def add_surge(
        self, name: str, grids: np.ndarray, multiplier: float, start: float, end: float
    ) -> None:
        """From `start` (now or later) until `end` (hours), requests from the households of
        `grids` (a mask) come `multiplier` (≥ 1) times as often: a surge nobody scheduled (a
        drill's inject). Its
        extra requests are drawn a day at a time, at the excess rate over the hours the window
        touches and kept within it (Poisson thinning), from streams of their own
        (`arrivals/resident/<name>`, `work/resident/<name>`, …), so every other arrival and
        every other draw stay as they were."""
        self.added_surges += 1
        streams = self.context.streams
        rng = streams.get(f"arrivals/{self.name}/{name}")
        first_seq = (self.added_surges + 1) << SEQ_BLOCK
        intake = self.context.intakes.intake(self.name, f"{self.name}/{name}", first_seq)
        channels = f"channels/{self.name}/{name}"

        def extra(day: int) -> Batch | None:
            rates = self.rates(day)
            hours = day * DAY + np.arange(24)
            window = (hours + 1 > start) & (hours < end)
            if not window.any():
                return None
            excess = rates * (multiplier - 1.0) * np.outer(grids, window)
            batch, _ = self._draw(excess, day, rng, intake, channels)
            batch.skip = [not start <= t < end for t in batch.times]
            return batch

        self.env.process(self.replay(extra, int(start // DAY), min(end, self.horizon)))
