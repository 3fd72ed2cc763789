"""Random numbers drawn ahead per slot and occurrence — the k-th person to hold a post, the k-th
vacancy of a post, the k-th volunteer to join a community — so that what happens to one slot
never shifts the numbers another slot gets (common random numbers across arms)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


class Presampled:
    """Numbers per (slot, occurrence), drawn `block` occurrences at a time for every slot at once
    by `draw(n)` (n numbers from one dedicated stream). The number at (slot, k) depends only on
    the stream, the number of slots and k — never on when or in which order it is asked for."""

    def __init__(self, draw: Callable[[int], np.ndarray], slots: int, block: int = 4) -> None:
        self._draw = draw
        self._slots = slots
        self._block = block
        self._values = np.empty((slots, 0))

    def get(self, slot: int, k: int) -> float:
        """The number of occurrence `k` (from 0) of slot `slot`."""
        while k >= self._values.shape[1]:
            block = self._draw(self._slots * self._block).reshape(self._slots, self._block)
            self._values = np.hstack([self._values, block])
        return float(self._values[slot, k])
