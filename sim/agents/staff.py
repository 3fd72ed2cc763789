"""A member of staff as a SimPy process: on duty, take the most urgent job they may take from the
stations they serve; when there is none, patrol (full-time grid workers) or wait; every hour goes
to an activity. Shifts, meetings, no-shows, dropping out when left idle, and an overtime limit
that hands an unfinished job back are all here; so is a post changing hands (the person leaves,
the post stays vacant, a new person takes it), serving other grids' stations to cover vacant
ones, and being away for a while (ill, or the office cut off: a drill's inject)."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

import numpy as np
import simpy

from sim.agents.roster import Rosters
from sim.engine import FirstOf
from sim.vocabulary import ACTIVITIES, JOB_ACTIVITIES
from sim.work.case import AGAIN, DONE, HANDED_BACK, HANDLE

if TYPE_CHECKING:
    from sim.calendar import Block
    from sim.work.case import Case, Job
    from sim.work.flow import CaseFlow
    from sim.work.station import Station

#: A member's state in the run's staff-state array.
OFF, IDLE, BUSY = 0, 1, 2

#: Hours of field work short of the share that still count as the share reached (rounding).
_FIELD_TOLERANCE = 1e-9


class PatrolWatch(Protocol):
    """What is told when a member starts and stops patrolling their home grid (the hidden
    issues, found as patrol hours accumulate)."""

    def started(self, staff: Staff) -> None: ...

    def stopped(self, staff: Staff) -> None: ...


class _NothingHidden:
    """A scenario without hidden issues: patrolling turns up nothing."""

    def started(self, staff: Staff) -> None:
        pass

    def stopped(self, staff: Staff) -> None:
        pass


NOTHING_HIDDEN = _NothingHidden()


@dataclass(frozen=True)
class Workplace:
    """What every member of staff works with: the clock, the case flow, the run's array of
    staff states (OFF, IDLE, BUSY; one per member), where each execution of a job is recorded
    (job, member's index, end time, outcome), the horizon (hours), and what is told of patrols
    in the members' home grids, and the rosters that take members through shared shifts."""

    env: simpy.Environment
    flow: CaseFlow
    states: bytearray
    job_ended: Callable[[Job, int, float, str], None]
    horizon: float
    patrol: PatrolWatch = NOTHING_HIDDEN
    rosters: Rosters = field(default_factory=Rosters)


@dataclass(slots=True)
class Member:
    """Everything that makes one member of staff what they are (built by sim.staffing; the
    lists may be shared by the members of a team, and are read only)."""

    role: str  # team id, or department kind
    kind: str  # full_time, specialist, part_time, volunteer, department
    name: str
    unit: int  # home grid index (department: unit index of its tier)
    unit_id: str
    stations: list[Station]
    shifts: list[Block] | None  # stretches on duty in time order; None = round the clock
    takes: list[bool]  # per category index: may take its jobs
    field_takes: list[bool]  # `takes` less the admin categories (below min_field_share)
    rates: dict[str, float]  # work-rate multiplier per skill
    category_rates: list[float]  # extra multiplier per category (specialists on their own)
    resolves: list[float]  # per category: P(resolving at the grid what would go up)
    success: dict[str, float] = field(default_factory=dict)  # per skill: P(first attempt works)
    contact_bonus: float = 0.0  # share of not-at-home households still reached
    patrols: bool = False  # patrols the home grid while waiting for a job
    min_field_share: float | None = None
    overtime_limit: float | None = None
    no_show: float = 0.0
    meetings: list[tuple[float, float]] = field(default_factory=list)  # (start, end) hours
    standby: bool = False
    dropout_after: float | None = None
    dropout_p: float = 0.0
    fatigue_after: float | None = None
    fatigue_slowdown: float = 0.0
    fatigue_error: float = 0.0
    pay: object = None


class Staff:
    """One post, held by one person at a time, working `member`'s stations on `member`'s
    shifts. Without attrition or a pool the same person holds it for the whole run."""

    __slots__ = (
        "_activity",
        "_arrival",
        "_at_hire",
        "_field_takes",
        "_interrupted",
        "_job",
        "_meeting_until",
        "_overtime_since",
        "_shift_end",
        "_shift_start",
        "_signal",
        "_since",
        "_window_end",
        "absences",
        "accepting",
        "active",
        "away_h",
        "away_since",
        "category_rates",
        "cover",
        "env",
        "errors",
        "extension",
        "fatigue_after",
        "flow",
        "hired_at",
        "hires",
        "horizon",
        "hours",
        "in_step",
        "index",
        "job_ended",
        "jobs_done",
        "kind",
        "leavers",
        "left_at",
        "member",
        "min_field_share",
        "name",
        "novice_speed",
        "novice_until",
        "on_duty",
        "on_vacated",
        "overtime",
        "patrol",
        "process",
        "rates",
        "rng",
        "role",
        "scheduled",
        "serving",
        "shifts_missed",
        "states",
        "stations",
        "success",
        "takes",
        "unit",
        "unit_id",
        "vacant",
        "vacant_h",
        "vacant_since",
        "work_done",
    )

    def __init__(
        self,
        workplace: Workplace,
        index: int,
        member: Member,
        rng: np.random.Generator | None = None,
    ) -> None:
        self.env = workplace.env
        self.flow = workplace.flow
        self.states = workplace.states
        self.job_ended = workplace.job_ended
        self.patrol = workplace.patrol
        self.index = index
        self.member = member
        self.role, self.kind, self.name = member.role, member.kind, member.name
        self.unit, self.unit_id, self.stations = member.unit, member.unit_id, member.stations
        self.cover: list[Station] = []  # other grids' stations served while they are vacant
        self.serving = self.stations  # the stations plus the cover
        self.takes = member.takes
        self.accepting = member.takes  # what a station may hand over while this person waits
        self._field_takes = member.field_takes
        self.rates = member.rates
        self.category_rates = member.category_rates
        self.success = member.success
        self.min_field_share = member.min_field_share
        self.fatigue_after = member.fatigue_after
        self.rng = rng
        self.hours = dict.fromkeys(ACTIVITIES, 0.0)
        self.overtime = 0.0
        self.jobs_done = 0
        self.work_done = 0.0  # standard hours of the jobs done
        self.shifts_missed = 0
        self.errors = 0  # jobs done again because of tiredness
        self._shift_start = 0.0
        self.scheduled = 0.0  # hours of the shifts this person turned up for, within the horizon
        self.horizon = workplace.horizon
        self._shift_end = 0.0
        self.left_at: float | None = None
        self.active = not member.standby  # standby members wait for a plan to mobilise them
        self.vacant = False  # the person left and nobody holds the post yet
        self.vacant_since: float | None = None
        self.vacant_h = 0.0  # hours the post was vacant, up to the last change or flush
        self.absences = 0  # reasons the post's holder is away now (ill, office cut off)
        self.away_since: float | None = None
        self.away_h = 0.0  # hours away, up to the last change or flush
        self.leavers = self.hires = 0  # people who left the post, and who took it, in the run
        self.hired_at = 0.0  # when the person holding the post took it (< 0: before the run)
        self._at_hire: tuple[dict[str, float], float] | None = None  # None: all zero
        self.novice_until = -math.inf  # a new person works at `novice_speed` until then
        self.novice_speed = 1.0
        self.on_vacated: Callable[[Staff], None] | None = None  # a pool's book, told of dropouts
        self._interrupted = False
        self.extension = 0.0  # hours an emergency plan keeps them on past each shift end
        self._window_end: float | None = None  # end of the roster shift now running, if any
        self.on_duty = member.shifts is None and self.active
        self._activity = "idle" if self.on_duty else "off"
        self._since = 0.0
        self._overtime_since: float | None = None
        self._job: Job | None = None
        self._arrival: float | None = None  # when the job in hand's travel ends, if on the way
        self._meeting_until = 0.0  # end of the meeting this person is to attend, if any
        self._signal = self.env.event()
        self.states[index] = IDLE if self.on_duty else OFF
        self.process = self.env.process(self._work())
        self.in_step = False  # taken through the shifts with the others on the roster
        if member.shifts is not None:
            workplace.rosters.join(self.env, self, member.shifts)
        if member.meetings:
            self.env.process(self._meetings(member.meetings))

    # -- the work loop -------------------------------------------------------------------

    def _work(self):
        env = self.env
        while self.left_at is None:
            if not self.on_duty:
                self._meeting_until = 0.0  # off duty: out of any meeting, not back to it
                self._switch("off", OFF)
                self._signal = env.event()
                yield self._signal
                continue
            if self._meeting_until > env.now:
                yield from self._attend_meeting()
                continue
            job = self._next_job()
            if job is None:
                job = yield from self._wait_for_job()
                if job is None:
                    continue
                if self.vacant:  # handed a job at the very instant the person left
                    job.station.submit(job)
                    continue
            yield from self._do(job)
        self._switch("off", OFF)

    def _next_job(self) -> Job | None:
        """The most urgent waiting job this person may take, across their stations: the least
        queue head of a category `takes` allows (heads never tie: every arrival has its own
        number)."""
        takes = self.takes
        if self.min_field_share is not None and self._below_field_share():
            takes = self._field_takes
        best = chosen = None
        category = 0
        for station in self.serving:
            head = station.head  # the station's least head: nothing there can come before it
            if head is None or (best is not None and best < head):
                continue
            if takes[station.head_category]:
                best, chosen, category = head, station, station.head_category
                continue
            allowed = station.best(takes)
            if allowed is not None and (best is None or allowed[0] < best):
                (best, category), chosen = allowed, station
        return None if chosen is None else chosen.take(category)

    def _field_deficit(self) -> float:
        """Field hours (visits and patrol) short of `min_field_share` of the on-duty hours so
        far (≤ 0: the share is reached)."""
        field = self.hours["visits"] + self.hours["patrol"]
        on_duty = sum(self.hours.values()) - self.hours["off"]
        return self.min_field_share * on_duty - field

    def _below_field_share(self) -> bool:
        return self._field_deficit() > _FIELD_TOLERANCE

    def _field_share_reached_in(self) -> float | None:
        """Hours of patrol from now until field hours reach `min_field_share` of on-duty hours
        (None: never, with a share of 1)."""
        share = self.min_field_share
        return None if share >= 1.0 else max(0.0, self._field_deficit() / (1.0 - share))

    def _wait_for_job(self):
        """Wait, patrol or drop out until handed a job; None if the wait ended without one."""
        env, member = self.env, self.member
        signal = self._signal = env.event()
        below = self.min_field_share is not None and self._below_field_share()
        self.accepting = self._field_takes if below else self.takes
        for station in self.serving:
            station.idle[self] = None
        if member.patrols:
            self._switch("patrol", IDLE)
            self.patrol.started(self)  # an issue found may be handed to this person
            catch_up = self._field_share_reached_in() if below else None
            if catch_up is None:
                yield signal
            else:  # forms set aside until then: look again when the share is reached
                yield FirstOf(env, signal, env.timeout(catch_up))
            self.patrol.stopped(self)
        elif member.dropout_after is not None:
            self._switch("idle", IDLE)
            yield FirstOf(env, signal, env.timeout(member.dropout_after))
            if not signal.triggered and self.rng.random() < member.dropout_p:
                if self.on_vacated is not None:  # leaves a pool, whose place may be taken
                    self.on_vacated(self)
                else:  # motivation gone: leaves the team for good
                    self.left_at = env.now
                    self.scheduled -= max(0.0, min(self._shift_end, self.horizon) - env.now)
        else:
            self._switch("idle", IDLE)
            yield signal
        if signal.triggered:
            return signal.value
        self._unregister()
        return None

    def _attend_meeting(self):
        """In the meeting until it ends, or until going off duty: no job, no patrol."""
        env = self.env
        self._switch("meetings", BUSY)
        signal = self._signal = env.event()
        yield FirstOf(env, signal, env.timeout(self._meeting_until - env.now))

    def _meetings(self, times: list[tuple[float, float]]):
        """Call this person to each meeting (start, end) that finds them on duty: at once if
        idle or patrolling, after the job in hand otherwise (they join late)."""
        env = self.env
        for start, end in times:
            yield env.timeout(start - env.now)
            yield env.timeout(0.0)  # after a shift that begins at this instant has begun
            if self.left_at is not None:
                return
            if not self.on_duty:
                continue
            self._meeting_until = end
            if self._job is None and not self._signal.triggered:
                self._unregister()
                self._signal.succeed(None)

    def _do(self, job: Job):
        env = self.env
        case = job.case
        if case.post and case.deadline <= env.now + job.travel:  # the post's shift is over
            self.flow.lapse(case)  # taken at the very instant it ended: nobody staffed it
            return
        self._job = job
        if not self.on_duty:  # handed a job at the very instant the shift ended
            self._overtime_since = env.now
        job.started = env.now
        self.flow.job_started(job, self)
        travel = job.travel
        if case.post:  # a duty post: staffed until its shift ends, by whoever comes, whenever
            duration, tired = max(0.0, case.deadline - env.now - travel), False
            job.work = duration
        else:
            duration = job.work / (self.rates[job.skill] * self.category_rates[case.category])
            tired = (
                self.fatigue_after is not None and env.now - self._shift_start >= self.fatigue_after
            )
            if tired:
                duration *= 1.0 + self.member.fatigue_slowdown
            if self.novice_until > env.now:
                duration /= self.novice_speed
        if travel > 0:  # on the way, then at work: one wait, the hours split when accounted
            self._switch("travel", BUSY)
            self._arrival = env.now + travel
        else:
            self._switch(case.activity, BUSY)
        begun = env.now
        try:
            yield env.timeout(travel + duration)
        except simpy.Interrupt:  # overtime limit reached, or the person left: hand the rest back
            self._interrupted = False
            worked = env.now - begun - travel
            if case.post and worked > 0:
                self.flow.staffed(case, worked)
            if worked > 0 and duration > 0:
                job.work *= 1.0 - worked / duration
            self._end_job(job, HANDED_BACK)
            job.station.submit(job)
            return
        self.jobs_done += 1
        if case.post:
            self.flow.staffed(case, duration)
        if tired and self.rng.random() < self.member.fatigue_error:
            self.errors += 1  # a tired mistake: the job is done again
            self._end_job(job, AGAIN)
            job.station.submit(job)
            return
        success = self.success
        if (
            success
            and job.purpose == HANDLE
            and job.tier == 0
            and case.activity == "cases"
            and case.attempts == 0
            and case.hardness >= success.get(job.skill, 1.0)
        ):  # the first attempt at settling a case failed (e.g. mediation): once more
            case.attempts += 1
            self._end_job(job, AGAIN)
            job.station.submit(job)
            return
        self._end_job(job, DONE)
        self.flow.job_done(job, self)

    def _end_job(self, job: Job, outcome: str) -> None:
        self.job_ended(job, self.index, self.env.now, outcome)
        if outcome == DONE:
            self.work_done += job.work
        if self._arrival is not None:  # the travel counted (all of it if handed back on the way)
            self._account()
            self._arrival = None
        self._job = None
        if self._overtime_since is not None:
            self.overtime += self.env.now - self._overtime_since
            self._overtime_since = None

    # -- being handed work, shifts and accounting ----------------------------------------

    @property
    def job_in_hand(self) -> Job | None:
        """The job this person is working on now, if any."""
        return self._job

    def assign(self, job: Job) -> None:
        """Hand this idle person a job (called by a station)."""
        self._unregister()
        self._signal.succeed(job)

    def resolves(self, case: Case) -> bool:
        """Whether this person settles at the grid a case that would otherwise go up."""
        return case.hardness < self.member.resolves[case.category]

    def contact(self, p_home: float) -> float:
        """Probability of reaching a household that is at home with probability `p_home`."""
        return p_home + (1.0 - p_home) * self.member.contact_bonus

    def serve(self, stations: list[Station]) -> None:
        """Serve these stations from now on (pooling); an idle person waits at the new ones."""
        waiting = self._waiting()
        self._unregister()
        self.stations = stations
        self._update_serving()
        if waiting:
            for station in self.serving:
                station.idle[self] = None

    def cover_for(self, stations: list[Station]) -> None:
        """Also serve these stations, of grids left without their own worker, from now on (none:
        stop covering); an idle person looks again at once."""
        if stations == self.cover:
            return
        waiting = self._waiting()
        self._unregister()
        self.cover = stations
        self._update_serving()
        if waiting and not self._signal.triggered:
            self._signal.succeed(None)

    def _update_serving(self) -> None:
        own = self.stations
        self.serving = own + [s for s in self.cover if s not in own] if self.cover else own

    def _waiting(self) -> bool:
        return any(self in station.idle for station in self.serving)

    def _unregister(self) -> None:
        for station in self.serving:
            station.idle.pop(self, None)

    def begin_block(self, block: Block) -> None:
        """The roster's stretch `block` begins now (`block.early` hours before its official
        start): on duty unless inactive, vacant, away or a no-show."""
        self._window_end = block.end
        if self.active and not self.vacant and not self.absences:
            member = self.member
            if member.no_show and self.rng.random() < member.no_show:
                self.shifts_missed += 1
            else:
                self._start_shift(block.start, block.end, block.first)

    def came_early(self, came: float) -> None:
        """The official start is now; on duty since `came` (hours), that counts as overtime."""
        if self.on_duty:
            self.overtime += self.env.now - came

    def stay_after(self, block: Block) -> float:
        """Hours this person stays on past the official end of `block`, which is now: routinely,
        or kept on by an emergency plan after a shift's last stretch (0 when off duty)."""
        if not self.on_duty:
            return 0.0
        return block.late + (self.extension if block.last else 0.0)

    def stayed(self, late: float) -> None:
        """Stayed `late` hours past the official end, which count as overtime; the stretch ends."""
        self.overtime += late
        self.end_block()

    def end_block(self) -> None:
        """The roster's stretch ends now: off duty until the next."""
        if self.on_duty:
            self._end_shift()
        self._window_end = None

    def _start_shift(self, start: float, end: float, first: bool = True) -> None:
        """Come on duty now for the official hours [start, end) (`start` may lie ahead: a
        routine early start); `first`: the shift begins now, not after a break."""
        env = self.env
        self.on_duty = True
        if first:
            self._shift_start = env.now
        self._shift_end = end
        self.scheduled += max(0.0, min(end, self.horizon) - max(start, env.now))
        if self._overtime_since is not None:  # still on last shift's job
            self.overtime += env.now - self._overtime_since
            self._overtime_since = None
        if self._job is None and not self._signal.triggered:
            self._signal.succeed(None)

    def _end_shift(self) -> None:
        self.on_duty = False
        if self._job is not None:
            self._overtime_since = self.env.now
            if self.member.overtime_limit is not None:
                self._limit_overtime(self._job, self.member.overtime_limit)
        elif not self._signal.triggered:
            self._unregister()
            self._signal.succeed(None)

    def activate(self) -> None:
        """Come on duty when mobilised: now, if within a shift of the roster (or round the
        clock), else at the next shift."""
        if self.active or self.left_at is not None:
            return
        self.active = True
        if not self.vacant and not self.absences:
            self._come_on_duty()

    def _come_on_duty(self) -> None:
        """On duty now if within a shift of the roster (or round the clock), else at the next."""
        end = self.horizon if self.member.shifts is None else self._window_end
        if end is not None and end > self.env.now and not self.on_duty:
            self._start_shift(self.env.now, end)

    def leave(self) -> None:
        """The person holding the post leaves now: off duty, the rest of the shift unworked, the
        job in hand handed back to its queue; the post is vacant until `take_post`."""
        self.leavers += 1
        self.start_vacant()

    def start_vacant(self) -> None:
        """Nobody holds the post from now (at the start of a run: it starts vacant)."""
        now = self.env.now
        self.vacant = True
        self.vacant_since = now
        if self.on_duty:
            self.scheduled -= max(0.0, min(self._shift_end, self.horizon) - now)
            self._end_shift()
        if self._job is not None:
            self._interrupt("left")

    def take_post(self, novice_until: float = -math.inf, speed: float = 1.0) -> None:
        """A new person takes the vacant post now, with a record of their own from here, no
        fatigue, working at `speed` until `novice_until` (a learning period), on duty at once
        if a shift is running and the team is not on standby."""
        now = self.env.now
        self.vacant_h += now - self.vacant_since
        self.vacant, self.vacant_since = False, None
        self.hires += 1
        self.start_record(now)
        self.novice_until, self.novice_speed = novice_until, speed
        if self.active:
            self._come_on_duty()

    def start_record(self, hired_at: float) -> None:
        """The person holding the post took it at `hired_at` (≤ now): their record starts
        from the post's totals now."""
        self.hired_at = hired_at
        self._account()
        self._at_hire = (dict(self.hours), self.work_done)

    def record_since_hire(self) -> tuple[dict[str, float], float]:
        """Hours by activity and standard hours of work done by the person holding the post,
        since they took it (up to the last flush)."""
        if self._at_hire is None:
            return dict(self.hours), self.work_done
        hours, work = self._at_hire
        return {a: self.hours[a] - hours[a] for a in ACTIVITIES}, self.work_done - work

    def busy_and_on_duty(self) -> tuple[float, float]:
        """Hours on jobs and hours on duty of the post so far (up to now)."""
        self._account()
        on = sum(self.hours.values()) - self.hours["off"]
        return sum(self.hours[a] for a in JOB_ACTIVITIES), on

    def absent(self) -> None:
        """The holder is away from now (ill, or their office cut off): off duty, the job in hand
        handed back to its queue, no shift started until `present` is called as often."""
        self.absences += 1
        if self.absences > 1:
            return
        now = self.env.now
        self.away_since = now
        if self.on_duty:
            self.scheduled -= max(0.0, min(self._shift_end, self.horizon) - now)
            self._end_shift()
        if self._job is not None:
            self._interrupt("away")

    def present(self) -> None:
        """One reason to be away ends; with none left, on duty again if a shift of the roster
        is running (or round the clock) and the post is active and held."""
        self.absences -= 1
        if self.absences:
            return
        self.away_h += self.env.now - self.away_since
        self.away_since = None
        if self.active and not self.vacant:
            self._come_on_duty()

    def _interrupt(self, cause: str) -> None:
        """Stop the job in hand (it is handed back), once."""
        if not self._interrupted:
            self._interrupted = True
            self.process.interrupt(cause)

    def deactivate(self) -> None:
        """Stand down: off duty (finishing the job in hand) until mobilised again."""
        if not self.active:
            return
        self.active = False
        if self.on_duty:
            self.scheduled -= max(0.0, min(self._shift_end, self.horizon) - self.env.now)
            self._end_shift()

    def _limit_overtime(self, job: Job, limit: float) -> None:
        """Interrupt `job` if it is still in hand `limit` hours after the shift ended."""

        def check(_event) -> None:
            if self._job is job and not self.on_duty:
                self._interrupt("overtime limit")

        self.env.timeout(limit).callbacks.append(check)

    def _switch(self, activity: str, state: int) -> None:
        now = self.env.now
        if self._arrival is not None:
            self._arrive(now)
        self.hours[self._activity] += now - self._since
        self._activity = activity
        self._since = now
        self.states[self.index] = state

    def _account(self) -> None:
        """Count the time since the last switch to the activity under way."""
        now = self.env.now
        if self._arrival is not None:
            self._arrive(now)
        self.hours[self._activity] += now - self._since
        self._since = now

    def _arrive(self, now: float) -> None:
        """If the job in hand's travel is over by `now`, count it and work from its end."""
        arrival = self._arrival
        if now >= arrival:
            self.hours["travel"] += arrival - self._since
            self._activity, self._since, self._arrival = self._job.case.activity, arrival, None

    def flush(self) -> None:
        """Account the time since the last switch (call at the end of a run)."""
        now = self.env.now
        if self.vacant:
            self.vacant_h += now - self.vacant_since
            self.vacant_since = now
        if self.away_since is not None:
            self.away_h += now - self.away_since
            self.away_since = now
        if self.member.shifts is None and not self.member.standby:
            self.scheduled = now - self.vacant_h - self.away_h
        self._account()
        if self._overtime_since is not None:
            self.overtime += now - self._overtime_since
            self._overtime_since = now
