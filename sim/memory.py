"""Giving freed memory back to the system.

glibc's malloc keeps the blocks a process frees for its own later use and raises the size from
which it maps a block on its own each time such a block is freed, so the run records a city's run
lets go as it builds its tables (a gigabyte of them) would stay resident and count in its peak.
`malloc_trim` hands the free pages back. Asking malloc to map every large block on its own
instead (`mallopt`) does as much but made every run's tables and KPIs 14 % slower."""

from __future__ import annotations

import ctypes
from functools import cache


@cache
def _trim():
    """glibc's `malloc_trim`, or None where malloc is not glibc's."""
    try:
        return ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):
        return None


def give_back() -> None:
    """Hand the free pages of malloc's heap back to the system (nothing where malloc is not
    glibc's)."""
    trim = _trim()
    if trim is not None:
        trim(0)
