"""Factor levels of a sweep as the charts name and order them: `rate_per_household=0.5/day`
after the last part of the factor's path, levels in the order of their values (`"0.5/day"`
before `"2/day"`, parsed by the scenario's units parser)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from sim.sweep.store import factor_number

T = TypeVar("T")


def in_value_order(items: Sequence[T], values: Sequence[Sequence[Any]]) -> list[T]:
    """`items` sorted by their factor values (`values[i]`, one per factor, compared as numbers
    in base units); in the order given when some value is not a number."""
    numbers = [[factor_number(v) for v in row] for row in values]
    if any(n is None for row in numbers for n in row):
        return list(items)
    order = sorted(range(len(items)), key=lambda i: numbers[i])
    return [items[i] for i in order]
