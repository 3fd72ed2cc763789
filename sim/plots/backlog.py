"""The closed-loop backlog through a switch of mode (平战转换): open residents' requests and patrol
finds hour by hour, with the time each run spent in alert, emergency and recovery shaded."""

from __future__ import annotations

from typing import TYPE_CHECKING

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from sim.plots.bands import mode_handles, ribbon, shade_runs, time_scale
from sim.plots.fonts import chart_language
from sim.plots.runs import Runs, by_arm, closed_loop_backlog, horizon, open_tasks, spans
from sim.plots.style import KIND_COLOURS, arm_colours, labelled, new_figure, note, title
from sim.terms import UNITS, Lang, word

if TYPE_CHECKING:
    from sim.runner import Result

#: Line styles of the arms on the open-tasks panel (colour there is the kind of work).
ARM_STYLES = ("-", "--", ":", "-.")


def backlog_chart(runs: Runs, lang: Lang = "en", tasks: bool = False) -> Figure:
    """Closed-loop cases open at the end of each hour (the headline backlog: requests and patrol
    finds only) per arm: the median over replications with a band, the operating modes shaded
    (one arm: behind the curves; several: a strip per arm above them). `tasks` adds a panel of
    the tasks of each kind open (incident, forms, revisits …), kept apart as the KPIs keep them.
    x: simulated time (hours, days beyond three); y: cases, tasks. Returns the figure."""
    lang = chart_language(lang)
    arms = by_arm(runs)
    colours = arm_colours(arms)
    per, time_label = time_scale(max(horizon(r) for rs in arms.values() for r in rs), lang)
    strip = len(arms) > 1
    heights = [0.6 * len(arms)] * strip + [4.0] + [2.5] * tasks
    figure, grid = new_figure(len(heights), 1, sharex=True, height_ratios=heights)
    axes = list(grid[:, 0])
    main = axes[int(strip)]
    bands = {}
    modes: set[str] = set()
    kinds: set[str] = set()
    for i, (arm, results) in enumerate(arms.items()):
        bands[len(results)] = ribbon(
            main, [closed_loop_backlog(r) for r in results], per, colours[arm], arm
        )
        run_spans = [spans(r) for r in results]
        if strip:
            row = (1 - (i + 1) / len(arms), 1 - i / len(arms))
            modes |= shade_runs(axes[0], run_spans, per, row)
        else:
            for axis in axes:
                modes |= shade_runs(axis, run_spans, per)
        if tasks:
            kinds |= _tasks(axes[-1], results, per, ARM_STYLES[i % len(ARM_STYLES)])
    if strip:
        axes[0].set_yticks(
            [1 - (i + 0.5) / len(arms) for i in range(len(arms))], labels=list(arms), fontsize=9
        )
        axes[0].set_ylim(0, 1)
        for i in range(1, len(arms)):
            axes[0].axhline(i / len(arms), color="#999999", lw=0.8)
        axes[0].set_ylabel(word("mode", lang))
    main.set_ylabel(labelled(word("open_cases", lang), UNITS["cases"](lang), lang))
    main.set_ylim(bottom=0)
    handles, _ = main.get_legend_handles_labels()
    main.legend(handles=handles + mode_handles(modes, lang), loc="upper left", fontsize=9)
    described = [
        word(what, lang).format(n=n) for n, what in sorted(bands.items()) if what is not None
    ]
    if described:
        note(main, f"{word('median', lang)}; " + ", ".join(described))
    if tasks:
        _tasks_legend(axes[-1], kinds, list(arms), lang)
    for axis in axes[int(strip) :]:
        axis.grid(alpha=0.3)
    axes[-1].set_xlabel(time_label)
    axes[-1].set_xlim(0, max(horizon(r) for rs in arms.values() for r in rs) / per)
    title(figure, word("chart_backlog", lang))
    return figure


def _tasks(axis: Axes, results: list[Result], per: float, style: str) -> set[str]:
    """Open tasks of each kind on `axis` (colour: the kind; line style: the arm). Returns the
    kinds drawn."""
    tables = [open_tasks(r) for r in results]
    drawn = set()
    for kind in tables[0].columns:
        if any(t[kind].any() for t in tables):
            ribbon(axis, [t[kind] for t in tables], per, KIND_COLOURS[kind], kind, style)
            drawn.add(kind)
    return drawn


def _tasks_legend(axis: Axes, kinds: set[str], arms: list[str], lang: Lang) -> None:
    """The open-tasks panel's axis label and legend: kinds by colour, arms by line style."""
    axis.set_ylabel(labelled(word("open_tasks", lang), UNITS["tasks"](lang), lang))
    axis.set_ylim(bottom=0)
    handles = [Patch(color=c, label=word(k, lang)) for k, c in KIND_COLOURS.items() if k in kinds]
    if len(arms) > 1:
        handles += [
            Line2D([], [], color="#444444", ls=ARM_STYLES[i % len(ARM_STYLES)], label=arm)
            for i, arm in enumerate(arms)
        ]
    if handles:
        axis.legend(handles=handles, loc="upper left", fontsize=9)
