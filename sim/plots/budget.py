"""Where staff's hours on duty go, by role: forms, cases, an incident's tasks, visits, patrol,
travel, meetings and idle time as stacked shares, overtime's share hatched, against the article's
finding that half the time goes on forms (docs/sources.md A62)."""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from sim.plots.fonts import chart_language
from sim.plots.runs import Runs, by_arm, scenario_labels
from sim.plots.style import ACTIVITY_COLOURS, arm_colours, labelled, new_figure, team_label, title
from sim.terms import UNITS, Lang, word

#: The article's share of the time on forms and reports (article #4, docs/sources.md A62).
FORMS_SHARE = 0.5
#: Each activity's word in sim.terms where it differs from the activity's name.
ACTIVITY_WORDS = {"patrol": "patrolling"}


def time_budget_chart(runs: Runs, lang: Lang = "en", departments: bool = False) -> Figure:
    """Each role's hours on duty (overtime included) by activity, as stacked shares with forms
    at the bottom, per arm (replications pooled: hours summed, then shared); the share worked
    as overtime hatched at the top of each bar; a line at 50 %, the article's share of the
    time on forms. Grid-side staff only unless `departments`. y: % of hours on duty. Returns
    the figure."""
    lang = chart_language(lang)
    arms = by_arm(runs)
    colours = arm_colours(arms)
    figure, grid = new_figure()
    axis = grid[0, 0]
    ticks, labels, x = [], [], 0.0
    for arm, results in arms.items():
        shares, overtime = _shares(pd.concat([r.workers for r in results]), departments)
        names = scenario_labels(results)
        for role, row in shares.iterrows():
            bottom = 0.0
            for activity, colour in ACTIVITY_COLOURS.items():
                height = 100 * row[activity]
                axis.bar(x, height, bottom=bottom, color=colour, width=0.7, edgecolor="white")
                bottom += height
            axis.bar(
                x, 100 * overtime[role], bottom=100 * (1 - overtime[role]), width=0.7,
                fill=False, hatch="//", edgecolor="#333333", lw=0,
            )  # fmt: skip
            axis.bar(x, 100, width=0.7, fill=False, edgecolor=colours[arm], lw=2)
            ticks.append(x)
            role_name = team_label(str(role), lang, names)
            labels.append(f"{role_name}\n{arm}" if len(arms) > 1 else role_name)
            x += 1.0
        x += 0.5  # a gap between arms
    axis.axhline(100 * FORMS_SHARE, color="#111111", ls="--", lw=1.5)
    axis.set_xticks(ticks, labels=labels)
    axis.set_ylim(0, 100)
    axis.set_ylabel(labelled(word("share_on_duty", lang), UNITS["share"](lang), lang))
    handles = [
        Patch(color=colour, label=word(ACTIVITY_WORDS.get(activity, activity), lang))
        for activity, colour in ACTIVITY_COLOURS.items()
    ]
    handles.append(
        Patch(fill=False, hatch="//", edgecolor="#333333", label=word("of_which_overtime", lang))
    )
    handles.append(
        axis.plot([], [], color="#111111", ls="--", lw=1.5, label=word("forms_line", lang))[0]
    )
    axis.legend(handles=handles, loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize=9)
    title(figure, word("chart_budget", lang))
    return figure


def _shares(workers: pd.DataFrame, departments: bool) -> tuple[pd.DataFrame, pd.Series]:
    """Per role (grid workers first): each activity's share of the hours on duty, and the share
    that was overtime."""
    if not departments:
        workers = workers[workers["kind"] != "department"]
    columns = [f"{activity}_h" for activity in ACTIVITY_COLOURS]
    hours = workers.groupby("role", sort=False)[[*columns, "overtime_h"]].sum()
    on_duty = hours[columns].sum(axis=1)
    hours = hours[on_duty > 0]
    on_duty = on_duty[on_duty > 0]
    order = sorted(hours.index, key=lambda role: role != "grid_worker")
    shares = hours[columns].div(on_duty, axis=0).rename(columns=lambda c: c.removesuffix("_h"))
    return shares.loc[order], (hours["overtime_h"] / on_duty).loc[order]
