"""What every chart shares: a figure at slide proportions on the Agg canvas (no pyplot state, so
a notebook's backend is left alone), saving at slide resolution or for print, the colours of arms,
kinds of work, activities and modes, and labels with units from `sim.terms`."""

from __future__ import annotations

import io
import os
from collections.abc import Iterable
from pathlib import Path

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from sim.terms import UNITS, Lang, kpi_kind, kpi_name, word

#: Slide resolution: a 12.8 × 7.2 inch figure saved at 150 dpi is 1920 × 1080 pixels.
SIZE_IN, SLIDE_DPI = (12.8, 7.2), 150
#: Resolution for print.
PRINT_DPI = 300
#: Resolution of a chart shown in a notebook (1280 × 720 pixels).
NOTEBOOK_DPI = 100

#: Colours of arms, in the order the arms are given (the experiment's order): the same arm has
#: the same colour on every chart of one study.
ARM_PALETTE: tuple[str, ...] = (
    "#1f77b4",
    "#d62728",
    "#2ca02c",
    "#ff7f0e",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#17becf",
    "#bcbd22",
    "#7f7f7f",
)
#: Colours of the kinds of work (sim.vocabulary.CATEGORY_KINDS).
KIND_COLOURS: dict[str, str] = {
    "request": "#4c72b0",
    "patrol": "#55a868",
    "admin": "#c44e52",
    "revisit": "#8172b2",
    "warning": "#ccb974",
    "incident": "#dd8452",
}
#: Colours of the activities of a worker's hours on duty (forms first: the 50 % line).
ACTIVITY_COLOURS: dict[str, str] = {
    "admin": "#c44e52",
    "cases": "#4c72b0",
    "incident": "#dd8452",
    "visits": "#8172b2",
    "patrol": "#55a868",
    "travel": "#937860",
    "meetings": "#da8bc3",
    "idle": "#d9d9d9",
}
#: Shades of the operating modes on time axes (peacetime unshaded).
MODE_SHADES: dict[str, str] = {"alert": "#fde9c9", "emergency": "#f4cccc", "recovery": "#fff2cc"}


class ChartFigure(Figure):
    """A matplotlib Figure that a notebook shows as a PNG by itself (`_repr_png_`), without
    pyplot or `%matplotlib inline`."""

    def _repr_png_(self) -> bytes:
        buffer = io.BytesIO()
        self.savefig(buffer, format="png", dpi=NOTEBOOK_DPI)
        return buffer.getvalue()


def new_figure(
    nrows: int = 1, ncols: int = 1, **subplots: object
) -> tuple[Figure, np.ndarray[Axes]]:
    """A figure at slide proportions with constrained layout on the Agg canvas, and its axes as
    a 2-d array (`subplots` go to `Figure.subplots`), grid lines behind what they measure."""
    figure = ChartFigure(figsize=SIZE_IN, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.subplots(nrows, ncols, squeeze=False, **subplots)
    for axis in axes.flat:
        axis.set_axisbelow(True)  # grid lines behind bars and bands
    return figure, axes


def save(figure: Figure, path: str | os.PathLike[str], dpi: int | None = None) -> Path:
    """Save `figure` as PNG: at slide resolution, 1920 × 1080 pixels (default; the figure is
    set to 12.8 × 7.2 inches), or at `dpi` (e.g. PRINT_DPI) at the figure's own size. Returns
    the path."""
    path = Path(path)
    if dpi is None:
        figure.set_size_inches(*SIZE_IN)
        dpi = SLIDE_DPI
    figure.savefig(path, dpi=dpi, format="png")
    return path


def arm_colours(arms: Iterable[str]) -> dict[str, str]:
    """Each arm's colour, by its position among `arms`."""
    return {arm: ARM_PALETTE[i % len(ARM_PALETTE)] for i, arm in enumerate(dict.fromkeys(arms))}


def labelled(name: str, unit: str, lang: Lang) -> str:
    """An axis label: the name with its unit in brackets (full-width in Chinese)."""
    if not unit:
        return name
    return f"{name}（{unit}）" if lang == "zh" else f"{name} ({unit})"


def colon(label: str, text: str, lang: Lang) -> str:
    """`label: text`, with a full-width colon in Chinese."""
    return f"{label}：{text}" if lang == "zh" else f"{label}: {text}"


def kpi_scale(kpi: str) -> float:
    """The factor a KPI's values are multiplied by on an axis: shares are shown in %."""
    return 100.0 if kpi_kind(kpi) == "share" else 1.0


def kpi_label(kpi: str, lang: Lang) -> str:
    """A KPI's name with its unit, for an axis."""
    return labelled(kpi_name(kpi, lang), UNITS[kpi_kind(kpi)](lang), lang)


def title(figure: Figure, text: str) -> None:
    """The figure's title."""
    figure.suptitle(text, fontsize=17)


def team_label(name: str, lang: Lang, labels_zh: dict[str, str] | None = None) -> str:
    """A role, team or incident: the scenario's Chinese label in Chinese, else the terms' word
    for it, else its name."""
    if lang == "zh" and labels_zh and name in labels_zh:
        return labels_zh[name]
    return word(name, lang)


def note(axis: Axes, text: str) -> None:
    """A small note in the axes' lower right corner (what is left out, what the band is)."""
    axis.text(
        0.99, 0.01, text, transform=axis.transAxes, ha="right", va="bottom", fontsize=9,
        color="#555555",
    )  # fmt: skip
