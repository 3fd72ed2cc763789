"""Turning arrivals into cases: everything random about a case is drawn in one vectorised batch
per source (work content, escalation path, closing delays) from that source's own streams, then
each case is built with its itinerary of jobs when it arrives.

Streams used by a source named S: ``work/S`` (work content and delays) and ``routing/S``
(escalation and bounce-backs); where a category tries online first, ``online/S`` (the online
attempt's work and whether it settles the case); where residents' groups may take the cases,
``residents/S``. Draw counts depend only on the batch, never on staffing, so two staffing arms
with the same seed see identical cases (common random numbers). The travel of a job in a rural
grid is the drawn travel times the world's rural travel factor.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import count
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.config.categories import ZERO, Category, Loop, OnlineFirst
from sim.config.distributions import Distribution
from sim.vocabulary import ACTIVITY_OF_KIND, TIERS
from sim.work.case import FEEDBACK_CALL, HANDLE, REVIEW, REWORK, Case, Job
from sim.work.self_governance import SOURCE

if TYPE_CHECKING:
    import simpy

    from sim.config.teams import Department
    from sim.rng import Streams
    from sim.work.flow import CaseFlow
    from sim.work.self_governance import ResidentGroups
    from sim.work.station import Stations
#: Work content of a department's review before it bounces a case back (推诿).
REVIEW_SHARE = 0.25


@dataclass(frozen=True)
class Step:
    """A compiled escalation step."""

    tier: int
    departments: tuple[str, ...]
    p: float
    work: tuple[Distribution, ...]
    bounce_back: float


@dataclass(frozen=True)
class CaseType:
    """A category compiled for the run: its index, work content, escalation steps resolved to
    their departments' work, `feedback`, its 结果反馈 job: (work, travel, skill), and its
    online first attempt, if any."""

    index: int
    name: str
    kind: str
    skill: str
    activity: str
    priority: int
    deadline: float
    loop: bool
    work: Distribution
    travel: Distribution
    steps: tuple[Step, ...]
    feedback: tuple[Distribution, Distribution, str]
    online: OnlineFirst | None = None


def case_types(
    categories: dict[str, Category], departments: dict[str, Department], loop: Loop
) -> list[CaseType]:
    """The categories compiled, in file order (a category's index is its position): escalation
    steps with their departments' work, and the 结果反馈 job (the loop's call by default)."""
    return [
        _compile(index, name, category, departments, loop)
        for index, (name, category) in enumerate(categories.items())
    ]


def _compile(
    index: int, name: str, category: Category, departments: dict[str, Department], loop: Loop
) -> CaseType:
    steps = tuple(
        Step(
            TIERS.index(step.tier),
            tuple(step.departments),
            step.p,
            tuple(step.work or departments[d].work for d in step.departments),
            step.bounce_back,
        )
        for step in category.escalation
    )
    check = category.feedback
    feedback = (
        (check.work, check.travel, check.skill)
        if check is not None
        else (loop.feedback.work, ZERO, "it")  # the loop's call back
    )
    return CaseType(
        index,
        name,
        category.kind,
        category.skill,
        ACTIVITY_OF_KIND[category.kind],
        category.priority,
        category.deadline,
        category.loop,
        category.work,
        category.travel,
        steps,
        feedback,
        category.online_first,
    )


@dataclass
class Batch:
    """Pre-drawn cases of one source: row i is one future case (plain lists: read one by one)."""

    times: list[float]
    categories: list[int]
    grids: list[int]
    households: list[int]
    seq: list[int]
    work: list[float]
    travel: list[float]
    paths: list[tuple]
    closing: list[tuple[float, ...]]  # feedback work, rating, publicity, archive, travel
    hardness: list[float]
    deadlines: list[float] | None = None
    skip: list[bool] | None = None  # arrivals that never happen (blocked, thinned)
    priorities: list[int] | None = None  # per arrival, instead of its category's
    online: list[tuple[float, bool] | None] | None = None  # online attempt: work, settled
    residents: list[tuple[int, float] | None] | None = None  # a residents' group's outcome
    needs: Any = None  # the residents' channel draws of its arrivals (channels.NeedDraws)
    defer: list[bool] | None = None  # tasks opened only when taken (Intake.defer)
    posts: list[bool] | None = None  # duty posts: staffed until the deadline, else they lapse

    def __len__(self) -> int:
        return len(self.times)


#: Multiplier of each case's grid-tier work from (creation times, categories, grids): an
#: incident's learning curve (sim.emergency.incidents).
WorkFactor = Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]


class Intakes:
    """What every source's intake shares: the clock, the case flow, the stations, the compiled
    categories and the priorities an emergency plan has set, the random streams, case ids in
    creation order, the closed loop's settings, the work multiplier of incidents' learning
    curves, if any, each grid's travel factor, and the residents' groups (None: none)."""

    def __init__(
        self,
        env: simpy.Environment,
        flow: CaseFlow,
        stations: Stations,
        case_types: list[CaseType],
        streams: Streams,
        loop: Loop,
        work_factor: WorkFactor | None = None,
        travel_factor: np.ndarray | None = None,
        residents: ResidentGroups | None = None,
    ) -> None:
        self.env = env
        self.flow = flow
        self.stations = stations
        self.case_types = case_types
        self.streams = streams
        self.loop = loop
        self.work_factor = work_factor
        rural = travel_factor is not None and bool((travel_factor != 1.0).any())
        self.travel_factor = travel_factor if rural else None
        self.residents = residents
        self.priority_override: dict[str, int] = {}  # category → priority set by a plan
        self.case_ids: Iterator[int] = count()

    def intake(self, source: str, stream: str | None = None, first_seq: int = 0) -> Intake:
        """The intake of cases of `source`, drawn from the streams of `stream` (default: the
        source's), numbered from `first_seq`."""
        return Intake(self, source, stream or source, first_seq)


class Intake:
    """Draws case batches for one source and opens cases from them."""

    def __init__(self, shared: Intakes, source: str, stream: str, first_seq: int) -> None:
        self.env = shared.env
        self.flow = shared.flow
        self.stations = shared.stations
        self.grid_stations = shared.stations.grids
        self.source = source
        self.case_types = shared.case_types
        self.priority_override = shared.priority_override
        self.work_rng = shared.streams.get(f"work/{stream}")
        self.route_rng = shared.streams.get(f"routing/{stream}")
        self.case_ids = shared.case_ids
        self._next_seq = first_seq  # per-stream sequence number, stable across staffing arms
        self.work_factor = shared.work_factor
        self.travel_factor = shared.travel_factor
        online = any(case_type.online is not None for case_type in self.case_types)
        self.online_rng = shared.streams.get(f"online/{stream}") if online else None
        groups = shared.residents if source == SOURCE else None
        self.residents = groups
        self.residents_rng = shared.streams.get(f"residents/{stream}") if groups else None
        loop = shared.loop
        self.feedback_handler = loop.feedback.handler
        self.feedback_priority = loop.feedback.priority
        self.delay_dists = (loop.rating_delay, loop.publicity_delay, loop.archive_delay)

    def draw(
        self,
        times: np.ndarray,
        categories: np.ndarray,
        grids: np.ndarray,
        households: np.ndarray,
        deadlines: np.ndarray | None = None,
        rng: np.random.Generator | None = None,
    ) -> Batch:
        """Draw work content, escalation paths and closing delays for a batch of arrivals, from
        the source's streams, or all from `rng` (a batch keyed to something stable, such as the
        case whose need comes back)."""
        n = len(times)
        work_rng = rng or self.work_rng
        route_rng = rng or self.route_rng
        hardness = route_rng.random(n)
        work = np.empty(n)
        travel = np.empty(n)
        paths: list[tuple] = [()] * n
        closing: list[tuple[float, ...]] = [(0.0, 0.0, 0.0, 0.0, 0.0)] * n
        for case_type in self._present(categories):
            rows = np.flatnonzero(categories == case_type.index)
            work[rows] = case_type.work.sample(work_rng, len(rows))
            travel[rows] = case_type.travel.sample(work_rng, len(rows))
            if case_type.steps:
                paths_drawn = self._paths(case_type, len(rows), work_rng, route_rng)
                for row, path in zip(rows.tolist(), paths_drawn, strict=True):
                    paths[row] = path
            if case_type.loop:  # feedback work, rating, publicity and archive delays; travel
                check_work, check_travel, _ = case_type.feedback
                dists = (check_work, *self.delay_dists, check_travel)
                drawn = np.column_stack([d.sample(work_rng, len(rows)) for d in dists])
                for row, values in zip(rows.tolist(), drawn.tolist(), strict=True):
                    closing[row] = tuple(values)
        if self.work_factor is not None:  # after every draw: the draws stay as they were
            work *= self.work_factor(times, categories, grids)
        if self.travel_factor is not None:  # longer walks in rural grids
            factor = self.travel_factor[grids]
            travel *= factor
            closing = [
                (*values[:4], values[4] * f)
                for values, f in zip(closing, factor.tolist(), strict=True)
            ]
        first = self._next_seq
        self._next_seq += n
        batch = Batch(
            times.tolist(),
            categories.tolist(),
            grids.tolist(),
            households.tolist(),
            list(range(first, first + n)),
            work.tolist(),
            travel.tolist(),
            paths,
            closing,
            hardness.tolist(),
            None if deadlines is None else deadlines.tolist(),
        )
        if self.online_rng is not None:
            batch.online = self._online(categories)
        if self.residents is not None:
            batch.residents = self.residents.draw(self.residents_rng, categories, grids)
        return batch

    def _present(self, categories: np.ndarray) -> list[CaseType]:
        """The categories among `categories` (indices), in the order of `case_types`: a day
        of a small scenario brings a few of them, and each is drawn for in this order."""
        return [self.case_types[i] for i in np.unique(categories).tolist()]

    def _online(self, categories: np.ndarray) -> list[tuple[float, bool] | None]:
        """Per arrival of a category that tries online first: the online attempt's work and
        whether it settles the case (None for the others)."""
        online: list[tuple[float, bool] | None] = [None] * len(categories)
        rng = self.online_rng
        for case_type in self._present(categories):
            if case_type.online is None:
                continue
            rows = np.flatnonzero(categories == case_type.index)
            work = case_type.online.work.sample(rng, len(rows))
            settled = rng.random(len(rows)) < case_type.online.success
            pairs = zip(work.tolist(), settled.tolist(), strict=True)
            for row, values in zip(rows.tolist(), pairs, strict=True):
                online[row] = values
        return online

    def _paths(
        self,
        case_type: CaseType,
        n: int,
        work_rng: np.random.Generator,
        route_rng: np.random.Generator,
    ) -> list[tuple]:
        """Escalation paths: per case, a tuple of (step, work per department, bounced)."""
        reached = np.ones(n, dtype=bool)
        per_step = []
        for step in case_type.steps:
            reached = reached & (route_rng.random(n) < step.p)
            bounced = route_rng.random(n) < step.bounce_back
            works = np.column_stack([d.sample(work_rng, n) for d in step.work])
            per_step.append((reached.tolist(), bounced.tolist(), works.tolist()))  # read one by one
        paths = []
        for i in range(n):
            path = []
            for step, (reached, bounced, works) in zip(case_type.steps, per_step, strict=True):
                if not reached[i]:
                    break
                path.append((step, works[i], bounced[i]))
            paths.append(tuple(path))
        return paths

    def open(
        self, batch: Batch, i: int, found_by: str | None = None, channel: str | None = None
    ) -> Case:
        """Create case `i` of the batch now, build its itinerary and start it. `found_by` says
        how it reached the grid when that differs from the source that drew it; `channel`, the
        channel a resident's request came through (CHANNELS)."""
        case = self._build(batch, i, next(self.case_ids), self.env.now, self._priority(batch, i))
        if found_by:
            case.found_by = found_by
        case.channel = channel
        if batch.online is not None and batch.online[i] is not None:
            self._online_first(case, *batch.online[i])
        if batch.posts is not None and batch.posts[i]:
            self.flow.open_post(case)
        drawn = batch.residents
        if drawn is None or not self.residents.receive(case, drawn[i]):
            self.flow.start(case)
        return case

    def defer(self, batch: Batch, i: int) -> None:
        """Release task `i` of the batch now, opening its case only when a member of staff takes
        its job (`Station.defer`), with the id, arrival number and times it would have had if
        opened now: a city's screening releases some 860,000 tasks at once, most of which
        wait for days. A task that is not one job at its grid (escalation, the closed loop, an
        online attempt, residents' groups), or that a member is idle to take at once, is
        opened now."""
        case_type = self.case_types[batch.categories[i]]
        station = self.grid_stations[batch.grids[i]]
        if (
            batch.paths[i]
            or case_type.loop
            or (batch.online is not None and batch.online[i] is not None)
            or batch.residents is not None
            or station.has_idle(case_type.index)
        ):
            self.open(batch, i)
            return
        case_id = next(self.case_ids)
        station.defer(
            case_type.index, self._priority(batch, i), self.env.now, self, batch, i, case_id
        )
        self.flow.release(batch.grids[i], case_type.index)

    def open_deferred(self, batch: Batch, i: int, case_id: int, at: float, priority: int) -> Job:
        """Open task `i` of the batch, released at `at` hours with `priority` and `case_id`
        (`defer`), as it is taken: its case, counted at release, and its one job, queued since
        `at`."""
        return self.flow.start_released(self.released_case(batch, i, case_id, at, priority))

    def released_case(self, batch: Batch, i: int, case_id: int, at: float, priority: int) -> Case:
        """Task `i` of the batch, released at `at` hours with `priority` and `case_id` (`defer`),
        as it is opened: its case, and its one job, queued since `at`; not yet filed with the
        open cases."""
        case = self._build(batch, i, case_id, at, priority)
        case.stages[0][0].queued = at
        return case

    def _priority(self, batch: Batch, i: int) -> int:
        """The priority of arrival `i` of the batch if it arrives now (a plan may have set
        its category's)."""
        case_type = self.case_types[batch.categories[i]]
        priority = case_type.priority if batch.priorities is None else batch.priorities[i]
        return self.priority_override.get(case_type.name, priority)

    def _build(self, batch: Batch, i: int, case_id: int, now: float, priority: int) -> Case:
        """Case `i` of the batch, created at `now` hours with `case_id` and `priority`, with its
        itinerary of jobs (not yet started)."""
        case_type = self.case_types[batch.categories[i]]
        grid = batch.grids[i]
        deadline = case_type.deadline if batch.deadlines is None else batch.deadlines[i]
        case = Case(
            case_id,
            self.source,
            batch.seq[i],
            case_type.index,
            grid,
            batch.households[i],
            now,
            now + deadline,
            priority,
            case_type.activity,
        )
        case.hardness = batch.hardness[i]
        case.work = batch.work[i]
        stages = case.stages
        stages.append(
            [
                Job(
                    case,
                    self.grid_stations[grid],
                    batch.work[i],
                    batch.travel[i],
                    HANDLE,
                    0,
                    priority,
                    case_type.skill,
                )
            ]
        )
        if batch.paths[i]:
            self._escalate(case, batch.paths[i])
        case.resolve_stage = len(stages) - 1
        if case_type.loop:
            closing = batch.closing[i]
            case.delays = closing[1:4]
            handler = self.feedback_handler
            if handler != "none":
                station = (
                    self.grid_stations[grid]
                    if handler == "grid"
                    else self.stations.department(handler, grid)
                )
                case.feedback_stage = True
                stages.append(
                    [
                        Job(
                            case,
                            station,
                            closing[0],
                            closing[4],
                            FEEDBACK_CALL,
                            0,
                            self.feedback_priority,
                            case_type.feedback[2],
                        )
                    ]
                )
        return case

    def _online_first(self, case: Case, work: float, settled: bool) -> None:
        """Make the grid worker's first job an online attempt (no travel): if it settles the
        case, nothing goes up the tiers; if not, the visit at the door follows it."""
        door = case.stages[0][0]
        attempt = Job(case, door.station, work, 0.0, HANDLE, 0, door.priority, door.skill)
        case.stages[0] = [attempt]
        if settled:
            case.settle_at_grid()
        else:
            self.flow.follow(attempt, door)

    def _escalate(self, case: Case, path: tuple) -> None:
        """Add the stages above the grid: per step, a bounce-back (review there, rework below)
        if drawn, then all the step's departments working in parallel."""
        station_of = self.stations.department
        below = case.stages[0]
        for step, works, bounced in path:
            stations = [station_of(name, case.grid) for name in step.departments]
            if bounced:
                case.stages.append(
                    [
                        Job(
                            case,
                            s,
                            w * REVIEW_SHARE,
                            0.0,
                            REVIEW,
                            step.tier,
                            case.priority,
                            "general",
                        )
                        for s, w in zip(stations, works, strict=True)
                    ]
                )
                case.stages.append(
                    [
                        Job(case, j.station, j.work, 0.0, REWORK, j.tier, case.priority, j.skill)
                        for j in below
                    ]
                )
            below = [
                Job(case, s, w, 0.0, HANDLE, step.tier, case.priority, "general")
                for s, w in zip(stations, works, strict=True)
            ]
            case.stages.append(below)
