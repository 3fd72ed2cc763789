"""A warm start (a drill that begins mid-crisis): open cases present at time 0 — a backlog by
category, in grids drawn in proportion to their households (households uniformly within them),
and the open cases of an earlier run, in their own grids and households."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from pydantic import Field, field_validator

from sim.config.base import StrictModel
from sim.work.intake import Batch
from sim.work.sources.base import Source, SourceContext

if TYPE_CHECKING:
    from sim.scenario import Scenario


#: The columns of a run's cases.parquet a warm start reads.
SAVED_COLUMNS = ("category", "grid", "household", "status")


class WarmStart(StrictModel):
    """Start mid-crisis (a drill): cases already waiting at time 0 — by category, spread over
    the grids in proportion to their households, and/or the cases still open at the end of an
    earlier run (`from_run`: its run folder), in their grids."""

    backlog: dict[str, int] = Field(default_factory=dict, description="Category → open cases.")
    from_run: str | None = Field(
        None, description="Run folder whose open cases are waiting at the start (same world)."
    )

    def open_cases(self) -> list[tuple[str, str, int]]:
        """(category, grid id, household) of the open cases of `from_run` (empty if none).
        ValueError naming the file if it is not a run's cases table (corrupt, another
        program's, or with columns of the wrong type)."""
        if self.from_run is None:
            return []
        import pandas as pd  # only for warm starts from a saved run
        from pyarrow import ArrowException

        path = Path(self.from_run) / "cases.parquet"
        try:
            cases = pd.read_parquet(path, columns=list(SAVED_COLUMNS))
            cases = cases[cases["status"] == "open"]
            households = pd.to_numeric(cases["household"], errors="raise")
            if len(cases) and (households.min() < -1 or (households % 1 != 0).any()):
                raise ValueError("household ids must be whole numbers, -1 for none")
            return list(
                zip(
                    cases["category"].astype(str),
                    cases["grid"].astype(str),
                    households.astype("int64"),
                    strict=True,
                )
            )
        except (OSError, ValueError, TypeError, KeyError, ArithmeticError, ArrowException) as error:
            reason = str(error).splitlines()[0][:200] if str(error) else type(error).__name__
            raise ValueError(
                f"{path} is not a run's cases table with columns {', '.join(SAVED_COLUMNS)} "
                f"({reason})"
            ) from None

    @field_validator("backlog")
    @classmethod
    def _counts(cls, value: dict[str, int]) -> dict[str, int]:
        if any(n < 0 for n in value.values()):
            raise ValueError("backlog counts must be ≥ 0")
        return value


class InitialBacklog(Source):
    """The cases waiting at time 0."""

    name = "initial"

    @classmethod
    def configured(cls, scenario: Scenario) -> WarmStart | None:
        """The scenario's warm start, or None."""
        return scenario.warm_start

    @classmethod
    def categories(cls, scenario: Scenario) -> list[tuple[str, str]]:
        """The categories of the backlog (the saved run's are checked with the run folder)."""
        backlog = scenario.warm_start.backlog if scenario.warm_start else {}
        return [(name, f"warm_start.backlog.{name}") for name in backlog]

    def __init__(self, context: SourceContext, spec: WarmStart) -> None:
        index = context.category_index
        self.world = context.world
        self.backlog = {index[name]: n for name, n in spec.backlog.items() if n}
        grid_index = {grid.id: grid.index for grid in self.world.grids}
        self.saved = [
            (index[category], grid_index[grid], household)
            for category, grid, household in spec.open_cases()
        ]
        self._check_households(spec)
        super().__init__(context, spec)

    def _check_households(self, spec: WarmStart) -> None:
        """Refuse saved cases of households this world does not have (a run of another world
        with the same grid ids), as bad input: they could not be placed."""
        n = self.world.n_households
        outside = [h for _, _, h in self.saved if not -1 <= h < n]
        if outside:
            from sim.config.loader import Problem, ScenarioError

            table = str(Path(spec.from_run or "") / "cases.parquet")
            message = (
                f"its open cases have household {outside[0]}, not in this world "
                f"({n:,} households): a run of another world"
            )
            raise ScenarioError([Problem(table, "warm_start.from_run", None, message)])

    def day(self, day: int) -> Batch | None:
        if day or not (self.backlog or self.saved):
            return None
        categories = np.repeat(list(self.backlog), list(self.backlog.values())).astype(int)
        households = self.rng.integers(0, self.world.n_households, len(categories))
        grids = self.world.households["grid"][households]
        if self.saved:
            saved = np.array(self.saved, dtype=np.int64).reshape(-1, 3)
            categories = np.concatenate([categories, saved[:, 0]])
            grids = np.concatenate([grids, saved[:, 1]])
            households = np.concatenate([households, saved[:, 2]])
        return self.intake.draw(np.zeros(len(categories)), categories, grids, households)
