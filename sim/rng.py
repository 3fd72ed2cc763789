"""Named random streams: common random numbers across scenario arms (docs/sources.md Q12).

One root seed gives one `numpy.random.Generator` per stochastic source. Each stream is
derived from the root seed and a stable hash of its name, never from creation order, so
adding a stream never shifts another and two arms with the same seed see the same demand.

Convention: one stream per stochastic source, named by source with `/` for sub-sources:

    households           household attributes (world building)
    arrivals/resident    resident request arrivals (also arrivals/patrol, arrivals/admin, ...)
    work/resident        work content of cases, drawn when a case is created
    routing              dispatch and escalation choices
    patrol               patrol discovery
    revisit/contact      whether a scheduled revisit reaches the household
    volunteers           volunteer behaviour
    incidents            incidents and emergency task streams

A stream is used by one source only; draw in batches where possible.
"""

from __future__ import annotations

import hashlib
import json

import numpy as np

__all__ = ["Streams", "derive_seed", "stable_key"]


def stable_key(name: str) -> int:
    """A stable unsigned 64-bit integer for a stream name (BLAKE2b, not Python's `hash`)."""
    digest = hashlib.blake2b(name.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "little")


def derive_seed(root: int, *keys: int | str) -> int:
    """A stable 63-bit child seed of `root` for `keys` (e.g. design point and replication).

    Different keys give unrelated seeds; `1` and `"1"` are different keys.
    """
    parts: list[int | str] = []
    for i, key in enumerate((root, *keys)):
        allowed = (int, np.integer) if i == 0 else (int, np.integer, str)
        if isinstance(key, bool) or not isinstance(key, allowed):
            raise TypeError(f"seed keys must be int or str (the root an int), got {key!r}")
        parts.append(key if isinstance(key, str) else int(key))
    payload = json.dumps(parts, ensure_ascii=False).encode("utf-8")
    digest = hashlib.blake2b(payload, digest_size=8, person=b"gridsim.seed").digest()
    return int.from_bytes(digest, "little") >> 1


class Streams:
    """The named random streams of one run: `Streams(seed).get("arrivals/resident")`."""

    def __init__(self, seed: int) -> None:
        if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
            raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
        self.seed = int(seed)
        self._streams: dict[str, np.random.Generator] = {}

    def get(self, name: str) -> np.random.Generator:
        """The generator for `name`; the same object on every call with the same name."""
        stream = self._streams.get(name)
        if stream is None:
            sequence = np.random.SeedSequence(entropy=self.seed, spawn_key=(stable_key(name),))
            stream = np.random.Generator(np.random.PCG64(sequence))
            self._streams[name] = stream
        return stream

    @property
    def names(self) -> list[str]:
        """Names of the streams created so far."""
        return sorted(self._streams)

    def __repr__(self) -> str:
        return f"Streams(seed={self.seed}, streams={self.names})"
