"""The administrative hierarchy (district → street → community → grid) and the household
population, held as columns (one numpy array per attribute) so a city of a million households
costs memory, not time; each community's residents' group, and each grid's travel factor."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.config.world import SelfGovernance
from sim.config.world import World as WorldSpec
from sim.vocabulary import ATTRIBUTES

#: The attributes drawn together from one block of uniforms, in this order (the first ones
#: modelled); attributes added since are drawn each from a column of its own after it.
PROFILE: tuple[str, ...] = ATTRIBUTES[: ATTRIBUTES.index("managed")]

#: Grid-difficulty bands: terciles of the difficulty score over the scenario's grids.
BANDS: list[str] = ["low", "medium", "high"]


@dataclass(frozen=True)
class Grid:
    """One grid (网格): households `start:stop` of the household table."""

    index: int
    id: str
    community: int
    street: int
    urban: bool
    start: int
    stop: int
    difficulty: float

    @property
    def households(self) -> int:
        """Number of households in the grid."""
        return self.stop - self.start


@dataclass(frozen=True)
class Unit:
    """A community, street or the district: an id, a display name and its parent's index."""

    index: int
    id: str
    name: str
    parent: int


class World:
    """Grids, communities, streets and the household table of one scenario."""

    def __init__(
        self, spec: WorldSpec, rng: np.random.Generator, sizes_rng: np.random.Generator
    ) -> None:
        """`rng` draws household attributes, `sizes_rng` grid sizes given as ranges: apart,
        so that re-gridding the same households leaves their attributes unchanged."""
        self.spec = spec
        self.district = Unit(0, spec.district, spec.district, -1)
        self.streets: list[Unit] = []
        self.communities: list[Unit] = []
        self.grids: list[Grid] = []
        #: Each community's residents' group (None: none), by community index.
        self.groups: list[SelfGovernance | None] = []
        sizes: list[int] = []
        shares: list[np.ndarray] = []
        grid_rows: list[tuple[str, int, int, bool]] = []
        for street_spec in spec.streets:
            street = Unit(len(self.streets), street_spec.id, street_spec.name or street_spec.id, 0)
            self.streets.append(street)
            for community_spec in street_spec.communities:
                mix = spec.mix_of(community_spec)
                probabilities = np.array([getattr(mix, name) for name in ATTRIBUTES])
                group = spec.group_of(community_spec)
                for copy in community_spec.copies():
                    suffix = copy[len(community_spec.id) :]
                    community = Unit(
                        len(self.communities),
                        copy,
                        (community_spec.name or community_spec.id) + suffix,
                        street.index,
                    )
                    self.communities.append(community)
                    self.groups.append(group)
                    sizes_of = community_spec.grid_sizes(sizes_rng, spec.grid_size)
                    for grid_id, households in zip(
                        community_spec.grid_ids(copy), sizes_of, strict=True
                    ):
                        grid_rows.append(
                            (grid_id, community.index, street.index, community_spec.urban)
                        )
                        sizes.append(int(households))
                        shares.append(probabilities)
        self.households = self._draw_households(np.array(sizes), np.array(shares), rng)
        weights = spec.difficulty_weights
        starts = np.concatenate([[0], np.cumsum(sizes)])
        score = sum(
            weight * np.add.reduceat(self.households[name].astype(float), starts[:-1])
            for name, weight in weights.items()
        )
        score = np.zeros(len(sizes)) + score
        for index, (grid_id, community, street, urban) in enumerate(grid_rows):
            self.grids.append(
                Grid(
                    index,
                    grid_id,
                    community,
                    street,
                    urban,
                    int(starts[index]),
                    int(starts[index + 1]),
                    float(score[index]),
                )
            )

    @staticmethod
    def _draw_households(
        sizes: np.ndarray, shares: np.ndarray, rng: np.random.Generator
    ) -> dict[str, np.ndarray]:
        """Household attributes as boolean columns; `grid` gives each household's grid index.
        The attributes of PROFILE come from one block of uniforms; each later attribute from
        its own column drawn after it, so adding one leaves the others' draws unchanged."""
        grid = np.repeat(np.arange(len(sizes), dtype=np.int32), sizes)
        p = shares[grid]
        u = rng.random((len(grid), len(PROFILE)))
        columns = {name: u[:, i] < p[:, i] for i, name in enumerate(PROFILE)}
        # group rentals are a subset of rentals: P(group | rental) = group share / rental share
        rental, group = ATTRIBUTES.index("rental"), ATTRIBUTES.index("group_rental")
        conditional = np.divide(
            p[:, group], p[:, rental], out=np.zeros(len(grid)), where=p[:, rental] > 0
        )
        columns["group_rental"] = columns["rental"] & (u[:, group] < conditional)
        for name in ATTRIBUTES[len(PROFILE) :]:
            columns[name] = rng.random(len(grid)) < p[:, ATTRIBUTES.index(name)]
        columns["grid"] = grid
        return columns

    @property
    def n_households(self) -> int:
        """Total number of households."""
        return len(self.households["grid"])

    def travel_factors(self) -> np.ndarray:
        """Per grid, the factor on the travel of its jobs: the world's rural_travel_factor in
        a rural community's grids, 1 in urban ones."""
        rural = self.spec.rural_travel_factor
        return np.array([1.0 if grid.urban else rural for grid in self.grids])

    def relative_difficulty(self) -> np.ndarray:
        """Per grid, its difficulty per household against the whole world's (1 = average;
        all 1 when no grid scores anything)."""
        score = np.array([g.difficulty for g in self.grids])
        households = np.array([g.households for g in self.grids], dtype=float)
        overall = score.sum() / households.sum()
        return score / households / overall if overall > 0 else np.ones(len(self.grids))

    def difficulty_bands(self) -> list[str]:
        """Band of each grid: low, medium or high tercile of difficulty ("medium" for all when
        every grid scores the same)."""
        score = np.array([g.difficulty for g in self.grids])
        if np.ptp(score) == 0:
            return ["medium"] * len(score)
        edges = np.quantile(score, [1 / 3, 2 / 3])
        return [BANDS[i] for i in np.searchsorted(edges, score, side="right").clip(0, 2)]

    def in_group(self, group: str) -> np.ndarray:
        """Boolean mask over households: those in a household group (all, elderly,
        vulnerable, elderly_or_vulnerable, floating)."""
        table = self.households
        if group == "all":
            return np.ones(self.n_households, dtype=bool)
        if group == "elderly_or_vulnerable":
            return table["elderly"] | table["vulnerable"]
        return table[group].copy()

    def per_grid(self, weights: np.ndarray) -> np.ndarray:
        """Sum per grid of a value (or a mask) per household."""
        return np.bincount(
            self.households["grid"],
            weights=np.asarray(weights, dtype=float),
            minlength=len(self.grids),
        )

    def unit_of_grid(self, level: str) -> np.ndarray:
        """Index of each grid's unit at `level` (grid, community, street, district or city)."""
        if level == "grid":
            return np.arange(len(self.grids))
        if level == "community":
            return np.array([g.community for g in self.grids])
        if level == "street":
            return np.array([g.street for g in self.grids])
        return np.zeros(len(self.grids), dtype=int)

    def unit_ids(self, level: str) -> list[str]:
        """Ids of the units at `level`, in index order."""
        return {
            "grid": [g.id for g in self.grids],
            "community": [c.id for c in self.communities],
            "street": [s.id for s in self.streets],
            "district": [self.district.id],
            "city": ["city"],
        }[level]
