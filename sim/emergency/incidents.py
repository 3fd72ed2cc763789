"""Incidents at run time: which grids each one strikes, its intensity hour by hour, the surge it
puts on existing demand, and the extra work of its first days (the learning curve). Incidents are
scheduled in the scenario, so a day's demand and its work are known when the day is drawn; one
started during a run (a drill's inject) only adds its area here, and brings its work and its
surge through streams of its own (`GridModel.start_incident`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.config.incidents import Area, Incident
from sim.vocabulary import CLOSED_LOOP_KINDS
from sim.world import World

if TYPE_CHECKING:
    from sim.work.intake import CaseType


def affected_grids(area: Area, world: World) -> np.ndarray:
    """Boolean mask over grids: those the area names (a repeated community by its base id)."""
    if area.everywhere:
        return np.ones(len(world.grids), dtype=bool)
    streets, communities, grids = set(area.streets), set(area.communities), set(area.grids)
    mask = np.zeros(len(world.grids), dtype=bool)
    for grid in world.grids:
        community = world.communities[grid.community].id
        mask[grid.index] = (
            grid.id in grids
            or world.streets[grid.street].id in streets
            or community in communities
            or community.rsplit("-", 1)[0] in communities
        )
    return mask


class Incidents:
    """The scenario's incidents against the world's grids."""

    def __init__(self, incidents: dict[str, Incident], world: World) -> None:
        self.incidents = incidents
        self.world = world
        self.masks = {name: affected_grids(i.area, world) for name, i in incidents.items()}

    def add(self, name: str, area: Area) -> np.ndarray:
        """Know the area of an incident started during the run as `name` (a new name);
        returns its mask over grids."""
        if name in self.masks:
            raise ValueError(f"an incident {name!r} is known already")
        mask = self.masks[name] = affected_grids(area, self.world)
        return mask

    def first_grids(self) -> dict[str, int]:
        """Each incident's first grid (in world order) of its area: where it is noticed."""
        return {name: int(np.argmax(mask)) for name, mask in self.masks.items()}

    def learning(self, case_types: list[CaseType]) -> LearningCurves | None:
        """The learning curves of the incidents that have one, as a work multiplier for the
        intakes; None when no incident has a learning curve."""
        curves = [
            (incident, self.masks[name], _learners(incident, case_types))
            for name, incident in self.incidents.items()
            if incident.learning is not None
        ]
        return LearningCurves(curves) if curves else None

    def levels(self, incident: Incident, day: int) -> np.ndarray:
        """Mean intensity of the incident in each hour of day `day` (24 values)."""
        start = day * 24.0
        return np.array([incident.level_over(start + h, start + h + 1) for h in range(24)])

    def surge(self, source: str, day: int) -> np.ndarray | None:
        """Grid × hour rate multipliers of an existing source on day `day`, or None if no
        incident touches it that day."""
        out = None
        for name, incident in self.incidents.items():
            multiplier = incident.demand.get(source)
            if multiplier is None or multiplier == 1:
                continue
            levels = self.levels(incident, day)
            if not levels.any():
                continue
            factor = 1.0 + (multiplier - 1.0) * np.outer(self.masks[name], levels)
            out = factor if out is None else out * factor
        return out


def _learners(incident: Incident, case_types: list[CaseType]) -> np.ndarray:
    """Per category index: whether the incident's learning curve applies to its work (the
    incident's tasks except duty posts; closed-loop categories too with `closed_loop`)."""
    tasks = {task.category for task in incident.tasks if task.posts_per_community is None}
    closed_loop = incident.learning.closed_loop
    return np.array(
        [c.name in tasks or (closed_loop and c.kind in CLOSED_LOOP_KINDS) for c in case_types]
    )


class LearningCurves:
    """The work multiplier of the incidents' learning curves (慌忙 → 赶忙 → 繁忙): a case of a
    learning category created in an incident's area while it lasts, t hours after its onset, has
    its grid-tier work multiplied by 1 + extra·exp(−t/tau), extra after the drills. A function of
    the creation time only, so it leaves every random draw as it was."""

    def __init__(self, curves: list[tuple[Incident, np.ndarray, np.ndarray]]) -> None:
        self.curves = curves

    def __call__(self, times: np.ndarray, categories: np.ndarray, grids: np.ndarray) -> np.ndarray:
        """Multiplier of each case's work, given its creation time, category and grid."""
        factor = np.ones(len(times))
        for incident, area, learners in self.curves:
            since = np.asarray(times, dtype=float) - incident.onset
            hit = (since >= 0) & (since < incident.duration) & area[grids] & learners[categories]
            extra = incident.learning.extra * incident.drilled("learning")
            factor[hit] *= incident.learning.multiplier(since[hit], extra)
        return factor
