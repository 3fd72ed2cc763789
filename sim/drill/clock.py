"""Time in a drill file: moments of the run, written as hours from its start (`69.5h`, `2.9d`,
a number of hours) or as a day of the run and a time of day (`day 2 21:05`, day 0 the first);
and the drill's clock."""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, WithJsonSchema

from sim.config.base import StrictModel, sourced
from sim.config.units import parse_clock, parse_duration

_DAY_TIME = re.compile(r"^\s*day\s+(\d+)\s+(\d{1,2}:\d{2})\s*$", re.IGNORECASE)


def parse_moment(value: Any) -> float:
    """Hours from the run's start, from a duration or from `day D HH:MM`."""
    if isinstance(value, str) and (match := _DAY_TIME.match(value)):
        day, clock = match.groups()
        return 24.0 * int(day) + parse_clock(clock)
    try:
        return parse_duration(value)
    except ValueError:
        raise ValueError(
            f"invalid time {value!r}: write hours from the run's start ('69.5h', '2.9d', 69.5) "
            "or a day of the run and a time of day ('day 2 21:05', day 0 the first)"
        ) from None


Moment = Annotated[
    float,
    BeforeValidator(parse_moment),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "number", "minimum": 0},
                {"type": "string", "description": "'69.5h', '2.9d' or 'day 2 21:05'"},
            ]
        }
    ),
]


class Clock(StrictModel):
    """The drill's clock: the model runs on its own to `start`, where the players take over,
    and the drill ends at `horizon`; `speed` is how fast the app's clock runs."""

    start: Moment = Field(0.0, description="When the players take over.")
    horizon: Moment | None = Field(
        None, description="When the drill ends; absent: the scenario's horizon."
    )
    speed: float = sourced(
        0.25,
        "assumption: an hour of the run every four seconds, a night's incident in a few minutes",
        "Simulated hours per wall-clock second when the app's clock runs.",
        gt=0,
    )
