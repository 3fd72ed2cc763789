"""Where work comes from. Each source draws one day of arrivals at a time, vectorised over all
grids (never looping over households per tick), then replays them in time order.

- resident requests: Poisson per grid and hour, rate = Σ household rates × hour-of-day profile;
- patrol issues: hidden issues arise per grid; a patrolling worker finds each one after an
  exposure of patrol hours drawn when it arises, unless a resident reports it first;
- admin tasks: top-down forms arriving at each grid in office hours;
- revisits: every household is due a phone contact and a home visit once per window.
"""

from __future__ import annotations

import heapq
import math
from typing import TYPE_CHECKING

import numpy as np

from sim.config import schema
from sim.config.incidents import Incident, IncidentTask
from sim.emergency.incidents import Incidents, eligible_households
from sim.work.case import Case, Job
from sim.work.intake import Batch, Intake

if TYPE_CHECKING:
    from sim.agents.staff import Staff
    from sim.model import GridModel

DAY = 24.0
#: Sequence numbers of surge requests start here, apart from the calm stream's.
SURGE_SEQ = 1 << 40


class Source:
    """Base: a SimPy process that draws a day of arrivals and opens them in time order."""

    name = "source"

    def __init__(self, model: GridModel) -> None:
        self.model = model
        self.env = model.env
        self.rng = model.streams.get(f"arrivals/{self.name}")
        self.intake = Intake(model, self.name)
        self.env.process(self._run())

    def day(self, day: int) -> Batch | list[Batch] | None:
        """Draw the arrivals of day `day` (absolute times in hours): a batch, several, or None."""
        raise NotImplementedError

    def arrive(self, batch: Batch, i: int) -> None:
        """Arrival `i` of the batch happens now."""
        self.intake.open(batch, i)

    def _run(self):
        env, horizon = self.env, self.model.horizon
        day = 0
        while day * DAY < horizon:
            drawn = self.day(day)
            batches = [drawn] if isinstance(drawn, Batch) else drawn or []
            arrive = self.arrive
            for t, batch, i in _in_time_order(batches):
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

    def __init__(self, model: GridModel) -> None:
        self.surge_rng = model.streams.get(f"arrivals/{self.name}/surge")
        self.surge_intake = Intake(
            model, self.name, stream=f"{self.name}/surge", first_seq=SURGE_SEQ
        )
        super().__init__(model)

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
        surge = self.model.incidents.surge(self.name, day)
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


def _in_time_order(batches: list[Batch]):
    """(time, batch, row) of every arrival of the batches, in time order (ties: batch order)."""
    if len(batches) == 1:
        return ((t, batches[0], i) for i, t in enumerate(batches[0].times))
    keyed = [[(t, b, i) for i, t in enumerate(batch.times)] for b, batch in enumerate(batches)]
    return ((t, batches[b], i) for t, b, i in heapq.merge(*keyed))


def _poisson_times(
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


class ResidentRequests(RateSource):
    """Requests from residents to their grid worker."""

    name = "resident"

    def __init__(self, model: GridModel, spec: schema.ResidentRequests) -> None:
        self.spec = spec
        households = model.world.households
        weight = np.ones(model.world.n_households)
        for attribute, factor in spec.multipliers.items():
            weight = np.where(households[attribute], weight * factor, weight)
        self.cumulative = np.cumsum(weight)
        grid_of = households["grid"]
        self.grid_weight = np.bincount(grid_of, weights=weight, minlength=len(model.world.grids))
        self.grid_offset = np.concatenate([[0.0], np.cumsum(self.grid_weight)[:-1]])
        profile = np.asarray(spec.hourly_profile, dtype=float)
        self.profile = profile / profile.mean()
        names = list(spec.mix)
        self.mix_categories = np.array([model.category_index[n] for n in names])
        mix = np.array([spec.mix[n] for n in names], dtype=float)
        self.mix = mix / mix.sum()
        super().__init__(model)

    def rates(self, day: int) -> np.ndarray:
        """Grid × hour rates."""
        weekend = self.model.calendar.weekday(day) in ("sat", "sun")
        factor = self.spec.weekend_factor if weekend else 1.0
        return (self.spec.rate_per_household * factor) * np.outer(self.grid_weight, self.profile)

    def surge_level(self, surge: np.ndarray) -> np.ndarray:
        return surge  # grid by grid, hour by hour

    def draw(
        self, rates: np.ndarray, day: int, surge: bool
    ) -> tuple[Batch, tuple[np.ndarray, np.ndarray]]:
        """Requests at grid × hour `rates`: the batch, and each request's (grid, hour)."""
        rng, intake = self.streams(surge)
        times, grids = _poisson_times(rng, rates, day * DAY, 1.0)
        target = self.grid_offset[grids] + rng.random(len(grids)) * self.grid_weight[grids]
        households = np.searchsorted(self.cumulative, target, side="right")
        categories = self.mix_categories[rng.choice(len(self.mix), len(grids), p=self.mix)]
        hours = ((times - day * DAY) // 1).astype(int).clip(0, 23)
        return intake.draw(times, categories, grids, households), (grids, hours)


class PatrolIssues(RateSource):
    """Hidden issues in the six patrol categories, found by patrol or reported by residents."""

    name = "patrol"

    def __init__(self, model: GridModel, spec: schema.PatrolIssues, report_delay) -> None:
        self.spec = spec
        self.report_delay = report_delay
        self.exposure_mean = model.scenario.grid_workers.patrol.exposure
        world = model.world
        households = np.array([g.households for g in world.grids], dtype=float)
        scale = world.relative_difficulty() ** spec.difficulty_elasticity
        names = list(spec.rate_per_household)
        self.categories = np.array([model.category_index[n] for n in names])
        per_household = np.array([spec.rate_per_household[n] for n in names])
        self.per_grid_and_category = np.outer(households * scale, per_household)  # per hour
        self.exposure = np.zeros(len(world.grids))  # cumulative patrol hours per grid
        self.hidden: list[list[tuple[float, int, Batch, int]]] = [[] for _ in world.grids]
        self.found: set[int] = set()
        # per batch of the day being replayed: patrol exposure and report delay of each issue
        self._detection: dict[int, tuple[list[float], list[float]]] = {}
        self.detect_rng = model.streams.get("detect/patrol")
        self.surge_detect_rng = model.streams.get("detect/patrol/surge")
        super().__init__(model)

    def day(self, day: int) -> Batch | list[Batch] | None:
        self._detection = {}  # a new day: the previous day's batches have all arrived
        return super().day(day)

    def rates(self, day: int) -> np.ndarray:
        """(grid × category) rates over the whole day, one row each."""
        return self.per_grid_and_category.reshape(-1, 1)

    def surge_level(self, surge: np.ndarray) -> np.ndarray:
        """Issues arise at the day's mean surge of their grid."""
        return np.repeat(surge.mean(axis=1), len(self.categories)).reshape(-1, 1)

    def draw(
        self, rates: np.ndarray, day: int, surge: bool
    ) -> tuple[Batch, tuple[np.ndarray, np.ndarray]]:
        """Issues at `rates`: the batch, and each issue's row in `rates`. Detection is drawn
        with the issue, so it does not depend on staffing."""
        rng, intake = self.streams(surge)
        detect = self.surge_detect_rng if surge else self.detect_rng
        times, rows = _poisson_times(rng, rates, day * DAY, DAY)
        grids, categories = np.divmod(rows, len(self.categories))
        households = np.full(len(times), -1)
        batch = intake.draw(times, self.categories[categories], grids, households)
        self._detection[id(batch)] = (
            detect.exponential(self.exposure_mean, len(times)).tolist(),
            self.report_delay.sample(detect, len(times)).tolist(),
        )
        return batch, (rows, np.zeros_like(rows))

    def arrive(self, batch: Batch, i: int) -> None:
        """The issue arises: it waits, hidden, for a patrol or a resident's report."""
        exposure, report = self._detection[id(batch)]
        grid = batch.grids[i]
        key = batch.seq[i]
        threshold = self.exposure[grid] + exposure[i]
        heapq.heappush(self.hidden[grid], (threshold, key, batch, i))
        self.env.timeout(report[i]).callbacks.append(lambda _: self._discover(batch, i, "resident"))

    def patrolled(self, staff: Staff, hours: float) -> None:
        """A worker patrolled `hours` in their grid: open every issue found."""
        grid = staff.unit
        self.exposure[grid] += hours
        hidden = self.hidden[grid]
        while hidden and hidden[0][0] <= self.exposure[grid]:
            _, _, batch, i = heapq.heappop(hidden)
            self._discover(batch, i, "patrol")

    def _discover(self, batch: Batch, i: int, by: str) -> None:
        key = batch.seq[i]
        if key in self.found:
            return
        self.found.add(key)
        self.intake.open(batch, i, found_by=by)


class AdminTasks(RateSource):
    """Top-down forms and reports (填表、报材料) sent to each grid by upper departments; those of
    departments on the admission list's blocked side (基层事项准入) never reach the grid. Every
    task is drawn either way, so blocking leaves the other tasks unchanged."""

    name = "admin"

    def __init__(self, model: GridModel, spec: schema.AdminTasks) -> None:
        self.spec = spec
        self.category = model.category_index[spec.category]
        self.n_grids = len(model.world.grids)
        names = list(spec.departments)
        weights = np.array([spec.departments[n] for n in names], dtype=float)
        self.shares = weights / weights.sum()
        self.is_blocked = np.array([n in spec.blocked for n in names])
        self.suspended = False
        self.held: list[tuple[Batch, int]] = []  # forms held while an emergency plan runs
        super().__init__(model)

    def rates(self, day: int) -> np.ndarray | None:
        """Per-grid rates in office hours on working days (None on other days)."""
        if self.model.calendar.weekday(day) not in self.spec.days:
            return None
        start, end = self.spec.hours
        return np.full((self.n_grids, 1), self.spec.rate_per_grid * DAY / (end - start))

    def surge_level(self, surge: np.ndarray) -> np.ndarray:
        """Forms arrive at the mean surge over the window."""
        start, end = self.spec.hours
        return surge[:, int(start) : math.ceil(end)].mean(axis=1, keepdims=True)

    def draw(
        self, rates: np.ndarray, day: int, surge: bool
    ) -> tuple[Batch, tuple[np.ndarray, np.ndarray]]:
        """Forms at per-grid `rates` in the window: the batch (blocked senders' forms skipped),
        and each form's row in `rates`."""
        rng, intake = self.streams(surge)
        start, end = self.spec.hours
        times, grids = _poisson_times(rng, rates, day * DAY + start, end - start)
        senders = rng.choice(len(self.shares), len(times), p=self.shares)
        categories = np.full(len(times), self.category)
        batch = intake.draw(times, categories, grids, np.full(len(times), -1))
        batch.skip = self.is_blocked[senders].tolist()  # blocked tasks never reach the grid
        return batch, (grids, np.zeros_like(grids))

    def arrive(self, batch: Batch, i: int) -> None:
        """The form reaches the grid, or waits while forms are suspended."""
        if self.suspended:
            self.held.append((batch, i))
        else:
            self.intake.open(batch, i)

    def suspend(self, suspended: bool) -> None:
        """Suspend top-down forms, or resume and send the held ones on now."""
        self.suspended = suspended
        if not suspended:
            held, self.held = self.held, []
            for batch, i in held:
                self.intake.open(batch, i)


class Revisits(Source):
    """Phone contacts and home visits due to each targeted household once per window
    (回访/入户)."""

    name = "revisit"

    def __init__(self, model: GridModel, spec: schema.Revisits) -> None:
        self.spec = spec
        world = model.world
        self.household_grid = world.households["grid"]
        self.targets = np.flatnonzero(eligible_households(world, spec.households))
        n = len(self.targets)
        phase_rng = model.streams.get("revisit/schedule")
        self.kinds = (
            (model.category_index[spec.phone_category], spec.phone_every),
            (model.category_index[spec.home_category], spec.home_every),
        )
        self.next_release = [phase_rng.random(n) * every for _, every in self.kinds]
        self.contact_rng = model.streams.get("revisit/contact")
        self.retry_rng = model.streams.get("revisit/retry")
        self.home_category = self.kinds[1][0]
        super().__init__(model)

    def day(self, day: int) -> Batch | None:
        end = (day + 1) * DAY
        times, households, categories, deadlines = [], [], [], []
        for (category, every), release in zip(self.kinds, self.next_release, strict=True):
            due = np.flatnonzero(release < end)
            times.append(release[due])
            households.append(self.targets[due])
            categories.append(np.full(len(due), category))
            deadlines.append(np.full(len(due), every))
            release[due] += every
        times = np.concatenate(times)
        order = np.argsort(times, kind="stable")
        households = np.concatenate(households)[order]
        return self.intake.draw(
            times[order],
            np.concatenate(categories)[order],
            self.household_grid[households],
            households,
            np.concatenate(deadlines)[order],
        )

    def attempted(self, case: Case, job: Job, staff: Staff) -> None:
        """A visit or call ended: closed if someone answered, otherwise retried or given up.
        Local workers reach some households that would not otherwise answer."""
        flow = self.model.flow
        case.attempts += 1
        if case.category == self.home_category:
            p = self.spec.at_home[int(self.env.now % DAY)]
        else:
            p = self.spec.phone_reach
        if self.contact_rng.random() < staff.contact(p):
            flow.close(case)
        elif case.attempts >= self.spec.max_attempts:
            flow.give_up(case)
        else:
            flow.retry(case, job, float(self.spec.retry_after.sample(self.retry_rng, 1)[0]))


class IncidentTasks(Source):
    """Work that incidents bring (sim.config.incidents): Poisson streams at a rate per eligible
    household × the incident's intensity, and screening — one task for every eligible household
    of the area, released at onset and due within the screening time."""

    name = "incident"

    def __init__(self, model: GridModel, incidents: Incidents) -> None:
        self.incidents = incidents
        world = model.world
        self.household_grid = world.households["grid"]
        self.streams = []
        self.posts: dict[int, np.ndarray] = {}  # post task → a household per community
        for name, incident in model.scenario.incidents.items():
            in_area = incidents.masks[name][self.household_grid]
            for task in incident.tasks:
                eligible = eligible_households(world, task.households) & in_area
                counts = np.bincount(
                    self.household_grid, weights=eligible, minlength=len(world.grids)
                )
                plan = model.plans[model.category_index[task.category]]
                self.streams.append((incident, task, plan, eligible, counts))
                in_area_grids = np.flatnonzero(incidents.masks[name])
                communities = sorted({world.grids[g].community for g in in_area_grids})
                self.posts[id(task)] = np.array(
                    [
                        world.grids[
                            next(g for g in in_area_grids if world.grids[g].community == c)
                        ].start
                        for c in communities
                    ],
                    dtype=np.int64,
                )
        super().__init__(model)

    def day(self, day: int) -> Batch | None:
        parts = [self._draw(day, *stream) for stream in self.streams]
        parts = [part for part in parts if part is not None and len(part[0])]
        if not parts:
            return None
        times, categories, households, deadlines = (
            np.concatenate(c) for c in zip(*parts, strict=True)
        )
        order = np.argsort(times, kind="stable")
        households = households[order]
        return self.intake.draw(
            times[order],
            categories[order],
            self.household_grid[households],
            households,
            deadlines[order],
        )

    def _draw(
        self,
        day: int,
        incident: Incident,
        task: IncidentTask,
        plan,
        eligible: np.ndarray,
        counts: np.ndarray,
    ) -> tuple[np.ndarray, ...] | None:
        """(times, categories, households, deadlines) of one task stream on day `day`."""
        if task.every_household is not None:
            if not day * DAY <= incident.onset < (day + 1) * DAY:
                return None
            households = np.flatnonzero(eligible)
            times = np.full(len(households), incident.onset)
            deadline = task.every_household
        elif task.posts_per_community is not None:
            starts = np.arange(incident.onset, incident.onset + incident.duration, task.post_shift)
            starts = starts[(starts >= day * DAY) & (starts < (day + 1) * DAY)]
            posts = self.posts[id(task)]  # a household of each affected community stands for it
            households = np.tile(np.repeat(posts, task.posts_per_community), len(starts))
            times = np.repeat(starts, len(posts) * task.posts_per_community)
            deadline = task.post_shift
        else:
            levels = self.incidents.levels(incident, day)
            if not levels.any():
                return None
            rates = task.rate_per_household * np.outer(counts, levels)
            times, grids = _poisson_times(self.rng, rates, day * DAY, 1.0)
            cumulative = np.cumsum(eligible)
            before = np.concatenate([[0], np.cumsum(counts)[:-1]])
            target = before[grids] + np.floor(self.rng.random(len(grids)) * counts[grids]) + 1
            households = np.searchsorted(cumulative, target, side="left")
            deadline = plan.deadline
        n = len(times)
        return times, np.full(n, plan.index), households, np.full(n, deadline)


class InitialBacklog(Source):
    """A warm start: open cases present at time 0 — a backlog by category, in grids drawn in
    proportion to their households (households uniformly within them), and the open cases of
    an earlier run, in their own grids and households."""

    name = "initial"

    def __init__(self, model: GridModel, spec: schema.WarmStart) -> None:
        self.backlog = {model.category_index[name]: n for name, n in spec.backlog.items() if n}
        grid_index = {grid.id: grid.index for grid in model.world.grids}
        self.saved = [
            (model.category_index[category], grid_index[grid], household)
            for category, grid, household in spec.open_cases()
        ]
        super().__init__(model)

    def day(self, day: int) -> Batch | None:
        if day or not (self.backlog or self.saved):
            return None
        categories = np.repeat(list(self.backlog), list(self.backlog.values())).astype(int)
        households = self.rng.integers(0, self.model.world.n_households, len(categories))
        grids = self.model.world.households["grid"][households]
        if self.saved:
            saved = np.array(self.saved, dtype=np.int64).reshape(-1, 3)
            categories = np.concatenate([categories, saved[:, 0]])
            grids = np.concatenate([grids, saved[:, 1]])
            households = np.concatenate([households, saved[:, 2]])
        return self.intake.draw(np.zeros(len(categories)), categories, grids, households)


class Monitoring(Source):
    """Red/yellow/green household monitoring (盐池): each day, green monitored households turn
    yellow or red at their rates (drawn per household, vectorised); each warning opens a case;
    its closure turns the household green again (动态清零)."""

    name = "monitoring"
    GREEN, YELLOW, RED = 0, 1, 2

    def __init__(self, model: GridModel, spec: schema.Monitoring) -> None:
        self.spec = spec
        world = model.world
        self.monitored = eligible_households(world, spec.households)
        self.state = np.zeros(world.n_households, dtype=np.int8)
        self.household_grid = world.households["grid"]
        self.categories = {
            self.YELLOW: model.category_index[spec.yellow_category],
            self.RED: model.category_index[spec.red_category],
        }
        self.raised = {self.YELLOW: 0, self.RED: 0}
        super().__init__(model)

    def day(self, day: int) -> Batch | None:
        candidates = np.flatnonzero(self.monitored & (self.state == self.GREEN))
        p_red = 1.0 - np.exp(-self.spec.red_rate * DAY)
        p_yellow = 1.0 - np.exp(-self.spec.yellow_rate * DAY)
        u = self.rng.random(len(candidates))
        colour = np.where(u < p_red, self.RED, np.where(u < p_red + p_yellow, self.YELLOW, 0))
        turning = candidates[colour > 0]
        colour = colour[colour > 0]
        if not len(turning):
            return None
        times = day * DAY + self.rng.random(len(turning)) * DAY
        order = np.argsort(times, kind="stable")
        turning, colour, times = turning[order], colour[order], times[order]
        self.state[turning] = colour  # flagged from the day's draw: no second warning meanwhile
        for c in (self.YELLOW, self.RED):
            self.raised[c] += int((colour == c).sum())
        categories = np.array([self.categories[c] for c in colour])
        return self.intake.draw(times, categories, self.household_grid[turning], turning)

    def cleared(self, case: Case) -> None:
        """A warning case closed: the household is green again."""
        self.state[case.household] = self.GREEN
