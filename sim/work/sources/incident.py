"""The work incidents bring (sim.config.incidents): Poisson streams at a rate per eligible
household × the incident's intensity (deliveries, calls), screening — one task for every
eligible household of the area, released at onset and due within the screening time, each
opened only as a member of staff takes it (`Intake.defer`) — and duty posts staffed round the
clock while the incident lasts: one task per post and post shift, which whoever takes it staffs
until the shift ends, and which lapses then if nobody is at it. An incident nobody scheduled (a
drill's inject) can be started during a run (`start`); its tasks come from streams of their own."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sim.work.intake import Batch
from sim.work.sources.base import DAY, SEQ_BLOCK, Source, SourceContext, poisson_times

if TYPE_CHECKING:
    from sim.config.incidents import Incident, IncidentTask
    from sim.scenario import Scenario
    from sim.work.intake import CaseType, Intake


@dataclass(frozen=True)
class TaskStream:
    """One task of one incident, compiled for the run: the households it may go to (a mask),
    their number per grid, and for duty posts a household standing for each community."""

    incident: Incident
    task: IncidentTask
    case_type: CaseType
    eligible: np.ndarray
    counts: np.ndarray
    posts: np.ndarray


class IncidentTasks(Source):
    """The task streams of every incident of the scenario."""

    name = "incident"
    kind = "incident"

    @classmethod
    def configured(cls, scenario: Scenario) -> list[Incident] | None:
        """The incidents that bring tasks, or None."""
        incidents = [i for i in scenario.incidents.values() if i.tasks]
        return incidents or None

    @classmethod
    def categories(cls, scenario: Scenario) -> list[tuple[str, str]]:
        """The categories of every incident's tasks."""
        return [
            (task.category, f"incidents.{name}.tasks.{i}.category")
            for name, incident in scenario.incidents.items()
            for i, task in enumerate(incident.tasks)
        ]

    def __init__(self, context: SourceContext, spec: list[Incident] | None) -> None:
        self.incidents = context.incidents
        self.household_grid = context.world.households["grid"]
        self.task_streams = [
            stream
            for name, incident in context.scenario.incidents.items()
            for stream in self._compile(context, name, incident)
        ]
        self.started = 0  # incidents started during the run
        super().__init__(context, spec)

    def _compile(self, context: SourceContext, name: str, incident: Incident) -> list[TaskStream]:
        """The task streams of incident `name` (its area already known to the incidents)."""
        world = context.world
        area = self.incidents.masks[name]
        in_area = area[self.household_grid]
        in_area_grids = np.flatnonzero(area)
        communities = sorted({world.grids[g].community for g in in_area_grids})
        posts = np.array(
            [
                world.grids[next(g for g in in_area_grids if world.grids[g].community == c)].start
                for c in communities
            ],
            dtype=np.int64,
        )
        streams = []
        for task in incident.tasks:
            eligible = world.in_group(task.households) & in_area
            counts = np.bincount(self.household_grid, weights=eligible, minlength=len(world.grids))
            case_type = context.case_types[context.category_index[task.category]]
            streams.append(TaskStream(incident, task, case_type, eligible, counts, posts))
        return streams

    def start(self, name: str, incident: Incident) -> None:
        """Bring the tasks of `incident`, whose onset is now and whose area the incidents know
        as `name`: a process of its own, drawing from streams of its own
        (`arrivals/incident/<name>`, `work/incident/<name>`, …) so that every other draw stays
        as it was (a drill's inject)."""
        self.started += 1
        streams = self._compile(self.context, name, incident)
        rng = self.context.streams.get(f"arrivals/{self.name}/{name}")
        intake = self.context.intakes.intake(
            self.name, f"{self.name}/{name}", self.started << SEQ_BLOCK
        )
        end = min(incident.onset + incident.duration, self.horizon)
        first = int(incident.onset // DAY)
        self.env.process(self.replay(lambda d: self._day(d, streams, rng, intake), first, end))

    def day(self, day: int) -> Batch | None:
        return self._day(day, self.task_streams, self.rng, self.intake)

    def _day(
        self,
        day: int,
        task_streams: list[TaskStream],
        rng: np.random.Generator,
        intake: Intake,
    ) -> Batch | None:
        """The tasks of `task_streams` on day `day`, drawn from `rng`, opened by `intake`."""
        parts = [self._draw(day, stream, rng) for stream in task_streams]
        parts = [part for part in parts if part is not None and len(part[0])]
        if not parts:
            return None
        times, categories, households, deadlines, defer, posts = (
            np.concatenate(c) for c in zip(*parts, strict=True)
        )
        order = np.argsort(times, kind="stable")
        households = households[order]
        batch = intake.draw(
            times[order],
            categories[order],
            self.household_grid[households],
            households,
            deadlines[order],
        )
        batch.defer = defer[order].tolist()
        if posts.any():
            batch.posts = posts[order].tolist()
        return batch

    def _draw(
        self, day: int, stream: TaskStream, rng: np.random.Generator
    ) -> tuple[np.ndarray, ...] | None:
        """(times, categories, households, deadlines, defer, posts) of one task stream on day
        `day`; `defer`: the tasks are opened as they are taken (screening: all at onset);
        `posts`: duty posts, staffed until the end of their shift or lapsing then."""
        incident, task, case_type = stream.incident, stream.task, stream.case_type
        eligible, counts = stream.eligible, stream.counts
        if task.every_household is not None:
            if not day * DAY <= incident.onset < (day + 1) * DAY:
                return None
            households = np.flatnonzero(eligible)
            times = np.full(len(households), incident.onset)
            deadline = task.every_household
        elif task.posts_per_community is not None:
            starts = np.arange(incident.onset, incident.onset + incident.duration, task.post_shift)
            starts = starts[(starts >= day * DAY) & (starts < (day + 1) * DAY)]
            posts = stream.posts  # a household of each affected community stands for it
            households = np.tile(np.repeat(posts, task.posts_per_community), len(starts))
            times = np.repeat(starts, len(posts) * task.posts_per_community)
            deadline = task.post_shift
        else:
            levels = self.incidents.levels(incident, day)
            if not levels.any():
                return None
            rates = task.rate_per_household * np.outer(counts, levels)
            times, grids = poisson_times(rng, rates, day * DAY, 1.0)
            cumulative = np.cumsum(eligible)
            before = np.concatenate([[0], np.cumsum(counts)[:-1]])
            target = before[grids] + np.floor(rng.random(len(grids)) * counts[grids]) + 1
            households = np.searchsorted(cumulative, target, side="left")
            deadline = case_type.deadline
        n = len(times)
        return (
            times,
            np.full(n, case_type.index),
            households,
            np.full(n, deadline),
            np.full(n, task.every_household is not None),
            np.full(n, task.posts_per_community is not None),
        )
