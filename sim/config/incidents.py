"""Incidents in the scenario file: epidemics, gas leaks, fires, floods — each with an onset, a
duration, an intensity profile, an affected area, the surge it brings to existing demand and
the work streams of its own (screening every household, deliveries to vulnerable households …).
Like interventions in epidemic models, they are first-class objects a user composes.

An incident may also say how its first hours go (article #2, #4): the response that detects,
assesses and reports it (察觉、研判、报告) and gives first response (先期处置), whose report sets
off the plans that wait for it (sim.emergency.response); the learning curve of the first days
(慌忙 → 赶忙 → 繁忙); and the drills held beforehand (预案演练), which shorten both."""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import Field, field_validator, model_validator

from sim.config.base import StrictModel, sourced
from sim.config.categories import ZERO
from sim.config.distributions import Distribution
from sim.config.teams import GRID_WORKER
from sim.config.units import Duration, Probability, Rate
from sim.vocabulary import HouseholdGroup, Skill


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
    tasks of `post_shift` hours each, released at the start of every post shift; whoever takes
    one staffs the post until its shift ends, and one nobody takes by then lapses."""

    category: str
    rate_per_household: Rate | None = None
    every_household: Duration | None = Field(
        None, gt=0, description="Screening: every household once, due within this time."
    )
    posts_per_community: int | None = Field(
        None,
        ge=1,
        description="Duty posts per community, each staffed by whoever takes it until its post "
        "shift ends; a post nobody takes by then lapses (unmet).",
    )
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


class Step(StrictModel):
    """One step of the first hours, done by the responder (see `Response`): `delay` at a standard
    worker's pace, divided by the responder's work rate for the step's `skill`; wrong (a wrong
    assessment, a lost report) with probability 1 − (1 − `error`)·(the responder's success at the
    skill), and then done once more after `redo`, which is always right."""

    delay: Distribution = Field(description="Time the step takes a standard worker.")
    skill: Skill
    error: Probability = sourced(
        0.0,
        "assumption: no mistakes unless set; docs/sources.md A73: many grid workers lack these "
        "skills",
        "P(the step is wrong and must be redone).",
        lt=1,
    )
    redo: Distribution | None = Field(
        None,
        description="Further time before a wrong step is put right (finding out and doing it "
        "again); default: the step's delay again.",
    )


class Detect(Step):
    """察觉: noticing that something is wrong."""

    skill: Skill = sourced(
        "field", "docs/sources.md A73 (察觉); assumption: noticed on the ground, a field skill"
    )


class Assess(Step):
    """研判: judging what it is and how serious."""

    skill: Skill = sourced(
        "mediation",
        "docs/sources.md A73 (研判); assumption: judgement from experience, the skill in which "
        "older workers are better (A38)",
    )


class Report(Step):
    """报告: filing the report on the platform."""

    skill: Skill = sourced(
        "it",
        "docs/sources.md A73 (报告); assumption: reports go through the platform, the skill in "
        "which younger workers are faster (A38)",
    )


class FirstResponse(Step):
    """先期处置: first response on the spot, while the report goes up."""

    skill: Skill = sourced(
        "field", "docs/sources.md A73 (先期处置); assumption: work on the spot, a field skill"
    )


class Hops(StrictModel):
    """Time for the report to go up each hop, grid → community → street → district → city (a
    data brain linking 区、街道、社区、网格 shortens them, docs/sources.md A93)."""

    community: Distribution = sourced(ZERO, "assumption: no delay unless set")
    street: Distribution = sourced(ZERO, "assumption: no delay unless set")
    district: Distribution = sourced(ZERO, "assumption: no delay unless set")
    city: Distribution = sourced(ZERO, "assumption: no delay unless set")


class Response(StrictModel):
    """The first hours (article #2, #4, docs/sources.md A73): from onset, the responder — the
    member of `team` posted at the first grid of the area — detects the incident, assesses it,
    then both reports it and gives first response on the spot; the report reaches each tier up
    after its hop. A plan whose trigger says `{incident: …, reported_to: TIER}` fires when the
    report reaches that tier."""

    team: str = Field(GRID_WORKER, description="The team whose member responds.")
    detect: Detect
    assess: Assess
    report: Report
    first_response: FirstResponse | None = Field(
        None, description="First response on the spot, from the assessment on (optional)."
    )
    hops: Hops = Field(default_factory=Hops)


class Learning(StrictModel):
    """慌忙 → 赶忙 → 繁忙 (article #4, docs/sources.md A67): while the incident lasts, the work of
    its tasks (duty posts apart: a post is a shift) — and with `closed_loop` that of residents'
    requests and patrol finds in its area — is multiplied by 1 + extra·exp(−t/tau), t the hours
    from onset at which the task is created: flustered at first, then hurried, then routine."""

    extra: float = sourced(
        1.0,
        "assumption informed by docs/sources.md A67: work takes twice as long at onset (慌忙)",
        "Extra work at onset, as a share of the routine work.",
        ge=0,
    )
    tau: Duration = sourced(
        48.0,
        "assumption informed by docs/sources.md A67: the flustered start lasts the first days",
        "Time constant of the decline (hours): the extra is 37 % of itself after tau, 5 % "
        "after 3·tau.",
        gt=0,
    )
    closed_loop: bool = Field(
        False, description="Also residents' requests and patrol finds in the incident's area."
    )

    def multiplier(self, since_onset: np.ndarray, extra: float) -> np.ndarray:
        """1 + extra·exp(−t/tau) at `since_onset` hours from onset (`extra` after drills)."""
        return 1.0 + extra * np.exp(-since_onset / self.tau)


class Drills(StrictModel):
    """Plan drills held before the incident (预案演练, article #4, docs/sources.md A67, A90): each
    drill multiplies the response's delays, its error probabilities and the learning curve's
    extra work by its factor."""

    held: int = Field(0, ge=0, description="Drills held.")
    delay_factor: float = sourced(
        0.85,
        "assumption informed by docs/sources.md A90: drills build response skills",
        "Multiplier of every delay of the response (steps, redos, hops) per drill.",
        gt=0,
        le=1,
    )
    error_factor: float = sourced(
        0.7,
        "assumption informed by docs/sources.md A90",
        "Multiplier of every error probability of the response per drill.",
        ge=0,
        le=1,
    )
    learning_factor: float = sourced(
        0.8,
        "assumption informed by docs/sources.md A67: practice in peacetime lessens the 慌忙",
        "Multiplier of the learning curve's extra work per drill.",
        ge=0,
        le=1,
    )


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
    response: Response | None = Field(
        None, description="The first hours: detect, assess, report, first response (察觉…)."
    )
    learning: Learning | None = Field(
        None, description="Extra work of the first days (慌忙 → 赶忙 → 繁忙)."
    )
    drills: Drills | None = Field(None, description="Plan drills held beforehand (预案演练).")

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

    @model_validator(mode="after")
    def _drills_act(self) -> Incident:
        if self.drills is not None and self.response is None and self.learning is None:
            raise ValueError("drills act on a response or a learning curve: give one of them")
        return self

    def drilled(self, factor: Literal["delay", "error", "learning"]) -> float:
        """The drills' multiplier of delays, error probabilities or learning extra (1: none)."""
        if self.drills is None:
            return 1.0
        return getattr(self.drills, f"{factor}_factor") ** self.drills.held

    def stretches(self) -> list[tuple[float, float, float]]:
        """(start, end, level) of each intensity step, in hours from the start of the run,
        cut at the end of the incident."""
        stop = self.onset + self.duration
        starts = [self.onset + offset for offset, _ in self.intensity]
        ends = [*starts[1:], stop]
        return [
            (start, min(end, stop), level)
            for start, end, (_, level) in zip(starts, ends, self.intensity, strict=True)
            if start < stop
        ]

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
