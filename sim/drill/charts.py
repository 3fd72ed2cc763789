"""The after-action report's charts (matplotlib, Agg), each a PNG at slide resolution: the
timeline of the drill on its backlog and screening coverage curves, the what-if's two arms on
the seed played, and the replays (how often each objective was met; each objective's value per
seed in both arms). Text on the charts is ASCII (names and numbers): the drill's Chinese labels
are in the report's tables, whatever fonts the machine has."""

from __future__ import annotations

import io
import math
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MultipleLocator

from sim.drill.labels import ARMS, clock_text
from sim.drill.whatif import PLAN_ALONE, TEAM, Outcome, Share

#: Slide resolution: 1920 × 1080 pixels.
SIZE_IN, DPI = (12.8, 7.2), 150
COLOURS = {
    TEAM: "#1f6fb4",
    PLAN_ALONE: "#9a9a9a",
    "inject": "#d9822b",
    "taken": "#2e8b57",
    "refused": "#c0392b",
}
#: Steps between the time axis's ticks (hours), the first giving at most ten ticks.
TICK_HOURS = (1.0, 2.0, 3.0, 6.0, 12.0, 24.0)
MODE_SHADES = {"emergency": "#f4cccc", "recovery": "#fff2cc"}


@dataclass(frozen=True)
class Mark:
    """A numbered mark on the timeline: when (hours), and `inject` (fired), `taken` (a
    decision) or `refused` (a decision or an inject)."""

    number: int
    at: float
    kind: str


def backlog_curve(timeseries: pd.DataFrame) -> pd.Series:
    """The closed-loop backlog at the end of each hour (summed over the units), by hour."""
    return timeseries.groupby("t_h", observed=True)["backlog"].sum()


def coverage_curve(cases: pd.DataFrame, categories: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Screening coverage over time: after each screening task created or done (hours), the
    share of those created so far that are done (as the drill's KPI panel shows it), once
    every event at that time has happened. Empty arrays if there is no screening task."""
    rows = cases[cases["category"].isin(categories)]
    created = rows["created_h"].to_numpy(float)
    done = rows["archived_h"].where(rows["status"] == "closed").dropna().to_numpy(float)
    times = np.concatenate([created, done])
    made = np.concatenate([np.ones(len(created)), np.zeros(len(done))])
    order = np.argsort(times, kind="stable")
    times, made = times[order], made[order]
    created_so_far, done_so_far = np.cumsum(made), np.cumsum(1 - made)
    last = np.r_[times[1:] != times[:-1], True]  # the state after every event at a time
    times, shares = times[last], done_so_far[last] / np.maximum(created_so_far[last], 1)
    return times, shares


def _to_end(curve: tuple[np.ndarray, np.ndarray], end: float) -> tuple[np.ndarray, np.ndarray]:
    """A step curve held at its last value until `end`."""
    times, values = curve
    if not len(times) or times[-1] >= end:
        return times, values
    return np.append(times, end), np.append(values, values[-1])


def _hours_axis(axis: plt.Axes, window: tuple[float, float]) -> None:
    """Simulated time on the x axis, ticks at round clock hours, at most about ten."""
    axis.set_xlim(*window)
    span = window[1] - window[0]
    step = next((s for s in TICK_HOURS if span / s <= 10), 24.0 * math.ceil(span / 240))
    axis.xaxis.set_major_locator(MultipleLocator(step))
    axis.xaxis.set_major_formatter(
        FuncFormatter(lambda h, _: clock_text(h).replace("day ", "d").replace(" ", "\n"))
    )
    axis.grid(alpha=0.3)


def _shade_modes(axis: plt.Axes, spans: list[tuple[float, float, str]]) -> None:
    for start, end, mode in spans:
        shade = MODE_SHADES.get(mode.split()[0])
        if shade is not None:
            axis.axvspan(start, end, color=shade, zorder=0, lw=0)


def _mode_handles(spans: list[tuple[float, float, str]]) -> list[Patch]:
    shown = dict.fromkeys(mode.split()[0] for _, _, mode in spans)
    return [Patch(color=MODE_SHADES[mode], label=mode) for mode in shown if mode in MODE_SHADES]


def timeline_chart(
    backlog: pd.Series,
    coverage: tuple[np.ndarray, np.ndarray],
    marks: list[Mark],
    spans: list[tuple[float, float, str]],
    window: tuple[float, float],
) -> Figure:
    """The drill's timeline: the backlog (and, with screening tasks, the coverage) over the
    window, the modes shaded, injects as numbered vertical lines, decisions taken and refused
    as numbered markers on the backlog curve."""
    panels = 2 if len(coverage[0]) else 1
    figure, axes = plt.subplots(
        panels, 1, figsize=SIZE_IN, dpi=DPI, sharex=True, squeeze=False, layout="constrained"
    )
    axes = axes[:, 0]
    top = axes[0]
    hours = backlog.index.to_numpy(float)
    top.step(hours, backlog.to_numpy(float), where="post", color=COLOURS[TEAM], lw=2)
    top.set_ylabel("closed-loop backlog (cases)")
    if panels == 2:
        times, shares = _to_end(coverage, window[1])
        axes[1].step(times, 100 * shares, where="post", color=COLOURS[TEAM], lw=2)
        axes[1].set_ylabel("screening coverage (%)")
        axes[1].set_ylim(-2, 102)
    for axis in axes:
        _shade_modes(axis, spans)
        _hours_axis(axis, window)
    highest = 1.3 * max(1.0, float(backlog.max()) if len(backlog) else 1.0)
    top.set_ylim(-0.06 * highest, highest)
    together: dict[tuple[float, str], list[int]] = {}  # marks at the same time, one label
    for mark in marks:
        together.setdefault((mark.at, mark.kind), []).append(mark.number)
    for (at, kind), numbers in together.items():
        label = ",".join(str(number) for number in numbers)
        if kind == "inject":
            for axis in axes:
                axis.axvline(at, color=COLOURS["inject"], ls="--", lw=1.2)
            top.annotate(
                label, (at, 1.0), xycoords=("data", "axes fraction"), xytext=(2, -14),
                textcoords="offset points", color=COLOURS["inject"], fontweight="bold",
            )  # fmt: skip
            continue
        level = float(np.interp(at, hours, backlog.to_numpy(float))) if len(hours) else 0.0
        top.plot(at, level, "^" if kind == "taken" else "X", color=COLOURS[kind], ms=11, zorder=5)
        top.annotate(
            label, (at, level), xytext=(0, 10), textcoords="offset points", ha="center",
            color=COLOURS[kind], fontweight="bold",
        )  # fmt: skip
    handles = [
        plt.Line2D([], [], color=COLOURS["inject"], ls="--", label="inject"),
        plt.Line2D([], [], color=COLOURS["taken"], marker="^", ls="", label="decision taken"),
        plt.Line2D([], [], color=COLOURS["refused"], marker="X", ls="", label="refused"),
    ]
    figure.legend(handles=handles + _mode_handles(spans), loc="outside right upper")
    axes[-1].set_xlabel("simulated time (day, hour)")
    figure.suptitle("Timeline: injects, decisions and modes (numbers as in the table)")
    return figure


def whatif_chart(
    curves: dict[str, tuple[pd.Series, tuple[np.ndarray, np.ndarray]]],
    decisions: list[float],
    window: tuple[float, float],
) -> Figure:
    """Both arms on the seed played: backlog (and screening coverage) over the window, by arm;
    the team's decisions as ticks."""
    panels = 2 if any(len(coverage[0]) for _, coverage in curves.values()) else 1
    figure, axes = plt.subplots(
        panels, 1, figsize=SIZE_IN, dpi=DPI, sharex=True, squeeze=False, layout="constrained"
    )
    axes = axes[:, 0]
    for arm in (PLAN_ALONE, TEAM):  # the team on top; the plan alone wider, seen where equal
        backlog, coverage = curves[arm]
        times, shares = _to_end(coverage, window[1])
        style = {"color": COLOURS[arm], "lw": 2 if arm == TEAM else 5, "label": ARMS[arm][0]}
        axes[0].step(backlog.index.to_numpy(float), backlog.to_numpy(float), where="post", **style)
        if panels == 2:
            axes[1].step(times, 100 * shares, where="post", color=style["color"], lw=style["lw"])
    axes[0].set_ylabel("closed-loop backlog (cases)")
    if panels == 2:
        axes[1].set_ylabel("screening coverage (%)")
        axes[1].set_ylim(-2, 102)
    for axis in axes:
        _hours_axis(axis, window)
        for at in decisions:
            axis.axvline(at, color=COLOURS["taken"], lw=1, alpha=0.6)
    figure.legend(loc="outside right upper")
    figure.suptitle("What-if on the seed played: the plan alone and the team's decisions")
    axes[-1].set_xlabel("simulated time (day, hour); green lines: the team's decisions")
    return figure


def shares_chart(shares: dict[str, dict[str, Share]]) -> Figure:
    """How often each objective was met over the replays, by arm, with 95 % intervals."""
    names = list(shares[TEAM])
    figure, axis = plt.subplots(figsize=SIZE_IN, dpi=DPI, layout="constrained")
    y = np.arange(len(names))
    for offset, arm in ((-0.15, TEAM), (0.15, PLAN_ALONE)):
        values = [shares[arm][name] for name in names]
        middle = np.array([100 * share.share for share in values])
        low = np.array([100 * share.interval[0] for share in values])
        high = np.array([100 * share.interval[1] for share in values])
        axis.errorbar(
            middle, y + offset, xerr=[middle - low, high - middle], fmt="o", ms=9, capsize=6,
            color=COLOURS[arm], label=ARMS[arm][0],
        )  # fmt: skip
    n = next(iter(shares[TEAM].values())).n
    axis.set_yticks(y, names)
    axis.invert_yaxis()
    axis.set_xlim(-3, 103)
    axis.set_xlabel(f"objective met in the replays (% of {n} seeds, 95 % Wilson interval)")
    axis.grid(alpha=0.3, axis="x")
    figure.legend(loc="outside right upper")
    axis.set_title("Beyond the one future played: how often each objective would have been met")
    return figure


def values_chart(outcomes: list[Outcome], thresholds: dict[str, tuple[float, str]]) -> Figure:
    """Each objective's value on every replay seed in both arms, a line joining a seed's two
    arms, and the objective's threshold (`thresholds`: value and unit, by objective)."""
    names = list(thresholds)
    figure, axes = plt.subplots(
        1, len(names), figsize=SIZE_IN, dpi=DPI, squeeze=False, layout="constrained"
    )
    by_seed: dict[int, dict[str, Outcome]] = {}
    for outcome in outcomes:
        by_seed.setdefault(outcome.seed, {})[outcome.arm] = outcome
    for axis, name in zip(axes[0], names, strict=True):
        threshold, unit = thresholds[name]
        scale = 100.0 if unit == "share" else 1.0
        for pair in by_seed.values():
            values = [pair[arm].values[name] for arm in (PLAN_ALONE, TEAM)]
            if None in values:
                continue
            axis.plot([0, 1], scale * np.array(values, float), color="#bbbbbb", lw=1, zorder=1)
            for x, arm, value in ((0, PLAN_ALONE, values[0]), (1, TEAM, values[1])):
                axis.plot(x, scale * value, "o", color=COLOURS[arm], ms=6, zorder=2)
        axis.axhline(scale * threshold, color=COLOURS["refused"], ls="--", lw=1.2)
        axis.set_xticks([0, 1], ["plan alone", "team"])
        axis.set_xlim(-0.4, 1.4)
        axis.set_title(name, fontsize=11)
        axis.set_ylabel("%" if unit == "share" else unit)
        axis.grid(alpha=0.3, axis="y")
    figure.suptitle("Each objective's value on every replay seed (dashed: the threshold)")
    return figure


def png(figure: Figure) -> bytes:
    """The figure as PNG bytes at slide resolution; the figure is closed."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI)
    plt.close(figure)
    return buffer.getvalue()
