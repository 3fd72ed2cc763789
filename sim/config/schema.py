"""The scenario file: every input a user can vary, with defaults that say where they come from.

Time is in hours throughout; durations and rates in files carry units ("15min", "3d", "1/year").
Cross-references (categories, departments) are checked here so that a bad file fails at
validation, never in the middle of a run.
"""

from __future__ import annotations

import itertools
import math
from pathlib import Path
from typing import Literal

import numpy as np
from pydantic import Field, field_validator, model_validator

from sim.config.base import StrictModel, sourced
from sim.config.distributions import Distribution, Fixed
from sim.config.incidents import HouseholdFilter, Incident
from sim.config.plans import Plan
from sim.config.staff_table import read_staff_table
from sim.config.units import ClockTime, Duration, Probability, Rate

Tier = Literal["grid", "community", "street", "district", "city"]
TIERS: tuple[str, ...] = ("grid", "community", "street", "district", "city")
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
#: What a category's cases are. Residents' requests and the issues patrols find make the closed
#: loop (八步闭环) that the headline KPIs count; each other kind is a block of tasks reported on
#: its own (README, "KPIs"). Each source brings one kind only.
CategoryKind = Literal["request", "patrol", "admin", "revisit", "warning", "incident"]
CATEGORY_KINDS: tuple[str, ...] = ("request", "patrol", "admin", "revisit", "warning", "incident")
CLOSED_LOOP_KINDS: tuple[str, ...] = ("request", "patrol")
TASK_KINDS: tuple[str, ...] = ("incident", "admin", "revisit", "warning")
Skill = Literal["general", "mediation", "it", "field"]
SKILLS: tuple[str, ...] = ("general", "mediation", "it", "field")

ZERO = Fixed(dist="fixed", value=0.0)
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


class EscalationStep(StrictModel):
    """One tier above the grid that a case may need (事项上报): reached with probability `p`
    given the previous step was reached. All listed departments work on it in parallel."""

    tier: Literal["community", "street", "district", "city"]
    departments: list[str] = Field(min_length=1, description="Department ids, all required.")
    p: Probability = Field(description="P(case needs this tier | it reached the tier below).")
    work: Distribution | None = Field(
        None, description="Work content per department; default: the department's own."
    )
    bounce_back: Probability = sourced(
        0.0,
        "assumption; buck-passing (推诿) happens (docs/sources.md A72), how often is not given",
        "P(bounced back once).",
    )


class Verification(StrictModel):
    """How a category's result is reported back (结果反馈) when it differs from the loop's
    call: e.g. a check at the home (入户核实) or on site, with the walk there."""

    work: Distribution = Field(description="Work content of the check (standard worker).")
    travel: Distribution = Field(ZERO, description="Travel to the household or the site.")
    skill: Skill = "field"


class Category(StrictModel):
    """A kind of case or task, with its work content, priority, deadline and escalation."""

    label_zh: str = ""
    kind: CategoryKind = Field(
        "request",
        description="request (residents' requests), patrol (issues patrols find), admin "
        "(top-down forms), revisit, warning (monitoring), incident (an incident's tasks).",
    )
    skill: Skill = "general"
    work: Distribution = Field(description="Work content at the grid tier (standard worker).")
    travel: Distribution = Field(ZERO, description="Travel time added to the grid-tier job.")
    priority: int = Field(2, ge=1, le=9, description="1 is most urgent.")
    deadline: Duration = Field(72.0, gt=0, description="Time allowed from creation to closure.")
    escalation: list[EscalationStep] = Field(default_factory=list)
    loop: bool = Field(True, description="Goes through the eight-step closed loop (八步闭环).")
    feedback: Verification | None = Field(
        None, description="Its 结果反馈 when not loop.feedback's call: a check at the home."
    )

    @model_validator(mode="after")
    def _tiers_ascend(self) -> Category:
        order = [TIERS.index(step.tier) for step in self.escalation]
        if order != sorted(set(order)):
            raise ValueError("escalation tiers must be distinct and ascend community→city")
        return self


class Department(StrictModel):
    """A department at a tier (street office, 城管, 公安, district bureaux …), instantiated once
    per unit of its tier; `staff` servers per unit work on grid cases."""

    label_zh: str = ""
    tier: Literal["community", "street", "district", "city"]
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
    kind: Literal["full_time", "specialist", "part_time", "volunteer"] = "part_time"
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

    kind: Literal["full_time", "specialist", "part_time", "volunteer"] = "full_time"
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


class HouseholdMix(StrictModel):
    """Shares of household attributes (each independent Bernoulli per household)."""

    floating: Probability = sourced(
        0.25, "assumption; 乔司 has 4.3 migrants per local (docs/sources.md A29)", ""
    )
    rental: Probability = sourced(0.2, "assumption", "")
    group_rental: Probability = sourced(
        0.02, "assumption; 新北区's hardest grid 400/500 (docs/sources.md A25)", ""
    )
    shop: Probability = sourced(0.05, "assumption", "")
    elderly: Probability = sourced(
        0.2,
        "assumption: share of households with a member 65+ (13.5 % of people are 65+, "
        "docs/sources.md P28)",
        "",
    )
    vulnerable: Probability = sourced(0.05, "assumption: disabled, ill, living alone", "")

    @model_validator(mode="after")
    def _group_within_rental(self) -> HouseholdMix:
        if self.group_rental > self.rental:
            raise ValueError("group_rental share cannot exceed rental share")
        return self


class Community(StrictModel):
    """A community (社区/村) divided into `grids` grids; `count > 1` repeats it with numbered
    ids. Give `households_per_grid` (fixed or a range), or `households_total` to split a fixed
    set of households evenly: re-gridding the same community into more or fewer grids."""

    id: str
    name: str = ""
    urban: bool = True
    count: int = Field(1, ge=1)
    grids: int = Field(ge=1)
    households_per_grid: int | tuple[int, int] | None = Field(
        None, description="Households per grid, or a [low, high] range drawn uniformly."
    )
    households_total: int | None = Field(
        None, ge=1, description="Households of the community, split evenly over its grids."
    )
    households: dict[
        Literal["floating", "rental", "group_rental", "shop", "elderly", "vulnerable"], Probability
    ] = Field(
        default_factory=dict,
        description="Household shares that differ here from world.households (the rest are "
        "the world's).",
    )

    @field_validator("households_per_grid")
    @classmethod
    def _positive(cls, value: int | tuple[int, int] | None) -> int | tuple[int, int] | None:
        low, high = (value, value) if isinstance(value, int | None) else value
        if value is not None and (low < 1 or high < low):
            raise ValueError("households_per_grid must be ≥ 1 (and low ≤ high for a range)")
        return value

    @model_validator(mode="after")
    def _one_size(self) -> Community:
        if (self.households_per_grid is None) == (self.households_total is None):
            raise ValueError("give one of households_per_grid or households_total")
        if self.households_total is not None and self.households_total < self.grids:
            raise ValueError("households_total must be at least one household per grid")
        return self

    def copies(self) -> list[str]:
        """Ids of the community's copies: its id, or id-001, id-002 … when count > 1."""
        if self.count == 1:
            return [self.id]
        return [f"{self.id}-{copy + 1:03d}" for copy in range(self.count)]

    def grid_ids(self, copy: str) -> list[str]:
        """Ids of the grids of one copy."""
        return [f"{copy}-g{g + 1:02d}" for g in range(self.grids)]

    def grid_sizes(self, rng: np.random.Generator) -> list[int]:
        """Households of each grid: an even split of households_total, or households_per_grid
        (a range drawn uniformly from `rng`)."""
        if self.households_total is not None:
            base, extra = divmod(self.households_total, self.grids)
            return [base + (g < extra) for g in range(self.grids)]
        size = self.households_per_grid
        if isinstance(size, int):
            return [size] * self.grids
        return rng.integers(size[0], size[1] + 1, size=self.grids).tolist()


class Street(StrictModel):
    """A street or township (街道/乡镇)."""

    id: str
    name: str = ""
    communities: list[Community] = Field(min_length=1)


class World(StrictModel):
    """The administrative hierarchy district → street → community → grid."""

    district: str = "district"
    streets: list[Street] = Field(min_length=1)
    households: HouseholdMix = Field(default_factory=HouseholdMix)
    difficulty_weights: dict[Literal["floating", "rental", "group_rental", "shop"], float] = (
        sourced(
            lambda: {"floating": 1.0, "rental": 1.0, "group_rental": 2.0, "shop": 1.0},
            "assumption: 新北区 weighs floating population, rentals and shops "
            "(docs/sources.md A82)",
            "Weights of the grid difficulty score (per household with the attribute).",
        )
    )

    def grid_ids(self) -> list[str]:
        """Ids of every grid, as the world will name them."""
        return [
            grid
            for street in self.streets
            for community in street.communities
            for copy in community.copies()
            for grid in community.grid_ids(copy)
        ]

    def grids_of(self, unit: str) -> list[str]:
        """Ids of the grids of a place: the district, a street, a community (a repeated
        community's copy, or by its base id all its copies) or a grid; empty if none."""
        if unit == self.district:
            return self.grid_ids()
        out = []
        for street in self.streets:
            for community in street.communities:
                for copy in community.copies():
                    grids = community.grid_ids(copy)
                    if unit in (street.id, community.id, copy):
                        out += grids
                    elif unit in grids:
                        out.append(unit)
        return out

    def mix_of(self, community: Community) -> HouseholdMix:
        """The household shares of a community: the world's, with its overrides."""
        return HouseholdMix(**{**self.households.model_dump(), **community.households})

    @model_validator(mode="after")
    def _community_mixes(self) -> World:
        for street in self.streets:
            for community in street.communities:
                try:
                    self.mix_of(community)
                except ValueError as error:
                    raise ValueError(f"community {community.id!r}: {error}") from None
        return self

    @model_validator(mode="after")
    def _unique_ids(self) -> World:
        streets = [s.id for s in self.streets]
        communities = [c.id for s in self.streets for c in s.communities]
        for kind, ids in (("street", streets), ("community", communities)):
            duplicates = sorted({i for i in ids if ids.count(i) > 1})
            if duplicates:
                raise ValueError(f"duplicate {kind} ids: {', '.join(duplicates)}")
        return self


class ResidentRequests(StrictModel):
    """Requests residents bring to their grid worker, drawn per grid and hour."""

    enabled: bool = True
    rate_per_household: Rate = sourced(
        1.0 / (365 * 24),
        "docs/sources.md P1, P3: NYC 311 ≈1.0 request per household a year; Beijing 12345 ≈1.2",
        "",
    )
    multipliers: dict[
        Literal["floating", "rental", "group_rental", "shop", "elderly", "vulnerable"], float
    ] = sourced(
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
    mix: dict[str, float] = Field(description="Category → relative weight.")

    @field_validator("hourly_profile")
    @classmethod
    def _profile(cls, value: list[float]) -> list[float]:
        if len(value) != 24 or min(value) < 0 or sum(value) <= 0:
            raise ValueError("hourly_profile needs 24 non-negative values, not all zero")
        return value

    @field_validator("mix")
    @classmethod
    def _weights(cls, value: dict[str, float]) -> dict[str, float]:
        if not value or min(value.values()) < 0 or sum(value.values()) <= 0:
            raise ValueError("mix needs non-negative weights, not all zero")
        return value


class PatrolIssues(StrictModel):
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


class AdminTasks(StrictModel):
    """Top-down forms and reports (填表、报材料) arriving at each grid in office hours."""

    enabled: bool = True
    category: str = "admin_form"
    rate_per_grid: Rate = Field(description="Tasks per grid per unit time on active days.")
    hours: tuple[ClockTime, ClockTime] = sourced(
        (8.0, 17.0), "assumption: sent in office hours", "Window in which tasks arrive."
    )
    days: list[Weekday] = Field(default_factory=lambda: list(WEEKDAYS[:5]))
    departments: dict[str, float] = sourced(
        lambda: dict.fromkeys(
            [
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
            ],
            1.0,
        ),
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
    def _known_blocked(self) -> AdminTasks:
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


class Revisits(StrictModel):
    """Scheduled contacts with every household: by phone and at home, each at least once per
    window (盐池: phone ≤ 15 days, home ≤ 30 days)."""

    enabled: bool = True
    households: HouseholdFilter = sourced(
        "all",
        "docs/sources.md A80: 盐池 contacts every household of its monitoring system (article "
        "#6); urban presets target vulnerable households (P33, P35)",
        "Which households are revisited.",
    )
    phone_every: Duration = sourced(
        360.0, "docs/sources.md A80: phone/WeChat at least every 15 days (article #6)", ""
    )
    home_every: Duration = sourced(
        720.0, "docs/sources.md A80: a home visit at least every month (article #6)", ""
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


class Monitoring(StrictModel):
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
    households: HouseholdFilter = "all"


class Sources(StrictModel):
    """Where work comes from."""

    resident: ResidentRequests
    patrol: PatrolIssues | None = None
    admin: AdminTasks | None = None
    revisits: Revisits | None = None
    monitoring: Monitoring | None = None


class WarmStart(StrictModel):
    """Start mid-crisis (a drill): cases already waiting at time 0 — by category, spread over
    the grids in proportion to their households, and/or the cases still open at the end of an
    earlier run (`from_run`: its run folder), in their grids."""

    backlog: dict[str, int] = Field(default_factory=dict, description="Category → open cases.")
    from_run: str | None = Field(
        None, description="Run folder whose open cases are waiting at the start (same world)."
    )

    def open_cases(self) -> list[tuple[str, str, int]]:
        """(category, grid id, household) of the open cases of `from_run` (empty if none)."""
        if self.from_run is None:
            return []
        import pandas as pd  # only for warm starts from a saved run

        cases = pd.read_parquet(
            Path(self.from_run) / "cases.parquet",
            columns=["category", "grid", "household", "status"],
        )
        cases = cases[cases["status"] == "open"]
        return list(
            zip(
                cases["category"].astype(str),
                cases["grid"].astype(str),
                cases["household"].astype(int),
                strict=True,
            )
        )

    @field_validator("backlog")
    @classmethod
    def _counts(cls, value: dict[str, int]) -> dict[str, int]:
        if any(n < 0 for n in value.values()):
            raise ValueError("backlog counts must be ≥ 0")
        return value


class Feedback(StrictModel):
    """Who does 结果反馈: the grid worker (`grid`), a department id, or nobody (`none`)."""

    handler: str = sourced(
        "grid", "docs/sources.md A70: 结果反馈, the grid worker reports back to the resident", ""
    )
    work: Distribution = sourced(lambda: {"dist": "fixed", "value": 0.1}, "assumption: 6 min", "")
    priority: int = Field(2, ge=1, le=9)


class Loop(StrictModel):
    """The eight-step closed loop (八步闭环, article #5): the steps after handling."""

    feedback: Feedback = Field(default_factory=Feedback)
    rating_delay: Distribution = sourced(
        lambda: {"dist": "exponential", "mean": 12.0}, "assumption", "Until the resident rates."
    )
    publicity_delay: Distribution = sourced(
        lambda: {"dist": "fixed", "value": 0.0}, "assumption", "Until the result is public."
    )
    archive_delay: Distribution = sourced(
        lambda: {"dist": "fixed", "value": 0.0}, "assumption", "Until the case is archived."
    )


class RunSettings(StrictModel):
    """Horizon and clock."""

    days: float = Field(30.0, gt=0, allow_inf_nan=False, description="Simulated days.")
    tick: Duration = Field(1.0, gt=0, description="Length of one model step (hours).")
    warmup: Literal["auto"] | Duration = Field(
        "auto",
        description="KPIs ignore cases created before this; auto: chosen by MSER-5 on the "
        "closed-loop backlog (before the first incident; none after a warm start).",
    )

    @field_validator("warmup")
    @classmethod
    def _warmup_not_negative(cls, value: str | float) -> str | float:
        if isinstance(value, float) and value < 0:
            raise ValueError("warmup must be ≥ 0")
        return value

    start_weekday: Weekday = "mon"


class Output(StrictModel):
    """What the run folder records."""

    timeseries_level: Literal["grid", "community", "street", "district"] = "grid"
    jobs: bool = Field(
        True,
        description="Record every job of every case (jobs.parquet) and the KPIs by tier; "
        "false saves memory in city-scale runs.",
    )


class Scenario(StrictModel):
    """A complete scenario."""

    name: str
    description: str = ""
    run: RunSettings = Field(default_factory=RunSettings)
    world: World
    categories: dict[str, Category] = Field(min_length=1)
    departments: dict[str, Department] = Field(default_factory=dict)
    grid_workers: GridWorkers = Field(default_factory=GridWorkers)
    teams: dict[str, Team] = Field(
        default_factory=dict,
        description='More grid-side staff: the "6" specialists, the "N" part-time members, '
        "volunteers, pooled community teams.",
    )
    sources: Sources
    incidents: dict[str, Incident] = Field(
        default_factory=dict, description="Incidents by name: surges and emergency work."
    )
    plans: dict[str, Plan] = Field(
        default_factory=dict, description="Emergency plans (预案) by name."
    )
    warm_start: WarmStart | None = None
    loop: Loop = Field(default_factory=Loop)
    output: Output = Field(default_factory=Output)

    def reference_problems(self) -> list[tuple[str, str]]:
        """Cross-references that do not resolve, as (dotted field path, message) pairs."""
        problems: list[tuple[str, str]] = []

        def need_category(name: str, where: str, kind: str | None = None) -> None:
            if name not in self.categories:
                problems.append((where, f"unknown category {name!r}"))
            elif kind and self.categories[name].kind != kind:
                actual = self.categories[name].kind
                problems.append(
                    (where, f"category {name!r} has kind {actual!r}; this source needs {kind!r}")
                )

        for name, category in self.categories.items():
            for i, step in enumerate(category.escalation):
                for dept in step.departments:
                    where = f"categories.{name}.escalation.{i}.departments"
                    if dept not in self.departments:
                        problems.append((where, f"unknown department {dept!r}"))
                    elif self.departments[dept].tier != step.tier:
                        tier = self.departments[dept].tier
                        problems.append(
                            (where, f"department {dept!r} is at tier {tier!r}, not {step.tier!r}")
                        )
        for name in self.sources.resident.mix:
            need_category(name, f"sources.resident.mix.{name}", "request")
        if self.sources.patrol:
            for name in self.sources.patrol.rate_per_household:
                need_category(name, f"sources.patrol.rate_per_household.{name}", "patrol")
        if self.sources.admin:
            need_category(self.sources.admin.category, "sources.admin.category", "admin")
        if self.sources.monitoring:
            for field in ("yellow_category", "red_category"):
                need_category(
                    getattr(self.sources.monitoring, field),
                    f"sources.monitoring.{field}",
                    "warning",
                )
        if self.sources.revisits:
            revisits = self.sources.revisits
            need_category(revisits.phone_category, "sources.revisits.phone_category", "revisit")
            need_category(revisits.home_category, "sources.revisits.home_category", "revisit")
        handler = self.loop.feedback.handler
        if handler not in ("grid", "none") and handler not in self.departments:
            problems.append(
                ("loop.feedback.handler", f"{handler!r} is neither 'grid', 'none' nor a department")
            )
        for name, team in self.all_teams().items():
            where = "grid_workers" if name == GRID_WORKER else f"teams.{name}"
            if name in self.departments:
                problems.append((where, f"team id {name!r} is also a department id"))
            for field in ("categories", "resolves", "category_speed"):
                for category in getattr(team, field) or []:
                    need_category(category, f"{where}.{field}")
        for category in self.warm_start.backlog if self.warm_start else {}:
            need_category(category, f"warm_start.backlog.{category}")
        problems += self._saved_state_problems()
        problems += self._table_problems()
        problems += self._incident_problems()
        problems += self._plan_problems()
        problems += self._coverage_problems()
        return problems

    def _saved_state_problems(self) -> list[tuple[str, str]]:
        """A warm start from a run folder that is missing, or from another world."""
        if self.warm_start is None or self.warm_start.from_run is None:
            return []
        where = "warm_start.from_run"
        if not (Path(self.warm_start.from_run) / "cases.parquet").is_file():
            return [(where, f"no run folder with cases.parquet at {self.warm_start.from_run!r}")]
        grids = set(self.world.grid_ids())
        problems: list[tuple[str, str]] = []
        for category, grid, _ in self.warm_start.open_cases():
            if category not in self.categories:
                problem = (where, f"its open cases have category {category!r}, unknown here")
            elif grid not in grids:
                problem = (where, f"its open cases are in grid {grid!r}, not in this world")
            else:
                continue
            if problem not in problems:
                problems.append(problem)
        return problems

    def _plan_problems(self) -> list[tuple[str, str]]:
        """Plans naming unknown teams, incidents or categories, or triggers that can never
        fire; standby teams no plan mobilises."""
        problems = []
        horizon = self.run.days * 24
        teams = self.all_teams()
        mobilised = set()
        for name, plan in self.plans.items():
            where = f"plans.{name}"
            for i, trigger in enumerate(plan.triggers):
                at = f"{where}.triggers.{i}"
                if trigger.incident is not None:
                    incident = self.incidents.get(trigger.incident)
                    if incident is None:
                        problems.append((f"{at}.incident", f"no incident {trigger.incident!r}"))
                    elif incident.onset >= horizon:
                        problems.append(
                            (
                                f"{at}.incident",
                                "the incident starts after the "
                                "horizon: this trigger can never fire",
                            )
                        )
                if trigger.at is not None and trigger.at >= horizon:
                    problems.append((f"{at}.at", "after the horizon: this trigger can never fire"))
            for i, action in enumerate(plan.actions):
                at = f"{where}.actions.{i}"
                if action.mobilise is not None:
                    team = teams.get(action.mobilise)
                    if team is None:
                        problems.append((f"{at}.mobilise", f"no team {action.mobilise!r}"))
                    elif not team.standby:
                        problems.append(
                            (
                                f"{at}.mobilise",
                                f"team {action.mobilise!r} is not on standby (set standby: true)",
                            )
                        )
                    mobilised.add(action.mobilise)
                for field in ("teams", "pool", "split"):
                    for team in getattr(action, field) or []:
                        if team not in teams:
                            problems.append((f"{at}.{field}", f"no team {team!r}"))
                for category in action.prioritise or {}:
                    if category not in self.categories:
                        problems.append((f"{at}.prioritise", f"unknown category {category!r}"))
        for name, team in self.teams.items():
            if team.standby and name not in mobilised:
                problems.append((f"teams.{name}.standby", "no plan mobilises this team"))
        return problems

    def _incident_problems(self) -> list[tuple[str, str]]:
        """Incident areas naming places that do not exist, tasks naming unknown categories."""
        problems = []
        known = {
            "streets": {s.id for s in self.world.streets},
            "communities": {c.id for s in self.world.streets for c in s.communities},
            "grids": set(self.world.grid_ids()),
        }
        for name, incident in self.incidents.items():
            for field, ids in known.items():
                for i, unit in enumerate(getattr(incident.area, field)):
                    if unit not in ids:
                        problems.append(
                            (f"incidents.{name}.area.{field}.{i}", f"no {field[:-1]} {unit!r}")
                        )
            for i, task in enumerate(incident.tasks):
                where = f"incidents.{name}.tasks.{i}.category"
                category = self.categories.get(task.category)
                if category is None:
                    problems.append((where, f"unknown category {task.category!r}"))
                elif category.kind != "incident":
                    problems.append(
                        (
                            where,
                            f"category {task.category!r} has kind {category.kind!r}; "
                            "an incident's tasks need 'incident'",
                        )
                    )
                elif task.posts_per_community is not None and not (
                    isinstance(category.work, Fixed) and category.work.value == task.post_shift
                ):
                    problems.append(
                        (
                            where,
                            f"a post's category needs fixed work equal to the "
                            f"post shift ({task.post_shift:g} h)",
                        )
                    )
        return problems

    def all_teams(self) -> dict[str, Team]:
        """The full-time grid workers (as team `grid_worker`) and every other team."""
        return {GRID_WORKER: self.grid_workers, **self.teams}

    def arriving_categories(self) -> dict[str, str]:
        """Categories that reach the grids, with the source field that brings them."""
        sources = self.sources
        out = {name: "sources.resident.mix" for name in sources.resident.mix}
        if sources.patrol and sources.patrol.enabled:
            out |= dict.fromkeys(sources.patrol.rate_per_household, "sources.patrol")
        if sources.admin and sources.admin.enabled:
            out[sources.admin.category] = "sources.admin"
        if sources.revisits and sources.revisits.enabled:
            out[sources.revisits.phone_category] = "sources.revisits"
            out[sources.revisits.home_category] = "sources.revisits"
        if sources.monitoring and sources.monitoring.enabled:
            out[sources.monitoring.yellow_category] = "sources.monitoring"
            out[sources.monitoring.red_category] = "sources.monitoring"
        for name, incident in self.incidents.items():
            for i, task in enumerate(incident.tasks):
                out.setdefault(task.category, f"incidents.{name}.tasks.{i}.category")
        for category in self.warm_start.backlog if self.warm_start else {}:
            out.setdefault(category, f"warm_start.backlog.{category}")
        return out

    def _table_covers_every_grid(self, path: str) -> bool:
        """Whether a staffing table gives every grid a member: each grid lies in a place
        with at least as many members as grids (false for a table that cannot be read)."""
        try:
            rows = read_staff_table(path)
        except ValueError:
            return False
        covered: set[str] = set()
        for row in rows:
            grids = self.world.grids_of(row.unit)
            if grids and row.members >= len(grids):
                covered.update(grids)
        return covered >= set(self.world.grid_ids())

    def _table_problems(self) -> list[tuple[str, str]]:
        """Staffing tables that cannot be read or name places that do not exist."""
        problems = []
        for name, team in self.all_teams().items():
            if team.table is None:
                continue
            where = f"{'grid_workers' if name == GRID_WORKER else f'teams.{name}'}.table"
            try:
                rows = read_staff_table(team.table)
            except ValueError as error:
                problems.append((where, str(error)))
                continue
            for row in rows:
                if not self.world.grids_of(row.unit):
                    problems.append(
                        (where, f"{Path(team.table).name}:{row.line}: no place {row.unit!r}")
                    )
        return problems

    def _coverage_problems(self) -> list[tuple[str, str]]:
        """Categories that reach every grid but that no team present at every grid may take:
        such cases could never be handled."""
        covering = [
            team
            for team in self.all_teams().values()
            if not team.standby
            and (
                team.covers_every_grid
                if team.table is None
                else self._table_covers_every_grid(team.table)
            )
        ]
        problems = []
        for category, where in self.arriving_categories().items():
            if category not in self.categories:
                continue  # reported as an unknown category
            if not any(team.categories is None or category in team.categories for team in covering):
                problems.append(
                    (
                        where,
                        f"nobody present at every grid may take category "
                        f"{category!r}: its cases could never be handled",
                    )
                )
        return problems
