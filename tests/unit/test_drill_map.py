"""The drill app's map: grids laid out as tiles by street and community, and drawn as SVG."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from sim import scenario_from_dict
from sim.drill.map_layout import (
    NOTHING,
    Block,
    Layout,
    layout,
    map_svg,
    open_cases_colour,
    screened_colour,
)
from sim.world import World

SVG = "{http://www.w3.org/2000/svg}"


def make_world(sizes: list[list[int]]) -> World:
    """A world whose street s has communities with sizes[s] grids (10 households each)."""
    streets = [
        {
            "id": f"s{s}",
            "communities": [
                {"id": f"s{s}c{c}", "grids": n, "households_per_grid": 10}
                for c, n in enumerate(street)
            ],
        }
        for s, street in enumerate(sizes)
    ]
    scenario = scenario_from_dict(
        {
            "name": "map-test",
            "world": {"streets": streets},
            "categories": {"service": {"work": "10min"}},
            "sources": {"resident": {"mix": {"service": 1}}},
        }
    )
    return World(scenario.world, np.random.default_rng(0), np.random.default_rng(1))


def inside(x: int, y: int, block: Block, label_row: bool = False) -> bool:
    top = block.y + (1 if label_row else 0)
    return block.x <= x < block.x + block.width and top <= y < block.y + block.height


def overlap(a: Block, b: Block) -> bool:
    return (
        a.x < b.x + b.width
        and b.x < a.x + a.width
        and a.y < b.y + b.height
        and b.y < a.y + a.height
    )


def check(world: World, plan: Layout, line_width: int) -> None:
    """Every grid one tile, in its community's block under the label row, in reading order;
    blocks inside their street's band; nothing overlaps; lines no wider than `line_width`
    unless one community alone is."""
    assert [tile.index for tile in plan.tiles] == list(range(len(world.grids)))
    assert [tile.grid for tile in plan.tiles] == [grid.id for grid in world.grids]
    assert len({(tile.x, tile.y) for tile in plan.tiles}) == len(plan.tiles)
    blocks = {block.id: block for block in plan.communities}
    bands = {band.id: band for band in plan.streets}
    assert list(bands) == [street.id for street in world.streets]
    for tile in plan.tiles:
        grid = world.grids[tile.index]
        block = blocks[world.communities[grid.community].id]
        assert inside(tile.x, tile.y, block, label_row=True)
        assert 0 <= tile.x < plan.width and 0 <= tile.y < plan.height
    for community in world.communities:
        block = blocks[community.id]
        band = bands[world.streets[community.parent].id]
        assert inside(block.x, block.y, band, label_row=True)
        assert block.x + block.width <= band.x + band.width
        assert block.y + block.height <= band.y + band.height
        assert block.x + block.width <= line_width or block.x == 0
        own = [t for t in plan.tiles if world.grids[t.index].community == community.index]
        assert own == sorted(own, key=lambda t: (t.y, t.x))  # reading order
    for i, a in enumerate(plan.communities):
        assert not any(overlap(a, b) for b in plan.communities[i + 1 :])
    for above, below in zip(plan.streets, plan.streets[1:], strict=False):
        assert above.y + above.height < below.y  # one below the other, a gap between


def test_a_community_of_fifteen_grids_is_a_block_of_four_by_four():
    world = make_world([[15]])
    plan = layout(world)
    check(world, plan, 24)
    assert plan.communities == [Block("s0c0", "s0c0", 0, 1, 4, 5)]
    assert plan.streets == [Block("s0", "s0", 0, 0, 4, 6)]
    assert [(t.x, t.y) for t in plan.tiles[:5]] == [(0, 2), (1, 2), (2, 2), (3, 2), (0, 3)]
    assert (plan.tiles[-1].x, plan.tiles[-1].y) == (2, 5)
    assert (plan.width, plan.height) == (4, 6)


def test_communities_side_by_side_then_a_new_line_and_streets_below():
    world = make_world([[4, 9, 1], [2]])
    plan = layout(world, line_width=6)
    check(world, plan, 6)
    a, b, c, d = plan.communities
    assert (a.x, a.y, b.x, b.y) == (0, 1, 3, 1)  # 2 columns, a gap, then 3 columns
    assert (c.x, c.y) == (0, 1 + b.height + 1)  # a third would pass 6 tiles: next line
    assert d.y == plan.streets[1].y + 1


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.lists(st.integers(1, 30), min_size=1, max_size=4), min_size=1, max_size=3),
    st.integers(3, 12),
)
def test_any_world_lays_out_without_overlap(sizes, line_width):
    world = make_world(sizes)
    check(world, layout(world, line_width=line_width), line_width)


def rows(n: int, open_cases: list[int], struck: set[int], screened=None) -> list[dict]:
    return [
        {
            "grid": f"g{g}",
            "households": 10,
            "open_cases": open_cases[g],
            "open_tasks": 0,
            "screened_share": None if screened is None else screened[g],
            "incident": g in struck,
        }
        for g in range(n)
    ]


def luminance(fill: str) -> float:
    red, green, blue = (int(fill[i : i + 2], 16) for i in (1, 3, 5))
    return 0.299 * red + 0.587 * green + 0.114 * blue


def tiles_of(svg: str) -> dict[str, ET.Element]:
    root = ET.fromstring(svg)
    return {g.get("data-grid"): g for g in root.iter(f"{SVG}g") if g.get("data-grid")}


def test_the_svg_has_a_tile_per_grid_darker_with_more_open_cases_and_marks_incidents():
    world = make_world([[6]])
    counts = [0, 1, 2, 3, 6, 12]
    grids = rows(6, counts, struck={1, 4})
    tiles = tiles_of(map_svg(layout(world), grids, "open_cases"))
    assert list(tiles) == [grid.id for grid in world.grids]  # rows follow the world's order
    fills = [tile.find(f"{SVG}rect").get("fill") for tile in tiles.values()]
    assert fills[0] == NOTHING
    shades = [luminance(fill) for fill in fills[1:]]
    assert shades == sorted(shades, reverse=True)  # more open cases, darker
    incident = [grid for grid, tile in tiles.items() if "incident" in tile.get("class")]
    assert incident == [world.grids[1].id, world.grids[4].id]
    assert "12 open cases" in tiles[world.grids[5].id].find(f"{SVG}title").text


def test_screening_colours_red_to_green_and_grey_without_screening():
    world = make_world([[3]])
    grids = rows(3, [0, 0, 0], struck=set(), screened=[None, 0.0, 1.0])
    tiles = tiles_of(map_svg(layout(world), grids, "screened"))
    fills = [tile.find(f"{SVG}rect").get("fill") for tile in tiles.values()]
    assert fills == [NOTHING, screened_colour(0.0), screened_colour(1.0)]
    red, green = (int(screened_colour(0.0)[i : i + 2], 16) for i in (1, 3))
    assert red > green
    red, green = (int(screened_colour(1.0)[i : i + 2], 16) for i in (1, 3))
    assert green > red
    assert open_cases_colour(5, 5) == open_cases_colour(9, 5)  # the scale stops at its end


def test_a_large_area_gets_small_tiles_without_text():
    world = make_world([[30] * 6] * 6)  # 1080 grids
    svg = map_svg(layout(world), rows(1080, [1] * 1080, set()), "open_cases")
    root = ET.fromstring(svg)
    assert int(root.get("width")) <= 1000
    assert len(tiles_of(svg)) == 1080
    assert not any(t.text and t.text.startswith("g") for t in root.iter(f"{SVG}text"))
