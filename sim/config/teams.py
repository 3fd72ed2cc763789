"""Who works in a scenario: shifts, pay, the grid-side teams (the full-time grid workers and the
"6" and "N" of "1+6+N", volunteers, sunk cadres) and the departments above the grid; members
who leave and the posts they leave behind (attrition), and volunteers who come and go (a
pool)."""

from __future__ import annotations

import itertools
import math
from typing import Literal

from pydantic import Field, field_validator, model_validator

from sim.config.base import StrictModel, sourced
from sim.config.distributions import Distribution
from sim.config.limits import limits, over
from sim.config.units import ClockTime, Duration, Probability, Rate
from sim.theory import erlang_b
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
    def stretches(self) -> list[tuple[float, float]]:
        """The stretches on duty between the breaks, as (start, end) in hours after the
        shift's start, in order."""
        bounds = [0.0, *(t for pause in self.pauses for t in pause), self.length]
        return list(zip(bounds[::2], bounds[1::2], strict=True))

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
    star_bonus_yuan: list[float] = Field(
        default_factory=list,
        description="Annual bonus by performance stars, 1 to 5 (星级评定, docs/sources.md A47), "
        "paid pro rata to the member holding the post at the end; empty = none.",
    )

    @field_validator("star_bonus_yuan")
    @classmethod
    def _five_stars(cls, value: list[float]) -> list[float]:
        if value and (len(value) != 5 or min(value) < 0):
            raise ValueError("give five amounts ≥ 0, for 1 to 5 stars")
        return value

    @property
    def monthly_cash_yuan(self) -> float:
        """Pay and bonus a month, in yuan (social insurance left out)."""
        return self.monthly_yuan + self.annual_bonus_yuan / 12

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
    """Idle on-duty grid workers patrol their grid and discover hidden issues."""

    enabled: bool = True
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


def _overlap(intervals: list[tuple[float, float]]) -> bool:
    """Whether any two of these intervals, sorted by start, overlap."""
    return any(start < end - 1e-9 for (_, end), (start, _) in itertools.pairwise(intervals))


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


Contract = Literal["permanent", "fixed_term", "public_welfare_post"]
#: Hours in a year of 365 days (annual rates and bonuses).
HOURS_PER_YEAR = 24 * 365.0


class Workload(StrictModel):
    """Recent workload raises the hazard of leaving: it is multiplied by (u / reference) **
    elasticity, u being the member's utilisation (hours on jobs / hours on duty) over the last
    `window` (since they took the post, if later)."""

    reference: Probability = sourced(
        0.7,
        "assumption: the baseline's offered utilisation, 70 % (README)",
        "Utilisation at which the base rate applies.",
    )
    elasticity: float = sourced(1.0, "assumption", "How the hazard follows utilisation.", ge=0)
    window: Duration = sourced("4w", "assumption", "Recent weeks counted.", gt=0)


class Learning(StrictModel):
    """A new member works slower at first."""

    period: Duration = sourced(
        "30d",
        "docs/sources.md A49: 盐池's course for new young villagers lasted 30 days; as a "
        "learning period on the job: assumption",
        "How long a new member works at `speed`.",
        gt=0,
    )
    speed: float = sourced(
        0.7, "assumption", "Work-rate multiplier of a new member meanwhile.", gt=0, le=1
    )


class Attrition(StrictModel):
    """Members leave their post at a hazard (队伍流动性强, docs/sources.md A46): `annual_rate` at
    the reference pay, times (monthly pay and bonus / reference) ** (−pay_elasticity), times
    the factor of the team's contract, times the workload factor if `workload` is set. The
    post stays vacant for a recruitment delay, while the team's other members in the community
    cover its grids (`cover`), and then a new member takes it."""

    annual_rate: Rate = sourced(
        "0.2/year",
        "docs/sources.md P50: social workers in Chinese cities leave at about 20 % a year; for "
        "grid workers: assumption",
        "Hazard of leaving at the reference pay, a fixed-term contract and the reference workload.",
    )
    reference_pay_yuan: float = sourced(
        2000.0,
        "assumption: the 佳木斯 presets' monthly pay (docs/sources.md A43, A45)",
        "Monthly pay and bonus at which `annual_rate` applies.",
        gt=0,
    )
    pay_elasticity: float = sourced(
        2.0,
        "docs/sources.md P51: quit elasticities of 2-3 where pay varied by experiment (US "
        "labour markets); the lower end, for grid workers: assumption",
        "The hazard is multiplied by (pay / reference) ** (−pay_elasticity).",
        ge=0,
    )
    contract: Contract = sourced(
        "fixed_term",
        "docs/sources.md A39: many grid workers are on labour contracts (合同工)",
        "The members' contract: permanent (编制), fixed_term (labour contract) or "
        "public_welfare_post (公益岗).",
    )
    contract_factors: dict[Contract, float] = sourced(
        lambda: {"permanent": 0.5, "fixed_term": 1.0, "public_welfare_post": 1.5},
        "assumption; the direction from docs/sources.md P52 (contractual temporary staff turn "
        "over more) and A46",
        "Hazard multiplier per contract.",
    )
    workload: Workload | None = Field(None, description="Recent workload raises the hazard.")
    recruitment_delay: Distribution = sourced(
        lambda: {"dist": "exponential", "mean": "60d"},
        "assumption",
        "From a member leaving to their replacement taking the post.",
    )
    learning: Learning | None = Field(None, description="New members work slower at first.")
    cover: bool = sourced(
        True,
        "assumption: a vacant grid's work goes to the community's other grid workers",
        "The team's members in the same community serve a grid left without its own member.",
    )
    burn_in: Duration = sourced(
        0.0,
        "assumption",
        "Leaving and hiring run this long at the base hazard before the run starts, so the run "
        "starts with the vacancies of a team that has been turning over; 0: every post filled.",
    )

    @field_validator("contract_factors")
    @classmethod
    def _factors_not_negative(cls, value: dict[str, float]) -> dict[str, float]:
        if any(factor < 0 for factor in value.values()):
            raise ValueError("contract factors must be ≥ 0")
        return value

    @model_validator(mode="after")
    def _factor_of_contract(self) -> Attrition:
        if self.contract not in self.contract_factors:
            raise ValueError(f"contract_factors has no factor for contract {self.contract!r}")
        return self

    def base_hazard(self, pay: Pay) -> float:
        """Hazard of leaving per hour at this pay and contract, at the reference workload."""
        pay_factor = (pay.monthly_cash_yuan / self.reference_pay_yuan) ** -self.pay_elasticity
        return self.annual_rate * pay_factor * self.contract_factors[self.contract]

    def staffed_share(self, pay: Pay) -> float:
        """Expected share of a post's time that someone holds it, at full speed, in the long
        run at the base hazard h: filled (1/h) / (1/h + mean delay), of which a share
        1 − exp(−h · period) in a new member's first `period`, at `speed`."""
        h = self.base_hazard(pay)
        filled = 1.0 / (1.0 + h * self.recruitment_delay.mean)
        if self.learning is None:
            return filled
        novice = -math.expm1(-h * self.learning.period)
        return filled * (1.0 - novice * (1.0 - self.learning.speed))


class VolunteerPool(StrictModel):
    """A community's volunteers come and go (a birth–death pool, M/M/∞): they join at
    `join_rate` and each leaves at `leave_rate`, so the pool holds join_rate / leave_rate on
    average. When a plan mobilises the team (a call), each volunteer in the pool, and each who
    joins while the call is in force, answers with probability `answer` after
    `response_delay`, and works the team's roster until the plan stands down."""

    join_rate: Rate = sourced(
        "1/week",
        "assumption; volunteers came in surges in 2020 (docs/sources.md A88)",
        "Volunteers joining one community's pool.",
    )
    leave_rate: Rate = sourced(
        "2/year",
        "assumption: half a year in the pool on average",
        "Hazard of a volunteer leaving the pool.",
        gt=0,
    )
    size_limit: int | None = Field(
        None,
        ge=1,
        description="Most volunteers one community's pool holds; joiners beyond are turned "
        "away. Default: the mean plus six standard deviations, so hardly anyone is.",
    )
    initial: Literal["stationary"] | int = Field(
        "stationary",
        description="Volunteers in each community's pool at the start: a number, or "
        "stationary (drawn from the pool's long-run law: Poisson with its mean, truncated at "
        "its size limit).",
    )
    answer: Probability = sourced(0.6, "assumption", "P(a volunteer answers a call).")
    response_delay: Distribution = sourced(
        lambda: {"dist": "exponential", "mean": "4h"},
        "assumption",
        "From a call to a volunteer who answers it coming on duty.",
    )

    @field_validator("initial")
    @classmethod
    def _initial_not_negative(cls, value: str | int) -> str | int:
        if isinstance(value, int) and value < 0:
            raise ValueError("initial must be ≥ 0 or 'stationary'")
        return value

    @model_validator(mode="after")
    def _initial_fits(self) -> VolunteerPool:
        if not self.mean_size <= limits().staff:  # also an infinite mean
            average = over("staff", self.mean_size)
            raise ValueError(f"join_rate / leave_rate: volunteers in one pool on average {average}")
        if isinstance(self.initial, int) and self.initial > self.slots:
            raise ValueError(f"initial {self.initial} is more than size_limit {self.slots}")
        return self

    @property
    def mean_size(self) -> float:
        """Volunteers in one community's pool on average without a size limit:
        join_rate / leave_rate (M/M/∞)."""
        return self.join_rate / self.leave_rate

    @property
    def slots(self) -> int:
        """Places in one community's pool: `size_limit`, or the mean plus six standard
        deviations of its Poisson stationary law."""
        if self.size_limit is not None:
            return self.size_limit
        a = self.mean_size
        return max(1, math.ceil(a + 6.0 * math.sqrt(a)) + 1)

    def occupancy(self) -> float:
        """Expected share of the places filled: a (1 − B(c, a)) / c, the Erlang loss
        system's mean number in service over its c places."""
        a, c = self.mean_size, self.slots
        return a * (1.0 - erlang_b(c, a)) / c


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
    meetings: list[Shift] = sourced(
        list,
        "docs/sources.md A54: a grid worker's afternoon had the community's regular grid "
        "workers' meeting (社区网格员工作例会), ended at 15:00; off by default",
        "Recurring meetings, each a `start`, `end` and `days` (no breaks). A member on duty "
        "when one starts attends it until it ends or they go off duty, after finishing the job "
        "in hand; meanwhile they take no new job and do not patrol.",
    )
    standby: bool = Field(
        False, description="Off duty until an emergency plan mobilises the team (下沉干部)."
    )
    dropout: Dropout | None = None
    fatigue: Fatigue | None = None
    pay: Pay = Field(default_factory=Pay)
    attrition: Attrition | None = Field(
        None, description="Members leave, their posts stay vacant until filled; off if absent."
    )
    pool: VolunteerPool | None = Field(
        None,
        description="Volunteers who come and go, per community, instead of a fixed size "
        "(volunteer teams only).",
    )

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
        if self.pool is not None:
            self._check_pool(given)
        elif not given and self.default_size is None:
            raise ValueError(f"give one of {', '.join(SIZES)}")
        if self.attrition is not None and self.dropout is not None:
            raise ValueError("members leave by attrition here: drop dropout")
        if (
            self.attrition is not None
            and self.attrition.pay_elasticity > 0
            and self.pay.monthly_cash_yuan <= 0
        ):
            raise ValueError(
                "attrition follows pay, and this team is unpaid: give pay.monthly_yuan, or "
                "attrition.pay_elasticity: 0"
            )
        if self.profiles:
            total = sum(p.share for p in self.profiles)
            if abs(total - 1.0) > 1e-9:
                raise ValueError(f"profile shares must add up to 1, not {total:g}")
        for k, pattern in enumerate(self.roster):
            if not pattern:
                raise ValueError(f"roster pattern {k} is empty")
            weekly = sorted(i for block in pattern for i in _week_intervals(block))
            if _overlap(weekly):
                raise ValueError(f"roster pattern {k} has overlapping shifts")
        if any(meeting.breaks for meeting in self.meetings):
            raise ValueError("a meeting has no breaks: give it as two meetings")
        if _overlap(sorted(i for meeting in self.meetings for i in _week_intervals(meeting))):
            raise ValueError("meetings overlap")
        return self

    def _check_pool(self, sizes: list[str]) -> None:
        if sizes:
            raise ValueError(f"give either pool or {sizes[0]}, not both")
        if self.kind != "volunteer":
            raise ValueError("only a team of kind volunteer may have a pool")
        if self.attrition is not None:
            raise ValueError("a pool's volunteers leave at its leave_rate: drop attrition")

    @property
    def default_size(self) -> tuple[str, object] | None:
        """How the team is sized when none of SIZES is given (None: it must be given)."""
        return None

    @property
    def size(self) -> tuple[str, object]:
        """(how, value): ("per_grid", n), ("per_community", n), ("grids_per_member", k),
        ("table", CSV path), ("rule", DifficultyRule) or ("pool", VolunteerPool)."""
        if self.pool is not None:
            return "pool", self.pool
        for name in SIZES:
            if getattr(self, name) is not None:
                return name, getattr(self, name)
        return self.default_size

    @property
    def covers_every_grid(self) -> bool | None:
        """Whether every grid has at least one member of this team serving it (None for a
        table: that depends on the world, see Scenario; never for a pool, which may be
        empty)."""
        how, value = self.size
        if how == "table":
            return None
        if how == "pool":
            return False
        return value.min >= 1 if how == "rule" else value >= 1

    @property
    def staffed_share(self) -> float:
        """Expected share of each post's time that a member holds it at full speed (1 without
        attrition or a pool); for a standby pool, the share that would answer a call."""
        if self.pool is not None:
            return self.pool.occupancy() * (self.pool.answer if self.standby else 1.0)
        if self.attrition is not None:
            return self.attrition.staffed_share(self.pay)
        return 1.0

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
