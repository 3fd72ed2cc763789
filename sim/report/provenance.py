"""Where a report's numbers come from: the scenario and the experiment, the folder and the file
it was made from, the seeds, the gridsim version that ran and the one that wrote the report,
the command that reproduces the folder and the one that writes the report, the dates."""

from __future__ import annotations

import shlex
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

from sim.terms import Lang, word

if TYPE_CHECKING:
    from sim.report.study import Study


def shown_path(path: Path | str) -> str:
    """A path relative to the working directory when it is under it."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def installed_version() -> str:
    try:
        return metadata.version("gridsim")
    except metadata.PackageNotFoundError:
        return "unknown (not installed)"


def reproduce(study: Study) -> str:
    """The command that makes the folder again: the file it was made from with the settings
    that differ (`--days`, `--set`); for a run whose file is not found or was changed in other
    ways, its own resolved scenario.yaml."""
    folder = shown_path(study.folder)
    origin = study.origin
    if study.kind == "run":
        seed = study.first.seed
        if origin.found and set(origin.differences) <= {"run.days"}:
            extra = " ".join(origin.overrides)
            command = f"gridsim run {shlex.quote(shown_path(origin.path))} --seed {seed}"
            return f"{command}{' ' + extra if extra else ''} --out {shlex.quote(folder)}"
        resolved = shlex.quote(shown_path(study.folder / "scenario.yaml"))
        return f"gridsim run {resolved} --seed {seed} --out {shlex.quote(folder)}"
    file = shown_path(origin.path) if origin.found else "EXPERIMENT.yaml"
    parts = ["gridsim", "sweep", shlex.quote(file), *origin.overrides]
    return " ".join([*parts, "--out", shlex.quote(folder)])


def provenance(study: Study, lang: Lang, report_command: str) -> list[tuple[str, str]]:
    """The provenance as (label, value) rows in `lang`."""
    manifests = [r.manifest for r in study.results]
    versions = sorted({str(m.get("gridsim", "")) for m in manifests if m.get("gridsim")})
    dates = sorted({str(m.get("started", ""))[:10] for m in manifests if m.get("started")})
    rows = [(word("scenario", lang), study.scenario)]
    if study.kind == "sweep":
        experiment = study.experiment
        rows.append((word("experiment", lang), study.name))
        rows.append((word("root_seed", lang), str(experiment.seed)))
        rows.append((word("seeds", lang), ", ".join(str(s) for s in study.seeds)))
        rows.append((word("replications", lang), str(study.replications)))
        rows.append((word("runs_count", lang), str(len(study.results))))
    else:
        rows.append((word("seed", lang), str(study.first.seed)))
    rows.append((word("horizon", lang), word("n_days", lang).format(n=f"{study.days:g}")))
    rows.append((word("folder", lang), shown_path(study.folder)))
    made_from = shown_path(study.origin.path) if study.origin.found else "–"
    rows.append((word("made_from", lang), made_from))
    rows.append((word("gridsim_version", lang), ", ".join(versions) or "–"))
    rows.append((word("command", lang), reproduce(study)))
    rows.append((word("report_command", lang), report_command))
    span = " – ".join(dict.fromkeys([dates[0], dates[-1]])) if dates else "–"
    rows.append((word("ran_on", lang), span))
    written = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    rows.append((word("written_on", lang), f"{written} (gridsim {installed_version()})"))
    return rows
