"""Units in scenario files: durations, rates, clock times and probabilities.

Hours are the internal unit everywhere. A scenario may write `15min`, `2h`, `3 days`,
`10/day` or `19:30`; these parsers turn them into hours (or events per hour, or hours
since midnight) and the annotated types below apply them inside pydantic models.
"""

from __future__ import annotations

import math
import re
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, WithJsonSchema

from sim.config.limits import Limits, limits, over

__all__ = [
    "DURATION_JSON_SCHEMA",
    "ClockTime",
    "Duration",
    "Probability",
    "Rate",
    "parse_clock",
    "parse_duration",
    "parse_probability",
    "parse_rate",
]

# Hours per unit, with every spelling a scenario may use.
_SPELLINGS: dict[float, tuple[str, ...]] = {
    1 / 3600: ("s", "sec", "secs", "second", "seconds"),
    1 / 60: ("min", "mins", "minute", "minutes"),
    1.0: ("h", "hr", "hrs", "hour", "hours"),
    24.0: ("d", "day", "days"),
    24.0 * 7: ("w", "wk", "week", "weeks"),
    24.0 * 365: ("y", "yr", "year", "years"),
}
_UNIT_HOURS = {name: hours for hours, names in _SPELLINGS.items() for name in names}

#: A number as YAML writes one: digits with an optional decimal point and exponent (`1e-3`).
_NUMBER = r"(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"
_UNIT = "|".join(sorted(_UNIT_HOURS, key=len, reverse=True))


def _any_case(words: str) -> str:
    """`words` (lower-case letters and `|`) as a regular expression that matches them in any
    case: JSON Schema patterns take no flags, and gridsim reads units in any case (`3 Days`)."""
    return "".join(f"[{c}{c.upper()}]" if c.isalpha() else c for c in words)


#: The patterns an editor checks against the JSON Schema: what the expressions below accept.
_DURATION_PATTERN = rf"^\s*{_NUMBER}\s*(?:{_any_case(_UNIT)})\s*$"
_RATE_PATTERN = rf"^\s*{_NUMBER}\s*(?:/|{_any_case('per')}\s)\s*(?:{_any_case(_UNIT)})\s*$"
_CLOCK_PATTERN = r"^\s*(?:[01]?\d|2[0-3]):[0-5]\d\s*$|^\s*24:00\s*$"

_DURATION_RE = re.compile(rf"^\s*({_NUMBER})\s*({_UNIT})\s*$", re.IGNORECASE)
_RATE_RE = re.compile(rf"^\s*({_NUMBER})\s*(?:/|per\s)\s*({_UNIT})\s*$", re.IGNORECASE)
_CLOCK_RE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*$")

_RATE_LIMIT = Limits.model_fields["rate"].default
_UNITS_HELP = "s, min, h, d, w, y (also sec/second(s), minute(s), hr/hour(s), day(s), week(s))"


def _number(value: Any, what: str) -> float | None:
    """Return `value` as a float if it is a plain number, else None (bools are not numbers)."""
    if isinstance(value, bool):
        raise ValueError(f"{what} must be a number or a string with a unit, not {value!r}")
    if isinstance(value, int | float):
        number = float(value)
        if not math.isfinite(number):
            raise ValueError(f"{what} must be finite, got {value!r}")
        if number < 0:
            raise ValueError(f"{what} must not be negative, got {value!r}")
        return number
    if not isinstance(value, str):
        raise ValueError(f"{what} must be a number or a string, got {type(value).__name__}")
    if value.strip().startswith("-"):
        raise ValueError(f"{what} must not be negative, got {value!r}")
    return None


def _finite(hours: float, value: str, what: str) -> float:
    """`hours` if finite (a string of 400 digits reads as infinity)."""
    if not math.isfinite(hours):
        raise ValueError(f"{what} {value[:40]!r}… is too large")
    return hours


def parse_duration(value: Any) -> float:
    """Hours from a number (already hours) or a string such as `30s`, `15min`, `2h`, `3 days`."""
    number = _number(value, "duration")
    if number is not None:
        return number
    match = _DURATION_RE.match(value)
    if match is None:
        raise ValueError(
            f"invalid duration {value!r}: write a number of hours, or a number with a unit, "
            f"e.g. '30s', '15min', '1.5h', '3d', '2w'; units: {_UNITS_HELP}"
        )
    amount, unit = match.groups()
    return _finite(float(amount) * _UNIT_HOURS[unit.lower()], value, "duration")


def parse_rate(value: Any) -> float:
    """Events per hour from a number (per hour) or a string such as `10/day`, `3 per week`; at
    most the `rate` limit."""
    rate = _parse_rate(value)
    if rate > limits().rate:
        raise ValueError(f"rate {over('rate', rate, '/h')}")
    return rate


def _parse_rate(value: Any) -> float:
    number = _number(value, "rate")
    if number is not None:
        return number
    match = _RATE_RE.match(value)
    if match is None:
        raise ValueError(
            f"invalid rate {value!r}: write a number per hour or 'N/unit' or 'N per unit', "
            f"e.g. '2/h', '10/day', '3 per week', '1/year'; units: {_UNITS_HELP}"
        )
    amount, unit = match.groups()
    return _finite(float(amount) / _UNIT_HOURS[unit.lower()], value, "rate")


def parse_clock(value: Any) -> float:
    """Hours since midnight from `HH:MM` (`08:00`, `19:30`, `24:00`) or a number in [0, 24]."""
    if isinstance(value, bool):
        raise ValueError(f"clock time must be 'HH:MM', not {value!r}")
    if isinstance(value, int | float):
        hours = float(value)
        if not 0 <= hours <= 24:
            hint = ""
            if isinstance(value, int) and 24 < value < 24 * 60:
                hint = " (an unquoted HH:MM may have been read as base-60 minutes; quote it)"
            raise ValueError(f"clock time must be between 0 and 24 hours, got {value!r}{hint}")
        return hours
    if not isinstance(value, str):
        raise ValueError(f"clock time must be 'HH:MM', got {type(value).__name__}")
    match = _CLOCK_RE.match(value)
    if match is None:
        raise ValueError(f"invalid clock time {value!r}: write 'HH:MM', e.g. '08:00' or '19:30'")
    hours, minutes = int(match.group(1)), int(match.group(2))
    if minutes >= 60 or hours > 24 or (hours == 24 and minutes > 0):
        raise ValueError(f"invalid clock time {value!r}: must be between 00:00 and 24:00")
    return hours + minutes / 60


def parse_probability(value: float) -> float:
    """Check that a probability lies in [0, 1]."""
    if not 0.0 <= value <= 1.0:  # also rejects NaN
        raise ValueError(f"probability must be between 0 and 1, got {value!r}")
    return value


DURATION_JSON_SCHEMA: dict[str, Any] = {
    "anyOf": [
        {"type": "number", "minimum": 0},
        {"type": "string", "pattern": _DURATION_PATTERN},
    ],
    "description": "Duration: a number of hours, or a number with a unit, "
    "e.g. '30s', '15min', '1.5h', '3d', '2w'.",
}
"""JSON schema of a duration (also used for the bare-duration shorthand of distributions)."""

Duration = Annotated[float, BeforeValidator(parse_duration), WithJsonSchema(DURATION_JSON_SCHEMA)]
"""A non-negative duration in hours; scenario files may write `15min`, `2h`, `3 days`."""

Rate = Annotated[
    float,
    BeforeValidator(parse_rate),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "number", "minimum": 0},
                {"type": "string", "pattern": _RATE_PATTERN},
            ],
            "description": "Rate: events per hour, or 'N/unit' / 'N per unit', "
            f"e.g. '2/h', '10/day', '3 per week', '1/year'; at most {_RATE_LIMIT:g}/h (limit "
            "`rate`, GRIDSIM_LIMITS).",
        }
    ),
]
"""A non-negative rate in events per hour; scenario files may write `10/day`, `3 per week`."""


def parse_quantity(value: Any) -> float:
    """A number as it is (any sign), or a duration (`12min` → hours) or a rate (`2/year` → per
    hour) written as a string."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        if not math.isfinite(value):
            raise ValueError(f"must be finite, got {value!r}")
        return float(value)
    if isinstance(value, str):
        for parse in (parse_duration, parse_rate):
            try:
                return parse(value)
            except ValueError:
                continue
    raise ValueError(
        f"invalid value {value!r}: write a number, a duration ('12min', '2h') or a rate "
        "('10/day', '2/year')"
    )


Quantity = Annotated[
    float,
    BeforeValidator(parse_quantity),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "number"},
                {"type": "string", "pattern": _DURATION_PATTERN},
                {"type": "string", "pattern": _RATE_PATTERN},
            ],
            "description": "A number in the scenario's base units, a duration ('12min') or a "
            "rate ('2/year').",
        }
    ),
]
"""A value in base units (hours, per hour), e.g. a bound of a range over a scenario field."""

ClockTime = Annotated[
    float,
    BeforeValidator(parse_clock),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "number", "minimum": 0, "maximum": 24},
                {"type": "string", "pattern": _CLOCK_PATTERN},
            ],
            "description": "Clock time 'HH:MM' (e.g. '08:00', '19:30'), or hours since midnight.",
        }
    ),
]
"""A time of day in hours since midnight, 0 ≤ x ≤ 24; scenario files write `08:00`."""

Probability = Annotated[
    float,
    AfterValidator(parse_probability),
    WithJsonSchema({"type": "number", "minimum": 0, "maximum": 1, "description": "Probability."}),
]
"""A probability in [0, 1]."""
