"""Simulated time is hours from the start of day 0; this maps it to weekdays and shifts."""

from __future__ import annotations

from collections.abc import Iterator

from sim.config.teams import Shift
from sim.vocabulary import WEEKDAYS


class Calendar:
    """Weekday arithmetic for a run that starts at 00:00 on `start_weekday`."""

    def __init__(self, start_weekday: str) -> None:
        self.offset = WEEKDAYS.index(start_weekday)

    def weekday(self, day: int) -> str:
        """Weekday name ("mon" …) of day number `day`."""
        return WEEKDAYS[(self.offset + day) % 7]

    def shifts(self, shift: Shift, horizon: float) -> Iterator[tuple[float, float]]:
        """(start, end) in hours of every shift that starts before `horizon`."""
        days = set(shift.days)
        day = 0
        while day * 24 + shift.start < horizon:
            if self.weekday(day) in days:
                start = day * 24 + shift.start
                yield start, start + shift.length
            day += 1
