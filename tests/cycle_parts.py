"""Finding reference cycles: what a piece of code leaves that only the garbage collector would
free (with collection off during runs, such garbage would pile up until the run ends).

Importable from every test folder (`pythonpath = ["tests"]` in pyproject.toml).
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def left_in_cycles(action: Callable[[], T]) -> tuple[T, list[object]]:
    """What `action` returns, and the objects it leaves in reference cycles, found by a
    collection once it is done (collection off while it runs, as during a model's run)."""
    gc.collect()
    enabled = gc.isenabled()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        value = action()
        gc.collect()
        return value, list(gc.garbage)
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        if enabled:
            gc.enable()
