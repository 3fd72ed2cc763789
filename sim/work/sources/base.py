"""What every work source shares: a SimPy process that draws one day of arrivals at a time,
vectorised over all grids (never looping over households per tick), and replays them in time
order; and, for sources of Poisson arrivals that an incident may surge, the surge step that
keeps common random numbers across incident arms.

A source is one module of this package, registered in `sim.work.sources`: its settings (`Spec`,
under `sources:` in a scenario when it has a `key`), the kind of category it brings, how it
draws arrivals, and its hooks on the case flow (`on_done` when a case outside the closed loop has
had its last job, `on_closed` when any of its cases closes)."""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from sim.work.intake import Batch, Intake

if TYPE_CHECKING:
    import simpy

    from sim.agents.staff import Staff
    from sim.calendar import Calendar
    from sim.emergency.incidents import Incidents
    from sim.rng import Streams
    from sim.scenario import Scenario
    from sim.work.case import Case, Job
    from sim.work.flow import CaseFlow
    from sim.work.intake import CaseType, Intakes
    from sim.world import World

DAY = 24.0
WEEK = 168.0
#: Sequence numbers of surge requests start here, apart from the calm stream's; the k-th stream
#: started during a run (a drill's inject) numbers from (k + 2) << SEQ_BLOCK.
SEQ_BLOCK = 40
SURGE_SEQ = 1 << SEQ_BLOCK


@dataclass
class SourceContext:
    """What a source needs from the run: the scenario, the clock, the random streams, the world,
    the calendar, the incidents, the categories, the intakes that open cases, the case flow."""

    scenario: Scenario
    env: simpy.Environment
    horizon: float
    streams: Streams
    world: World
    calendar: Calendar
    incidents: Incidents
    case_types: list[CaseType]
    intakes: Intakes
    flow: CaseFlow

    @property
    def category_index(self) -> dict[str, int]:
        """Category name → index."""
        return {case_type.name: case_type.index for case_type in self.case_types}


class Source:
    """A SimPy process that draws a day of arrivals and opens them in time order.

    Subclasses set `name` (the cases' `source`, and the prefix of its random streams), `kind`
    (the kind of category it brings; None: any), and `key` and `Spec` when the scenario sets
    it under `sources:`."""

    name: ClassVar[str] = "source"
    kind: ClassVar[str | None] = None
    key: ClassVar[str | None] = None
    Spec: ClassVar[type | None] = None

    def __init__(self, context: SourceContext, spec: Any) -> None:
        self.context = context
        self.spec = spec
        self.env = context.env
        self.horizon = context.horizon
        self.flow = context.flow
        self.rng = context.streams.get(f"arrivals/{self.name}")
        self.intake = context.intakes.intake(self.name)
        self.env.process(self._run())

    @classmethod
    def configured(cls, scenario: Scenario) -> Any | None:
        """This source's settings in a scenario, or None when it brings nothing."""
        spec = getattr(scenario.sources, cls.key)
        return spec if spec is not None and spec.enabled else None

    @classmethod
    def categories(cls, scenario: Scenario) -> list[tuple[str, str]]:
        """(category, field path that names it) for each category this source names in a
        scenario, whether or not it is enabled."""
        spec = getattr(scenario.sources, cls.key)
        if spec is None:
            return []
        return [(name, f"sources.{cls.key}.{field}") for name, field in spec.categories().items()]

    @classmethod
    def weekly_arrivals(cls, spec: Any, world: World) -> dict[str, np.ndarray]:
        """Expected arrivals in a calm week, per grid, by category (none by default: work
        that only an incident or a warm start brings)."""
        return {}

    def day(self, day: int) -> Batch | list[Batch] | None:
        """Draw the arrivals of day `day` (absolute times in hours): a batch, several, or None."""
        raise NotImplementedError

    def arrive(self, batch: Batch, i: int) -> None:
        """Arrival `i` of the batch happens now: opened, or, for a task the batch defers,
        released to be opened as it is taken."""
        if batch.defer is not None and batch.defer[i]:
            self.intake.defer(batch, i)
        else:
            self.intake.open(batch, i)

    def on_done(self, case: Case, job: Job, staff: Staff) -> None:
        """The last job of a case outside the closed loop is done: it closes."""
        self.flow.close(case)

    def on_closed(self, case: Case) -> None:
        """A case of this source closed (nothing to do by default)."""

    def _run(self):
        yield from self.replay(self.day, 0, self.horizon)

    def replay(self, draw: Callable[[int], Batch | list[Batch] | None], day: int, end: float):
        """SimPy process body: from day `day` until `end` (≤ the horizon), draw each day's
        arrivals with `draw(day)` at the day's start (or now) and open them in time order."""
        env, horizon = self.env, self.horizon
        while day * DAY < end:
            drawn = draw(day)
            batches = [drawn] if isinstance(drawn, Batch) else drawn or []
            arrive = self.arrive
            for t, batch, i in in_time_order(batches):
                if t >= horizon:
                    break
                if batch.skip is not None and batch.skip[i]:
                    continue
                if t > env.now:
                    yield env.timeout(t - env.now)
                arrive(batch, i)
            day += 1
            if day * DAY > env.now:
                yield env.timeout(day * DAY - env.now)


class RateSource(Source):
    """A source of Poisson arrivals at rates that an incident may surge. A surge never touches
    the calm draws: where it lowers the rates, calm arrivals are thinned; where it raises them,
    a second, independent stream brings the excess. So every calm arrival is the same with or
    without the incident (common random numbers across incident arms)."""

    def __init__(self, context: SourceContext, spec: Any) -> None:
        self.surge_rng = context.streams.get(f"arrivals/{self.name}/surge")
        self.surge_intake = context.intakes.intake(
            self.name, stream=f"{self.name}/surge", first_seq=SURGE_SEQ
        )
        super().__init__(context, spec)

    def rates(self, day: int) -> np.ndarray | None:
        """Calm rates (per hour) of day `day`, in the layout `draw` takes; None: no arrivals."""
        raise NotImplementedError

    def surge_level(self, surge: np.ndarray) -> np.ndarray:
        """The grid × hour multipliers of an incident as multipliers of `rates`' layout."""
        raise NotImplementedError

    def draw(
        self, rates: np.ndarray, day: int, surge: bool
    ) -> tuple[Batch, tuple[np.ndarray, ...]]:
        """Arrivals at `rates` on the calm stream or the surge stream: the batch, and each
        arrival's index in `rates`."""
        raise NotImplementedError

    def day(self, day: int) -> Batch | list[Batch] | None:
        rates = self.rates(day)
        if rates is None:
            return None
        base, cells = self.draw(rates, day, surge=False)
        surge = self.context.incidents.surge(self.name, day)
        if surge is None:
            return base
        level = self.surge_level(surge)
        thinned = self.surge_rng.random(len(base)) >= np.minimum(level, 1.0)[cells]
        if base.skip is not None:
            thinned |= np.asarray(base.skip, dtype=bool)
        base.skip = thinned.tolist()
        extra, _ = self.draw(rates * np.maximum(level - 1.0, 0.0), day, surge=True)
        return [base, extra]

    def streams(self, surge: bool) -> tuple[np.random.Generator, Intake]:
        """The random stream and the intake of the calm or the surge arrivals."""
        return (self.surge_rng, self.surge_intake) if surge else (self.rng, self.intake)


def in_time_order(batches: list[Batch]) -> Iterator[tuple[float, Batch, int]]:
    """(time, batch, row) of every arrival of the batches, in time order (ties: batch order)."""
    if len(batches) == 1:
        return ((t, batches[0], i) for i, t in enumerate(batches[0].times))
    keyed = [[(t, b, i) for i, t in enumerate(batch.times)] for b, batch in enumerate(batches)]
    return ((t, batches[b], i) for t, b, i in heapq.merge(*keyed))


def poisson_times(
    rng: np.random.Generator, rates: np.ndarray, start: float, width: float
) -> tuple[np.ndarray, np.ndarray]:
    """Arrival times and row index for Poisson counts per (row, slot) of `rates` (per hour),
    slots of `width` hours from `start`; sorted by time."""
    counts = rng.poisson(rates * width)
    rows, slots = np.nonzero(counts)
    n = counts[rows, slots]
    rows, slots = np.repeat(rows, n), np.repeat(slots, n)
    times = start + (slots + rng.random(len(rows))) * width
    order = np.argsort(times, kind="stable")
    return times[order], rows[order]
