"""Volunteers who come and go (docs/sources.md A88): a pool per community, a birth–death process
(M/M/∞, or Erlang's loss system when its places run out). Volunteers join a community's pool as
a Poisson stream and each stays an exponential time; a call (a plan mobilising the team)
reaches every volunteer in the pool, and each who joins while it is in force, and each answers
with a probability after a response delay, then works the team's roster until the plan stands
down (settings: sim.config.teams `VolunteerPool`).

Everything random is drawn ahead from dedicated streams, by community and volunteer, never by
state: join times (`pool/<team>/join`), stays (`pool/<team>/stay`; `pool/<team>/start` for
those in the pool at the start) and, for the k-th call, each volunteer's answer and delay
(`pool/<team>/call<k>`). The pool's size over time therefore does not depend on the work, and
two arms with the same seed see the same volunteers come and go.

The pool's places are the team's posts (a fixed number per community): a volunteer who joins
takes the lowest free place, one who leaves frees it; a joiner who finds none free is turned
away.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from sim.agents.presampled import Presampled

if TYPE_CHECKING:
    import simpy

    from sim.agents.staff import Staff
    from sim.config.teams import Team
    from sim.rng import Streams


def stationary_sizes(mean: float, places: int, uniforms: np.ndarray) -> np.ndarray:
    """Pool sizes drawn from the stationary law of a pool with `places` places: Poisson with
    mean `mean` truncated at `places` (Erlang's loss system; untruncated in effect when the
    places are ample), by inversion of `uniforms`."""
    if mean <= 0:
        return np.zeros(len(uniforms), dtype=np.int64)
    k = np.arange(places + 1)
    log_factorial = np.cumsum(np.log(np.maximum(k, 1)))
    cdf = np.cumsum(np.exp(k * math.log(mean) - mean - log_factorial))
    return np.minimum(np.searchsorted(cdf / cdf[-1], uniforms, side="right"), places)


class VolunteerPool:
    """The pool of one team: its places (`staff`, one per place, place p in community
    `community[p]`), who holds each, and the calls. `events` lists every change in the run:
    (time, community, +1 joined / −1 left)."""

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
        spec = team.pool
        self.env = env
        self.name = name
        self.spec = spec
        self.standby = team.standby
        self.staff = staff
        self.community = community
        self.streams = streams
        self.communities = sorted(set(community))
        self._index = {c: i for i, c in enumerate(self.communities)}
        self.places = {c: [p for p, k in enumerate(community) if k == c] for c in self.communities}
        self.post_of = {id(s): p for p, s in enumerate(staff)}
        self.holder: list[int | None] = [None] * len(staff)  # volunteer holding each place
        self.events: list[tuple[float, int, int]] = []
        self.joined = self.turned_away = self.left = self.answered = self.calls = 0
        self._round = 0  # a call and its stand-down each start a new round
        self._in_force = False
        start = streams.get(f"pool/{name}/start")
        n = len(self.communities)
        if spec.initial == "stationary":
            counts = stationary_sizes(spec.mean_size, spec.slots, start.random(n))
        else:
            counts = np.full(n, spec.initial)
        self.at_start = {c: int(k) for c, k in zip(self.communities, counts, strict=True)}
        stays = start.exponential(1.0 / spec.leave_rate, int(counts.sum()))
        first = dict(zip(self.communities, np.cumsum(counts) - counts, strict=True))
        for c in self.communities:
            for i, place in enumerate(self.places[c]):
                if i < self.at_start[c]:
                    self._occupy(place, -(i + 1), float(stays[first[c] + i]))
                else:
                    staff[place].start_vacant()
        self.join_times = self._join_times(horizon)
        stay_stream = streams.get(f"pool/{name}/stay")
        self._stays = Presampled(lambda k: stay_stream.exponential(1.0, k), n)
        for c, times in self.join_times.items():
            for j, time in enumerate(times):
                env.timeout(time).callbacks.append(lambda _, c=c, j=j: self._join(c, j))
        for staff_member in staff:
            staff_member.on_vacated = self._dropped

    def _join_times(self, horizon: float) -> dict[int, list[float]]:
        """Each community's join times before the horizon: a Poisson stream at `join_rate`."""
        rate = self.spec.join_rate
        out: dict[int, list[float]] = {c: [] for c in self.communities}
        if rate <= 0:
            return out
        stream = self.streams.get(f"pool/{self.name}/join")
        gaps = Presampled(lambda k: stream.exponential(1.0, k), len(self.communities))
        for i, c in enumerate(self.communities):
            time = gaps.get(i, 0) / rate
            while time < horizon:
                out[c].append(time)
                time += gaps.get(i, len(out[c])) / rate
        return out

    # -- coming and going --------------------------------------------------------------

    def _occupy(self, place: int, volunteer: int, stay: float) -> None:
        """Volunteer `volunteer` (of the place's community) holds the place for `stay` hours."""
        self.holder[place] = volunteer
        self.env.timeout(stay).callbacks.append(lambda _, p=place, v=volunteer: self._leave(p, v))

    def _join(self, community: int, j: int) -> None:
        self.joined += 1
        free = [p for p in self.places[community] if self.holder[p] is None]
        if not free:
            self.turned_away += 1
            return
        place = free[0]
        self.staff[place].take_post()
        stay = self._stays.get(self._index[community], j) / self.spec.leave_rate
        self._occupy(place, j, stay)
        self.events.append((self.env.now, community, +1))
        if self._in_force:
            self._answer(place)

    def _leave(self, place: int, volunteer: int) -> None:
        if self.holder[place] != volunteer:  # dropped out before
            return
        self._vacate(place)

    def _dropped(self, staff: Staff) -> None:
        """A volunteer left idle lost heart and leaves the pool (the team's `dropout`)."""
        self._vacate(self.post_of[id(staff)])

    def _vacate(self, place: int) -> None:
        staff = self.staff[place]
        self.holder[place] = None
        if self.standby:
            staff.deactivate()
        staff.leave()
        self.left += 1
        self.events.append((self.env.now, self.community[place], -1))

    # -- calls -------------------------------------------------------------------------

    def call(self) -> int:
        """A call goes out now: every volunteer in the pool, and every one who joins while it
        is in force, answers with probability `answer` after `response_delay`. Returns the
        number of volunteers it reached."""
        self.calls += 1
        self._round += 1
        self._in_force = True
        stream = self.streams.get(f"pool/{self.name}/call{self.calls}")
        self._draws = {}
        for c in self.communities:  # per volunteer: initial ones, then joiners, by community
            n = self.at_start[c] + len(self.join_times[c])
            self._draws[c] = (stream.random(n), self.spec.response_delay.sample(stream, n))
        reached = [p for p, v in enumerate(self.holder) if v is not None]
        for place in reached:
            self._answer(place)
        return len(reached)

    def _answer(self, place: int) -> None:
        volunteer, c = self.holder[place], self.community[place]
        answers, delays = self._draws[c]
        k = -volunteer - 1 if volunteer < 0 else self.at_start[c] + volunteer
        if answers[k] >= self.spec.answer:
            return
        round_ = self._round
        self.env.timeout(float(delays[k])).callbacks.append(
            lambda _, p=place, v=volunteer: self._arrive(p, v, round_)
        )

    def _arrive(self, place: int, volunteer: int, round_: int) -> None:
        if round_ == self._round and self.holder[place] == volunteer:
            self.answered += 1
            self.staff[place].activate()

    def stand_down(self) -> None:
        """The call ends: every volunteer off duty, answers still on their way cancelled."""
        self._round += 1
        self._in_force = False
        for staff in self.staff:
            staff.deactivate()
