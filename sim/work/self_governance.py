"""Residents' self-management groups (自管小组, article #3: 宝鸡's 49-household building group
that settled an 84-year-old's ceiling-leak dispute): a group takes a share of its community's
residents' requests of some categories before they reach the grid worker; after a delay it
settles a share of those it took, which close without ever reaching the grid, and passes the
rest on to the grid, where they start as any other case.

Whether the group takes a request, whether it settles it and how long it works on it are drawn
when the request is drawn, from a stream of their own (``residents/<stream>``), so the requests
themselves, their work content and their paths are the same with or without groups, and two
staffing arms see the same groups' outcomes (common random numbers).

A request a group takes is a closed-loop case like any other: it is counted when it arrives
(事项受理 is then: the group takes it at once), and one the group settles is closed (归档销号) when
the group is done; so conservation (created = closed + open) and Little's law hold over them
too. The case table's `resident_group` column says what became of each request a group could
take: not taken, with the group (at the end), settled, passed on.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sim.work.case import ACCEPTED, IMPLEMENTED

if TYPE_CHECKING:
    import simpy

    from sim.work.case import Case
    from sim.work.flow import CaseFlow
    from sim.work.intake import CaseType
    from sim.world import World

#: The source whose cases groups take: residents' own requests.
SOURCE = "resident"
NOT_TAKEN, WITH_GROUP, SETTLED, PASSED_ON = range(4)
#: What became of a request a group could take (the `resident_group` column).
OUTCOMES: tuple[str, ...] = ("not_taken", "with_group", "settled", "passed_on")


class ResidentGroups:
    """The residents' groups of a run: which requests they take, settle or pass on."""

    def __init__(
        self, env: simpy.Environment, flow: CaseFlow, world: World, case_types: list[CaseType]
    ) -> None:
        self.env = env
        self.flow = flow
        index = {case_type.name: case_type.index for case_type in case_types}
        self.specs = [group for group in world.groups if group is not None]
        position = {id(group): k for k, group in enumerate(self.specs)}
        of_community = [-1 if g is None else position[id(g)] for g in world.groups]
        #: Per grid, the index of its community's group in `specs` (-1: none).
        self.group_of_grid = np.array([of_community[grid.community] for grid in world.grids])
        self.governs = np.zeros((len(self.specs), len(case_types)), dtype=bool)
        for k, group in enumerate(self.specs):
            self.governs[k, [index[name] for name in group.categories]] = True
        self.outcome: dict[int, int] = {}  # case id → outcome, for every request a group could take

    @classmethod
    def of(
        cls, env: simpy.Environment, flow: CaseFlow, world: World, case_types: list[CaseType]
    ) -> ResidentGroups | None:
        """The groups of a world, or None when no community has one."""
        return cls(env, flow, world, case_types) if any(world.groups) else None

    def draw(
        self, rng: np.random.Generator, categories: np.ndarray, grids: np.ndarray
    ) -> list[tuple[int, float] | None]:
        """Per arrival of a batch, what its group will do with it and after how many hours
        (outcome, delay); None for an arrival no group may take. Draws per group, for the
        arrivals it may take only: two uniforms each (taken, settled) and a delay."""
        drawn: list[tuple[int, float] | None] = [None] * len(categories)
        group = self.group_of_grid[grids]
        for k, spec in enumerate(self.specs):
            rows = np.flatnonzero((group == k) & self.governs[k][categories])
            if not len(rows):
                continue
            uniforms = rng.random((len(rows), 2))
            delays = spec.delay.sample(rng, len(rows))
            outcome = np.where(
                uniforms[:, 0] >= spec.share,
                NOT_TAKEN,
                np.where(uniforms[:, 1] < spec.success, SETTLED, PASSED_ON),
            )
            drawn_rows = zip(rows.tolist(), outcome.tolist(), delays.tolist(), strict=True)
            for row, value, delay in drawn_rows:
                drawn[row] = (value, delay)
        return drawn

    def receive(self, case: Case, drawn: tuple[int, float] | None) -> bool:
        """A request arrives: True if its group takes it (it is then registered, and settled
        or passed on to the grid after the group's delay), False if it goes to the grid now."""
        if drawn is None:
            return False
        outcome, delay = drawn
        if outcome == NOT_TAKEN:
            self.outcome[case.id] = NOT_TAKEN
            return False
        self.outcome[case.id] = WITH_GROUP
        case.steps[ACCEPTED] = self.env.now  # the group takes it at once
        self.flow.register(case)
        self.env.timeout(delay).callbacks.append(lambda _: self._done(case, outcome))
        return True

    def _done(self, case: Case, outcome: int) -> None:
        self.outcome[case.id] = outcome
        if outcome == SETTLED:
            case.steps[IMPLEMENTED] = self.env.now
            self.flow.close(case)
        else:
            self.flow.send(case)


def outcome_column(groups: ResidentGroups | None, case_ids: np.ndarray) -> pd.Categorical:
    """The cases table's `resident_group` column: per case, what became of it if a group could
    take it (OUTCOMES), else missing."""
    codes = np.full(len(case_ids), -1, dtype=np.int64)
    if groups is not None and groups.outcome:
        known = pd.Series(groups.outcome)
        codes = known.reindex(case_ids).fillna(-1).to_numpy(dtype=np.int64)
    return pd.Categorical.from_codes(codes, categories=list(OUTCOMES))


def resident_group_kpis(cases: pd.DataFrame, warmup: float) -> dict:
    """The `self_governance` block of summary.json: of the requests created after the warm-up
    that a residents' group could take (`requests`), how many it took, settled, passed on to
    the grid, and still had at the end; the share settled; the mean hours from arrival to
    settlement; and the same counts by category."""
    eligible = cases[(cases["created_h"] >= warmup) & cases["resident_group"].notna()]

    def counts(rows: pd.DataFrame) -> dict:
        outcome = rows["resident_group"]
        settled = rows[outcome == "settled"]
        n = len(rows)
        return {
            "requests": n,
            "taken": int((outcome != "not_taken").sum()),
            "settled": len(settled),
            "passed_on": int((outcome == "passed_on").sum()),
            "with_group_end": int((outcome == "with_group").sum()),
            "settled_share": len(settled) / n if n else None,
            "time_to_settle_h": float(settled["time_to_close_h"].mean()) if len(settled) else None,
        }

    return {
        **counts(eligible),
        "by_category": {
            str(category): counts(rows)
            for category, rows in eligible.groupby("category", observed=True)
        },
    }


def share_reaching_grid(world: World, names: list[str]) -> np.ndarray:
    """Per grid (rows) and category (columns, in `names` order), the expected share of the
    arrivals that reach the grid: all but the requests its community's group settles
    (share × success of its categories)."""
    out = np.ones((len(world.grids), len(names)))
    column = {name: i for i, name in enumerate(names)}
    for grid in world.grids:
        group = world.groups[grid.community]
        if group is not None:
            for name in group.categories:
                out[grid.index, column[name]] = 1.0 - group.share * group.success
    return out
