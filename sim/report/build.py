"""Write a report: read the folder, work out its numbers, draw its charts, and write the HTML page
with, beside it, a folder of the charts (PNG, slide resolution) and tables (CSV). Everything is
built in a temporary folder next to the report and moved into place at the end, so bad input or
a failure leaves nothing behind, and an existing report is replaced only when asked."""

from __future__ import annotations

import os
import shlex
import shutil
from pathlib import Path

import pandas as pd

from sim.folders import remove_stale, staging_folder
from sim.report.assumptions import headers, study_assumptions, varied
from sim.report.charts import draw
from sim.report.numbers import (
    SENSITIVITY_KPIS,
    arm_means,
    column,
    comparisons,
    run_kpis,
)
from sim.report.page import Contents, page
from sim.report.provenance import provenance, shown_path
from sim.report.sources import SourceIndex
from sim.report.study import NotAStudy, Study, open_study
from sim.report.summary import executive_summary
from sim.terms import Lang, kpi_name


class ReportExists(FileExistsError):
    """The report (or its folder of files) exists and may not be replaced."""


def files_folder(out: Path) -> Path:
    """The folder of charts and tables beside a report: `report.html` → `report_files/`."""
    return out.with_name(f"{out.stem}_files")


def write_report(
    folder: str | os.PathLike[str],
    out: str | os.PathLike[str],
    lang: Lang = "en",
    force: bool = False,
    reference: str | None = None,
    made_from: str | os.PathLike[str] | None = None,
    command: str | None = None,
) -> Path:
    """Write the report on `folder` (a run folder or a sweep's results folder) to `out` (HTML)
    in `lang`, and its charts and tables to `<out stem>_files/`; `reference` is the arm the
    others are compared with, `made_from` the scenario or experiment file the folder was made
    from (default: found by name), `command` the command shown as writing the report. Raises
    NotAStudy for a folder that cannot be reported on and ReportExists when `out` or its files
    folder exists and `force` is not given; nothing is written then. Returns `out`."""
    out = Path(out)
    files = files_folder(out)
    if not force:
        for path in (out, files):
            if path.exists():
                raise ReportExists(f"{path} exists: give --force to replace it")
    for path in (out, files):
        if path.exists() and path.is_dir() != (path == files):
            raise ReportExists(
                f"{path} exists and is not a {'folder' if path == files else 'file'}"
            )
    study = open_study(folder, reference, made_from)
    command = command or _command(study, out, lang, reference)
    out.parent.mkdir(parents=True, exist_ok=True)
    remove_stale(out.parent)  # what killed writers left
    staging = staging_folder(out)
    try:
        contents = _contents(study, lang, staging / files.name, command, files)
        (staging / out.name).write_text(page(contents), encoding="utf-8")
        _replace(staging / files.name, files)
        _replace(staging / out.name, out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return out


def _command(study: Study, out: Path, lang: Lang, reference: str | None) -> str:
    parts = ["gridsim", "report", shown_path(study.folder), "--out", shown_path(out)]
    parts += ["--lang", lang] + (["--reference", reference] if reference else [])
    return shlex.join(parts)


def _contents(study: Study, lang: Lang, staging: Path, command: str, files: Path) -> Contents:
    """Every number, table and chart of the report; the tables and charts written to
    `staging` (the files folder being built)."""
    staging.mkdir()
    compared = means = indices = kpis = None
    tables: dict[str, pd.DataFrame] = {}
    if study.kind == "run":
        kpis = run_kpis(study.first, lang)
        tables["kpis"] = kpis[["kpi", "name", "value", "shown", "unit"]]
    else:
        compared = comparisons(study)
        means = arm_means(study)
        if not compared.empty:
            tables["comparisons"] = _named(compared, lang)
        tables["means"] = _named(means, lang)
        tables["runs"] = study.table[_run_columns(study)]
        if study.has_ranges:
            indices = _sensitivity(study)
            if indices is not None:
                tables["sensitivity"] = _named(indices, lang)
    summary = executive_summary(study, lang, compared, indices)
    charts = draw(study, lang, staging, compared, indices)
    sources = SourceIndex.find(study.folder, *([study.origin.path] if study.origin.found else []))
    assumptions = study_assumptions(study)
    if assumptions:
        tables["assumptions"] = pd.DataFrame([a.row(sources) for a in assumptions])
    changes = varied(study) if study.kind == "sweep" else []
    if changes:
        tables["varied"] = pd.DataFrame(changes)
    for name, frame in tables.items():
        frame.to_csv(staging / f"{name}.csv", index=False)
    (staging / "summary.txt").write_text("\n".join(summary) + "\n", encoding="utf-8")
    written = [c.path.name for c in charts] + [f"{n}.csv" for n in tables] + ["summary.txt"]
    return Contents(
        study, lang, summary, charts, kpis, compared, means, indices, changes, assumptions,
        headers(study), sources, provenance(study, lang, command), files, written,
    )  # fmt: skip


def _named(frame: pd.DataFrame, lang: Lang) -> pd.DataFrame:
    """A table with each KPI's name beside its column."""
    frame = frame.copy()
    if "kpi" in frame:
        position = list(frame.columns).index("kpi") + 1
        frame.insert(
            position, "kpi_name", [kpi_name(k.removeprefix("kpi."), lang) for k in frame["kpi"]]
        )
    return frame


def _run_columns(study: Study) -> list[str]:
    from sim.report.numbers import sweep_kpis

    keys = ["run_id", "arm", "replication", "seed"]
    keys += [c for c in study.table.columns if c.startswith("factor.")]
    return keys + sweep_kpis(study)


def _sensitivity(study: Study) -> pd.DataFrame | None:
    """The design's sensitivity indices for SENSITIVITY_KPIS (None if they cannot be
    computed: runs of the design missing)."""
    from sim.sweep.sensitivity import sensitivity

    kpis = [column(k) for k in SENSITIVITY_KPIS if column(k) in study.table]
    kpis = [k for k in kpis if study.table[k].notna().all()]
    try:
        return sensitivity(study.folder, kpis)
    except ValueError:
        return None


def _replace(source: Path, target: Path) -> None:
    """Move `source` to `target`, replacing a report or files folder already there."""
    if target.is_dir():
        shutil.rmtree(target)
    elif target.exists():
        target.unlink()
    source.replace(target)


__all__ = ["NotAStudy", "ReportExists", "files_folder", "write_report"]
