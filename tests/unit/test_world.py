"""The world: the hierarchy district → street → community → grid and the household table."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim import scenario_from_dict
from sim.vocabulary import ATTRIBUTES
from sim.world import World

MIX = {
    "floating": 0.3,
    "rental": 0.25,
    "group_rental": 0.05,
    "shop": 0.1,
    "elderly": 0.2,
    "vulnerable": 0.07,
    "managed": 0.8,
}


def make_world(streets: list[dict], seed: int = 0, **world) -> World:
    """A World built from a minimal valid scenario with the given streets."""
    data = {
        "name": "world-test",
        "world": {"streets": streets, **world},
        "categories": {"service": {"work": "10min"}},
        "sources": {"resident": {"mix": {"service": 1}}},
    }
    scenario = scenario_from_dict(data)
    return World(scenario.world, np.random.default_rng(seed), np.random.default_rng(seed + 1))


def per_grid_counts(world: World) -> np.ndarray:
    return np.bincount(world.households["grid"], minlength=len(world.grids))


def test_fixed_households_per_grid():
    world = make_world(
        [
            {
                "id": "s1",
                "communities": [
                    {"id": "a", "grids": 3, "households_per_grid": 7},
                    {"id": "b", "grids": 2, "households_per_grid": 11},
                ],
            },
            {"id": "s2", "communities": [{"id": "c", "grids": 4, "households_per_grid": 5}]},
        ]
    )
    expected = [7, 7, 7, 11, 11, 5, 5, 5, 5]
    assert [g.households for g in world.grids] == expected
    assert per_grid_counts(world).tolist() == expected
    assert world.n_households == sum(expected)
    # grids are contiguous, ordered slices of the household table
    assert world.grids[0].start == 0
    for before, after in zip(world.grids, world.grids[1:], strict=False):
        assert before.stop == after.start
    assert world.grids[-1].stop == world.n_households
    for grid in world.grids:
        assert (world.households["grid"][grid.start : grid.stop] == grid.index).all()
    # hierarchy: grid → community → street
    assert [world.communities[g.community].id for g in world.grids] == ["a"] * 3 + ["b"] * 2 + [
        "c"
    ] * 4
    assert [world.streets[g.street].id for g in world.grids] == ["s1"] * 5 + ["s2"] * 4
    assert [c.parent for c in world.communities] == [0, 0, 1]
    assert [g.id for g in world.grids[:3]] == ["a-g01", "a-g02", "a-g03"]


def test_households_per_grid_range():
    low, high = 3, 6
    world = make_world(
        [
            {
                "id": "s",
                "communities": [{"id": "c", "grids": 400, "households_per_grid": [low, high]}],
            }
        ],
        seed=5,
    )
    sizes = np.array([g.households for g in world.grids])
    assert sizes.min() >= low
    assert sizes.max() <= high
    assert set(sizes.tolist()) == set(range(low, high + 1))  # both ends inclusive
    # uniform on {3, 4, 5, 6}: mean 4.5, variance (4² − 1) / 12
    se = math.sqrt((4**2 - 1) / 12 / len(sizes))
    assert abs(sizes.mean() - (low + high) / 2) < 4 * se
    assert per_grid_counts(world).tolist() == sizes.tolist()


def test_count_repeats_community_with_numbered_ids():
    world = make_world(
        [
            {
                "id": "s",
                "communities": [
                    {"id": "v", "name": "村", "count": 3, "grids": 2, "households_per_grid": 4},
                    {"id": "solo", "grids": 1, "households_per_grid": 4},
                ],
            }
        ]
    )
    assert [c.id for c in world.communities] == ["v-001", "v-002", "v-003", "solo"]
    assert [c.name for c in world.communities] == ["村-001", "村-002", "村-003", "solo"]
    assert [g.id for g in world.grids] == [
        "v-001-g01",
        "v-001-g02",
        "v-002-g01",
        "v-002-g02",
        "v-003-g01",
        "v-003-g02",
        "solo-g01",
    ]
    assert [g.community for g in world.grids] == [0, 0, 1, 1, 2, 2, 3]
    assert world.n_households == 7 * 4
    assert world.unit_ids("community") == [c.id for c in world.communities]


def test_group_rentals_are_rentals():
    world = make_world(
        [{"id": "s", "communities": [{"id": "c", "grids": 10, "households_per_grid": 500}]}],
        households=MIX,
    )
    table = world.households
    assert table["group_rental"].any()
    assert not (table["group_rental"] & ~table["rental"]).any()


def test_attribute_shares_within_binomial_se():
    world = make_world(
        [{"id": "s", "communities": [{"id": "c", "grids": 40, "households_per_grid": 500}]}],
        seed=11,
        households=MIX,
    )
    n = world.n_households
    for name in ATTRIBUTES:
        p = MIX[name]
        share = world.households[name].mean()
        assert abs(share - p) < 4 * math.sqrt(p * (1 - p) / n), name


def test_community_mix_overrides_world_mix():
    world = make_world(
        [
            {
                "id": "s",
                "communities": [
                    {"id": "a", "grids": 2, "households_per_grid": 200},
                    {
                        "id": "b",
                        "grids": 2,
                        "households_per_grid": 200,
                        "households": dict.fromkeys(ATTRIBUTES, 0.0),
                    },
                ],
            }
        ],
        households=MIX,
    )
    grid = world.households["grid"]
    in_b = grid >= 2
    for name in ATTRIBUTES:
        assert not world.households[name][in_b].any(), name
    assert world.households["floating"][~in_b].any()


@pytest.mark.parametrize(
    "weights",
    [None, {"floating": 0.5, "shop": 3.0}, {"group_rental": 10.0, "rental": 0.25}],
)
def test_difficulty_is_weighted_sum_of_attribute_counts(weights):
    extra = {"households": MIX}
    if weights is not None:
        extra["difficulty_weights"] = weights
    world = make_world(
        [
            {
                "id": "s",
                "communities": [{"id": "c", "grids": 12, "households_per_grid": [20, 80]}],
            }
        ],
        seed=2,
        **extra,
    )
    used = weights or {"floating": 1.0, "rental": 1.0, "group_rental": 2.0, "shop": 1.0}
    for grid in world.grids:
        rows = slice(grid.start, grid.stop)
        expected = sum(w * world.households[name][rows].sum() for name, w in used.items())
        assert grid.difficulty == pytest.approx(expected, abs=1e-9)
    assert any(g.difficulty > 0 for g in world.grids)


def test_same_seed_same_world_and_different_seed_differs():
    streets = [{"id": "s", "communities": [{"id": "c", "grids": 5, "households_per_grid": 100}]}]
    a, b = make_world(streets, seed=3), make_world(streets, seed=3)
    c = make_world(streets, seed=4)
    for name in ATTRIBUTES:
        assert (a.households[name] == b.households[name]).all()
    assert any((a.households[name] != c.households[name]).any() for name in ATTRIBUTES)


def test_regridding_splits_the_same_households_evenly():
    """households_total: the same households (attributes row by row) in 15 or 10 grids."""

    def community(grids: int) -> list[dict]:
        return [{"id": "s", "communities": [{"id": "c", "grids": grids, "households_total": 3007}]}]

    fifteen, ten = make_world(community(15), seed=3), make_world(community(10), seed=3)
    assert sorted(set(per_grid_counts(fifteen))) == [200, 201]
    assert sorted(set(per_grid_counts(ten))) == [300, 301]
    assert per_grid_counts(fifteen).sum() == per_grid_counts(ten).sum() == 3007
    for name in ATTRIBUTES:
        assert (fifteen.households[name] == ten.households[name]).all()


def test_grid_size_defaults_to_the_urban_or_rural_standard():
    """Neither households_per_grid nor households_total: 佳木斯's standard of about 200
    households per urban grid and 50 per village grid (article #5, docs/sources.md A16), or the
    world's own `grid_size`; and rural grids' travel factor, 1 in urban grids."""
    streets = [
        {
            "id": "s",
            "communities": [
                {"id": "town", "grids": 3},
                {"id": "village", "urban": False, "grids": 2},
                {"id": "given", "urban": False, "grids": 1, "households_per_grid": 70},
            ],
        }
    ]
    world = make_world(streets)
    assert per_grid_counts(world).tolist() == [200, 200, 200, 50, 50, 70]
    assert world.travel_factors().tolist() == [1.0] * 6  # the default changes no travel
    other = make_world(streets, grid_size={"urban": 150, "rural": 30}, rural_travel_factor=2.5)
    assert per_grid_counts(other).tolist() == [150, 150, 150, 30, 30, 70]
    assert other.travel_factors().tolist() == [1.0, 1.0, 1.0, 2.5, 2.5, 2.5]


@pytest.mark.parametrize(
    "sizes",
    [{"households_per_grid": 200, "households_total": 3000}, {"households_total": 2}],
    ids=["both", "fewer households than grids"],
)
def test_community_size_must_be_given_once(sizes):
    from sim import ScenarioError

    with pytest.raises(ScenarioError, match="households"):
        make_world([{"id": "s", "communities": [{"id": "c", "grids": 3, **sizes}]}])
