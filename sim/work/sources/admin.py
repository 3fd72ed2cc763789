"""Top-down tasks (填表、报材料 and the like) sent to each grid by upper departments, "各部门任务都
派到网格且带着考核指标" (article #2). A department sends either a share (`weight`) of the source's
Poisson stream of forms in office hours, a Poisson stream at its own `rate`, or a `quota`: so many
tasks per grid released at the start of each period and due by its end. Each task records its
sender (the cases table's `sender`). Those of departments the admission list keeps out (基层事项
准入, `blocked`) never reach the grid.

Common random numbers: the Poisson tasks of every department are drawn whether it is blocked or
not (blocking only skips them), and each quota department draws from streams of its own
(``work/admin/<department>``), so blocking a department leaves every other task unchanged. An
emergency plan may hold tasks (suspend) and send them on when it stands down."""

from __future__ import annotations

import math
from array import array
from typing import Any

import numpy as np
import pandas as pd
from pydantic import Field, field_validator, model_validator

from sim.config.base import StrictModel, sourced
from sim.config.units import ClockTime, Duration, Rate
from sim.vocabulary import WEEKDAYS, Weekday
from sim.work.intake import Batch
from sim.work.sources.base import DAY, WEEK, RateSource, SourceContext, poisson_times
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
#: A task's source_seq >> SEQ_BITS says which draws it came from: 0 the calm Poisson stream,
#: 1 its surge, 2 + j the quotas of the j-th department (in `departments` order).
SEQ_BITS = 40
QUOTA_BLOCK = 2


class SendingDepartment(StrictModel):
    """An upper department that sends tasks to every grid: a `weight` (its share of the
    source's rate_per_grid), its own `rate`, or a `quota` per `period` (带着考核指标)."""

    weight: float | None = Field(
        None, ge=0, description="Share of the source's rate_per_grid, relative to other weights."
    )
    rate: Rate | None = Field(
        None, description="Its own tasks per grid per unit time, in the source's hours and days."
    )
    quota: int | None = Field(
        None,
        ge=1,
        description="Tasks per grid released at the start of each period, due by its end.",
    )
    period: Duration = sourced(
        720.0, "assumption: a monthly quota (30 days)", "Period of a quota.", gt=0
    )
    category: str | None = Field(
        None, description="Category of its tasks (kind admin); default: the source's category."
    )
    deadline: Duration | None = Field(
        None,
        gt=0,
        description="Time allowed for each task; default: the category's, or for a quota the "
        "end of the period.",
    )
    priority: int | None = Field(
        None, ge=1, le=9, description="Priority of its tasks; default: the category's."
    )

    @model_validator(mode="after")
    def _one_way(self) -> SendingDepartment:
        ways = [name for name in ("weight", "rate", "quota") if getattr(self, name) is not None]
        if len(ways) != 1:
            raise ValueError("give exactly one of weight, rate or quota")
        if "period" in self.model_fields_set and self.quota is None:
            raise ValueError("period applies to a quota only")
        return self


class AdminTasksSpec(StrictModel):
    """Top-down tasks (填表、报材料) sent to each grid by upper departments."""

    enabled: bool = True
    category: str = "admin_form"
    rate_per_grid: Rate | None = Field(
        None,
        description="Tasks per grid per unit time on active days, shared by the departments "
        "that send by weight.",
    )
    hours: tuple[ClockTime, ClockTime] = sourced(
        (8.0, 17.0), "assumption: sent in office hours", "Window in which tasks arrive."
    )
    days: list[Weekday] = Field(default_factory=lambda: list(WEEKDAYS[:5]))
    departments: dict[str, float | SendingDepartment] = sourced(
        lambda: dict.fromkeys(UPPER_DEPARTMENTS, 1.0),
        "docs/sources.md A60: twelve upper departments send tasks to the grid; equal weights "
        "assumption",
        "Upper department → its weight (share of rate_per_grid), or a block with its own rate "
        "or quota, category, deadline and priority.",
    )
    blocked: list[str] = Field(
        default_factory=list,
        description="Departments whose tasks the admission list (基层事项准入, article #4) "
        "keeps out of the grid.",
    )

    @field_validator("hours")
    @classmethod
    def _window(cls, value: tuple[float, float]) -> tuple[float, float]:
        if value[0] >= value[1]:
            raise ValueError("hours must be [start, end] with start before end on the same day")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> AdminTasksSpec:
        if not self.departments:
            raise ValueError("departments must name at least one department")
        weights = [d.weight for d in self.senders().values() if d.weight is not None]
        if weights and sum(weights) <= 0:
            raise ValueError("departments need non-negative weights, not all zero")
        if weights and self.rate_per_grid is None:
            raise ValueError("rate_per_grid is needed: some departments send by weight")
        if not weights and self.rate_per_grid is not None:
            raise ValueError("rate_per_grid is shared by departments sending by weight: none does")
        unknown = sorted(set(self.blocked) - set(self.departments))
        if unknown:
            raise ValueError(f"blocked departments not in departments: {', '.join(unknown)}")
        return self

    def senders(self) -> dict[str, SendingDepartment]:
        """Every department as a block (a bare number is its weight)."""
        return {
            name: d if isinstance(d, SendingDepartment) else SendingDepartment(weight=d)
            for name, d in self.departments.items()
        }

    def categories(self) -> dict[str, str]:
        """The categories it brings, with the field that names each."""
        named = {self.category: "category"}
        for name, department in self.senders().items():
            if department.category is not None:
                named.setdefault(department.category, f"departments.{name}.category")
        return named

    def poisson_rates(self) -> dict[str, float]:
        """The rate (tasks per grid per hour of an active day, as rate_per_grid) of each
        department that sends a Poisson stream, blocked or not."""
        senders = self.senders()
        total = sum(d.weight for d in senders.values() if d.weight is not None)
        return {
            name: d.rate if d.rate is not None else self.rate_per_grid * d.weight / total
            for name, d in senders.items()
            if d.quota is None
        }


class AdminTasks(RateSource):
    """Top-down tasks sent to each grid by upper departments, less those the admission list
    blocks; held while an emergency plan suspends them."""

    name = "admin"
    kind = "admin"
    key = "admin"
    Spec = AdminTasksSpec

    @classmethod
    def weekly_arrivals(cls, spec: AdminTasksSpec, world: World) -> dict[str, np.ndarray]:
        active_days = len(set(spec.days))
        rates = spec.poisson_rates()
        weekly: dict[str, float] = {}
        for name, department in spec.senders().items():
            if name in spec.blocked:
                continue
            if department.quota is not None:
                tasks = department.quota * WEEK / department.period
            else:
                tasks = rates[name] * DAY * active_days
            category = department.category or spec.category
            weekly[category] = weekly.get(category, 0.0) + tasks
        return {name: np.full(len(world.grids), tasks) for name, tasks in weekly.items()}

    def __init__(self, context: SourceContext, spec: AdminTasksSpec) -> None:
        self.n_grids = len(context.world.grids)
        self.names = list(spec.departments)
        senders = spec.senders()
        index = context.category_index
        case_types = context.case_types
        self.category = [index[d.category or spec.category] for d in senders.values()]
        self.deadline = [  # a quota is due by the end of its period unless it says otherwise
            d.deadline
            if d.deadline is not None
            else d.period
            if d.quota is not None
            else case_types[c].deadline
            for d, c in zip(senders.values(), self.category, strict=True)
        ]
        self.priority = [
            d.priority if d.priority is not None else case_types[c].priority
            for d, c in zip(senders.values(), self.category, strict=True)
        ]
        self.own_deadlines = any(d.deadline is not None for d in senders.values())
        self.own_priorities = any(d.priority is not None for d in senders.values())
        self.is_blocked = np.array([n in spec.blocked for n in self.names])
        # the Poisson stream: every department with a weight or a rate, by its share of it
        rates = spec.poisson_rates()
        self.poisson = np.array([self.names.index(name) for name in rates], dtype=np.int64)
        weights = np.array([senders[n].weight or 0.0 for n in rates], dtype=float)
        own = np.array([senders[n].rate or 0.0 for n in rates], dtype=float)
        shared = spec.rate_per_grid or 0.0
        self.total_rate = shared + own.sum()
        by_weight = weights / weights.sum() if weights.sum() > 0 else weights
        if self.total_rate > 0:
            self.shares = by_weight * (shared / self.total_rate) + own / self.total_rate
        else:
            self.shares = np.full(len(rates), 1.0 / max(len(rates), 1))
        self.sent_by = (array("h"), array("h"))  # sender of each calm and surge task, by seq
        self.quotas = [(j, d) for j, d in enumerate(senders.values()) if d.quota is not None]
        self.quota_intakes = {
            j: context.intakes.intake(
                self.name, stream=f"admin/{self.names[j]}", first_seq=(QUOTA_BLOCK + j) << SEQ_BITS
            )
            for j, _ in self.quotas
        }
        self.suspended = False
        self.held: list[tuple[Batch, int]] = []  # tasks held while an emergency plan runs
        super().__init__(context, spec)

    def rates(self, day: int) -> np.ndarray | None:
        """Per-grid rates of the Poisson stream in office hours on working days (None on other
        days, or when no department sends one)."""
        if not len(self.poisson) or self.context.calendar.weekday(day) not in self.spec.days:
            return None
        start, end = self.spec.hours
        return np.full((self.n_grids, 1), self.total_rate * DAY / (end - start))

    def surge_level(self, surge: np.ndarray) -> np.ndarray:
        """Forms arrive at the mean surge over the window."""
        start, end = self.spec.hours
        return surge[:, int(start) : math.ceil(end)].mean(axis=1, keepdims=True)

    def draw(self, rates: np.ndarray, day: int, surge: bool) -> tuple[Batch, Any]:
        """Poisson tasks at per-grid `rates` in the window: the batch (blocked senders' tasks
        skipped), and each task's row in `rates`."""
        rng, intake = self.streams(surge)
        start, end = self.spec.hours
        times, grids = poisson_times(rng, rates, day * DAY + start, end - start)
        senders = self.poisson[rng.choice(len(self.shares), len(times), p=self.shares)]
        self.sent_by[int(surge)].extend(senders.tolist())
        batch = intake.draw(
            times,
            np.array(self.category)[senders],
            grids,
            np.full(len(times), -1),
            np.array(self.deadline)[senders] if self.own_deadlines else None,
        )
        self._per_sender(batch, senders)
        return batch, (grids, np.zeros_like(grids))

    def day(self, day: int) -> list[Batch]:
        """The Poisson tasks of the day (calm and surge), and the quotas released in it."""
        drawn = super().day(day)
        batches = [drawn] if isinstance(drawn, Batch) else list(drawn or [])
        for j, department in self.quotas:
            if self.is_blocked[j]:
                continue  # its own streams: nothing else depends on its draws
            period = department.period
            for k in range(math.ceil(day * DAY / period), math.ceil((day + 1) * DAY / period)):
                batches.append(self._release(j, department.quota, k * period))
        return batches

    def _release(self, j: int, quota: int, at: float) -> Batch:
        """Department j's quota of every grid, released at `at`."""
        n = self.n_grids * quota
        senders = np.full(n, j)
        batch = self.quota_intakes[j].draw(
            np.full(n, at),
            np.full(n, self.category[j]),
            np.repeat(np.arange(self.n_grids), quota),
            np.full(n, -1),
            np.full(n, self.deadline[j]),
        )
        self._per_sender(batch, senders)
        return batch

    def _per_sender(self, batch: Batch, senders: np.ndarray) -> None:
        """Each task's priority by its sender (when a department sets one), and blocked
        senders' tasks skipped."""
        if self.own_priorities:
            batch.priorities = np.array(self.priority)[senders].tolist()
        batch.skip = self.is_blocked[senders].tolist()

    def arrive(self, batch: Batch, i: int) -> None:
        """The task reaches the grid, or waits while top-down tasks are suspended."""
        if self.suspended:
            self.held.append((batch, i))
        else:
            self.intake.open(batch, i)

    def suspend(self, suspended: bool) -> None:
        """Suspend top-down tasks, or resume and send the held ones on now."""
        self.suspended = suspended
        if not suspended:
            held, self.held = self.held, []
            for batch, i in held:
                self.intake.open(batch, i)

    def held_senders(self, since: float) -> np.ndarray:
        """The department (index in `departments`) of each task held now that was sent at or
        after `since` hours."""
        seq = [batch.seq[i] for batch, i in self.held if batch.times[i] >= since]
        return self.senders_of(np.array(seq, dtype=np.int64))

    def senders_of(self, seq: np.ndarray) -> np.ndarray:
        """The department (index in `departments`) that sent each task, by its source_seq."""
        block = seq >> SEQ_BITS
        local = seq - (block << SEQ_BITS)
        out = np.where(block >= QUOTA_BLOCK, block - QUOTA_BLOCK, -1)
        for b, sent in enumerate(self.sent_by):
            rows = block == b
            if rows.any():
                out[rows] = np.frombuffer(sent, dtype=np.int16)[local[rows]]
        return out


def sender_column(
    source: AdminTasks | None, is_admin: np.ndarray, seq: np.ndarray
) -> pd.Categorical:
    """The cases table's `sender`: the upper department that sent each top-down task (missing
    for every other case)."""
    if source is None:
        return pd.Categorical.from_codes(np.full(len(seq), -1), categories=[])
    codes = np.full(len(seq), -1, dtype=np.int64)
    codes[is_admin] = source.senders_of(seq[is_admin])
    return pd.Categorical.from_codes(codes, categories=source.names)


def department_kpis(
    cases: pd.DataFrame,
    spec: AdminTasksSpec,
    horizon: float,
    warmup: float,
    held_senders: np.ndarray,
) -> dict[str, dict]:
    """`tasks.admin.by_department` of summary.json: per upper department, whether the admission
    list blocks it, and of its tasks created after the warm-up: sent (reached the grid), done,
    due (deadline by the horizon, or done), done by the deadline and their share of those due;
    for a quota, the grid-periods due (the period's deadline by the horizon) and the share of
    them whose whole quota was done in time (`quota_met_share`); and `held`: its tasks sent
    after the warm-up that an emergency plan still held at the end, which never reached a grid
    (`held_senders`: the department's index of each such task, `AdminTasks.held_senders`)."""
    columns = ["sender", "status", "deadline_h", "closed_h", "source_seq", "grid"]
    tasks = cases.loc[(cases["source"] == "admin") & (cases["created_h"] >= warmup), columns]
    n_grids = len(cases["grid"].cat.categories)
    out = {}
    for j, (name, department) in enumerate(spec.senders().items()):
        rows = tasks[tasks["sender"] == name]
        done = rows["status"] == "closed"
        due = (rows["deadline_h"] <= horizon) | done
        on_time = done & (rows["closed_h"] <= rows["deadline_h"])
        block = {
            "blocked": name in spec.blocked,
            "sent": len(rows),
            "done": int(done.sum()),
            "due": int(due.sum()),
            "on_time": int(on_time.sum()),
            "on_time_rate": float(on_time.sum() / due.sum()) if due.any() else None,
            "held": int((held_senders == j).sum()),
        }
        if department.quota is not None:
            local = rows["source_seq"].to_numpy() - ((QUOTA_BLOCK + j) << SEQ_BITS)
            periods = pd.DataFrame(
                {
                    "period": local // (n_grids * department.quota),
                    "grid": rows["grid"].cat.codes.to_numpy(),
                    "deadline": rows["deadline_h"].to_numpy(),
                    "on_time": on_time.to_numpy(),
                }
            ).groupby(["period", "grid"])
            met = periods.agg(deadline=("deadline", "max"), met=("on_time", "all"))
            met = met[met["deadline"] <= horizon]
            block["quota_periods_due"] = len(met)
            block["quota_met"] = int(met["met"].sum())
            block["quota_met_share"] = float(met["met"].mean()) if len(met) else None
        out[name] = block
    return out
