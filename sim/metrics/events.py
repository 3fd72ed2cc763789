"""The run's event log (events.parquet): plans firing, acting, standing down, the mode they set,
and decisions taken by hand, each at its simulated time; the spans of time in each mode."""

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


def mode_spans(
    events: pd.DataFrame, first_mode: str, window: tuple[float, float]
) -> list[tuple[float, float, str]]:
    """The operations' mode over the window (hours) as (from, to, mode), from the event log's
    mode changes; `first_mode` is the mode before the first change."""
    changes = events[events["event"] == "mode"].sort_values("t_h", kind="stable")
    start, end = window
    spans, mode, since = [], first_mode, start
    for at, detail in zip(changes["t_h"], changes["detail"], strict=True):
        if at > since and since < end:
            spans.append((since, min(at, end), mode))
        mode, since = str(detail), max(since, at)
    if since < end:
        spans.append((since, end, mode))
    return spans
