"""Households: Mesa agents that are views onto one row of the world's household table."""

from __future__ import annotations

import mesa

from sim.vocabulary import ATTRIBUTES
from sim.world import World


class Household(mesa.Agent):
    """A household (户) of a grid. Its requests are drawn per grid, vectorised, by the
    resident-request source; the agent gives per-household access to attributes and history."""

    def __init__(self, model: mesa.Model, world: World, row: int) -> None:
        super().__init__(model)
        self.world = world
        self.row = row

    @property
    def grid(self) -> int:
        """Index of the household's grid."""
        return int(self.world.households["grid"][self.row])

    @property
    def attributes(self) -> dict[str, bool]:
        """Floating population, rental, group rental, shop, elderly, vulnerable."""
        table = self.world.households
        return {name: bool(table[name][self.row]) for name in ATTRIBUTES}
