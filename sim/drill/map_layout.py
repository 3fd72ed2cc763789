"""The drill app's map: scenarios have no geography, so the area's grids are laid out as tiles,
grouped into a block per community and a band per street, in the world's order; and drawn as an
SVG, each tile coloured by its open cases or by the share of its households screened, the grids
an incident in force strikes outlined."""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import pairwise
from typing import TYPE_CHECKING, Literal
from xml.sax.saxutils import escape

if TYPE_CHECKING:
    from collections.abc import Sequence

    from sim.world import World

#: Empty tiles between two communities, and between two streets.
GAP = 1
#: Tiles in a line of communities before the next community starts a new line (at least; a
#: large area gets lines of about 1.5 times the square root of its grids, so the map stays wide
#: rather than tall).
LINE_WIDTH = 24
#: Width of the map in pixels when a tile at full size would make it wider, and the sides of a
#: tile at full size and at its smallest (pixels); tiles under TEXT_MIN show no text.
MAP_WIDTH, TILE_MAX, TILE_MIN, TEXT_MIN = 1000, 54, 8, 30
#: What a tile's colour shows: open closed-loop cases, or the share of households screened.
Colouring = Literal["open_cases", "screened"]
#: Open cases coloured darkest at least at this count (a calm area stays pale).
OPEN_CASES_FLOOR = 5


@dataclass(frozen=True)
class Tile:
    """A grid's tile: its index in the world, its id, and its column and row (tile units)."""

    index: int
    grid: str
    x: int
    y: int


@dataclass(frozen=True)
class Block:
    """A community's block or a street's band: its id, display name and rectangle (tile units;
    the first row holds its label)."""

    id: str
    name: str
    x: int
    y: int
    width: int
    height: int


@dataclass(frozen=True)
class Layout:
    """Every grid's tile, the communities' blocks and the streets' bands, and the extent."""

    tiles: list[Tile]
    communities: list[Block]
    streets: list[Block]
    width: int
    height: int


def layout(world: World, line_width: int | None = None) -> Layout:
    """Tile positions of `world`'s grids: each street a band (a label row, then its communities
    side by side, a new line when a line would pass `line_width` tiles, default as LINE_WIDTH
    says), each community a near-square block of its grids in their order below its label row;
    streets one below the other."""
    if line_width is None:
        line_width = max(LINE_WIDTH, math.ceil(1.5 * math.sqrt(len(world.grids))))
    tiles: list[Tile] = []
    communities: list[Block] = []
    streets: list[Block] = []
    by_community: dict[int, list[int]] = {}
    for grid in world.grids:
        by_community.setdefault(grid.community, []).append(grid.index)
    top = 0
    width = 0
    for street in world.streets:
        line_top, x, line_height, right = top + 1, 0, 0, 0
        for community in world.communities:
            members = by_community.get(community.index, [])
            if community.parent != street.index or not members:
                continue
            columns = math.ceil(math.sqrt(len(members)))
            rows = math.ceil(len(members) / columns)
            if x > 0 and x + columns > line_width:
                line_top, x, line_height = line_top + line_height + GAP, 0, 0
            communities.append(Block(community.id, community.name, x, line_top, columns, rows + 1))
            for k, index in enumerate(members):
                tiles.append(
                    Tile(index, world.grids[index].id, x + k % columns, line_top + 1 + k // columns)
                )
            right = max(right, x + columns)
            x += columns + GAP
            line_height = max(line_height, rows + 1)
        bottom = line_top + line_height
        streets.append(Block(street.id, street.name, 0, top, max(right, 1), bottom - top))
        width = max(width, right)
        top = bottom + GAP
    return Layout(tiles, communities, streets, width, max(top - GAP, 0))


# -- colours ------------------------------------------------------------------------------

_OPEN_SCALE = ((0.0, (255, 247, 188)), (0.5, (253, 141, 60)), (1.0, (189, 0, 38)))
_SCREEN_SCALE = ((0.0, (215, 48, 39)), (0.5, (254, 224, 139)), (1.0, (26, 152, 80)))
#: A grid with nothing to show: no open case, or no screening task.
NOTHING = "#eeeeee"


def _interpolate(scale: Sequence[tuple[float, tuple[int, int, int]]], t: float) -> str:
    t = min(max(t, 0.0), 1.0)
    for (t0, c0), (t1, c1) in pairwise(scale):
        if t <= t1:
            f = (t - t0) / (t1 - t0)
            rgb = (round(a + (b - a) * f) for a, b in zip(c0, c1, strict=True))
            return "#{:02x}{:02x}{:02x}".format(*rgb)
    raise AssertionError("the scale ends at 1")


def open_cases_colour(count: int, darkest: int) -> str:
    """Fill for `count` open cases, on a scale whose darkest colour is `darkest` cases."""
    return NOTHING if count <= 0 else _interpolate(_OPEN_SCALE, count / max(darkest, 1))


def screened_colour(share: float | None) -> str:
    """Fill for a share of households screened, red (none) to green (all); grey: no
    screening task in the grid."""
    return NOTHING if share is None else _interpolate(_SCREEN_SCALE, share)


def _text_colour(fill: str) -> str:
    red, green, blue = (int(fill[i : i + 2], 16) for i in (1, 3, 5))
    return "#ffffff" if 0.299 * red + 0.587 * green + 0.114 * blue < 140 else "#222222"


# -- the picture --------------------------------------------------------------------------


def tile_size(plan: Layout) -> int:
    """The side of a tile in pixels: TILE_MAX, smaller if the map would pass MAP_WIDTH."""
    return max(TILE_MIN, min(TILE_MAX, MAP_WIDTH // max(plan.width, 1)))


def map_svg(plan: Layout, grids: list[dict], colouring: Colouring) -> str:
    """The map as SVG: `grids` are the rows of `DrillSession.state()["grids"]` (in the world's
    order). Each tile is a group with `data-grid` (the class `incident` when an incident in
    force strikes it) holding a tooltip, a `<rect>` and, when large enough, its name and
    value."""
    darkest = max([OPEN_CASES_FLOOR, *(row["open_cases"] for row in grids)])
    unit = tile_size(plan)
    pad = 4 if unit >= TEXT_MIN else 1
    legend_h = 28
    width = max(plan.width * unit, 640)
    height = plan.height * unit + legend_h
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="drill-map" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" font-family="sans-serif">'
    ]
    for street in plan.streets:
        parts.append(
            f'<rect x="0" y="{street.y * unit}" width="{street.width * unit}" '
            f'height="{street.height * unit}" fill="#fafafa" stroke="#bbbbbb" rx="6"/>'
            f'<text x="6" y="{street.y * unit + unit * 0.7:.0f}" font-size="{min(15, unit)}" '
            f'font-weight="bold">{escape(_named(street))}</text>'
        )
    for community in plan.communities if unit >= TEXT_MIN else ():
        parts.append(
            f'<text x="{community.x * unit + 4}" y="{community.y * unit + unit * 0.7:.0f}" '
            f'font-size="12" fill="#555555">{escape(_named(community))}</text>'
        )
    for tile in plan.tiles:
        row = grids[tile.index]
        if colouring == "open_cases":
            fill, shown = open_cases_colour(row["open_cases"], darkest), str(row["open_cases"])
        else:
            share = row["screened_share"]
            fill, shown = screened_colour(share), "–" if share is None else f"{share:.0%}"
        struck = row["incident"]
        stroke = f'stroke="#d50000" stroke-width="{max(pad, 2)}"' if struck else 'stroke="#999999"'
        x, y = tile.x * unit + pad / 2, tile.y * unit + pad / 2
        short = tile.grid.rsplit("-", 1)[-1]
        tip = (
            f"{tile.grid}: {row['open_cases']} open cases, {row['open_tasks']} open tasks, "
            f"{row['households']} households"
            + ("" if row["screened_share"] is None else f", {row['screened_share']:.0%} screened")
            + (", incident in force" if struck else "")
        )
        parts.append(
            f'<g class="tile{" incident" if struck else ""}" data-grid="{escape(tile.grid)}">'
            f"<title>{escape(tip)}</title>"
            f'<rect x="{x:g}" y="{y:g}" width="{unit - pad}" height="{unit - pad}" rx="{pad}" '
            f'fill="{fill}" {stroke}/>'
        )
        if unit >= TEXT_MIN:
            middle, ink = x + (unit - pad) / 2, _text_colour(fill)
            parts.append(
                f'<text x="{middle:g}" y="{y + unit * 0.38:.0f}" font-size="11" '
                f'text-anchor="middle" fill="{ink}">{escape(short)}</text>'
                f'<text x="{middle:g}" y="{y + unit * 0.75:.0f}" font-size="14" '
                f'text-anchor="middle" fill="{ink}">{escape(shown)}</text>'
            )
        parts.append("</g>")
    parts.append(_legend(colouring, darkest, plan.height * unit + 8))
    parts.append("</svg>")
    return "".join(parts)


def _named(block: Block) -> str:
    return block.id if block.name == block.id else f"{block.name} ({block.id})"


def _legend(colouring: Colouring, darkest: int, top: int) -> str:
    if colouring == "open_cases":
        steps = [(open_cases_colour(n, darkest), str(n)) for n in _steps(darkest)]
        title = "open cases"
    else:
        steps = [(screened_colour(s), f"{s:.0%}") for s in (0.0, 0.25, 0.5, 0.75, 1.0)]
        steps.append((NOTHING, "no screening"))
        title = "households screened"
    items = [f'<text x="0" y="{top + 13}" font-size="12">{title}:</text>']
    x = 7 * len(title) + 16
    for fill, label in steps:
        items.append(
            f'<rect x="{x}" y="{top}" width="16" height="16" fill="{fill}" stroke="#999999"/>'
            f'<text x="{x + 20}" y="{top + 13}" font-size="12">{escape(label)}</text>'
        )
        x += 28 + 8 * len(label)
    items.append(
        f'<rect x="{x}" y="{top}" width="16" height="16" fill="none" stroke="#d50000" '
        f'stroke-width="3"/><text x="{x + 20}" y="{top + 13}" font-size="12">incident</text>'
    )
    return "".join(items)


def _steps(darkest: int) -> list[int]:
    """Counts shown in the open cases' legend: 0, then four steps up to `darkest`."""
    return sorted({0, *(max(1, round(darkest * k / 4)) for k in range(1, 5))})
