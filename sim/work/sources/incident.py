"""The work incidents bring (sim.config.incidents): Poisson streams at a rate per eligible
household × the incident's intensity (deliveries, calls), screening — one task for every
eligible household of the area, released at onset and due within the screening time — and duty
posts staffed round the clock while the incident lasts."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.work.intake import Batch
from sim.work.sources.base import DAY, Source, SourceContext, poisson_times

if TYPE_CHECKING:
    from sim.config.incidents import Incident, IncidentTask
    from sim.scenario import Scenario
    from sim.work.intake import CaseType


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

    def __init__(self, context: SourceContext, spec: list[Incident]) -> None:
        self.incidents = context.incidents
        world = context.world
        self.household_grid = world.households["grid"]
        self.task_streams = []
        self.posts: dict[int, np.ndarray] = {}  # post task → a household per community
        for name, incident in context.scenario.incidents.items():
            in_area = self.incidents.masks[name][self.household_grid]
            for task in incident.tasks:
                eligible = world.in_group(task.households) & in_area
                counts = np.bincount(
                    self.household_grid, weights=eligible, minlength=len(world.grids)
                )
                case_type = context.case_types[context.category_index[task.category]]
                self.task_streams.append((incident, task, case_type, eligible, counts))
                in_area_grids = np.flatnonzero(self.incidents.masks[name])
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
        super().__init__(context, spec)

    def day(self, day: int) -> Batch | None:
        parts = [self._draw(day, *stream) for stream in self.task_streams]
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
        case_type: CaseType,
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
            times, grids = poisson_times(self.rng, rates, day * DAY, 1.0)
            cumulative = np.cumsum(eligible)
            before = np.concatenate([[0], np.cumsum(counts)[:-1]])
            target = before[grids] + np.floor(self.rng.random(len(grids)) * counts[grids]) + 1
            households = np.searchsorted(cumulative, target, side="left")
            deadline = case_type.deadline
        n = len(times)
        return times, np.full(n, case_type.index), households, np.full(n, deadline)
