"""Named random streams: stable, independent, reproducible (common random numbers)."""

from __future__ import annotations

import numpy as np
import pytest

from sim.rng import Streams, derive_seed, stable_key


def test_same_name_same_generator() -> None:
    streams = Streams(42)
    assert streams.get("routing") is streams.get("routing")
    assert streams.names == ["routing"]


def test_reproducible_across_instances() -> None:
    a = Streams(42).get("arrivals/resident").random(10)
    b = Streams(42).get("arrivals/resident").random(10)
    np.testing.assert_array_equal(a, b)


def test_matches_documented_derivation() -> None:
    expected = np.random.Generator(
        np.random.PCG64(np.random.SeedSequence(entropy=42, spawn_key=(stable_key("patrol"),)))
    ).random(5)
    np.testing.assert_array_equal(Streams(42).get("patrol").random(5), expected)


def test_different_names_and_seeds_differ() -> None:
    streams = Streams(42)
    a = streams.get("arrivals/resident").random(1000)
    b = streams.get("work/resident").random(1000)
    c = Streams(43).get("arrivals/resident").random(1000)
    assert not np.array_equal(a, b)
    assert not np.array_equal(a, c)
    # no detectable linear dependence between streams (|r| < 4 standard errors of 1/sqrt(n))
    assert abs(np.corrcoef(a, b)[0, 1]) < 4 / np.sqrt(1000)
    assert abs(np.corrcoef(a, c)[0, 1]) < 4 / np.sqrt(1000)


def test_new_stream_does_not_shift_others() -> None:
    plain = Streams(7)
    before = plain.get("revisit/contact").random(20)

    crowded = Streams(7)
    crowded.get("households").random(1000)
    crowded.get("a/new/source").random(3)
    after = crowded.get("revisit/contact").random(20)
    np.testing.assert_array_equal(before, after)


def test_stable_key_is_stable() -> None:
    # pinned: BLAKE2b-64 of the UTF-8 name, little-endian; changing it changes every run
    assert stable_key("routing") == 15234577444744221106
    assert 0 <= stable_key("巡查") < 2**64
    assert stable_key("a") != stable_key("b")


def test_derive_seed() -> None:
    seed = derive_seed(2024, "arm-a", 3)
    assert seed == 2668789099672789727  # pinned: sweeps must stay reproducible
    assert 0 <= seed < 2**63
    others = {derive_seed(2024, "arm-a", r) for r in range(100)}
    assert len(others) == 100
    assert derive_seed(2024, 1) != derive_seed(2024, "1")
    assert derive_seed(2024) != derive_seed(2025)
    assert derive_seed(np.int64(5), np.int64(2)) == derive_seed(5, 2)


@pytest.mark.parametrize("bad", [-1, 1.5, "1", True])
def test_bad_seed(bad: object) -> None:
    with pytest.raises(ValueError):
        Streams(bad)  # type: ignore[arg-type]


def test_bad_derive_seed_keys() -> None:
    with pytest.raises(TypeError):
        derive_seed(1, 2.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        derive_seed("root")  # type: ignore[arg-type]
