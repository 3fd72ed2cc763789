"""Channels residents take their needs to (article #3, A65): the grid worker, the 12345 hotline,
the property company (物业).

A need drawn by the resident source is first reported or not (under-reporting), then taken to a
channel chosen by a multinomial logit (docs/sources.md Q15): a base utility per channel, a
penalty when no member serving the grid is on duty at that moment, a penalty for a desk that is
closed, and the household's own satisfaction with each channel (sim.agents.household); the
property company only for a household living in a compound that has one (`managed`). The grid
worker opens a case at once. A desk is a SimPy queue with `agents` servers and room for
`capacity` calls in all: a call that finds it full or closed is blocked, and the caller tries the
next channel they prefer (the logit over the channels not yet tried) with probability `persist`,
else gives up; an answered call is settled at the desk or becomes a work order (工单) that opens a
grid case of the same category and household after a forwarding delay. Every random number a
need uses (reporting, each choice, persisting, settling, talk and forwarding times) is drawn with
its batch by the resident source, so two staffing arms with the same seed share them.

Satisfaction comes from ratings (打分评价): when a case opened through a channel reaches the
loop's rating step, when a call is settled at a desk, and when a desk blocks a call.
"""

from __future__ import annotations

import math
from array import array
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import simpy
from scipy.special import expit, logit

from sim.calendar import shift_times
from sim.config.channels import Channels
from sim.config.channels import Desk as DeskSpec
from sim.theory import mmck
from sim.vocabulary import CHANNELS, WEEKDAYS
from sim.work.case import FEEDBACK

if TYPE_CHECKING:
    from sim.agents.household import Households
    from sim.agents.staff import Staff
    from sim.calendar import Calendar
    from sim.config.teams import Shift, Team
    from sim.rng import Streams
    from sim.work.case import Case

GRID = CHANNELS.index("grid")
PROPERTY = CHANNELS.index("property")
#: What became of a need: never reported; taken to the grid worker; settled at a desk; forwarded
#: from a desk as a work order; given up after a desk blocked the call; at a desk at the horizon.
ROUTES: tuple[str, ...] = ("unreported", "grid", "settled", "forwarded", "gave_up", "at_desk")
UNREPORTED, DIRECT, SETTLED, FORWARDED, GAVE_UP, AT_DESK = range(len(ROUTES))
#: How a call ended: answered; blocked because the desk was full or closed; at the horizon,
#: still waiting or still talking.
CALL_OUTCOMES: tuple[str, ...] = ("answered", "full", "closed", "waiting", "talking")
ANSWERED, FULL, CLOSED_DESK, WAITING, TALKING = range(len(CALL_OUTCOMES))
#: Columns of the needs log (`Switchboard.needs`) and of the calls log (`Desk.calls`).
NEED_FIELDS = ("need_h", "grid", "household", "category", "first", "last", "tries", "route")
CALL_FIELDS = ("desk", "resident", "arrived_h", "started_h", "ended_h", "outcome")


def rating(hours: float, on_time: bool, patience: float, late: float) -> float:
    """A household's rating in [0, 1] of a need handled in `hours` (from the need to the result):
    1 / (1 + hours / patience), times `late` if the result came after the deadline."""
    return (1.0 if on_time else late) / (1.0 + hours / patience)


def choice_probabilities(utilities: np.ndarray) -> np.ndarray:
    """Multinomial logit: exp(U_c) / Σ exp(U_j); a channel at −inf is not offered (P = 0)."""
    finite = np.isfinite(utilities)
    if not finite.any():
        return np.zeros_like(utilities)
    weights = np.where(finite, np.exp(utilities - utilities[finite].max()), 0.0)
    return weights / weights.sum()


def choose(utilities: np.ndarray, u: float) -> int:
    """The channel a uniform `u` picks by inverting the logit's cumulative probabilities."""
    cumulative = np.cumsum(choice_probabilities(utilities))
    return int(
        min(np.searchsorted(cumulative, u * cumulative[-1], side="right"), len(cumulative) - 1)
    )


def report_probability(base: float, weight: float, satisfaction: float, initial: float) -> float:
    """P(a need is reported): logistic(logit(base) + weight·(satisfaction − initial))."""
    return float(expit(logit(base) + weight * (satisfaction - initial)))


@dataclass
class NeedDraws:
    """Random numbers of a batch of needs, drawn with the batch (row i: need i): reporting, the
    choice at each try, persisting after each block, settling at a desk; talk and forwarding
    times per desk (columns in `Switchboard.desks` order)."""

    report: np.ndarray
    choose: np.ndarray
    persist: np.ndarray
    settle: np.ndarray
    talk: np.ndarray
    forward: np.ndarray


class Call:
    """One call at a desk: when it arrived and was answered (NaN: not yet), its talk time, and
    whether a resident of the modelled area made it."""

    __slots__ = ("arrived", "resident", "started", "talk")

    def __init__(self, arrived: float, talk: float, resident: bool) -> None:
        self.arrived = arrived
        self.talk = talk
        self.resident = resident
        self.started = math.nan


class Desk:
    """A desk on SimPy: a `simpy.Resource` of `spec.agents` servers, room for `spec.capacity`
    calls in all, open in the stretches `blocks` (None: round the clock). Calls that find it
    full or closed are blocked, and so are calls during an outage (`cut_off`: the line is
    down, which callers do not know beforehand, unlike its hours). It counts the calls in it
    over time (`area`, call-hours) and logs every call (`calls`, CALL_FIELDS)."""

    def __init__(
        self,
        env: simpy.Environment,
        index: int,
        name: str,
        spec: DeskSpec,
        calendar: Calendar,
        horizon: float,
        background: np.random.Generator,
    ) -> None:
        self.env = env
        self.index = index
        self.name = name
        self.channel = CHANNELS.index(name)
        self.spec = spec
        self.servers = simpy.Resource(env, capacity=spec.agents)
        blocks = shift_times(calendar, horizon, [spec.hours])
        self.starts = None if blocks is None else [b.start for b in blocks]
        self.ends = None if blocks is None else [b.end for b in blocks]
        self.present: dict[Call, None] = {}
        self.outages = 0  # outages in force now
        self.area = 0.0
        self._last = 0.0
        self.calls = array("d")
        if spec.background > 0:
            env.process(self._background(background, horizon))

    def is_open(self, t: float) -> bool:
        """Whether the desk is open at time `t` (hours)."""
        if self.starts is None:
            return True
        k = bisect_right(self.starts, t) - 1
        return k >= 0 and t < self.ends[k]

    def open_hours(self, start: float, end: float) -> float:
        """Hours the desk is open within [start, end)."""
        if self.starts is None:
            return max(end - start, 0.0)
        return sum(
            max(0.0, min(b, end) - max(a, start))
            for a, b in zip(self.starts, self.ends, strict=True)
        )

    def cut_off(self, down: bool) -> None:
        """An outage of the line starts (`down`) or ends: while one is in force every call
        arriving is blocked as closed; calls already in the desk go on."""
        self.outages += 1 if down else -1

    def admit(self, talk: float, resident: bool) -> Call | None:
        """A call arrives now: the call if it gets in, None if the desk is closed, cut off or
        full."""
        now = self.env.now
        closed = self.outages > 0 or not self.is_open(now)
        if closed or len(self.present) >= self.spec.capacity:
            outcome = CLOSED_DESK if closed else FULL
            self.calls.extend((self.index, resident, now, math.nan, math.nan, outcome))
            return None
        call = Call(now, talk, resident)
        self._count(now)
        self.present[call] = None
        return call

    def serve(self, call: Call):
        """SimPy process body: wait for an agent, talk, hang up."""
        with self.servers.request() as request:
            yield request
            call.started = self.env.now
            yield self.env.timeout(call.talk)
        now = self.env.now
        self._count(now)
        del self.present[call]
        self.calls.extend((self.index, call.resident, call.arrived, call.started, now, ANSWERED))

    def area_until(self, t: float) -> float:
        """Call-hours spent in the desk (waiting or talking) from 0 to `t` ≥ the last change."""
        return self.area + len(self.present) * (t - self._last)

    def unfinished(self) -> list[tuple[float, ...]]:
        """Log rows of the calls still in the desk (waiting or talking)."""
        return [
            (
                self.index,
                c.resident,
                c.arrived,
                c.started,
                math.nan,
                WAITING if math.isnan(c.started) else TALKING,
            )
            for c in self.present
        ]

    def _count(self, now: float) -> None:
        self.area += len(self.present) * (now - self._last)
        self._last = now

    def _background(self, rng: np.random.Generator, horizon: float):
        """Poisson calls from outside the modelled area, drawn a day at a time."""
        env, day = self.env, 0
        while day * 24.0 < horizon:
            n = rng.poisson(self.spec.background * 24.0)
            times = day * 24.0 + np.sort(rng.random(n)) * 24.0
            talks = self.spec.talk.sample(rng, n)
            for t, talk in zip(times.tolist(), talks.tolist(), strict=True):
                if t >= horizon:
                    return
                yield env.timeout(t - env.now)
                call = self.admit(talk, resident=False)
                if call is not None:
                    env.process(self.serve(call))
            day += 1
            yield env.timeout(max(day * 24.0 - env.now, 0.0))


class Switchboard:
    """Routes residents' needs to channels (see the module's docstring). `households` remember
    each household's satisfaction; `serving[g]` are the members posted to grid g, whose
    `on_duty` says whether the grid worker can be reached (set with `reach`)."""

    def __init__(
        self,
        env: simpy.Environment,
        settings: Channels,
        calendar: Calendar,
        horizon: float,
        households: Households,
        streams: Streams,
    ) -> None:
        self.env = env
        self.settings = settings
        self.households = households
        self.desks = [
            Desk(env, k, name, spec, calendar, horizon, streams.get(f"desk/{name}/background"))
            for k, (name, spec) in enumerate(settings.desks().items())
        ]
        self.desk_of_channel = {desk.channel: desk for desk in self.desks}
        self.base = np.full(len(CHANNELS), -np.inf)
        if settings.grid.enabled:
            self.base[GRID] = settings.grid.base
        for desk in self.desks:
            self.base[desk.channel] = desk.spec.base
        self.offered = np.isfinite(self.base)
        #: Channels offered to a household outside a compound with a property company.
        self.offered_unmanaged = self.offered.copy()
        self.offered_unmanaged[PROPERTY] = False
        self.managed = households.world.households["managed"]
        self.serving: list[list[Staff]] = []
        self.needs = array("d")  # one row of NEED_FIELDS per need whose route is known
        self.ratings = array("d")  # (time, channel, rating) per rating
        self._pending: dict[Call, list[float]] = {}  # needs at a desk: call → need row
        self._awaiting: dict[int, tuple[float, int, int]] = {}  # case id → need time, channel, hh
        self.needs_drawn = 0  # needs that arrived, whatever became of them
        self.in_transit = 0  # work orders forwarded whose grid case has not opened yet

    def reach(self, serving: list[list[Staff]]) -> None:
        """The members posted to each grid (by grid index)."""
        self.serving = serving

    # -- drawing ------------------------------------------------------------------------------

    def predraw(self, streams: Streams, name: str, n: int) -> NeedDraws:
        """The random numbers of `n` needs: uniforms from stream `name`, each desk's talk and
        forwarding times from `name/<desk>` (so opening or closing one desk leaves the others'
        draws and every need's uniforms unchanged)."""
        rng = streams.get(name)
        tries = len(CHANNELS)
        uniforms = rng.random((n, 2 * tries + 1))
        talk = np.empty((n, len(self.desks)))
        forward = np.empty((n, len(self.desks)))
        for desk in self.desks:
            desk_rng = streams.get(f"{name}/{desk.name}")
            talk[:, desk.index] = desk.spec.talk.sample(desk_rng, n)
            forward[:, desk.index] = desk.spec.forward_delay.sample(desk_rng, n)
        choices, persists = uniforms[:, 1 : tries + 1], uniforms[:, tries + 1 : 2 * tries]
        return NeedDraws(uniforms[:, 0], choices, persists, uniforms[:, -1], talk, forward)

    # -- routing ------------------------------------------------------------------------------

    def utilities(self, grid: int, satisfaction: np.ndarray) -> np.ndarray:
        """Each channel's utility now for a household of `grid` (−inf: not offered)."""
        settings = self.settings
        utility = self.base.copy()
        if self.offered[GRID] and not any(staff.on_duty for staff in self.serving[grid]):
            utility[GRID] += settings.grid.unreachable
        now = self.env.now
        for desk in self.desks:
            if not desk.is_open(now):
                utility[desk.channel] += desk.spec.closed
        weight = settings.satisfaction.weight
        if weight:
            utility += weight * (satisfaction - settings.satisfaction.initial)
        return utility

    def need(
        self,
        grid: int,
        household: int,
        category: int,
        draws: NeedDraws,
        i: int,
        open_case: Callable[[str], Case],
    ) -> None:
        """A household of `grid` has a need of `category` now (row `i` of `draws`):
        `open_case(channel)` opens its grid case."""
        now = self.env.now
        self.needs_drawn += 1
        settings = self.settings
        satisfaction = self.households.satisfaction(household)
        offered = self.offered if self.managed[household] else self.offered_unmanaged
        row = [now, grid, household, category, -1.0, -1.0, 0.0]
        reporting = settings.reporting
        mean = float(satisfaction[offered].mean())
        initial = settings.satisfaction.initial
        if draws.report[i] >= report_probability(reporting.base, reporting.weight, mean, initial):
            self._log(row, UNREPORTED)
            return
        utility = np.where(offered, self.utilities(grid, satisfaction), -np.inf)
        tries = int(offered.sum())
        for attempt in range(tries):
            channel = choose(utility, draws.choose[i, attempt])
            if attempt == 0:
                row[4] = channel
            row[5], row[6] = channel, attempt + 1
            if channel == GRID:
                self._open(open_case, "grid", now, GRID, household)
                self._log(row, DIRECT)
                return
            desk = self.desk_of_channel[channel]
            call = desk.admit(draws.talk[i, desk.index], resident=True)
            if call is not None:
                self._pending[call] = row
                self.env.process(self._at_desk(desk, call, draws, i, open_case))
                return
            self._rate(household, channel, settings.satisfaction.blocked)
            utility[channel] = -np.inf
            if attempt + 1 == tries or draws.persist[i, attempt] >= settings.persist:
                break
        self._log(row, GAVE_UP)

    def _at_desk(
        self, desk: Desk, call: Call, draws: NeedDraws, i: int, open_case: Callable[[str], Case]
    ):
        """SimPy process body: the call is answered and settled, or forwarded as a work order
        that opens a grid case after the forwarding delay."""
        yield from desk.serve(call)
        row = self._pending.pop(call)
        need_time, household = row[0], int(row[2])
        if draws.settle[i] < desk.spec.settle:
            satisfaction = self.settings.satisfaction
            value = rating(self.env.now - need_time, True, satisfaction.patience, satisfaction.late)
            self._rate(household, desk.channel, value)
            self._log(row, SETTLED)
            return
        self._log(row, FORWARDED)
        self.in_transit += 1
        yield self.env.timeout(draws.forward[i, desk.index])
        self.in_transit -= 1
        self._open(open_case, desk.name, need_time, desk.channel, household)

    def _open(
        self, open_case: Callable[[str], Case], name: str, need_time: float, channel: int, hh: int
    ) -> None:
        case = open_case(name)
        self._awaiting[case.id] = (need_time, channel, hh)

    def rated(self, case: Case) -> None:
        """A case reached the loop's rating step (打分评价): if it came through a channel, its
        household rates that channel by the time from the need to the result (结果反馈) and
        whether the result came by the deadline."""
        entry = self._awaiting.pop(case.id, None)
        if entry is None:
            return
        need_time, channel, household = entry
        feedback = case.steps[FEEDBACK]
        satisfaction = self.settings.satisfaction
        value = rating(
            feedback - need_time,
            feedback <= case.deadline,
            satisfaction.patience,
            satisfaction.late,
        )
        self._rate(household, channel, value)

    def _rate(self, household: int, channel: int, value: float) -> None:
        self.households.get(household).remember(
            channel, value, self.settings.satisfaction.smoothing
        )
        self.ratings.extend((self.env.now, channel, value))

    def _log(self, row: list[float], route: int) -> None:
        self.needs.extend((*row, route))

    def unfinished_needs(self) -> list[tuple[float, ...]]:
        """Log rows of the needs still at a desk (their call waiting or in progress)."""
        return [(*row, AT_DESK) for row in self._pending.values()]


# --- expected routes, before a run -----------------------------------------------------------


def _covers(shift: Shift, day: int, clock: float, early: float = 0.0, late: float = 0.0) -> bool:
    """Whether `shift` has someone on duty on weekday `day` (0 = Monday) at `clock` hours,
    routine early starts and late finishes included, breaks excluded."""
    for start_day in (day, day - 1):
        if WEEKDAYS[start_day % 7] not in shift.days:
            continue
        offset = clock + 24.0 * (day - start_day) - shift.start
        if -early <= offset < shift.length + late and not any(
            a <= offset < b for a, b in shift.pauses
        ):
            return True
    return False


def _reach(teams: list[Team], day: int, clock: float) -> float:
    """P(a grid's worker can be reached) at a time of the week: 1 − Π over the teams present at
    every grid of (1 − the share of the team's shift patterns on duty then)."""
    away = 1.0
    for team in teams:
        patterns = team.patterns
        on = sum(
            any(_covers(s, day, clock, team.starts_early, team.stays_late) for s in pattern)
            for pattern in patterns
        )
        away *= 1.0 - on / len(patterns)
    return 1.0 - away


def _split(
    utility: dict[int, float], blocking: dict[int, float], settle: dict[int, float], persist: float
) -> tuple[float, float, float, dict[int, float]]:
    """Where a reported need ends, as probabilities: (grid, settled at a desk, given up, calls
    per desk channel), trying channels by the logit over those not yet tried."""
    calls = dict.fromkeys(blocking, 0.0)
    totals = [0.0, 0.0, 0.0]  # grid, settled, gave up

    def walk(remaining: tuple[int, ...], mass: float) -> None:
        if not remaining:
            totals[2] += mass
            return
        chosen = choice_probabilities(np.array([utility[c] for c in remaining]))
        for channel, p in zip(remaining, chosen.tolist(), strict=True):
            share = mass * p
            if channel == GRID:
                totals[0] += share
                continue
            calls[channel] += share
            admitted = share * (1.0 - blocking[channel])
            totals[1] += admitted * settle[channel]
            totals[0] += admitted * (1.0 - settle[channel])
            blocked = share * blocking[channel]
            totals[2] += blocked * (1.0 - persist)
            walk(tuple(c for c in remaining if c != channel), blocked * persist)

    walk(tuple(utility), 1.0)
    return totals[0], totals[1], totals[2], calls


#: Kinds of household by compound: in a compound with a property company, or not.
COMPOUNDS: tuple[str, ...] = ("managed", "unmanaged")


@dataclass(frozen=True)
class ExpectedRoutes:
    """Where a calm week's needs go, per week: reported, to the grid (directly or as work orders),
    settled at a desk, given up; calls and blocked calls per desk (background calls included);
    the needs, and those reaching the grid, of households in and outside managed compounds."""

    needs: float
    reported: float
    grid: float
    settled: float
    gave_up: float
    calls: dict[str, float]
    blocked: dict[str, float]
    needs_by_compound: dict[str, float]
    grid_by_compound: dict[str, float]

    def grid_share_of(self, compound: str) -> float:
        """Share of the needs of households of `compound` (COMPOUNDS) that reach the grid."""
        needs = self.needs_by_compound[compound]
        return self.grid_by_compound[compound] / needs if needs else 0.0


def expected_routes(
    settings: Channels,
    hourly_profile: list[float],
    weekend_factor: float,
    teams: list[Team],
    needs_per_week: float,
    managed_share: float = 1.0,
    iterations: int = 50,
) -> ExpectedRoutes:
    """Where `needs_per_week` go in a calm week, before any household has experience (every
    satisfaction at its initial value), hour by hour of the week: needs shaped by the resident
    source's hourly profile and weekend factor, a `managed_share` of them from households in a
    compound with a property company (the only ones offered its desk); the grid worker reachable
    with the probability that the `teams` present at every grid have someone on duty; each desk
    blocking as a stationary M/M/c/K at that hour's calls (docs/sources.md Q3, Q16: exact for
    exponential talk at constant rates, the stationary-independent-period approximation
    otherwise), solved together with the calls that blocked callers bring to the other desk."""
    desks = {CHANNELS.index(name): desk for name, desk in settings.desks().items()}
    profile = np.asarray(hourly_profile, dtype=float)
    weights = np.array(
        [profile[h] * (weekend_factor if day >= 5 else 1.0) for day in range(7) for h in range(24)]
    )
    needs = needs_per_week * weights / weights.sum()  # per hour of the week
    reported = settings.reporting.base
    settle = {c: desk.settle for c, desk in desks.items()}
    totals = {"grid": 0.0, "settled": 0.0, "gave_up": 0.0}
    calls = {CHANNELS[c]: 0.0 for c in desks}
    blocked = dict.fromkeys(calls, 0.0)
    shares = dict(zip(COMPOUNDS, (managed_share, 1.0 - managed_share), strict=True))
    grid_by_compound = dict.fromkeys(COMPOUNDS, 0.0)
    for slot, rate in enumerate(needs):
        day, clock = divmod(slot, 24)
        clock += 0.5
        reach = _reach(teams, day, clock) if settings.grid.enabled else 0.0
        is_open = {c: _covers(desk.hours, day, clock) for c, desk in desks.items()}
        by_compound: dict[str, list[tuple[dict[int, float], float]]] = {}
        for compound, share in shares.items():
            by_compound[compound] = []
            for reachable, weight in ((True, reach), (False, 1.0 - reach)):
                utility = {
                    c: desk.base + (0.0 if is_open[c] else desk.closed)
                    for c, desk in desks.items()
                    if c != PROPERTY or compound == "managed"
                }
                if settings.grid.enabled:
                    utility[GRID] = settings.grid.base + (
                        0.0 if reachable else settings.grid.unreachable
                    )
                by_compound[compound].append((utility, share * weight))
        utilities = [case for cases in by_compound.values() for case in cases]
        blocking = {c: 0.0 if is_open[c] else 1.0 for c in desks}
        for _ in range(iterations):  # blocking and the calls it diverts, to a fixed point
            split = _mix(utilities, blocking, settle, settings.persist)
            offered = {c: rate * reported * split[3][c] + desks[c].background for c in desks}
            previous, blocking = (
                blocking,
                {c: _blocking(desks[c], offered[c], is_open[c]) for c in desks},
            )
            if all(abs(blocking[c] - previous[c]) < 1e-12 for c in desks):
                break
        grid, settled, gave_up, share = _mix(utilities, blocking, settle, settings.persist)
        for compound, cases in by_compound.items():
            grid_by_compound[compound] += (
                rate * reported * _mix(cases, blocking, settle, settings.persist)[0]
            )
        totals["grid"] += rate * reported * grid
        totals["settled"] += rate * reported * settled
        totals["gave_up"] += rate * reported * gave_up
        for c, desk in desks.items():
            offered = rate * reported * share[c] + desk.background
            calls[CHANNELS[c]] += offered
            blocked[CHANNELS[c]] += offered * blocking[c]
    return ExpectedRoutes(
        needs_per_week,
        needs_per_week * reported,
        float(totals["grid"]),
        float(totals["settled"]),
        float(totals["gave_up"]),
        {name: float(value) for name, value in calls.items()},
        {name: float(value) for name, value in blocked.items()},
        {compound: needs_per_week * share for compound, share in shares.items()},
        {compound: float(value) for compound, value in grid_by_compound.items()},
    )


def _blocking(desk: DeskSpec, offered: float, is_open: bool) -> float:
    """P(a call is blocked) at a desk offered `offered` calls an hour: M/M/c/K (Q3) while open."""
    if not is_open:
        return 1.0
    if offered <= 0:
        return 0.0
    return mmck(offered, 1.0 / desk.talk.mean, desk.agents, desk.capacity).p_block


def _mix(
    utilities: list[tuple[dict[int, float], float]],
    blocking: dict[int, float],
    settle: dict[int, float],
    persist: float,
) -> tuple[float, float, float, dict[int, float]]:
    """`_split` averaged over the cases of `utilities` (utility by channel, weight)."""
    grid = settled = gave_up = 0.0
    calls = dict.fromkeys(blocking, 0.0)
    for utility, weight in utilities:
        if weight == 0:
            continue
        g, s, q, c = _split(utility, blocking, settle, persist)
        grid, settled, gave_up = grid + weight * g, settled + weight * s, gave_up + weight * q
        for channel, value in c.items():
            calls[channel] += weight * value
    return grid, settled, gave_up, calls
