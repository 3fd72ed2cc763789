"""The executive summary: at most five sentences, every number in them taken from the study —
never written by hand — and formatted as the tables format it (`sim.terms.shown`,
`difference_shown`); the sentences are the templates of sim.terms (`sum_*`), in English or
Chinese.

- A run: what came in, was closed and stayed open; how fast (Kaplan–Meier median and P90, open
  cases counted) and how often on time; the cost and the workers' hours; the incident, if any;
  whether the run is in steady state, and if not why its numbers depend on the horizon.
- A sweep with arms: what is compared on how many paired replications; per arm, each main KPI's
  paired difference against the reference (sim.report.numbers.comparisons) — significant ones
  with their direction and 95 % CI, per factor level if there are factors, the others said to
  show no significant difference; runs overloaded or not stationary, or measuring a surge.
- A design over ranges: what varies, and which range each main KPI depends on most."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from sim.metrics.steady_state import TOO_FEW_TICKS
from sim.report.numbers import column, labels, significant, transients
from sim.sweep.store import flatten
from sim.terms import (
    UNITS,
    Lang,
    difference_shown,
    difference_unit,
    factor_label,
    kpi_kind,
    kpi_name,
    level_text,
    shown,
    word,
)

if TYPE_CHECKING:
    from sim.report.study import Study

#: Sentences at most.
MAX_SENTENCES = 5
#: The KPIs of an arm's sentence, in order; the median time to close gives way to the share
#: still open when the median is not reached in some run. In a surge: the backlog at its peak,
#: the incident's tasks left undone, and the plan's price in hours (overtime, mobilised staff).
CLOSING, STILL_OPEN = "time_to_close_h.km_p50", "time_to_close_h.open_share"
ARM_KPIS_CALM = (CLOSING, "on_time_rate", "backlog_end", "cost_yuan")
ARM_KPIS_SURGE = (
    CLOSING,
    "backlog_peak",
    "tasks.incident.unmet_share",
    "overtime_hours",
    "emergency.mobilised_hours",
    "cost_yuan",
)
#: Design kinds as they are named.
DESIGNS = {"morris": "Morris", "sobol": "Sobol (Saltelli)", "lhs": "Latin hypercube (RBD-FAST)"}
#: The index a design's sensitivity sentence ranks ranges by.
RANKED_BY = {"morris": "mu_star", "sobol": "ST", "rbd_fast": "S1"}


def executive_summary(
    study: Study,
    lang: Lang,
    compared: pd.DataFrame | None = None,
    indices: pd.DataFrame | None = None,
) -> list[str]:
    """The summary's sentences (at most MAX_SENTENCES) for a run, a sweep's arms (`compared`:
    sim.report.numbers.comparisons) or a design over ranges (`indices`: its sensitivity)."""
    if study.kind == "run":
        sentences = run_sentences(study, lang)
    elif study.has_ranges and indices is not None and len(indices):
        sentences = sensitivity_sentences(study, indices, lang)
    else:
        sentences = sweep_sentences(
            study, compared if compared is not None else pd.DataFrame(), lang
        )
    return sentences[:MAX_SENTENCES]


# -- shared ----------------------------------------------------------------------------------


def sentence(clauses: list[str], lang: Lang) -> str:
    """Clauses joined into one sentence: `; ` between them, a capital and a full stop."""
    text = word("item_sep", lang).join(c for c in clauses if c)
    if lang == "en":
        text = text[:1].upper() + text[1:]
    return text + word("sentence_end", lang)


def enumerated(items: list[str], lang: Lang) -> str:
    """`a, b and c` (`a、b和c`)."""
    items = [str(i) for i in items]
    if len(items) <= 1:
        return "".join(items)
    return word("list_sep", lang).join(items[:-1]) + word("and", lang) + items[-1]


def short(path: str) -> str:
    """A scenario path without its section (`sources.admin.rate_per_grid` →
    `admin.rate_per_grid`), enough to tell ranges apart."""
    parts = path.split(".")
    return ".".join(parts[1:]) if len(parts) > 2 else path


def _capital(text: str, lang: Lang) -> str:
    return text[:1].upper() + text[1:] if lang == "en" else text


def number(value: float) -> str:
    """A count of days or levels as written: `24`, `0.5`."""
    return f"{value:g}"


# -- a run -----------------------------------------------------------------------------------


def run_sentences(study: Study, lang: Lang) -> list[str]:
    """A run's sentences: cases, speed, cost, the incident (if any), steady state."""
    result = study.first
    summary = result.summary
    flat = flatten(summary)
    sentences = [
        word("sum_run_cases", lang).format(
            scenario=study.scenario,
            seed=result.seed,
            days=number(study.days),
            warmup=shown(summary.get("warmup_h", 0.0), "h", lang, 0),
            created=shown(summary["cases_created"], "cases", lang),
            closed=shown(summary["cases_closed"], "cases", lang),
            open=shown(summary["backlog_end"], "cases", lang),
            peak=shown(summary["backlog_peak"], "cases", lang),
        )
    ]
    clauses = []
    p50, p90 = flat.get("time_to_close_h.km_p50"), flat.get("time_to_close_h.km_p90")
    if p50 is not None:
        space = " " if lang == "en" else ""
        reached = (
            f"{shown(p90, 'h', lang, 1)}{space}{UNITS['h'](lang)}" if p90 is not None else None
        )
        clauses.append(
            word("sum_close", lang).format(
                p50=shown(p50, "h", lang, 1), p90=reached or word("not_reached_end", lang)
            )
        )
    else:
        clauses.append(
            word("sum_open", lang).format(
                open_share=shown(flat.get("time_to_close_h.open_share"), "share", lang)
            )
        )
    clauses.append(
        word("sum_on_time", lang).format(on_time=shown(flat.get("on_time_rate"), "share", lang))
    )
    first = flat.get("first_response_h.km_p50")
    if first is not None:
        clauses.append(word("sum_first", lang).format(first=shown(first, "h", lang, 1)))
    sentences.append(sentence(clauses, lang))
    sentences.append(
        word("sum_run_cost", lang).format(
            cost=shown(flat.get("cost_yuan"), "yuan", lang),
            util=shown(flat.get("utilization.grid_worker"), "share", lang),
            admin=shown(flat.get("admin_share"), "share", lang),
        )
    )
    incident = _incident_sentence(study, lang)
    if incident:
        sentences.append(incident)
    sentences.append(_run_state(study, lang))
    return sentences


def _incident_sentence(study: Study, lang: Lang) -> str | None:
    """The first incident: its peak backlog, its tasks done or unmet, its plans' firing."""
    result = study.first
    incidents = result.summary.get("emergency", {}).get("incidents", {})
    if not incidents:
        return None
    names = labels(result, lang)
    name, block = next(iter(incidents.items()))
    parts = []
    for key, task in block.items():
        if not key.startswith("task_") or not isinstance(task, dict):
            continue
        category = key.split("_", 2)[-1]
        label = names.get(category, category)
        if task.get("completed_h") is not None:
            parts.append(
                word("sum_task_done", lang).format(
                    task=label,
                    h=shown(task["completed_h"], "h", lang, 1),
                    coverage=shown(task.get("coverage"), "share", lang),
                )
            )
        elif "unmet_share" in task:
            parts.append(
                word("sum_task_unmet", lang).format(
                    task=label, share=shown(task["unmet_share"], "share", lang)
                )
            )
    for plan, switch in block.get("switch_over", {}).items():
        if switch.get("fired_h") is not None:
            parts.append(
                word("sum_plan_fired", lang).format(
                    plan=names.get(plan, plan), h=shown(switch["fired_h"], "h", lang, 1)
                )
            )
    return word("sum_run_incident", lang).format(
        incident=names.get(name, name),
        day=number(float(block.get("onset_h", 0.0)) / 24.0),
        peak=shown(block.get("backlog_peak"), "cases", lang),
        tasks=word("clause_sep", lang).join(parts),
    )


def _run_state(study: Study, lang: Lang) -> str:
    """Steady state, a surge by design, or why the run measures a transient."""
    summary = study.first.summary
    if study.has_incidents:
        return word("sum_run_surge", lang).format(days=number(study.days))
    load = summary.get("offered_load", {}).get("utilisation")
    state = summary.get("steady_state", {})
    why = []
    if load is not None and load >= 1.0:
        why.append(word("why_overloaded", lang).format(load=shown(load, "share", lang)))
    growing = [k for k, g in state.get("growth", {}).items() if g.get("growing")]
    if growing:
        blocks = word("list_sep", lang).join(word(k, lang) for k in growing)
        why.append(word("why_growing", lang).format(blocks=blocks))
    if state.get("warmup_settled") is False:
        why.append(word("why_unsettled", lang))
    if state.get("warmup_method") == TOO_FEW_TICKS:
        why.append(word("why_no_warmup", lang))
    if why:
        return word("sum_run_transient", lang).format(why=word("item_sep", lang).join(why))
    return word("sum_run_steady", lang).format(load=shown(load, "share", lang))


# -- a sweep's arms --------------------------------------------------------------------------


def sweep_sentences(study: Study, compared: pd.DataFrame, lang: Lang) -> list[str]:
    """The intro, a sentence per arm against the reference, and the caveats."""
    experiment = study.experiment
    others = study.arms[1:]
    levels = ""
    if study.factors:
        factor = " × ".join(factor_label(c, lang, study.labels) for c in study.factors)
        values = "; ".join(
            word("list_sep", lang).join(
                level_text(v) for v in experiment.factors[c.removeprefix("factor.")]
            )
            for c in study.factors
        )
        levels = word("sum_sweep_levels", lang).format(factor=factor, values=values)
    template = "sum_sweep_intro" if others else "sum_sweep_single"
    intro = word(template, lang).format(
        experiment=study.name,
        arms=enumerated([study.arm_name(arm, lang) for arm in others], lang),
        arm=study.arm_name(study.reference, lang),
        reference=study.arm_name(study.reference, lang),
        n=study.replications,
        seed=experiment.seed,
        days=number(study.days),
        levels=levels,
    )
    caveats = _sweep_caveats(study, lang)
    budget = MAX_SENTENCES - 1 - len(caveats)
    items = {arm: _arm_items(study, compared, arm, lang) for arm in others}
    items = {arm: found for arm, found in items.items() if found}
    if len(items) > budget:  # the first arms, and a sentence saying where the others are
        shown_arms = list(items)[: budget - 1]
        more = word("sum_sweep_more", lang).format(n=len(items) - len(shown_arms))
        arms = [_arm_sentences(study, arm, items[arm], 1, lang)[0] for arm in shown_arms]
        return [intro, *arms, more, *caveats]
    # long sentences (a difference per factor level) are split over the sentences left
    each = max(1, budget // max(len(items), 1)) if study.factors else 1
    arms = [
        s for arm, found in items.items() for s in _arm_sentences(study, arm, found, each, lang)
    ]
    return [intro, *arms, *caveats]


def _arm_sentences(study: Study, arm: str, items: list[str], most: int, lang: Lang) -> list[str]:
    """An arm's clauses as at most `most` sentences, about two clauses each; the first names
    the arm and the reference."""
    count = min(most, max(1, -(-len(items) // 2)))
    target = sum(len(item) for item in items) / count
    chunks: list[list[str]] = [[]]
    for item in items:  # sentences of about equal length
        full = chunks[-1] and sum(map(len, chunks[-1])) + len(item) / 2 > target
        if full and len(chunks) < count:
            chunks.append([])
        chunks[-1].append(item)
    first = word("sum_sweep_arm", lang).format(
        arm=study.arm_name(arm, lang),
        reference=study.arm_name(study.reference, lang),
        items=word("item_sep", lang).join(chunks[0]),
    )
    return [first, *(sentence(chunk, lang) for chunk in chunks[1:])]


def _arm_kpis(study: Study) -> tuple[str, ...]:
    return ARM_KPIS_SURGE if study.has_incidents else ARM_KPIS_CALM


def _closing(study: Study, arm: str) -> tuple[str, str | None]:
    """The closing KPI of an arm's sentence, and the note saying why it is the share still open
    (None when the median is reached in every run of the arm and the reference)."""
    table = study.table
    median = column(CLOSING)
    if median not in table:
        return STILL_OPEN, None
    missing = []
    for name in (study.reference, arm):
        rows = table[table["arm"] == name]
        missing.append((int(rows[median].isna().sum()), len(rows), name))
    k, n, who = max(missing)
    if k == 0:
        return CLOSING, None
    return STILL_OPEN, (k, n, who)


def _arm_items(study: Study, compared: pd.DataFrame, arm: str, lang: Lang) -> list[str]:
    """One arm against the reference, clause by clause: each significant difference with its
    direction and CI (per factor level), why the share still open stands in for the median, and
    the KPIs with no significant difference in one clause."""
    if compared.empty:
        return []
    rows = compared[compared["arm"] == arm]
    if rows.empty:
        return []
    closing, missing = _closing(study, arm)
    items, alike = [], []
    note = None
    if missing:
        k, n, who = missing
        note = word("sum_km_missing", lang).format(
            kpi=kpi_name(STILL_OPEN, lang), k=k, n=n, arm=study.arm_name(who, lang)
        )
    for kpi in _arm_kpis(study):
        kpi = closing if kpi == CLOSING else kpi
        these = rows[rows["kpi"] == column(kpi)]
        if these.empty:
            continue
        kind = kpi_kind(kpi)
        name = kpi_name(kpi, lang)
        if not any(significant(r) for _, r in these.iterrows()):
            alike.append(name)
            continue
        if study.factors:
            items.append(_levels_item(study, these, name, kind, lang))
        else:
            row = these.iloc[0]
            items.append(
                word("sum_item", lang).format(
                    kpi=name,
                    direction=word("higher" if row["diff"] > 0 else "lower", lang),
                    diff=difference_shown(row["diff"], kind, lang),
                    unit=difference_unit(kind, lang),
                    low=difference_shown(row["ci_low"], kind, lang),
                    high=difference_shown(row["ci_high"], kind, lang),
                )
            )
    if note:
        items.insert(1 if items else 0, note)
    if alike:
        items.append(word("sum_no_difference", lang).format(kpis=enumerated(alike, lang)))
    return items


def _levels_item(study: Study, rows: pd.DataFrame, name: str, kind: str, lang: Lang) -> str:
    """A KPI's differences at each combination of factor levels, in the cells' order."""
    parts = []
    for cell in study.cells:
        match = rows
        for factor, value in cell.levels.items():
            match = match[match[factor] == value]
        if match.empty:
            continue
        row = match.iloc[0]
        level = ", ".join(level_text(v) for v in cell.levels.values())
        template = "sum_level" if significant(row) else "sum_level_ns"
        parts.append(
            word(template, lang).format(
                diff=difference_shown(row["diff"], kind, lang),
                low=difference_shown(row["ci_low"], kind, lang),
                high=difference_shown(row["ci_high"], kind, lang),
                level=level,
            )
        )
    return word("sum_item_levels", lang).format(
        kpi=name, unit=difference_unit(kind, lang), levels=word("clause_sep", lang).join(parts)
    )


def _sweep_caveats(study: Study, lang: Lang) -> list[str]:
    """A surge by design, arms with runs overloaded or not stationary, or steady state."""
    out = []
    if study.has_incidents:
        out.append(word("sum_sweep_surge", lang).format(days=number(study.days)))
    parts = [
        word("sum_transient_arm", lang).format(arm=arm, over=over, n=n, growing=growing)
        for arm, (n, over, growing) in transients(study).items()
        if over or growing
    ]
    if parts:
        out.append(
            word("sum_sweep_transient", lang).format(parts=word("item_sep", lang).join(parts))
        )
    if not out:
        out.append(word("sum_sweep_steady", lang))
    return out


# -- a design over ranges --------------------------------------------------------------------


def sensitivity_sentences(study: Study, indices: pd.DataFrame, lang: Lang) -> list[str]:
    """What varies, then per KPI the range it depends on most (the first arm's indices)."""
    experiment = study.experiment
    ranges = [short(name) for name in experiment.ranges]
    points = int(indices["points"].iloc[0]) if "points" in indices else len(study.results)
    sentences = [
        word("sum_sens_intro", lang).format(
            experiment=study.name,
            ranges=enumerated(ranges, lang),
            design=DESIGNS.get(experiment.design.kind, experiment.design.kind),
            points=points,
            n=len(study.results),
            days=number(study.days),
        )
    ]
    first_arm = indices[indices["arm"] == indices["arm"].iloc[0]]
    for kpi, rows in first_arm.groupby("kpi", sort=False):
        if len(sentences) >= MAX_SENTENCES - 1:
            break
        rows = rows[~rows["parameter"].str.contains(" × ", regex=False)]
        measure = RANKED_BY.get(str(rows["method"].iloc[0]), "S1")
        ranked = rows.dropna(subset=[measure]).sort_values(measure, ascending=False)
        if ranked.empty:
            continue
        top = ranked.iloc[0]
        value, low, high = _index_shown(kpi, measure, top, lang)
        rest = [short(p) for p in ranked["parameter"].iloc[1:]]
        sentences.append(
            word("sum_sens_kpi", lang).format(
                kpi=_capital(kpi_name(kpi, lang), lang),
                first=short(top["parameter"]),
                index=word(measure, lang),
                value=value,
                low=low,
                high=high,
                rest=word("sum_sens_rest", lang).format(names=enumerated(rest, lang))
                if rest
                else "",
            )
        )
    caveats = [c for c in _sweep_caveats(study, lang) if c != word("sum_sweep_steady", lang)]
    room = MAX_SENTENCES - len(caveats)
    noise = first_arm["noise"].dropna() if "noise" in first_arm else pd.Series(dtype=float)
    if len(noise) and len(sentences) < room:
        kpi = first_arm.loc[noise.index[0], "kpi"]
        sentences.append(
            word("sum_sens_noise", lang).format(
                noise=shown(noise.iloc[0], "share", lang), kpi=kpi_name(kpi, lang)
            )
        )
    sentences = sentences[:room] + caveats
    return sentences


def _index_shown(kpi: str, measure: str, row: pd.Series, lang: Lang) -> tuple[str, str, str]:
    """An index and its CI as shown: Morris μ* in the KPI's unit (shares in %), others to two
    decimals."""
    value = float(row[measure])
    half = float(row.get(f"{measure}_conf", float("nan")))
    if measure == "mu_star":
        kind = kpi_kind(kpi)
        space = " " if lang == "en" else ""
        unit = "%" if kind == "share" else UNITS[kind](lang) if kind in UNITS else ""
        unit = f"{space}{unit}" if unit else ""
        return (
            shown(value, kind, lang) + unit,
            shown(value - half, kind, lang),
            shown(value + half, kind, lang),
        )
    return f"{value:.2f}", f"{value - half:.2f}", f"{value + half:.2f}"
