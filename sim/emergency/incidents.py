"""Incidents at run time: which grids each one strikes, its intensity hour by hour, and the surge
it puts on existing demand. Incidents are scheduled in the scenario, so a day's demand is known
when the day is drawn."""

from __future__ import annotations

import numpy as np

from sim.config.incidents import Area, Incident
from sim.world import World


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
        self.masks = {name: affected_grids(i.area, world) for name, i in incidents.items()}

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
