"""A member of staff as a SimPy process: on duty, take the most urgent job from the stations
they serve; when there is none, patrol (grid workers) or wait; every hour goes to an activity."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from sim.config.schema import Shift

if TYPE_CHECKING:
    from sim.model import GridModel
    from sim.work.case import Job
    from sim.work.station import Station

#: Activities every hour of a worker is accounted to (hours by activity in workers.parquet).
#: `visits` are revisits and home visits; `visits` + `patrol` is field time.
ACTIVITIES: tuple[str, ...] = ("cases", "admin", "visits", "patrol", "travel", "idle", "off")
OFF, IDLE, BUSY = 0, 1, 2


class Staff:
    """One person serving `stations` on a shift; a job of `work` hours for a standard worker
    takes `work / rates[skill]` hours."""

    def __init__(
        self,
        model: GridModel,
        index: int,
        role: str,
        name: str,
        unit: int,
        unit_id: str,
        stations: list[Station],
        shift: Shift,
        rates: dict[str, float],
        patrol_round: float | None = None,
        on_patrol: Callable[[Staff, float], None] | None = None,
    ) -> None:
        self.env = model.env
        self.flow = model.flow
        self.states = model.metrics.staff_state
        self.index = index
        self.role = role
        self.name = name
        self.unit = unit
        self.unit_id = unit_id
        self.stations = stations
        self.rates = rates
        self.patrol_round = patrol_round
        self.on_patrol = on_patrol
        self.hours = dict.fromkeys(ACTIVITIES, 0.0)
        self.overtime = 0.0
        self.jobs_done = 0
        self.on_duty = shift.round_the_clock
        self._activity = "idle" if self.on_duty else "off"
        self._since = 0.0
        self._overtime_since: float | None = None
        self._busy = False
        self._signal = self.env.event()
        self.states[index] = IDLE if self.on_duty else OFF
        self.env.process(self._work())
        if not shift.round_the_clock:
            self.env.process(self._roster(model.calendar.shifts(shift, model.horizon)))

    # -- the work loop -------------------------------------------------------------------

    def _work(self):
        env = self.env
        while True:
            if not self.on_duty:
                self._switch("off", OFF)
                self._signal = env.event()
                yield self._signal
                continue
            job = self._next_job()
            if job is None:
                job = yield from self._wait_for_job()
                if job is None:
                    continue
            yield from self._do(job)

    def _next_job(self) -> Job | None:
        """The most urgent waiting job across this person's stations."""
        best = None
        for station in self.stations:
            if station.queue and (best is None or station.queue[0] < best.queue[0]):
                best = station
        return best.take() if best is not None else None

    def _wait_for_job(self):
        """Wait (or patrol) until handed a job; None if the wait ended without one."""
        env = self.env
        signal = self._signal = env.event()
        for station in self.stations:
            station.idle[self] = None
        if self.patrol_round is None:
            self._switch("idle", IDLE)
            return (yield signal)
        self._switch("patrol", IDLE)
        start = env.now
        yield signal | env.timeout(self.patrol_round)
        self.on_patrol(self, env.now - start)  # may hand this person a job it discovered
        if signal.triggered:
            return signal.value
        self._unregister()
        return None

    def _do(self, job: Job):
        env = self.env
        self._busy = True
        if not self.on_duty:  # handed a job at the very instant the shift ended
            self._overtime_since = env.now
        self.flow.job_started(job, self)
        if job.travel > 0:
            self._switch("travel", BUSY)
            yield env.timeout(job.travel)
        self._switch(job.case.activity, BUSY)
        yield env.timeout(job.work / self.rates[job.skill])
        self._busy = False
        if self._overtime_since is not None:
            self.overtime += env.now - self._overtime_since
            self._overtime_since = None
        self.jobs_done += 1
        self.flow.job_done(job, self)

    # -- being handed work, shifts and accounting ----------------------------------------

    def assign(self, job: Job) -> None:
        """Hand this idle person a job (called by a station)."""
        self._unregister()
        self._signal.succeed(job)

    def _unregister(self) -> None:
        for station in self.stations:
            station.idle.pop(self, None)

    def _roster(self, shifts: Iterable[tuple[float, float]]):
        env = self.env
        for start, end in shifts:
            if start > env.now:
                yield env.timeout(start - env.now)
            self.on_duty = True
            if self._overtime_since is not None:  # still on last shift's job
                self.overtime += env.now - self._overtime_since
                self._overtime_since = None
            if not self._busy and not self._signal.triggered:
                self._signal.succeed(None)
            yield env.timeout(end - env.now)
            self.on_duty = False
            if self._busy:
                self._overtime_since = env.now
            elif not self._signal.triggered:
                self._unregister()
                self._signal.succeed(None)

    def _switch(self, activity: str, state: int) -> None:
        now = self.env.now
        self.hours[self._activity] += now - self._since
        self._activity = activity
        self._since = now
        self.states[self.index] = state

    def flush(self) -> None:
        """Account the time since the last switch (call at the end of a run)."""
        now = self.env.now
        self.hours[self._activity] += now - self._since
        self._since = now
        if self._overtime_since is not None:
            self.overtime += now - self._overtime_since
            self._overtime_since = now
