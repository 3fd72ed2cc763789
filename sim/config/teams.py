"""Who works in a scenario: shifts, pay, the grid-side teams (the full-time grid workers and the
"6" and "N" of "1+6+N", volunteers, sunk cadres) and the departments above the grid."""

from __future__ import annotations

import itertools
import math

from pydantic import Field, field_validator, model_validator

from sim.config.base import StrictModel, sourced
from sim.config.distributions import Distribution
from sim.config.units import ClockTime, Duration, Probability
from sim.vocabulary import WEEKDAYS, MemberKind, Skill, UpperTier, Weekday

#: The team id (and role) of the full-time grid workers.
GRID_WORKER = "grid_worker"


class Shift(StrictModel):
    """When a worker or department is on duty. `start == end` means round the clock; `breaks`
    are off-duty pauses within the shift (lunch)."""

    start: ClockTime = sourced(
        8.0, "docs/sources.md A52: the official start is 08:00 (article #2)", "Shift start."
    )
    end: ClockTime = sourced(
        17.0,
        "docs/sources.md P31, P32: an 8-hour working day (劳动法, 国务院 1995) and a lunch hour",
        "Official end of the shift (clock).",
    )
    days: list[Weekday] = sourced(
        lambda: list(WEEKDAYS[:5]),
        "docs/sources.md P32: Saturday and Sunday off in state organs; weekend rotas are a "
        "roster option",
        "Days the shift starts on.",
    )
    breaks: list[tuple[ClockTime, ClockTime]] = Field(
        default_factory=list,
        description="Off-duty pauses within the shift (lunch), as [start, end] clock times.",
    )

    @property
    def round_the_clock(self) -> bool:
        """True when the shift covers every hour of every day."""
        return self.start % 24 == self.end % 24 and len(set(self.days)) == 7 and not self.breaks

    @property
    def length(self) -> float:
        """Shift length in hours from start to end, breaks included (24 for round the clock)."""
        length = (self.end - self.start) % 24
        return 24.0 if length == 0 else length

    @property
    def pauses(self) -> list[tuple[float, float]]:
        """The breaks as (start, end) in hours after the shift's start, in order."""
        return sorted(
            ((b_start - self.start) % 24, (b_start - self.start) % 24 + (b_end - b_start) % 24)
            for b_start, b_end in self.breaks
        )

    @property
    def hours(self) -> float:
        """Hours on duty in one shift: its length less its breaks."""
        return self.length - sum(end - start for start, end in self.pauses)

    @model_validator(mode="after")
    def _breaks_inside(self) -> Shift:
        previous = 0.0
        for start, end in self.pauses:
            if start <= previous or end >= self.length or end <= start:
                raise ValueError(
                    "breaks must lie inside the shift, after its start and before its end, "
                    "without overlapping"
                )
            previous = end
        return self


def office_day() -> Shift:
    """The official working day: 08:00–17:00 on weekdays with a lunch hour, 8 hours on duty
    (docs/sources.md A52, P31, P32; the lunch hour 12:00–13:00 is an assumption)."""
    return Shift(start=8.0, end=17.0, breaks=[(12.0, 13.0)])


class Pay(StrictModel):
    """Pay of one worker, in yuan."""

    monthly_yuan: float = sourced(
        1500.0,
        "docs/sources.md A42: 天宁区 pays 1,500 yuan a month, the one pay level the article gives "
        "(佳木斯's 2,800 is a ceiling, A43)",
        "",
        ge=0,
    )
    annual_bonus_yuan: float = sourced(
        4500.0, "docs/sources.md A42: 天宁区's 4,000-5,000 yuan year-end bonus (midpoint)", "", ge=0
    )
    social_insurance_monthly_yuan: float = sourced(
        0.0,
        "assumption: not given for 天宁区; 佳木斯郊区 pays about 1,000 yuan (A45)",
        "",
        ge=0,
    )
    overtime_hourly_yuan: float = sourced(0.0, "assumption: overtime is unpaid", "", ge=0)

    def cost(self, hours: float, overtime_hours: float) -> float:
        """Cost of employing one worker for `hours` of calendar time, in yuan."""
        months = hours / (24 * 365 / 12)
        monthly = self.monthly_yuan + self.social_insurance_monthly_yuan
        return months * (monthly + self.annual_bonus_yuan / 12) + (
            overtime_hours * self.overtime_hourly_yuan
        )


class Department(StrictModel):
    """A department at a tier (street office, 城管, 公安, district bureaux …), instantiated once
    per unit of its tier; `staff` servers per unit work on grid cases."""

    label_zh: str = ""
    tier: UpperTier
    staff: int = Field(1, ge=1)
    work: Distribution = Field(description="Default work content of one case (hours).")
    shift: Shift = Field(
        default_factory=lambda: Shift(start=8.5, end=17.5),
        description="Office hours. Source: assumption, 08:30-17:30 weekdays.",
    )
    pay: Pay = Field(default_factory=Pay)


class Patrol(StrictModel):
    """Idle on-duty grid workers patrol their grid in rounds and discover hidden issues."""

    enabled: bool = True
    round: Duration = sourced(0.5, "assumption", "Length of one patrol round.", gt=0)
    exposure: Duration = sourced(
        3.0, "assumption", "Mean patrol hours in a grid to discover one hidden issue.", gt=0
    )
    resident_report_delay: Distribution = sourced(
        lambda: {"dist": "exponential", "mean": 72.0},
        "assumption; residents report at uneven rates (docs/sources.md P21)",
        "Time until a resident reports an issue no patrol has found.",
    )


#: The ways to size a team.
SIZES: tuple[str, ...] = ("per_grid", "per_community", "grids_per_member", "table")


def _week_intervals(shift: Shift) -> list[tuple[float, float]]:
    """The shift's intervals in hours of the week (0 = Monday 00:00), wrapped at 168."""
    out = []
    for day in sorted(set(shift.days), key=WEEKDAYS.index):
        start = WEEKDAYS.index(day) * 24 + shift.start
        end = start + shift.length
        out += [(start, min(end, 168.0))] + ([(0.0, end - 168.0)] if end > 168 else [])
    return out


class Profile(StrictModel):
    """A kind of member within a team (age group, local retiree …) and its share of the team."""

    name: str
    share: Probability = Field(description="Share of the team's members with this profile.")
    skills: dict[Skill, float] = Field(
        default_factory=dict, description="Work-rate multiplier per skill (default 1)."
    )
    success: dict[Skill, Probability] = Field(
        default_factory=dict,
        description="P(a first attempt of a job needing this skill works); a failed attempt "
        "is done again (default: always works).",
    )
    contact_bonus: Probability = Field(
        0.0, description="Share of households not at home that are still reached (locals)."
    )

    @field_validator("skills")
    @classmethod
    def _positive_skills(cls, value: dict[str, float]) -> dict[str, float]:
        if any(rate <= 0 for rate in value.values()):
            raise ValueError("skill multipliers must be > 0")
        return value


class Dropout(StrictModel):
    """Volunteers leave the pool for good when left idle (motivation decays while waiting)."""

    after_idle: Duration = Field(gt=0, description="Idle time on a shift before they may leave.")
    p: Probability = Field(description="P(leaving) each time that much idle time passes.")


class Fatigue(StrictModel):
    """Long hours slow work and cause errors (2020: overtime to 02:00–03:00, article #2)."""

    after: Duration = Field(
        gt=0, description="Hours into a shift (overtime included) after which a member is tired."
    )
    slowdown: float = Field(0.25, ge=0, description="Tired: jobs take (1 + slowdown) as long.")
    error: Probability = Field(0.05, description="Tired: P(a job must be done again).")


class Team(StrictModel):
    """A team of grid-side staff: who they are, how many, which grids they serve, what they may
    take, when they work and how well. Exactly one of `per_grid` (members tied to each grid),
    `per_community` (a pooled team shared by a community's grids), `grids_per_member` (each
    member serves that many neighbouring grids) or `table` (a CSV of members per place, where a
    source gives counts) sets the size."""

    label_zh: str = ""
    kind: MemberKind = "part_time"
    per_grid: int | None = Field(None, ge=0)
    per_community: int | None = Field(None, ge=0)
    grids_per_member: int | None = Field(None, ge=1)
    table: str | None = Field(
        None,
        description="CSV file (columns unit, members; relative to the scenario file) of members "
        "per district, street, community or grid; a place's members are spread over its grids "
        "in proportion to households, at least one per grid while there are enough, each on "
        "one base grid.",
    )
    categories: list[str] | None = Field(
        None, description="Categories the members may take (default: all at the grid)."
    )
    shift: Shift = Field(
        default_factory=office_day,
        description="When members are on duty; default the official day, 08:00–17:00 on "
        "weekdays with a lunch hour (docs/sources.md A52, P31, P32).",
    )
    starts_early: Duration = Field(
        0.0, ge=0, description="Routinely on duty this long before each shift starts: overtime."
    )
    stays_late: Duration = Field(
        0.0, ge=0, description="Routinely on duty this long after each shift ends: overtime."
    )
    roster: list[list[Shift]] = Field(
        default_factory=list,
        description="Shift patterns (each a list of blocks), member k working pattern k mod n: "
        "staggered hours (错时), weekend rotas; empty = everyone works `shift`.",
    )
    speed: float = sourced(1.0, "assumption: standard worker", "Work rate multiplier.", gt=0)
    skills: dict[Skill, float] = sourced(
        dict,
        "assumption: standard worker; docs/sources.md A38: young workers faster at IT reporting, "
        "older ones at mediation",
        "Extra work-rate multiplier per skill (it, mediation, field, general); default 1.",
    )
    category_speed: dict[str, float] = Field(
        default_factory=dict, description="Extra work-rate multiplier per category."
    )
    resolves: dict[str, Probability] = Field(
        default_factory=dict,
        description="Per category: P(settling at the grid a case that would otherwise go up).",
    )
    profiles: list[Profile] = Field(default_factory=list)
    overtime_limit: Duration | None = Field(
        None, description="Longest overtime; a job still in hand then goes back to the queue."
    )
    min_field_share: Probability | None = Field(
        None,
        description="Keep field time (visits, patrol) at least this share of duty time "
        "by setting top-down forms aside while below it (江干: 0.5, article #3).",
    )
    no_show: Probability = Field(0.0, description="P(a member misses a shift).")
    standby: bool = Field(
        False, description="Off duty until an emergency plan mobilises the team (下沉干部)."
    )
    dropout: Dropout | None = None
    fatigue: Fatigue | None = None
    pay: Pay = Field(default_factory=Pay)

    @field_validator("skills", "category_speed")
    @classmethod
    def _positive_rates(cls, value: dict[str, float]) -> dict[str, float]:
        if any(rate <= 0 for rate in value.values()):
            raise ValueError("work-rate multipliers must be > 0")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Team:
        given = [name for name in SIZES if getattr(self, name) is not None]
        if len(given) > 1:
            raise ValueError(f"give only one of {', '.join(SIZES)}, not {' and '.join(given)}")
        if not given and self.default_size is None:
            raise ValueError(f"give one of {', '.join(SIZES)}")
        if self.profiles:
            total = sum(p.share for p in self.profiles)
            if abs(total - 1.0) > 1e-9:
                raise ValueError(f"profile shares must add up to 1, not {total:g}")
        for k, pattern in enumerate(self.roster):
            if not pattern:
                raise ValueError(f"roster pattern {k} is empty")
            weekly = sorted(i for block in pattern for i in _week_intervals(block))
            for (_, end), (start, _) in itertools.pairwise(weekly):
                if start < end - 1e-9:
                    raise ValueError(f"roster pattern {k} has overlapping shifts")
        return self

    @property
    def default_size(self) -> tuple[str, object] | None:
        """How the team is sized when none of SIZES is given (None: it must be given)."""
        return None

    @property
    def size(self) -> tuple[str, object]:
        """(how, value): ("per_grid", n), ("per_community", n), ("grids_per_member", k),
        ("table", CSV path) or ("rule", DifficultyRule)."""
        for name in SIZES:
            if getattr(self, name) is not None:
                return name, getattr(self, name)
        return self.default_size

    @property
    def covers_every_grid(self) -> bool | None:
        """Whether every grid has at least one member of this team serving it (None for a
        table: that depends on the world, see Scenario)."""
        how, value = self.size
        if how == "table":
            return None
        return value.min >= 1 if how == "rule" else value >= 1

    @property
    def patterns(self) -> list[list[Shift]]:
        """Shift patterns, member k working pattern k mod len."""
        return self.roster or [[self.shift]]


class DifficultyRule(StrictModel):
    """Workers per grid from its difficulty score (新北区, article #4):
    clamp(ceil(difficulty / points_per_worker), min, max)."""

    points_per_worker: float = sourced(
        600.0,
        "calibrated: 新北区's hardest grid (500 households, 400 group rentals, score ≈1,300 "
        "with default weights) gets ≥ 2 workers (docs/sources.md A25); assumption otherwise",
        "",
        gt=0,
    )
    min: int = Field(1, ge=0)
    max: int = Field(5, ge=1)

    @model_validator(mode="after")
    def _order(self) -> DifficultyRule:
        if self.max < self.min:
            raise ValueError("max must be ≥ min")
        return self

    def workers(self, difficulty: float) -> int:
        """Workers for a grid of this difficulty."""
        return max(self.min, min(self.max, math.ceil(difficulty / self.points_per_worker)))


class GridWorkers(Team):
    """The full-time grid workers (专职网格员, the "1"): one per grid unless sized otherwise
    (article #2/#5), or as many as a difficulty rule gives (新北区); they patrol when idle."""

    kind: MemberKind = "full_time"
    starts_early: Duration = sourced(
        0.5,
        "docs/sources.md A52: the worker starts before the official 08:00 (article #2); how "
        "long before is an assumption",
        "Routinely on duty this long before the official start: overtime.",
        ge=0,
    )
    stays_late: Duration = sourced(
        2.0,
        "docs/sources.md A52: the worker's day ends at about 19:00 (article #2), 2 h after the "
        "official 17:00",
        "Routinely on duty this long after the official end: overtime.",
        ge=0,
    )
    rule: DifficultyRule | None = Field(
        None, description="Workers per grid from its difficulty score (instead of a size)."
    )
    patrol: Patrol = Field(default_factory=Patrol)

    @model_validator(mode="after")
    def _one_sizing(self) -> GridWorkers:
        given = [name for name in SIZES if getattr(self, name) is not None]
        if self.rule is not None and given:
            raise ValueError(f"give either rule or {given[0]}, not both (set {given[0]}: null)")
        return self

    @property
    def default_size(self) -> tuple[str, object]:
        """A difficulty rule if given, else one worker per grid (article #2/#5)."""
        return ("rule", self.rule) if self.rule is not None else ("per_grid", 1)
