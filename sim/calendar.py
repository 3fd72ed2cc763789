"""Simulated time is hours from the start of day 0; this maps it to weekdays, shifts and the
stretches on duty (and meetings) of a shift pattern."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

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


@dataclass(frozen=True)
class Block:
    """One stretch on duty: official hours [start, end); routinely on duty `early` hours before
    and `late` hours after (overtime); `first` when the shift begins here (fatigue counts from
    then), `last` when it ends here rather than at a break (an emergency plan's extension
    applies then)."""

    start: float
    end: float
    early: float = 0.0
    late: float = 0.0
    first: bool = True
    last: bool = True


def meeting_times(
    calendar: Calendar, horizon: float, meetings: list[Shift]
) -> list[tuple[float, float]]:
    """(start, end) in hours of every meeting that starts before `horizon`, in time order."""
    return sorted(times for meeting in meetings for times in calendar.shifts(meeting, horizon))


def shift_times(
    calendar: Calendar,
    horizon: float,
    pattern: list[Shift],
    early: float = 0.0,
    late: float = 0.0,
) -> list[Block] | None:
    """Every stretch on duty of a shift pattern that starts before `horizon`, in time order:
    each shift split at its breaks, with `early` hours of routine overtime before its first
    stretch and `late` after its last; None when the pattern is round the clock."""
    if len(pattern) == 1 and pattern[0].round_the_clock:
        return None
    blocks = []
    for shift in pattern:
        stretches = shift.stretches
        for start, _ in calendar.shifts(shift, horizon):
            for k, (begin, end) in enumerate(stretches):
                first, last = k == 0, k == len(stretches) - 1
                blocks.append(
                    Block(
                        start + begin,
                        start + end,
                        early if first else 0.0,
                        late if last else 0.0,
                        first,
                        last,
                    )
                )
    return sorted(blocks, key=lambda block: block.start)
