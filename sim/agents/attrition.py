"""Members who leave a team and the posts they leave behind (队伍流动性强, docs/sources.md A46).

Each member leaves at a hazard: the team's base rate, scaled by pay against a reference pay, by
contract and, if set, by their utilisation over the last weeks (settings: sim.config.teams
`Attrition`). The hazard is piecewise constant by day: at each midnight it is worked out for
the day, and a member leaves at the exact moment the hazard accumulated since they took the
post reaches their threshold — an Exp(1) number drawn ahead for the k-th person to hold each
post (stream `attrition/<team>`). The post then stays vacant for a recruitment delay, drawn
ahead for the k-th vacancy of each post (stream `recruitment/<team>`), while the team's
members in the same community cover its grids; then a new person takes it.

Common random numbers, as tight as they can be: the numbers belong to (post, person) and (post,
vacancy), never to a day or a state. With a hazard that is lower at every moment (better pay,
a better contract), each person stays at least as long and each vacancy lasts as long, so every
departure from every post comes later, pathwise: a better-paid arm loses no more members by any
time, in every replication (tested). Uniforms per member and day would lose the pairing at the
first difference between the arms.
"""

from __future__ import annotations

import math
from collections import deque
from typing import TYPE_CHECKING

import numpy as np

from sim.agents.presampled import Presampled

if TYPE_CHECKING:
    import simpy

    from sim.agents.staff import Staff
    from sim.config.teams import Team
    from sim.rng import Streams
    from sim.work.station import Station

DAY = 24.0


class Attrition:
    """The posts of one team (`staff`, one per post, each in community `community[p]`): who
    holds each, when they leave, when each vacancy is filled, and who covers vacant grids.
    `events` lists every change in the run: (time, post, +1 taken / −1 left)."""

    def __init__(
        self,
        env: simpy.Environment,
        name: str,
        team: Team,
        staff: list[Staff],
        community: list[int],
        streams: Streams,
        horizon: float,
    ) -> None:
        spec = team.attrition
        self.env = env
        self.spec = spec
        self.staff = staff
        self.community = community
        self.horizon = horizon
        self.base = spec.base_hazard(team.pay)  # per hour
        n = len(staff)
        leave_stream = streams.get(f"attrition/{name}")
        hire_stream = streams.get(f"recruitment/{name}")
        self.thresholds = Presampled(lambda k: leave_stream.exponential(1.0, k), n)
        self.delays = Presampled(lambda k: spec.recruitment_delay.sample(hire_stream, k), n)
        self.person = np.zeros(n, dtype=np.int64)  # number of the person holding (or next to)
        self.vacancies = np.zeros(n, dtype=np.int64)  # vacancies of each post so far
        self.threshold = np.zeros(n)  # the holder's threshold of accumulated hazard
        self.used = np.zeros(n)  # hazard the holder has accumulated up to `accounted`
        self.accounted = np.zeros(n)
        self.leaving = np.zeros(n, dtype=bool)  # the holder's departure is scheduled
        self.filled = np.ones(n, dtype=bool)
        self.events: list[tuple[float, int, int]] = []
        self.posts_of: dict[int, list[int]] = {}
        for post, c in enumerate(community):
            self.posts_of.setdefault(c, []).append(post)
        workload = spec.workload
        self._window = math.ceil(workload.window / DAY) if workload else 0
        self._history: deque[np.ndarray] = deque(maxlen=self._window + 1)
        self._at_hire = np.zeros((2, n))  # busy and on-duty hours of the post at the last hire
        for post in range(n):
            self._start(post)
        self.filled_at_start = self.filled.copy()
        for c in self.posts_of:
            self._cover(c)
        env.process(self._days())

    # -- the state at the start ----------------------------------------------------------

    def _start(self, post: int) -> None:
        """The post at time 0: leaving and hiring run for `burn_in` hours before it at the base
        hazard (none: the first person holds it from time 0)."""
        t, person, vacancy = -self.spec.burn_in, 0, 0
        while self.base > 0:
            left = t + self.thresholds.get(post, person) / self.base
            if left >= 0.0:
                break
            hired = left + self.delays.get(post, vacancy)
            person, vacancy = person + 1, vacancy + 1
            if hired >= 0.0:
                self.person[post], self.vacancies[post] = person, vacancy
                self.filled[post] = False
                self.staff[post].start_vacant()
                self._at(hired, lambda _, p=post: self._hire(p))
                return
            t = hired
        self.person[post], self.vacancies[post] = person, vacancy
        self.threshold[post] = self.thresholds.get(post, person)
        self.used[post] = self.base * -t
        staff = self.staff[post]
        staff.start_record(t)
        if self.spec.learning is not None and person > 0:  # hired during the burn-in
            staff.novice_until = t + self.spec.learning.period
            staff.novice_speed = self.spec.learning.speed

    # -- day by day ----------------------------------------------------------------------

    def _days(self):
        start = 0.0
        while start < self.horizon:
            end = start + DAY
            rates = self.base * self._workload_factors()
            due = np.flatnonzero(self.filled & ~self.leaving & (self.accounted < end))
            self._advance(due, rates[due], end)
            yield self.env.timeout(DAY)
            start = end

    def _advance(self, posts: np.ndarray, rates: np.ndarray, until: float) -> None:
        """Accumulate each post's hazard at `rates` (per hour) up to `until`, scheduling the
        departure of a holder whose threshold is reached before then."""
        with np.errstate(divide="ignore"):
            at = self.accounted[posts] + (self.threshold[posts] - self.used[posts]) / rates
        leaves = at < until
        for post, time in zip(posts[leaves], at[leaves], strict=True):
            self.leaving[post] = True
            self._at(time, lambda _, p=int(post): self._leave(p))
        stay = posts[~leaves]
        self.used[stay] += rates[~leaves] * (until - self.accounted[stay])
        self.accounted[stay] = until

    def _workload_factors(self) -> np.ndarray:
        """Per post: (utilisation over the window / reference) ** elasticity, 1 without a
        workload setting or without hours on duty to judge by."""
        workload = self.spec.workload
        if workload is None:
            return np.ones(len(self.staff))
        now = np.array([staff.busy_and_on_duty() for staff in self.staff]).T  # 2 × posts
        self._history.append(now)
        oldest = self._history[0]
        window_start = self.env.now - self._window * DAY
        hired = np.array([staff.hired_at for staff in self.staff])
        since = np.where(hired <= window_start, oldest, self._at_hire)
        busy, on = now - since
        with np.errstate(divide="ignore", invalid="ignore"):
            factor = (busy / on / workload.reference) ** workload.elasticity
        return np.where(on > 1e-9, factor, 1.0)

    # -- leaving and hiring ------------------------------------------------------------

    def _at(self, time: float, callback) -> None:
        self.env.timeout(time - self.env.now).callbacks.append(callback)

    def _leave(self, post: int) -> None:
        now = self.env.now
        self.staff[post].leave()
        self.filled[post] = self.leaving[post] = False
        self.events.append((now, post, -1))
        delay = self.delays.get(post, int(self.vacancies[post]))
        self.vacancies[post] += 1
        self.person[post] += 1
        self._at(now + delay, lambda _, p=post: self._hire(p))
        self._cover(self.community[post])

    def _hire(self, post: int) -> None:
        now = self.env.now
        staff = self.staff[post]
        learning = self.spec.learning
        if learning is None:
            staff.take_post()
        else:
            staff.take_post(now + learning.period, learning.speed)
        self.filled[post] = True
        self.threshold[post] = self.thresholds.get(post, int(self.person[post]))
        self.used[post], self.accounted[post] = 0.0, now
        if self.spec.workload is not None:
            self._at_hire[:, post] = staff.busy_and_on_duty()
        self.events.append((now, post, +1))
        self._cover(self.community[post])
        midnight = (math.floor(now / DAY) + 1) * DAY  # a new person: no workload to judge by
        self._advance(np.array([post]), np.array([self.base]), midnight)

    def _cover(self, community: int) -> None:
        """The grids of the community's posts that no holder serves go to every holder there."""
        if not self.spec.cover:
            return
        posts = self.posts_of[community]
        held = [p for p in posts if self.filled[p]]
        served = {station for p in held for station in self.staff[p].stations}
        orphans: list[Station] = list(
            dict.fromkeys(s for p in posts for s in self.staff[p].stations if s not in served)
        )
        for p in posts:
            own = self.staff[p].stations
            self.staff[p].cover_for([s for s in orphans if s not in own] if self.filled[p] else [])
