"""The tables the commands print, as sheets (sim.cli.formats) in English or Chinese: a run's
KPIs, a scenario's offered load, the paired comparisons of a sweep's arms or factor levels and
its sensitivity indices. Every KPI's name, unit and number format comes from sim.terms;
`names` are the Chinese names a scenario gives its teams, categories and the rest
(`sim.terms.scenario_names`), `labels` the names an experiment file gives its factors, ranges
and arms (`labels:`)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import pandas as pd

from sim.cli.formats import Sheet
from sim.terms import (
    UNITS,
    Labels,
    Lang,
    Names,
    Term,
    difference_shown,
    difference_unit,
    factor_label,
    kpi_kind,
    kpi_name,
    kpi_unit,
    level_text,
    setting,
    shown,
    word,
)


def _at(summary: Mapping[str, Any], path: str) -> Any:
    """The value at a dotted path of a summary, None where it is missing."""
    value: Any = summary
    for part in path.split("."):
        value = value.get(part) if isinstance(value, Mapping) else None
    return value


def _aside(text: str, lang: Lang) -> str:
    """A remark after a label, in the language's brackets."""
    return f"（{text}）" if lang == "zh" else f" ({text})"


class _Rows:
    """Rows of KPIs of a summary (or a block of one), each named, shown and given its unit."""

    def __init__(self, sheet: Sheet, summary: Mapping[str, Any], lang: Lang, names: Names):
        self.sheet, self.summary, self.lang, self.names = sheet, summary, lang, names

    def __call__(self, path: str, remark: str = "", prefix: str = "") -> None:
        kpi = prefix + path
        name = kpi_name(kpi, self.lang, self.names) + (_aside(remark, self.lang) if remark else "")
        value = _at(self.summary, path)
        self.sheet.add(name, shown(value, kpi_kind(kpi), self.lang), kpi_unit(kpi, self.lang))


def _kpi_headings(first: str, lang: Lang) -> Sheet:
    return Sheet("", [first, word("value", lang), word("unit", lang)], [False, True, False])


def kpi_sheet(
    summary: Mapping[str, Any], title: str | None = None, lang: Lang = "en", names: Names = None
) -> Sheet:
    """The KPI table of a run summary: KPI, value, unit. The first section counts the closed
    loop (residents' requests and patrol finds created after the warm-up); each task kind, the
    staff, the emergency and the grid-difficulty bands follow in sections of their own."""
    sheet = _kpi_headings(word("kpi", lang), lang)
    sheet.title = title or ""
    row = _Rows(sheet, summary, lang, names)
    method = (summary.get("steady_state") or {}).get("warmup_method", "")
    row("warmup_h", word(method, lang) if method else "")
    sheet.add(word("closed_loop_after_warmup", lang), "", "")
    for path in ("cases_created", "cases_closed", "backlog_end", "backlog_peak", "unhandled"):
        row(path)
    for measure in ("first_response_h", "time_to_close_h"):
        for statistic in ("mean", "p90", "km_p50", "km_p90", "open_share"):
            row(f"{measure}.{statistic}")
    row("on_time_rate")
    for tier in summary.get("escalated_share") or {}:
        row(f"escalated_share.{tier}")
    for tier in summary.get("time_to_close_by_tier_h") or {}:
        row(f"time_to_close_by_tier_h.{tier}.mean")
    for tier in summary.get("tiers") or {}:
        row(f"tiers.{tier}.wait_h.mean")
    for kind in summary.get("tasks") or {}:
        sheet.section()
        for measure in ("created", "done", "open", "held", "on_time_rate", "unmet_share"):
            if measure != "held" or summary["tasks"][kind].get("held"):  # forms a plan holds
                row(f"tasks.{kind}.{measure}")
    sheet.section()
    people = UNITS["people"](lang)
    for role, kpis in (summary.get("by_role") or {}).items():
        members = shown(kpis.get("members"), "people", lang)
        row(f"by_role.{role}.utilization.{role}", f"{members} {people}".strip())
    for path in ("admin_share", "field_share", "meeting_share"):
        if path != "meeting_share" or summary.get(path):
            row(path)
    for path in ("overtime_hours", "revisit_coverage", "cost_yuan", "cost_per_closed_case_yuan"):
        row(path)
    emergency = summary.get("emergency")
    if emergency:
        sheet.section()
        for mode in emergency.get("hours_in_mode") or {}:
            row(f"emergency.hours_in_mode.{mode}")
        row("emergency.mobilised_hours")
        for name, incident in (emergency.get("incidents") or {}).items():
            at = f"emergency.incidents.{name}"
            for measure in ("backlog_peak", "time_to_absorb_h", "time_to_recover_h"):
                row(f"{at}.{measure}")
            for plan in incident.get("switch_over") or {}:
                row(f"{at}.switch_over.{plan}.fired_h")
            for key, task in incident.items():
                if key.startswith("task_"):
                    measures = ("completed_h", "coverage", "unmet_share", "hours_staffed_share")
                    for measure in (m for m in measures if m in task):
                        row(f"{at}.{key}.{measure}")
    bands = summary.get("by_difficulty_band") or {}
    if len([b for b in bands.values() if b.get("cases_created")]) > 1:
        sheet.section()
        for band in bands:
            row(f"by_difficulty_band.{band}.time_to_close_h.mean")
    return sheet


def load_sheet(
    load: Mapping[str, Any], title: str | None = None, lang: Lang = "en", names: Names = None
) -> Sheet:
    """The offered load of a scenario (summary.json's `offered_load`): work a week by kind
    against the hours on duty, the utilisation that implies, departments and incidents."""
    sheet = _kpi_headings(word("offered_load", lang), lang)
    sheet.title = title or ""
    row = _Rows(sheet, load, lang, names)
    prefix = "offered_load."
    demand = load.get("demand_h_per_week") or {}
    for kind in demand:
        row(f"demand_h_per_week.{kind}", prefix=prefix)
    total = shown(sum(demand.values()), "h_week", lang)
    sheet.add(word("all_work", lang), total, UNITS["h_week"](lang))
    for team in load.get("capacity_h_per_week") or {}:
        row(f"capacity_h_per_week.{team}", prefix=prefix)
    row("utilisation", prefix=prefix)
    busiest = (load.get("busiest_grid") or {}).get("grid")
    row("busiest_grid.utilisation", str(busiest) if busiest else "", prefix=prefix)
    for department in load.get("departments") or {}:
        row(f"departments.{department}.utilisation", prefix=prefix)
    for team in load.get("standby_capacity_h_per_week") or {}:
        row(f"standby_capacity_h_per_week.{team}", prefix=prefix)
    for name, incident in (load.get("incidents") or {}).items():
        days = f"{shown(incident.get('days'), 'number', lang, 0)} {UNITS['days'](lang)}"
        row(f"incidents.{name}.h_per_week", days, prefix=prefix)
    return sheet


# --- experiments -----------------------------------------------------------------------------


def _varied(frame: pd.DataFrame, columns: list[str]) -> list[str]:
    """The columns (arm, factors) whose value differs between rows: those a title names."""
    return [column for column in columns if frame[column].nunique(dropna=False) > 1]


def _p(value: float) -> str:
    if value is None or not math.isfinite(value):
        return "n/a"
    return "<0.001" if value < 0.001 else f"{value:.2g}"


#: Under a comparison: what the numbers are.
PAIRED_NOTE = Term(
    "Means over replications; difference {b} − {a}, paired by replication (the same seeds), "
    "with its 95 % confidence interval (paired t) and p-value; shares in %, their differences "
    "in percentage points (pp).",
    "各重复的均值；差值为{b}−{a}，按重复次序配对（相同随机种子），附95%置信区间（配对t检验）与p值；"
    "比例以%表示，其差值以百分点表示。",
)


def comparison_sheets(
    frame: pd.DataFrame,
    along: str,
    levels: list[Any],
    lang: Lang = "en",
    labels: Labels = None,
    names: Names = None,
) -> list[Sheet]:
    """One table per comparison of `paired_comparisons`: each level of `along` ("arm" or a
    factor column) against the first of `levels`, within each combination of the others; a
    row per KPI with its unit, both means, the difference with its interval, p and the share
    of pairs in which the level is higher."""
    if not len(frame):
        return []
    others = [c for c in frame.columns if c == "arm" or c.startswith("factor.")]
    others.remove(along)
    varied = _varied(frame, others)
    reference = levels[0]
    sheets = []
    for keys, group in frame.groupby([along, *others], sort=False):
        level = keys[0]
        cell = ", ".join(
            setting(column, value, lang, labels, names)
            for column, value in zip(others, keys[1:], strict=True)
            if column in varied
        )
        ours, theirs = (
            (
                setting("arm", level, lang, labels, names),
                setting("arm", reference, lang, labels, names),
            )
            if along == "arm"
            else (level_text(level), level_text(reference))
        )
        title = f"{setting(along, level, lang, labels, names)} {word('against', lang)} {theirs}"
        headings = [word("kpi", lang), word("unit", lang), theirs, ours]
        headings += [word(key, lang) for key in ("difference", "ci95", "p_value", "higher_in")]
        sheet = Sheet(
            title + (f" · {cell}" if cell else ""),
            headings,
            [False, False, True, True, True, True, True, True],
            caption=PAIRED_NOTE(lang).format(a=theirs, b=ours),
        )
        for row in group.to_dict("records"):
            kind = kpi_kind(row["kpi"])
            unit = difference_unit(kind, lang) if kind == "share" else ""
            low, high = (difference_shown(row[k], kind, lang) for k in ("ci_low", "ci_high"))
            share = f"{shown(row['share_b_higher'], 'share', lang, 0)}%"
            pairs = word("of_pairs", lang).format(n=row["n"])
            sheet.add(
                kpi_name(row["kpi"], lang, names),
                kpi_unit(row["kpi"], lang),
                shown(row["mean_a"], kind, lang),
                shown(row["mean_b"], kind, lang),
                difference_shown(row["diff"], kind, lang) + (f" {unit}" if unit else ""),
                f"[{low}, {high}]",
                _p(row["p_value"]),
                share + ("" if lang == "zh" else " ") + pairs,
            )
        sheets.append(sheet)
    return sheets


def comparison_csv(
    frame: pd.DataFrame, along: str, lang: Lang = "en", labels: Labels = None, names: Names = None
) -> pd.DataFrame:
    """The comparisons as numbers, for other programs: `paired_comparisons`' columns (means,
    difference, interval in the KPI's own units: shares as fractions) with the KPI's name
    (`kpi_label`, in `lang`) and unit (`unit`, as sim.terms names it: share, h, cases …),
    and the factor's name (`factor_label`) when the levels are a factor's."""
    out = frame.copy()
    at = out.columns.get_loc("kpi") + 1
    out.insert(at, "unit", [kpi_kind(kpi) for kpi in out["kpi"]])
    out.insert(at, "kpi_label", [kpi_name(kpi, lang, names) for kpi in out["kpi"]])
    if along != "arm":
        out.insert(0, "factor_label", factor_label(along, lang, labels, names))
    return out


#: The indices each analysis gives, as a heading (`{unit}`: the KPI's).
INDICES: dict[str, Term] = {
    "S1": Term("S1 (first order)", "S1（一阶）"),
    "ST": Term("ST (total)", "ST（总效应）"),
    "S2": Term("S2 (second order)", "S2（二阶）"),
    "mu_star": Term("μ* ({unit})", "μ*（{unit}）"),
}
METHODS: dict[str, Term] = {
    "sobol": Term("Sobol indices", "Sobol指数"),
    "morris": Term("Morris elementary effects", "Morris基本效应"),
    "rbd_fast": Term("RBD-FAST indices", "RBD-FAST指数"),
}


def _index(value: float, measure: str, kind: str, lang: Lang) -> str:
    """An index: Sobol and RBD-FAST ones with two decimals, μ* in the KPI's unit."""
    if measure == "mu_star":
        return shown(value, kind, lang)
    return word("not_available", lang) if not math.isfinite(value) else f"{value:.2f}"


def indices_sheets(
    frame: pd.DataFrame, lang: Lang = "en", labels: Labels = None, names: Names = None
) -> list[Sheet]:
    """Tables of `sensitivity`'s indices: per arm, factor combination and KPI, a row per
    range (a table of pairs after it for second-order indices), each index with its 95 %
    interval and, with replications, its spread over them; the noise in the caption."""
    from sim.sweep.sensitivity import MEASURES

    groups = [c for c in frame.columns if c == "arm" or c.startswith("factor.")] + ["kpi"]
    varied = _varied(frame, groups[:-1])
    sheets = []
    for keys, group in frame.groupby(groups, sort=False):
        kpi, kind = keys[-1], kpi_kind(keys[-1])
        where = [
            setting(column, value, lang, labels, names)
            for column, value in zip(groups[:-1], keys[:-1], strict=True)
            if column in varied
        ]
        unit = kpi_unit(kpi, lang)
        method = group["method"].iloc[0]
        about = kpi_name(kpi, lang, names) + (_aside(unit, lang) if unit else "")
        title = " · ".join([about, *where, METHODS[method](lang)])
        pairs = group["parameter"].str.contains(" × ", regex=False)
        for rows, measures in ((group[~pairs], MEASURES[method]), (group[pairs], ("S2",))):
            if len(rows):
                sheets.append(_indices(rows, measures, title, kind, lang, labels, names))
    return sheets


def _indices(
    rows: pd.DataFrame,
    measures: tuple[str, ...],
    title: str,
    kind: str,
    lang: Lang,
    labels: Labels,
    names: Names,
) -> Sheet:
    replicated = rows["replications"].iloc[0] > 1
    unit = difference_unit(kind, lang)  # an effect on a share is in percentage points
    headings, numeric = [word("parameter", lang)], [False]
    for measure in measures:
        headings += [INDICES[measure](lang).format(unit=unit), word("ci95", lang)]
        headings += [word("sd_over_reps", lang)] if replicated else []
    numeric += [True] * (len(headings) - 1)
    sheet = Sheet(title, headings, numeric)
    for row in rows.to_dict("records"):
        parameters = row["parameter"].split(" × ")
        cells = [" × ".join(factor_label(p, lang, labels, names) for p in parameters)]
        for measure in measures:
            value, half = row[measure], row[f"{measure}_conf"]
            low, high = (_index(v, measure, kind, lang) for v in (value - half, value + half))
            cells += [_index(value, measure, kind, lang), f"[{low}, {high}]"]
            if replicated:
                cells.append(_index(row[f"{measure}_rep_sd"], measure, kind, lang))
        sheet.add(*cells)
    noise, replications = rows["noise"].iloc[0], rows["replications"].iloc[0]
    runs = word("design_runs", lang).format(
        points=rows["points"].iloc[0], replications=replications
    )
    if noise == noise:
        said = word("noise_share", lang).format(share=f"{shown(noise, 'share', lang)}%")
    else:
        said = word("noise_unknown" if replications == 1 else "noise_flat", lang)
    sheet.caption = f"{runs}{'；' if lang == 'zh' else '; '}{said}"
    return sheet


def indices_csv(
    frame: pd.DataFrame, lang: Lang = "en", labels: Labels = None, names: Names = None
) -> pd.DataFrame:
    """The indices as numbers, for other programs: `sensitivity`'s columns with the KPI's name
    and unit (`kpi_label`, `unit`) and the parameter's name (`parameter_label`)."""
    out = frame.copy()
    at = out.columns.get_loc("kpi") + 1
    out.insert(at, "unit", [kpi_kind(kpi) for kpi in out["kpi"]])
    out.insert(at, "kpi_label", [kpi_name(kpi, lang, names) for kpi in out["kpi"]])
    at = out.columns.get_loc("parameter") + 1
    out.insert(
        at,
        "parameter_label",
        [
            " × ".join(factor_label(p, lang, labels, names) for p in parameter.split(" × "))
            for parameter in out["parameter"]
        ],
    )
    return out
