"""The grids as a tiled map: scenarios have no geography, so each grid is a tile in its
community's block and each street a band, laid out by the drill app's `layout`, and coloured by
the grid's backlog, difficulty or the workload of its staff."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.cm import ScalarMappable
from matplotlib.colors import Normalize, to_rgb
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from sim.drill.map_layout import Block, Layout, layout
from sim.plots.fonts import chart_language
from sim.plots.runs import Runs, by_arm, grid_backlog, grid_difficulty, grid_workload, world_of
from sim.plots.style import labelled, new_figure, title
from sim.terms import UNITS, Lang, word

if TYPE_CHECKING:
    from sim.runner import Result

Colouring = Literal["backlog", "difficulty", "workload"]
#: Panels in a row (one per arm).
PANELS_PER_ROW = 3
#: Above this many tiles in a panel, tiles carry no text.
TEXT_TILES = 120
#: Tile fill where a grid has no value (no staff posted to it).
NOTHING = "#eeeeee"


#: What a tile's colour shows: the value per grid id, the word naming it, its unit, the factor
#: its values are shown multiplied by, and the colour map.
COLOURINGS: dict[str, tuple[Callable[[Result], pd.Series], str, str, float, str]] = {
    "backlog": (grid_backlog, "mean_backlog", "cases", 1.0, "YlOrRd"),
    "difficulty": (grid_difficulty, "difficulty", "number", 1.0, "Purples"),
    "workload": (grid_workload, "workload", "share", 100.0, "YlGnBu"),
}


def grid_map_chart(runs: Runs, colour_by: Colouring = "backlog", lang: Lang = "en") -> Figure:
    """Every grid as a tile, in a block per community and a band per street, coloured by
    `colour_by`: `backlog`, the mean closed-loop cases open after the warm-up; `difficulty`,
    the grid's difficulty score; `workload`, the utilisation of the staff posted to the grid
    (hours on jobs / hours on duty, %). Replications are averaged; several arms are panels on
    one colour scale. Returns the figure."""
    lang = chart_language(lang)
    if colour_by not in COLOURINGS:
        raise ValueError(f"colour_by must be one of {', '.join(COLOURINGS)}, got {colour_by!r}")
    values_of, name, unit, scale, cmap = COLOURINGS[colour_by]
    arms = by_arm(runs)
    values = {
        arm: pd.concat([values_of(r) for r in results], axis=1).mean(axis=1) * scale
        for arm, results in arms.items()
    }
    top = max([float(v.max()) for v in values.values() if len(v)] + [1e-9])
    norm, colours = Normalize(0.0, top), colormaps[cmap]
    ncols = min(PANELS_PER_ROW, len(arms))
    figure, grid = new_figure(math.ceil(len(arms) / ncols), ncols)
    for axis, (arm, results) in zip(grid.flat, arms.items(), strict=False):
        plan = layout(world_of(results[0]))
        _draw(axis, plan, values[arm], lambda v: colours(norm(v)))
        if len(arms) > 1:
            axis.set_title(arm)
    for axis in list(grid.flat)[len(arms) :]:
        axis.set_visible(False)
    label = labelled(word(name, lang), UNITS[unit](lang), lang)
    bar = figure.colorbar(
        ScalarMappable(norm=norm, cmap=colours), ax=grid.ravel(), shrink=0.8, panchor=False
    )
    bar.set_label(label)
    title(figure, word("chart_map", lang).format(what=word(name, lang)))
    return figure


def _draw(axis: Axes, plan: Layout, values: pd.Series, fill: Callable[[float], object]) -> None:
    """Streets' bands, communities' names and the tiles of `plan` on `axis` (y down)."""
    for street in plan.streets:
        axis.add_patch(
            Rectangle((street.x - 0.2, street.y), street.width + 0.4, street.height,
                      facecolor="#f6f6f6", edgecolor="#bbbbbb")
        )  # fmt: skip
        axis.text(street.x, street.y + 0.7, _named(street), fontsize=12)
    for community in plan.communities:
        axis.text(community.x, community.y + 0.75, _named(community), fontsize=9, color="#555555")
    text = len(plan.tiles) <= TEXT_TILES
    for tile in plan.tiles:
        value = values.get(tile.grid, np.nan)
        colour = NOTHING if pd.isna(value) else fill(value)
        axis.add_patch(Rectangle((tile.x + 0.05, tile.y + 0.05), 0.9, 0.9, facecolor=colour,
                                 edgecolor="#999999"))  # fmt: skip
        if text:
            red, green, blue = to_rgb(colour)
            ink = "white" if 0.299 * red + 0.587 * green + 0.114 * blue < 0.55 else "#222222"
            shown = "–" if pd.isna(value) else f"{value:.{0 if abs(value) >= 10 else 1}f}"
            axis.text(tile.x + 0.5, tile.y + 0.4, tile.grid.rsplit("-", 1)[-1], ha="center",
                      va="center", fontsize=7, color=ink)  # fmt: skip
            axis.text(tile.x + 0.5, tile.y + 0.72, shown, ha="center", va="center", fontsize=9,
                      color=ink)  # fmt: skip
    axis.set_xlim(-0.5, plan.width + 0.5)
    axis.set_ylim(plan.height + 0.2, -0.2)
    axis.set_aspect("equal")
    axis.axis("off")


def _named(block: Block) -> str:
    return block.name or block.id
