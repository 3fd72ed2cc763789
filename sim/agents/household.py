"""Households: Mesa agents that are views onto one row of the world's household table, and carry
what a household remembers of the channels it used (its satisfaction with each).

Demand is drawn per grid from the table, so a household agent is created only once the household
has had a case (`Households`, a registry filled on first use): a city's million households cost
nothing until they take a need somewhere, and no code ever loops over households per tick."""

from __future__ import annotations

import mesa
import numpy as np

from sim.vocabulary import ATTRIBUTES, CHANNELS
from sim.world import World


class Household(mesa.Agent):
    """A household (户) of a grid: its attributes (from the table), its satisfaction with each
    channel (CHANNELS order, in [0, 1]), updated by exponential smoothing of its ratings, and
    how many ratings it gave each channel."""

    def __init__(self, model: mesa.Model, world: World, row: int, initial: float) -> None:
        super().__init__(model)
        self.world = world
        self.row = row
        self.satisfaction = np.full(len(CHANNELS), initial)
        self.ratings = np.zeros(len(CHANNELS), dtype=np.int64)

    @property
    def grid(self) -> int:
        """Index of the household's grid."""
        return int(self.world.households["grid"][self.row])

    @property
    def attributes(self) -> dict[str, bool]:
        """Floating population, rental, group rental, shop, elderly, vulnerable, living in a
        compound with a property company (managed)."""
        table = self.world.households
        return {name: bool(table[name][self.row]) for name in ATTRIBUTES}

    def remember(self, channel: int, rating: float, smoothing: float) -> None:
        """A rating (打分评价, in [0, 1]) of `channel`: S ← S + smoothing·(rating − S)."""
        self.satisfaction[channel] += smoothing * (rating - self.satisfaction[channel])
        self.ratings[channel] += 1


class Households:
    """The household agents of a run, created on first use. `model` is the Mesa model that owns
    the agents (Mesa registers every agent with one); `initial` is the satisfaction of a
    household with no experience yet."""

    def __init__(self, model: mesa.Model, world: World, initial: float) -> None:
        self.model = model
        self.world = world
        self.initial = initial
        self._agents: dict[int, Household] = {}
        self._untouched = np.full(len(CHANNELS), initial)
        self._untouched.flags.writeable = False

    def get(self, row: int) -> Household:
        """The agent of row `row` of the household table, created now if it has none yet."""
        agent = self._agents.get(row)
        if agent is None:
            agent = self._agents[row] = Household(self.model, self.world, row, self.initial)
        return agent

    def satisfaction(self, row: int) -> np.ndarray:
        """Satisfaction of household `row` with each channel (read-only for a household with no
        agent yet: the initial value), creating nothing."""
        agent = self._agents.get(row)
        return self._untouched if agent is None else agent.satisfaction

    def agents(self) -> list[Household]:
        """The agents created so far, in creation order."""
        return list(self._agents.values())

    def __len__(self) -> int:
        return len(self._agents)
