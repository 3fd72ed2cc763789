"""The world in a scenario: the administrative hierarchy district → street → community → grid,
the households' attributes, the default grid size of urban and rural communities, and the
residents' self-management groups (自管小组) that settle some requests before the grid."""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import Field, field_validator, model_validator

from sim.config.base import StrictModel, sourced
from sim.config.distributions import Distribution
from sim.config.limits import Limits, limits, number, over
from sim.config.units import Probability
from sim.vocabulary import Attribute


class HouseholdMix(StrictModel):
    """Shares of household attributes (each independent Bernoulli per household)."""

    floating: Probability = sourced(
        0.25, "assumption; 乔司 has 4.3 migrants per local (docs/sources.md A29)", ""
    )
    rental: Probability = sourced(0.2, "assumption", "")
    group_rental: Probability = sourced(
        0.02, "assumption; 新北区's hardest grid 400/500 (docs/sources.md A25)", ""
    )
    shop: Probability = sourced(0.05, "assumption", "")
    elderly: Probability = sourced(
        0.2,
        "assumption: share of households with a member 65+ (13.5 % of people are 65+, "
        "docs/sources.md P28)",
        "",
    )
    vulnerable: Probability = sourced(0.05, "assumption: disabled, ill, living alone", "")
    managed: Probability = sourced(
        1.0,
        "assumption: every household can call its property company, as before compounds were "
        "modelled; docs/sources.md A28: 14 of 矮凳桥's 18 compounds have one (a share of "
        "compounds, not of households)",
        "Share of households living in a compound with a property company (物业小区); only they "
        "can call the property desk (channels.property).",
    )

    @model_validator(mode="after")
    def _group_within_rental(self) -> HouseholdMix:
        if self.group_rental > self.rental:
            raise ValueError("group_rental share cannot exceed rental share")
        return self


class SelfGovernance(StrictModel):
    """A residents' self-management group (自管小组: 宝鸡's 49-household building group, article
    #3) that takes a share of the residents' requests of some categories before they reach the
    grid worker: after a delay it settles a share of them (closed, never reaching the grid) and
    passes the rest on to the grid."""

    enabled: bool = True
    categories: list[str] = Field(
        min_length=1,
        description="Categories of residents' requests (kind request) the group takes, e.g. "
        "disputes (矛盾化解).",
    )
    share: Probability = Field(description="Share of the requests of those categories it takes.")
    success: Probability = Field(description="Share of the requests it takes that it settles.")
    delay: Distribution = Field(
        description="Time the group spends on a request before it is settled or passed on."
    )


class SelfGovernanceHere(StrictModel):
    """A community's residents' group: the world's, with the fields given here instead (all of
    them where the world has none); `enabled: false` for no group here."""

    enabled: bool | None = None
    categories: list[str] | None = Field(None, min_length=1)
    share: Probability | None = None
    success: Probability | None = None
    delay: Distribution | None = None


class GridSize(StrictModel):
    """Households per grid where a community gives neither households_per_grid nor
    households_total, by whether the community is urban or rural."""

    urban: int = sourced(
        200, "docs/sources.md A16: 佳木斯, about 200 households per urban grid", "", ge=1
    )
    rural: int = sourced(
        50, "docs/sources.md A16: 佳木斯, about 50 households per village grid", "", ge=1
    )


class Community(StrictModel):
    """A community (社区/村) divided into `grids` grids; `count > 1` repeats it with numbered
    ids. Give `households_per_grid` (fixed or a range), or `households_total` to split a fixed
    set of households evenly: re-gridding the same community into more or fewer grids; or
    neither, for the world's `grid_size` of an urban or a rural community."""

    id: str
    name: str = ""
    urban: bool = Field(
        True,
        description="Urban community (社区) or village (村): sets the default grid size and, in "
        "a village, the world's rural_travel_factor on every job's travel.",
    )
    count: int = Field(1, ge=1)
    grids: int = Field(
        ge=1,
        description="Grids of the community (each copy). A world holds at most "
        f"{number(Limits.model_fields['grids'].default)} grids and "
        f"{number(Limits.model_fields['households'].default)} households (limits `grids`, "
        "`households`, GRIDSIM_LIMITS).",
    )
    households_per_grid: int | tuple[int, int] | None = Field(
        None, description="Households per grid, or a [low, high] range drawn uniformly."
    )
    households_total: int | None = Field(
        None, ge=1, description="Households of the community, split evenly over its grids."
    )
    households: dict[Attribute, Probability] = Field(
        default_factory=dict,
        description="Household shares that differ here from world.households (the rest are "
        "the world's).",
    )
    self_governance: SelfGovernanceHere | None = Field(
        None,
        description="This community's residents' group: world.self_governance with these "
        "fields instead (enabled: false for none here).",
    )

    @field_validator("households_per_grid")
    @classmethod
    def _positive(cls, value: int | tuple[int, int] | None) -> int | tuple[int, int] | None:
        low, high = (value, value) if isinstance(value, int | None) else value
        if value is not None and (low < 1 or high < low):
            raise ValueError("households_per_grid must be ≥ 1 (and low ≤ high for a range)")
        return value

    @model_validator(mode="after")
    def _one_size(self) -> Community:
        if self.households_per_grid is not None and self.households_total is not None:
            raise ValueError("give households_per_grid or households_total, not both")
        if self.households_total is not None and self.households_total < self.grids:
            raise ValueError("households_total must be at least one household per grid")
        return self

    def grid_count(self) -> int:
        """Grids of all its copies."""
        return self.count * self.grids

    def most_households(self, default: GridSize) -> int:
        """Households of all its copies (a range of grid sizes counted at its high end)."""
        if self.households_total is not None:
            return self.count * self.households_total
        size = self.households_per_grid
        if size is None:
            size = default.urban if self.urban else default.rural
        high = size if isinstance(size, int) else size[1]
        return self.grid_count() * high

    def copies(self) -> list[str]:
        """Ids of the community's copies: its id, or id-001, id-002 … when count > 1."""
        if self.count == 1:
            return [self.id]
        return [f"{self.id}-{copy + 1:03d}" for copy in range(self.count)]

    def grid_ids(self, copy: str) -> list[str]:
        """Ids of the grids of one copy."""
        return [f"{copy}-g{g + 1:02d}" for g in range(self.grids)]

    def grid_sizes(self, rng: np.random.Generator, default: GridSize) -> list[int]:
        """Households of each grid: an even split of households_total, households_per_grid
        (a range drawn uniformly from `rng`), or else `default`'s size for an urban or a rural
        community."""
        if self.households_total is not None:
            base, extra = divmod(self.households_total, self.grids)
            return [base + (g < extra) for g in range(self.grids)]
        size = self.households_per_grid
        if size is None:
            return [default.urban if self.urban else default.rural] * self.grids
        if isinstance(size, int):
            return [size] * self.grids
        return rng.integers(size[0], size[1] + 1, size=self.grids).tolist()


class Street(StrictModel):
    """A street or township (街道/乡镇)."""

    id: str
    name: str = ""
    communities: list[Community] = Field(min_length=1)


class World(StrictModel):
    """The administrative hierarchy district → street → community → grid."""

    district: str = "district"
    streets: list[Street] = Field(min_length=1)
    households: HouseholdMix = Field(default_factory=HouseholdMix)
    difficulty_weights: dict[Literal["floating", "rental", "group_rental", "shop"], float] = (
        sourced(
            lambda: {"floating": 1.0, "rental": 1.0, "group_rental": 2.0, "shop": 1.0},
            "assumption: 新北区 weighs floating population, rentals and shops "
            "(docs/sources.md A82)",
            "Weights of the grid difficulty score (per household with the attribute).",
        )
    )
    grid_size: GridSize = Field(default_factory=GridSize)
    rural_travel_factor: float = sourced(
        1.0,
        "assumption: no source gives walking times; villages' grids are larger in area "
        "(docs/sources.md A82), so walks are longer; 1 leaves travel as the categories give it",
        "Multiplies the travel of every job in a rural community's grids.",
        gt=0,
    )
    self_governance: SelfGovernance | None = Field(
        None,
        description="A residents' self-management group in every community (a community's "
        "own self_governance changes it there).",
    )

    def size_problems(self) -> list[tuple[str, str]]:
        """Grids and households beyond the limits (`grids`, `households`), as (field path,
        message) pairs naming the largest community; counted without building anything."""
        communities = [
            (f"world.streets.{i}.communities.{j}", community)
            for i, street in enumerate(self.streets)
            for j, community in enumerate(street.communities)
        ]
        problems = []
        for name, size in (
            ("grids", lambda c: c.grid_count()),
            ("households", lambda c: c.most_households(self.grid_size)),
        ):
            sizes = [(size(community), where) for where, community in communities]
            total = sum(n for n, _ in sizes)
            if total > getattr(limits(), name):
                most, where = max(sizes, key=lambda pair: pair[0])
                problems.append(
                    (
                        where,
                        f"{name} of the world {over(name, total)}; this community has "
                        f"{number(most)}",
                    )
                )
        return problems

    def grid_ids(self) -> list[str]:
        """Ids of every grid, as the world will name them."""
        return [
            grid
            for street in self.streets
            for community in street.communities
            for copy in community.copies()
            for grid in community.grid_ids(copy)
        ]

    def grids_of(self, unit: str) -> list[str]:
        """Ids of the grids of a place: the district, a street, a community (a repeated
        community's copy, or by its base id all its copies) or a grid; empty if none."""
        if unit == self.district:
            return self.grid_ids()
        out = []
        for street in self.streets:
            for community in street.communities:
                for copy in community.copies():
                    grids = community.grid_ids(copy)
                    if unit in (street.id, community.id, copy):
                        out += grids
                    elif unit in grids:
                        out.append(unit)
        return out

    def group_of(self, community: Community) -> SelfGovernance | None:
        """The residents' group of a community: the world's with the community's own fields
        instead; None if it has none."""
        group, here = self.self_governance, community.self_governance
        if here is not None:
            given = here.model_dump(exclude_none=True)
            group = SelfGovernance(**{**(group.model_dump() if group else {}), **given})
        return group if group is not None and group.enabled else None

    def mix_of(self, community: Community) -> HouseholdMix:
        """The household shares of a community: the world's, with its overrides."""
        return HouseholdMix(**{**self.households.model_dump(), **community.households})

    @model_validator(mode="after")
    def _community_mixes(self) -> World:
        for street in self.streets:
            for community in street.communities:
                try:
                    self.mix_of(community)
                except ValueError as error:
                    raise ValueError(f"community {community.id!r}: {error}") from None
        return self

    @model_validator(mode="after")
    def _community_groups(self) -> World:
        for street in self.streets:
            for community in street.communities:
                try:
                    self.group_of(community)
                except ValueError as error:
                    raise ValueError(
                        f"community {community.id!r}: self_governance: {_first_line(error)}"
                    ) from None
        return self

    @model_validator(mode="after")
    def _unique_ids(self) -> World:
        streets = [s.id for s in self.streets]
        communities = [c.id for s in self.streets for c in s.communities]
        for kind, ids in (("street", streets), ("community", communities)):
            duplicates = sorted({i for i in ids if ids.count(i) > 1})
            if duplicates:
                raise ValueError(f"duplicate {kind} ids: {', '.join(duplicates)}")
        return self


def _first_line(error: ValueError) -> str:
    """A pydantic error's fields and messages on one line."""
    errors = getattr(error, "errors", None)
    if errors is None:
        return str(error)
    return "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in errors())
