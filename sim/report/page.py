"""The report as one self-contained HTML page, in English or Chinese: the title naming the
scenario (or experiment) and the seed(s); the executive summary; the key figures (a run's KPIs;
a sweep's paired differences and means by arm; a design's sensitivity indices); the charts with
their captions, embedded as base64 PNG; what the experiment varies; the assumptions with their
sources; the provenance; the files written beside it. Every KPI is named (sim.terms) beside its
path in summary.json."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from typing import TYPE_CHECKING

import pandas as pd

from sim.report import html
from sim.report.assumptions import SETTINGS, STATUSES, Assumption
from sim.report.numbers import significant
from sim.report.provenance import shown_path
from sim.report.sources import SourceIndex, citations
from sim.terms import (
    Lang,
    difference_shown,
    difference_unit,
    kpi_kind,
    kpi_name,
    kpi_unit,
    shown,
    word,
)

if TYPE_CHECKING:
    from pathlib import Path

    from sim.report.charts import Chart
    from sim.report.study import Study

#: The report's own style rules, after the shared ones.
STYLE = (
    html.STYLE
    + """
.summary p { font-size: 1.05em; margin: 0.5em 0; }
.subtitle { color: #555; }
td.sig { font-weight: bold; }
td { overflow-wrap: anywhere; }
td small, li small { color: #555; }
.sourced { color: #1e7b45; } .informed { color: #8a6d00; }
.assumption, .unsourced { color: #b03a2e; }
ul.sources { font-size: 0.9em; }
"""
)


@dataclass
class Contents:
    """What the page shows, worked out beforehand (sim.report.build)."""

    study: Study
    lang: Lang
    summary: list[str]
    charts: list[Chart]
    kpis: pd.DataFrame | None  # a run's
    compared: pd.DataFrame | None  # a sweep's paired differences
    means: pd.DataFrame | None  # a sweep's means by arm
    indices: pd.DataFrame | None  # a design's sensitivity
    varied: list[dict[str, str]]
    assumptions: list[Assumption]
    headers: list[tuple[str, str]]  # (file, what it says about itself)
    sources: SourceIndex
    provenance: list[tuple[str, str]]
    files: Path
    written: list[str]  # file names in `files`


def page(contents: Contents) -> str:
    """The whole page."""
    study, lang = contents.study, contents.lang
    title = word("report_run" if study.kind == "run" else "report_sweep", lang).format(
        name=study.name
    )
    if study.kind == "run":
        seeds = f"{word('seed', lang)}: {study.first.seed}"
    else:
        seeds = (
            f"{word('root_seed', lang)}: {study.experiment.seed} · "
            f"{word('replications', lang)}: {study.replications}"
        )
    subtitle = (
        f"{word('report_subtitle', lang)} · {word('scenario', lang)}: {study.scenario} · {seeds}"
    )
    body = [
        f"<h1>{escape(title)}</h1>",
        f'<p class="subtitle">{escape(subtitle)}</p>',
        html.section("summary", word("sec_summary", lang), _summary(contents.summary)),
    ]
    if contents.kpis is not None:
        body.append(html.section("kpis", word("sec_kpis", lang), _kpis(contents.kpis, lang)))
    if contents.compared is not None and not contents.compared.empty:
        body.append(
            html.section("comparisons", word("sec_comparisons", lang), _compared(contents, lang))
        )
    if contents.means is not None and not contents.means.empty:
        body.append(html.section("means", word("sec_means", lang), _means(contents, lang)))
    if contents.indices is not None and not contents.indices.empty:
        body.append(
            html.section(
                "sensitivity", word("sec_sensitivity", lang), _indices(contents.indices, lang)
            )
        )
    body.append(html.section("charts", word("sec_charts", lang), _charts(contents.charts)))
    if contents.varied:
        body.append(html.section("varied", word("sec_varied", lang), _varied(contents, lang)))
    body.append(
        html.section("assumptions", word("sec_assumptions", lang), _assumptions(contents, lang))
    )
    body.append(
        html.section("provenance", word("sec_provenance", lang), _provenance(contents.provenance))
    )
    body.append(html.section("files", word("sec_files", lang), _files(contents, lang)))
    return html.page(title, body, lang if lang == "en" else "zh-CN", STYLE)


def _summary(sentences: list[str]) -> str:
    return '<div class="summary">' + "".join(f"<p>{escape(s)}</p>" for s in sentences) + "</div>"


def _named(kpi: str, lang: Lang, name: str | None = None) -> str:
    """A KPI's name and, small, its path in summary.json."""
    path = kpi.removeprefix("kpi.")
    label = escape(name or kpi_name(path, lang))
    return f"<td>{label} <small><code>{escape(path)}</code></small></td>"


def _kpis(kpis: pd.DataFrame, lang: Lang) -> str:
    rows = [
        _named(row.kpi, lang, row.name) + html.cell(row.shown, "num") + html.cell(row.unit)
        for row in kpis.itertuples()
    ]
    header = [word("kpi", lang), word("value", lang), word("unit", lang)]
    return html.table(header, rows)


def _unit(kpi: str, lang: Lang) -> str:
    return "%" if kpi_kind(kpi) == "share" else kpi_unit(kpi, lang)


def _cells(frame: pd.DataFrame, study: Study, lang: Lang) -> list[tuple[str, pd.DataFrame]]:
    """The rows of `frame` at each combination of factor levels, in the study's order, with
    the combination as a title ("" without factors)."""
    out = []
    for cell in study.cells:
        rows = frame
        for factor, value in cell.levels.items():
            if factor in rows:
                rows = rows[rows[factor] == value]
        if len(rows):
            out.append((study.cell_title(cell, lang), rows))
    return out


def _compared(contents: Contents, lang: Lang) -> str:
    """A table per arm against the reference at each combination of factor levels."""
    study = contents.study
    header = [
        word("kpi", lang),
        f"{study.arm_name(study.reference, lang)} → {word('arm', lang)}",
        f"{word('difference', lang)} [{word('ci95', lang)}]",
        word("p_value", lang),
        word("higher_in", lang),
    ]
    parts = []
    for label, cell in _cells(contents.compared, study, lang):
        for arm, group in cell.groupby("arm", sort=False):
            reference = study.arm_name(study.reference, lang)
            heading = f"{study.arm_name(arm, lang)} {word('against', lang)} {reference}"
            heading += f" · {label}" if label else ""
            rows = [_difference(row, lang) for row in group.to_dict("records")]
            parts.append(f"<h3>{escape(heading)}</h3>" + html.table(header, rows))
    return "".join(parts)


def _difference(row: dict, lang: Lang) -> str:
    kind = kpi_kind(row["kpi"])
    unit = difference_unit(kind, lang)
    means = f"{shown(row['mean_a'], kind, lang)} → {shown(row['mean_b'], kind, lang)}"
    diff = (
        f"{difference_shown(row['diff'], kind, lang)} {unit} "
        f"[{difference_shown(row['ci_low'], kind, lang)}, "
        f"{difference_shown(row['ci_high'], kind, lang)}]"
    )
    higher = f"{100 * row['share_b_higher']:.0f} % " + word("of_pairs", lang).format(n=row["n"])
    return (
        _named(row["kpi"], lang)
        + html.cell(f"{means} {_unit(row['kpi'], lang)}", "num")
        + html.cell(diff, "num sig" if significant(row) else "num")
        + html.cell(f"{row['p_value']:.2g}", "num")
        + html.cell(higher, "num")
    )


def _means(contents: Contents, lang: Lang) -> str:
    """A table per combination of factor levels: KPIs down, arms across, mean [95 % CI]."""
    study = contents.study
    parts = [f'<p class="note">{escape(word("mean", lang))} [{escape(word("ci95", lang))}]</p>']
    for label, cell in _cells(contents.means, study, lang):
        arms = list(dict.fromkeys(cell["arm"]))
        rows = []
        for kpi, group in cell.groupby("kpi", sort=False):
            kind = kpi_kind(kpi)
            by_arm = {r["arm"]: r for r in group.to_dict("records")}
            cells = _named(kpi, lang)
            for arm in arms:
                r = by_arm.get(arm)
                if r is None or pd.isna(r["mean"]):
                    cells += html.cell(word("not_available", lang), "num")
                    continue
                ci = ""
                if pd.notna(r["ci_low"]):
                    ci = f" [{shown(r['ci_low'], kind, lang)}, {shown(r['ci_high'], kind, lang)}]"
                cells += html.cell(f"{shown(r['mean'], kind, lang)}{ci} {_unit(kpi, lang)}", "num")
            rows.append(cells)
        if label:
            parts.append(f"<h3>{escape(label)}</h3>")
        names = [study.arm_name(arm, lang) for arm in arms]
        parts.append(html.table([word("kpi", lang), *names], rows))
    return "".join(parts)


def _indices(indices: pd.DataFrame, lang: Lang) -> str:
    measures = [m for m in ("S1", "ST", "mu_star", "S2") if m in indices]
    header = [word("arm", lang), word("kpi", lang), word("parameter", lang)]
    header += [word(m, lang) for m in measures]
    rows = []
    for row in indices.to_dict("records"):
        cells = html.cell(row["arm"]) + _named(row["kpi"], lang) + html.cell(row["parameter"])
        for measure in measures:
            value, half = row.get(measure), row.get(f"{measure}_conf")
            if value is None or pd.isna(value):
                cells += html.cell("–", "num")
                continue
            ci = f" ± {half:.3g}" if half is not None and pd.notna(half) else ""
            cells += html.cell(f"{value:.3g}{ci}", "num")
        rows.append(cells)
    return html.table(header, rows)


def _charts(charts: list[Chart]) -> str:
    return "".join(html.image(c.png, c.name, c.title, c.caption) for c in charts)


def _varied(contents: Contents, lang: Lang) -> str:
    header = ["", word("name", lang), word("value", lang), word("file_says", lang)]
    rows = [
        html.cell(word(row["kind"], lang))
        + html.cell(row["name"])
        + html.cell(row["value"])
        + html.cell(row["comment"])
        for row in contents.varied
    ]
    return html.table(header, rows)


def _assumptions(contents: Contents, lang: Lang) -> str:
    study = contents.study
    if not study.origin.found:
        what = word("scenario_file" if study.kind == "run" else "experiment_file", lang)
        where = ", ".join(shown_path(p) for p in study.origin.searched[:4])
        text = word("no_origin", lang).format(what=what, where=where)
        return f'<p class="note">{escape(text)}</p>'
    rows = contents.assumptions
    counts = {status: sum(a.status == status for a in rows) for status in STATUSES}
    notes = [
        word("assumptions_note", lang),
        word("assumptions_count", lang).format(n=len(rows), **counts),
    ]
    ran = any(a.ran for a in rows)
    if ran:
        notes.append(word("changed_note", lang))
    if not study.origin.unchanged:
        notes.append(word("edited_note", lang))
    parts = ["".join(f'<p class="note">{escape(n)}</p>' for n in notes)]
    for file, said in contents.headers:
        parts.append(f"<p><b>{escape(file)}</b>: {escape(said)}</p>")
    header = [word("setting", lang), word("value", lang)]
    header += [word("value_ran", lang)] if ran else []
    header += [word("source_kind", lang), word("cited", lang), word("file_says", lang)]
    header += [word("where_set", lang)]
    for group in SETTINGS:
        chosen = [a for a in rows if a.group == group]
        if chosen:
            heading = word(group if group != "horizon" else "horizon_group", lang)
            parts.append(f"<h3>{escape(heading[:1].upper() + heading[1:])}</h3>")
            parts.append(html.table(header, [_assumption(a, ran, lang) for a in chosen]))
    cited = [key for a in rows for key in a.cited]
    cited += [key for _, said in contents.headers for key in citations(said)]
    cited = list(dict.fromkeys(cited))
    if cited:
        parts.append(f"<h3>{escape(word('sources_cited', lang))}</h3>")
        items = []
        for key in sorted(cited, key=_source_order):
            text = contents.sources.text(key) or word("not_in_sources", lang)
            items.append(f'<li id="{_anchor(key)}"><b>{escape(key)}</b>: {escape(text)}</li>')
        parts.append(f'<ul class="sources">{"".join(items)}</ul>')
    return "".join(parts)


def _anchor(key: str) -> str:
    return "source-" + key.replace("article #", "article-")


def _source_order(key: str) -> tuple[int, int]:
    """Pieces of the article first, then A, P and Q ids in number order."""
    if key.startswith("article #"):
        return (0, int(key[-1]))
    return ("APQ".index(key[0]) + 1, int(key[1:]))


def _assumption(row: Assumption, ran: bool, lang: Lang) -> str:
    scope = f" <small>({escape(word('arm_scenario', lang).format(arm=row.scope))})</small>"
    setting = f"<td><code>{escape(row.path)}</code>{scope if row.scope else ''}</td>"
    cited = ", ".join(f'<a href="#{_anchor(k)}">{escape(k)}</a>' for k in row.cited)
    where = f"{row.file}:{row.line}" if row.line else row.file
    return (
        setting
        + html.cell(row.value)
        + (html.cell(row.ran or "") if ran else "")
        + f'<td class="{row.status}">{escape(word(row.status, lang))}</td>'
        + f"<td>{cited}</td>"
        + html.cell(row.comment)
        + f"<td><small>{escape(where)}</small></td>"
    )


def _provenance(rows: list[tuple[str, str]]) -> str:
    return html.table(
        None, [f"<th>{escape(label)}</th>" + html.cell(value) for label, value in rows]
    )


def _files(contents: Contents, lang: Lang) -> str:
    folder = contents.files.name
    items = "".join(
        f'<li><a href="{escape(folder)}/{escape(name)}">{escape(name)}</a></li>'
        for name in contents.written
    )
    note = word("files_note", lang).format(folder=f"{folder}/")
    return f"<p>{escape(note)}</p><ul>{items}</ul>"
