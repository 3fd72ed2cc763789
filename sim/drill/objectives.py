"""A drill's objectives (演练目标), each measured on the running model by one measure of a small
registry, with a threshold and a deadline `by` (hours from the run's start). One class per
measure, registered in `MEASURES`; in a drill file each is a mapping whose key names it:

  {done: leak_check, at_least: 1.0}            share of a category's cases done (screening)
  {longest_wait: 30min, categories: [gas_hazard]}   no case waits longer than this to be started
  {on_time: delivery, at_least: 0.95}          share of a category's cases done by their due time
  {backlog_below: 50}                          the closed-loop backlog at the deadline

Cases count when created from `since` (default: the drill's start) to `by`. An objective's status
is `met` or `missed` once known — a share reached, or a wait exceeded, at the time it happened;
otherwise at the deadline — and before that `on track` or `at risk` (each measure says when).
The times are exact, from the cases' own timestamps, so they never depend on how often anyone
looked."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

import numpy as np
from pydantic import Field

from sim.config.base import StrictModel, one_of
from sim.config.units import Duration, Probability
from sim.drill.clock import Moment
from sim.drill.live import CaseView

if TYPE_CHECKING:
    from sim.model import GridModel
    from sim.scenario import Scenario

Problems = list[tuple[str, str]]
MET, MISSED, ON_TRACK, AT_RISK = "met", "missed", "on track", "at risk"
STATUSES: tuple[str, ...] = (MET, MISSED, ON_TRACK, AT_RISK)


@dataclass(frozen=True)
class Reading:
    """An objective's measure at a moment: its value (None: nothing to measure yet), when it was
    met or missed (hours; None: not yet), and whether it is at risk."""

    value: float | None
    met_at: float | None = None
    missed_at: float | None = None
    at_risk: bool = False

    @property
    def status(self) -> str:
        """met, missed, at risk or on track."""
        if self.met_at is not None:
            return MET
        if self.missed_at is not None:
            return MISSED
        return AT_RISK if self.at_risk else ON_TRACK


@dataclass(frozen=True)
class Window:
    """What a measure reads: the cases of the run so far, the model, the time now, and the
    objective's window [since, by]."""

    cases: CaseView
    model: GridModel
    now: float
    since: float
    by: float

    def categories(self, names: list[str]) -> np.ndarray:
        """Rows of cases of the categories `names`, created within the window."""
        index = [c.index for c in self.model.case_types if c.name in names]
        return np.isin(self.cases.category, index) & self.created_within()

    def created_within(self) -> np.ndarray:
        """Rows of cases created within the window."""
        created = self.cases.created
        return (created >= self.since) & (created <= self.by)


class Measure(StrictModel):
    """Something measurable about the run; `key` is the field that names it in a file."""

    key: ClassVar[str]
    unit: ClassVar[str]

    def reading(self, window: Window) -> Reading:
        """The measure now (`window.now`)."""
        raise NotImplementedError

    def problems(self, scenario: Scenario, where: str) -> Problems:
        """Names the scenario does not have, as (field path, message) pairs."""
        return []


def _unknown(names: list[str], scenario: Scenario, where: str) -> Problems:
    return [(where, f"no category {name!r}") for name in names if name not in scenario.categories]


class Done(Measure):
    """Share of a category's cases (created in the window) done: met as soon as the share of
    those created so far reaches `at_least`, missed if it has not by `by`. Meant for tasks
    released together, such as checking every household of an area. At risk when the share is
    behind a straight line from 0 when the first case came to `at_least` at `by`."""

    key: ClassVar[str] = "done"
    unit: ClassVar[str] = "share"
    done: str = Field(description="The category.")
    at_least: Probability = 1.0
    grids: list[str] = Field(default_factory=list, description="Only these grids; empty: all.")

    def reading(self, window: Window) -> Reading:
        cases, now = window.cases, window.now
        rows = window.categories([self.done])
        if self.grids:
            ids = [grid.id for grid in window.model.world.grids]
            rows &= np.isin(cases.grid, [ids.index(g) for g in self.grids])
        if not rows.any():
            return Reading(None, missed_at=window.by if now >= window.by else None)
        created, done = cases.created[rows], cases.done[rows]
        horizon = min(now, window.by)
        times = np.concatenate([created, done[~np.isnan(done)]])
        steps = np.concatenate([np.ones(len(created)), np.zeros((~np.isnan(done)).sum())])
        order = np.lexsort((steps, times))  # at a tie, closures before creations
        times, steps = times[order], steps[order]
        made, finished = np.cumsum(steps), np.cumsum(1 - steps)
        last = np.r_[times[1:] != times[:-1], True]  # the state after every event at a time
        reached = last & (made > 0) & (finished >= self.at_least * made) & (times <= horizon)
        value = float(finished[times <= now][-1] / made[times <= now][-1])
        if reached.any():
            return Reading(value, met_at=float(times[reached][0]))
        if now >= window.by:
            return Reading(value, missed_at=window.by)
        first = created.min()
        elapsed = (now - first) / (window.by - first) if window.by > first else 1.0
        return Reading(value, at_risk=value < self.at_least * elapsed)

    def problems(self, scenario: Scenario, where: str) -> Problems:
        problems = _unknown([self.done], scenario, f"{where}.done")
        known = set(scenario.world.grid_ids())
        problems += [
            (f"{where}.grids.{i}", f"no grid {grid!r}")
            for i, grid in enumerate(self.grids)
            if grid not in known
        ]
        return problems


class LongestWait(Measure):
    """No case (of `categories`, of priority at most `priority_at_most`; absent: any) created in
    the window waits longer than `longest_wait` to be started (事项受理): missed when the first
    one does (at its creation + the limit), met at `by` if none has. The value is the longest
    wait so far (hours), cases still waiting counted until now. At risk when a case still
    waiting has waited more than half the limit."""

    key: ClassVar[str] = "longest_wait"
    unit: ClassVar[str] = "h"
    longest_wait: Duration = Field(gt=0)
    categories: list[str] | None = None
    priority_at_most: int | None = Field(None, ge=1)

    def reading(self, window: Window) -> Reading:
        cases, now = window.cases, window.now
        rows = window.created_within()
        if self.categories is not None:
            rows &= window.categories(self.categories)
        if self.priority_at_most is not None:
            rows &= cases.priority <= self.priority_at_most
        created, accepted = cases.created[rows], cases.accepted[rows]
        waiting = np.isnan(accepted)
        waits = np.where(waiting, now - created, accepted - created)
        value = float(waits.max()) if len(waits) else None
        limit, horizon = self.longest_wait, min(now, window.by)
        breach = created + limit
        late = (waits > limit) & (breach <= horizon)
        if late.any():
            return Reading(value, missed_at=float(breach[late].min()))
        if now >= window.by:
            return Reading(value, met_at=window.by)
        return Reading(value, at_risk=bool((waiting & (now - created > limit / 2)).any()))

    def problems(self, scenario: Scenario, where: str) -> Problems:
        return _unknown(self.categories or [], scenario, f"{where}.categories")


class OnTime(Measure):
    """Share of a category's cases (created in the window) that were due by now — at their
    deadline, or `within` hours of creation — and were done by then; met or missed at `by`
    (on those due by `by`; none due: met). At risk while the share is below `at_least`."""

    key: ClassVar[str] = "on_time"
    unit: ClassVar[str] = "share"
    on_time: str = Field(description="The category.")
    at_least: Probability = 1.0
    within: Duration | None = Field(
        None, gt=0, description="Due this long after creation; absent: the case's deadline."
    )

    def reading(self, window: Window) -> Reading:
        cases = window.cases
        rows = window.categories([self.on_time])
        due = cases.due[rows] if self.within is None else cases.created[rows] + self.within
        done = cases.done[rows]
        horizon = min(window.now, window.by)
        counted = due <= horizon
        value = float((done[counted] <= due[counted]).mean()) if counted.any() else None
        if window.now >= window.by:
            if value is None or value >= self.at_least:
                return Reading(value, met_at=window.by)
            return Reading(value, missed_at=window.by)
        return Reading(value, at_risk=value is not None and value < self.at_least)

    def problems(self, scenario: Scenario, where: str) -> Problems:
        return _unknown([self.on_time], scenario, f"{where}.on_time")


class BacklogBelow(Measure):
    """The closed-loop backlog (open residents' requests and patrol finds) at `by` is below
    `backlog_below`: met or missed then. At risk while the backlog is not below it."""

    key: ClassVar[str] = "backlog_below"
    unit: ClassVar[str] = "cases"
    backlog_below: int = Field(ge=1)

    def reading(self, window: Window) -> Reading:
        value = window.model.metrics.backlog_now()
        if window.now >= window.by:
            if value < self.backlog_below:
                return Reading(float(value), met_at=window.by)
            return Reading(float(value), missed_at=window.by)
        return Reading(float(value), at_risk=value >= self.backlog_below)


MEASURES: tuple[type[Measure], ...] = (Done, LongestWait, OnTime, BacklogBelow)
AnyMeasure = one_of(MEASURES)


class Objective(StrictModel):
    """An objective of the drill: a measure with its threshold, and the deadline."""

    label_zh: str = ""
    measure: AnyMeasure
    by: Moment = Field(description="Deadline (hours from the run's start).")
    since: Moment | None = Field(
        None, description="Cases created from then count; absent: from the drill's start."
    )
