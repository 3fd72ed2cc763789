"""Moving a case through its itinerary and the eight-step closed loop (八步闭环).

Timestamps (hours), one per step:
  事项受理 accepted     a handler first starts on the case (first response);
  分类转办 dispatched   routed to the resolving tier: when the grid-tier job ends and the case
                        goes up, or when it starts if the grid resolves it;
  跟踪问效 tracked      the resolving tier starts its work;
  督促落实 implemented  the resolving tier finishes;
  结果反馈 feedback     the result is reported back (feedback job, if any);
  打分评价 rated, 信息公示 published, 归档销号 archived: after drawn delays; archived = closed.
Cases outside the loop (tasks) are accepted, implemented and archived; after their last job,
the source that brought them decides what follows (a revisit that found nobody is tried again).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING

from sim.work.case import (
    ACCEPTED,
    ARCHIVED,
    CLOSED,
    DISPATCHED,
    FEEDBACK,
    IMPLEMENTED,
    LAPSED,
    PUBLISHED,
    RATED,
    TRACKED,
    UNREACHED,
    Case,
    Job,
)

if TYPE_CHECKING:
    import simpy

    from sim.agents.staff import Staff
    from sim.metrics import Metrics
    from sim.work.intake import CaseType
    from sim.work.sources import Source


class CaseFlow:
    """Starts cases, advances them stage by stage, and closes them; the sources that brought
    them (`attach`) hear when a task's last job is done and when any case closes. Components
    that follow every case may watch closures (`closure_watchers`, after the source) and the
    loop's rating step (`rating_watchers`, at 打分评价)."""

    def __init__(
        self, env: simpy.Environment, metrics: Metrics, case_types: list[CaseType]
    ) -> None:
        self.env = env
        self.metrics = metrics
        self.in_loop = [case_type.loop for case_type in case_types]
        self.sources: dict[str, Source] = {}
        #: A job that, once done, hands over to another job of its stage instead of ending it
        #: (an online attempt that failed, then the visit at the door).
        self.followed_by: dict[Job, Job] = {}
        self.closure_watchers: list[Callable[[Case], None]] = []
        self.rating_watchers: list[Callable[[Case], None]] = []

    def attach(self, sources: dict[str, Source]) -> None:
        """The running sources, by name."""
        self.sources = sources

    def start(self, case: Case) -> None:
        """Register a new case and send its first stage to work."""
        self.register(case)
        self.send(case)

    def register(self, case: Case) -> None:
        """Count a new case that may wait before its first stage (a residents' group has it)."""
        self.metrics.opened(case)

    def release(self, grid: int, category: int) -> None:
        """Count a task released to its grid's station but not yet opened (`Intake.defer`)."""
        self.metrics.released(grid, category)

    def start_released(self, case: Case) -> Job:
        """Start a task released earlier (`release`) as its one job is taken: it is filed
        with the open cases, and that job, already waiting, is returned."""
        self.metrics.opened_released(case)
        case.stage = 0
        case.pending = 1
        return case.stages[0][0]

    def send(self, case: Case) -> None:
        """Send a registered case's first stage to work."""
        self._enter(case, 0)

    def follow(self, job: Job, then: Job) -> None:
        """When `job` is done, send `then` (same case and stage) instead of ending the job."""
        self.followed_by[job] = then

    def _enter(self, case: Case, stage: int) -> None:
        case.stage = stage
        jobs = case.stages[stage]
        case.pending = len(jobs)
        for job in jobs:
            job.station.submit(job)

    def job_started(self, job: Job, staff: Staff) -> None:
        """A member of staff starts a job of the case."""
        case = job.case
        steps = case.steps
        if steps[ACCEPTED] != steps[ACCEPTED]:  # NaN: the first time anyone starts on it
            steps[ACCEPTED] = self.env.now
        if case.stage == case.resolve_stage and math.isnan(steps[TRACKED]):
            if case.stage == 0:  # resolved at the grid: routed to its own worker at once
                steps[DISPATCHED] = self.env.now
            steps[TRACKED] = self.env.now
        if job.tier > case.tier_reached:
            case.tier_reached = job.tier

    def job_done(self, job: Job, staff: Staff) -> None:
        """A job ended; when its stage is complete, move the case on."""
        then = self.followed_by.pop(job, None) if self.followed_by else None
        if then is not None:
            then.station.submit(then)
            return
        case = job.case
        case.pending -= 1
        if case.pending:
            return
        now = self.env.now
        stage = case.stage
        if stage == 0 and case.resolve_stage > 0:
            if staff.resolves(case):  # a specialist settles at the grid what would go up
                case.settle_at_grid()
                case.steps[DISPATCHED] = case.steps[TRACKED] = case.steps[ACCEPTED]
            else:
                case.steps[DISPATCHED] = now
        if stage == case.resolve_stage:
            case.steps[IMPLEMENTED] = now
            case.handler = staff
        if stage + 1 < len(case.stages):
            self._enter(case, stage + 1)
        elif self.in_loop[case.category]:
            self._close_loop(case, now)
        else:
            self.sources[case.source].on_done(case, job, staff)

    def _close_loop(self, case: Case, now: float) -> None:
        steps = case.steps
        steps[FEEDBACK] = now
        rating, publicity, archive = case.delays
        steps[RATED] = now + rating
        steps[PUBLISHED] = steps[RATED] + publicity
        if self.rating_watchers:
            self.env.timeout(rating).callbacks.append(lambda _: self._rated(case))
        total = rating + publicity + archive
        if total > 0:
            self.env.timeout(total).callbacks.append(lambda _: self.close(case))
        else:
            self.close(case)

    def _rated(self, case: Case) -> None:
        for watch in self.rating_watchers:
            watch(case)

    def retry(self, case: Case, delay: float) -> None:
        """Send the job again after `delay` hours (a revisit that found nobody at home)."""
        self.env.timeout(delay).callbacks.append(lambda _: self._enter(case, case.stage))

    def close(self, case: Case, status: str = CLOSED) -> None:
        """Close the case now (归档销号)."""
        case.steps[ARCHIVED] = self.env.now
        case.status = status
        self.sources[case.source].on_closed(case)
        for watch in self.closure_watchers:
            watch(case)
        self.metrics.closed(case)

    def staffed(self, case: Case, hours: float) -> None:
        """Someone was at duty post `case` for `hours` (their travel to it not included)."""
        self.metrics.post_staffed(case.id, hours)

    def give_up(self, case: Case) -> None:
        """Close a revisit whose household could not be reached."""
        self.close(case, UNREACHED)

    def lapse(self, case: Case) -> None:
        """Close a duty post whose shift ended with nobody at it."""
        self.close(case, LAPSED)

    def open_post(self, case: Case) -> None:
        """The case is a duty post: staffed until its deadline by whoever takes it, its hours
        staffed counted from zero (`staffed`); at the deadline, if its one job still waits in
        its queue (nobody took it), it is taken out and the case closed as lapsed."""
        case.post = True
        self.metrics.post_opened(case.id)

        def lapse(_event) -> None:
            job = case.stages[0][0]
            if job.station.withdraw(job):
                self.lapse(case)

        self.env.timeout(case.deadline - self.env.now).callbacks.append(lapse)
