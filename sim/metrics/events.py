"""The run's event log (events.parquet): plans firing, acting, standing down, the mode they set,
and decisions taken by hand, each at its simulated time."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    import simpy

COLUMNS: tuple[str, ...] = ("t_h", "plan", "event", "detail")


class EventLog:
    """Lines of (time in hours, plan, event, detail), in the order they happen."""

    def __init__(self, env: simpy.Environment) -> None:
        self.env = env
        self.rows: list[tuple[float, str, str, str]] = []

    def add(self, plan: str, event: str, detail: str) -> None:
        """Log an event of plan `plan` now."""
        self.rows.append((self.env.now, plan, event, detail))

    def table(self) -> pd.DataFrame:
        """The log as a table with columns t_h, plan, event, detail."""
        return pd.DataFrame(self.rows, columns=list(COLUMNS))
