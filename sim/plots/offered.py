"""The offered load against capacity (summary.json's `offered_load`, worked out before a run):
the hours of work a week each kind of work brings to the grid side, an incident's extra hours
while it lasts, against the hours each team is on duty and those on standby."""

from __future__ import annotations

from collections.abc import Mapping

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from sim.plots.fonts import chart_language
from sim.plots.runs import Runs, by_arm, scenario_labels
from sim.plots.style import KIND_COLOURS, labelled, new_figure, team_label, title
from sim.terms import UNITS, Lang, shown, word

#: Colours of the teams' hours on duty, in the order the summary lists the teams.
TEAM_COLOURS = ("#3b3b3b", "#6f6f6f", "#9c9c9c", "#c4c4c4", "#5c7080", "#8aa0b0")
#: Colour of an incident's extra work (hatched: only while it lasts).
INCIDENT_COLOUR = KIND_COLOURS["incident"]


def offered_load_chart(runs: Runs | Mapping[str, dict] | dict, lang: Lang = "en") -> Figure:
    """Per arm, two bars in hours a week: the work offered to the grid side by kind (requests,
    patrol finds, forms, revisits, warnings), each incident's extra work while it lasts
    (hatched), and the hours on duty by team, standby teams hatched; the utilisation written
    beside. `runs` are results (an arm's first run is shown: the load is worked out before a
    run, from the scenario and its world) or summary.json dicts, one or {arm: summary}.
    Departments are left out. Returns the figure."""
    lang = chart_language(lang)
    loads, labels_zh = _loads(runs)
    figure, grid = new_figure()
    axis = grid[0, 0]
    ticks, names, y = [], [], 0.0
    teams: dict[str, str] = {}
    kinds: set[str] = set()
    for arm, load in loads.items():
        demand = {k: v for k, v in load["demand_h_per_week"].items() if v > 0}
        extra = {n: i["h_per_week"] for n, i in load.get("incidents", {}).items()}
        kinds |= demand.keys()
        work = [(h, KIND_COLOURS.get(k, "#999999"), "") for k, h in demand.items()]
        work += [(h, INCIDENT_COLOUR, "//") for h in extra.values()]
        _stack(axis, y, work)
        utilisation = shown(load.get("utilisation"), "share", lang)
        axis.text(
            sum(demand.values()) + sum(extra.values()),
            y,
            "  " + word("utilisation_is", lang).format(value=utilisation),
            va="center",
            fontsize=10,
        )
        for team in [*load["capacity_h_per_week"], *load.get("standby_capacity_h_per_week", {})]:
            teams.setdefault(team, TEAM_COLOURS[len(teams) % len(TEAM_COLOURS)])
        duty = [(h, teams[t], "") for t, h in load["capacity_h_per_week"].items()]
        duty += [
            (h, teams[t], "//") for t, h in load.get("standby_capacity_h_per_week", {}).items()
        ]
        _stack(axis, y + 1, duty)
        for offset, what in ((0, "work_offered"), (1, "hours_on_duty")):
            ticks.append(y + offset)
            names.append(f"{arm}\n{word(what, lang)}" if len(loads) > 1 else word(what, lang))
        y += 2.6
    axis.set_yticks(ticks, labels=names)
    axis.invert_yaxis()
    axis.set_xlim(0, axis.get_xlim()[1] * 1.3)  # room for the utilisation
    axis.set_xlabel(labelled(word("hours_per_week", lang), UNITS["hours"](lang), lang))
    axis.grid(alpha=0.3, axis="x")
    handles = [Patch(color=c, label=word(k, lang)) for k, c in KIND_COLOURS.items() if k in kinds]
    incidents = {n for load in loads.values() for n in load.get("incidents", {})}
    handles += [
        Patch(facecolor=INCIDENT_COLOUR, hatch="//", edgecolor="white",
              label=word("while_incident", lang).format(name=team_label(name, lang, labels_zh)))
        for name in sorted(incidents)
    ]  # fmt: skip
    handles += [Patch(color=c, label=team_label(t, lang, labels_zh)) for t, c in teams.items()]
    if any(load.get("standby_capacity_h_per_week") for load in loads.values()):
        handles.append(Patch(fill=False, hatch="//", label=word("standby", lang)))
    axis.legend(handles=handles, loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize=9)
    title(figure, word("chart_load", lang))
    return figure


def _loads(runs: Runs | Mapping[str, dict] | dict) -> tuple[dict[str, dict], dict[str, str]]:
    """Each arm's offered load (summary.json's block), and the teams' Chinese labels."""
    if isinstance(runs, dict) and "offered_load" in runs:
        return {"": runs["offered_load"]}, {}
    if isinstance(runs, Mapping) and all(isinstance(v, dict) for v in runs.values()):
        return {arm: summary["offered_load"] for arm, summary in runs.items()}, {}
    arms = by_arm(runs)
    labels = scenario_labels([r for results in arms.values() for r in results])
    return {arm: results[0].summary["offered_load"] for arm, results in arms.items()}, labels


def _stack(axis: Axes, y: float, parts: list[tuple[float, str, str]]) -> None:
    """A horizontal bar at `y` of (hours, colour, hatch) parts, left to right."""
    left = 0.0
    for hours, colour, hatch in parts:
        axis.barh(y, hours, left=left, height=0.8, color=colour, hatch=hatch, edgecolor="white")
        left += hours
