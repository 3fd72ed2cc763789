"""The scenario's values that matter — grids and households, staffing, demand, the incident and
the plans — each with what its file says about where it comes from. Scenario files cite
docs/sources.md in comments on the line that sets a value (`grids: 15   # article #5 (A18)`),
in a comment block just above it, or on the line of the section it is in; a value with no such
comment has no source in the file, and one whose comment says "assumption" is the model's own
choice. Values set apart from the file (`--set`, `--days`, a sweep's arms and factors) are
marked, with the value that ran."""

from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from sim.config.loader import load_data
from sim.report.sources import SourceIndex, citations, is_assumption

if TYPE_CHECKING:
    from sim.report.study import Study

#: The settings shown, by group (a word of sim.terms): dotted paths, `*` any one key or index.
#: Categories' work content is shown for forms and incident tasks only (CATEGORY_KINDS).
SETTINGS: dict[str, tuple[str, ...]] = {
    "grids_households": (
        "world.grid_size",
        "world.streets.*.communities.*.grids",
        "world.streets.*.communities.*.households_per_grid",
        "world.streets.*.communities.*.households_total",
        "world.households.*",
    ),
    "staffing": (
        "grid_workers.per_grid",
        "grid_workers.rule",
        "grid_workers.table",
        "grid_workers.shift",
        "grid_workers.starts_early",
        "grid_workers.stays_late",
        "grid_workers.fatigue",
        "grid_workers.pay.monthly_yuan",
        "grid_workers.pay.social_insurance_monthly_yuan",
        "teams.*.size",
        "teams.*.per_grid",
        "teams.*.per_community",
        "teams.*.grids_per_member",
        "teams.*.table",
        "teams.*.pool",
        "teams.*.pay.monthly_yuan",
    ),
    "demand": (
        "sources.resident.rate_per_household",
        "sources.patrol.rate_per_household",
        "sources.admin.rate_per_grid",
        "sources.admin.blocked",
        "sources.revisits.households",
        "sources.revisits.phone_every",
        "sources.revisits.home_every",
        "categories.*.work",
    ),
    "emergency_plans": (
        "incidents.*.onset",
        "incidents.*.duration",
        "incidents.*.intensity",
        "incidents.*.demand",
        "incidents.*.tasks.*",
        "incidents.*.drills",
        "plans.*.triggers.*",
        "plans.*.actions.*",
        "plans.*.stand_down",
    ),
    "horizon": ("run.days", "run.warmup"),
}
#: Kinds of category whose work content is shown (forms fill half a grid worker's day).
CATEGORY_KINDS = ("admin", "incident")
#: Values shown at most this long.
LONGEST = 140

#: What a file says about a value.
SOURCED, INFORMED, ASSUMPTION, UNSOURCED = "sourced", "informed", "assumption", "unsourced"
STATUSES = (SOURCED, INFORMED, ASSUMPTION, UNSOURCED)


@dataclass(frozen=True)
class Assumption:
    """One setting: its group, dotted path, value as the file writes it, where it is set, the
    comment that says where it comes from, the ids it cites, and what kind of source it has
    (SOURCED, INFORMED: an assumption informed by a source, ASSUMPTION, UNSOURCED); `ran` is
    the value that ran when it differs from the file (None otherwise), `scope` the arm whose
    scenario file sets it ("" for the base scenario)."""

    group: str
    path: str
    value: str
    file: str
    line: int | None
    comment: str
    cited: tuple[str, ...]
    status: str
    ran: str | None = None
    scope: str = ""

    def row(self, index: SourceIndex) -> dict[str, Any]:
        """The setting as a table row, with the text of each id it cites."""
        texts = [f"{key}: {index.text(key)}" for key in self.cited if index.text(key)]
        return {
            "group": self.group,
            "scope": self.scope,
            "setting": self.path,
            "value": self.value,
            "ran": self.ran or "",
            "status": self.status,
            "cited": ", ".join(self.cited),
            "comment": self.comment,
            "sources_text": " | ".join(texts),
            "file": self.file,
            "line": self.line,
        }


def shown_value(value: Any) -> str:
    """A value as a scenario file writes it, on one line (flow style), cut at LONGEST."""
    if isinstance(value, str):
        text = value
    else:
        text = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=10**9)
        text = text.strip().removesuffix("...").strip()
    return text if len(text) <= LONGEST else text[: LONGEST - 1] + "…"


def comment_of(line: str) -> str:
    """The comment of a YAML line: what follows a `#` that starts the line or follows a space,
    outside quotes; "" if none."""
    quote = None
    for i, char in enumerate(line):
        if quote:
            if char == quote:
                quote = None
        elif char in "'\"":
            quote = char
        elif char == "#" and (i == 0 or line[i - 1] in " \t"):
            return line[i + 1 :].strip()
    return ""


class _Files:
    """Lines of the files read, each read once."""

    def __init__(self) -> None:
        self.lines: dict[str, list[str]] = {}

    def get(self, file: str) -> list[str]:
        if file not in self.lines:
            try:
                self.lines[file] = Path(file).read_text(encoding="utf-8").splitlines()
            except OSError:
                self.lines[file] = []
        return self.lines[file]

    def comment(self, file: str, line: int | None) -> str:
        """The comment on a line, else the block of comment lines just above it."""
        lines = self.get(file)
        if line is None or not 0 < line <= len(lines):
            return ""
        inline = comment_of(lines[line - 1])
        if inline:
            return inline
        above = []
        for text in reversed(lines[: line - 1]):
            if not text.lstrip().startswith("#"):
                break
            above.insert(0, text.lstrip().lstrip("#").strip())
        return " ".join(part for part in above if part)


def _matches(path: str, pattern: str) -> bool:
    parts, wanted = path.split("."), pattern.split(".")
    return len(parts) == len(wanted) and all(
        w == "*" or fnmatch.fnmatchcase(p, w) for p, w in zip(parts, wanted, strict=True)
    )


def _at(tree: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        if isinstance(tree, list):
            tree = tree[int(part)]
        elif isinstance(tree, dict):
            tree = tree.get(part)
        else:
            return None
    return tree


def scenario_assumptions(
    path: str | os.PathLike[str],
    changed: dict[str, str] | None = None,
    scope: str = "",
) -> list[Assumption]:
    """The settings of SETTINGS in a scenario file (with its `extends:` chain), in the order of
    SETTINGS, each with its comment, cited ids and kind of source; `changed` maps dotted paths
    set apart from the file to what ran there, as text."""
    data, origins = load_data(path)
    files = _Files()
    rows: list[Assumption] = []
    for group, patterns in SETTINGS.items():
        for pattern in patterns:
            for dotted in [p for p in origins if p and _matches(p, pattern)]:
                if pattern == "categories.*.work":
                    kind = _at(data, dotted.rsplit(".", 1)[0] + ".kind")
                    if kind not in CATEGORY_KINDS:
                        continue
                file, line = origins[dotted]
                comment, probe = files.comment(file, line), dotted
                while not comment and "." in probe:  # the section's own comment
                    probe = probe.rsplit(".", 1)[0]
                    ancestor = origins.get(probe)
                    if ancestor and ancestor[0] == file:
                        comment = (
                            comment_of(files.get(file)[ancestor[1] - 1]) if ancestor[1] else ""
                        )
                cited = tuple(citations(comment))
                status = _status(comment, cited)
                ran = _ran(dotted, changed or {})
                rows.append(
                    Assumption(
                        group, dotted, shown_value(_at(data, dotted)), _display(file), line,
                        comment, cited, status, ran, scope,
                    )
                )  # fmt: skip
    return rows


def _status(comment: str, cited: tuple[str, ...]) -> str:
    if not comment:
        return UNSOURCED
    if is_assumption(comment):
        return INFORMED if cited else ASSUMPTION
    return SOURCED if cited else UNSOURCED


def _ran(dotted: str, changed: dict[str, str]) -> str | None:
    """What ran at `dotted` when something at, under or above it was set apart from the file
    (`changed`: dotted path → the value or values that ran, as text)."""
    if dotted in changed:
        return changed[dotted]
    hits = [p for p in changed if p.startswith(f"{dotted}.") or dotted.startswith(f"{p}.")]
    return "; ".join(f"{p} = {changed[p]}" for p in hits) or None


def _display(file: str) -> str:
    """A file's path relative to the working directory when it is under it."""
    try:
        return str(Path(file).resolve().relative_to(Path.cwd()))
    except ValueError:
        return file


def header_comment(path: str | os.PathLike[str]) -> str:
    """What a file says about itself: the block of comment lines at its top, as one text (the
    commands in it left out: lines indented under a colon)."""
    lines = []
    for line in _Files().get(str(path)):
        if not line.startswith("#"):
            break
        text = line.lstrip("#")
        if text.startswith("   "):  # an indented command or example, and what leads to it
            if lines and lines[-1].endswith(":"):  # "… article #2). Run without the plan:"
                cut = lines[-1].rfind(". ")
                lines[-1] = lines[-1][: cut + 1] if cut >= 0 else ""
            continue
        lines.append(text.strip())
    return " ".join(part for part in lines if part)


def headers(study: Study) -> list[tuple[str, str]]:
    """(file, its header comment) of the files a study was made from: the experiment file and
    its base scenario (sweep), or the scenario file (run)."""
    origin = study.origin
    if not origin.found:
        return []
    files = [origin.path]
    if study.kind == "sweep":
        files.append(origin.path.parent / study.experiment.base)
    out = []
    for file in files:
        said = header_comment(file)
        if said:
            out.append((_display(str(Path(file).resolve())), said))
    return out


def run_changes(study: Study) -> dict[str, str]:
    """What a run set apart from its scenario file: each differing path, the value that ran."""
    ran = study.first.scenario.model_dump(mode="json")
    return {path: shown_value(_at(ran, path)) for path in study.origin.differences}


def sweep_changes(study: Study) -> dict[str, str]:
    """What a sweep sets apart from its base scenario file: the horizon, each arm's overrides
    (`arm: value`) and each factor's levels and range's bounds."""
    experiment = study.experiment
    written = _written(study)
    changed: dict[str, list[str]] = {}
    if experiment.days is not None:
        changed["run.days"] = [f"{experiment.days:g}"]
    for arm, spec in experiment.arms.items():
        for override in spec.set:
            path, _, value = override.partition("=")
            changed.setdefault(path.strip(), []).append(f"{arm}: {value.strip()}")
    for path, levels in experiment.factors.items():
        changed.setdefault(path, []).append(", ".join(str(v) for v in levels))
    for path in experiment.ranges:
        changed.setdefault(path, []).append(_bounds(written, path))
    return {path: "; ".join(values) for path, values in changed.items()}


def _written(study: Study) -> dict[str, Any]:
    """The experiment as its file writes it (units as written: `5/day`), or as the folder
    keeps it (numbers in base units) when the file was not found."""
    if study.origin.found:
        return load_data(study.origin.path)[0]
    return study.experiment.model_dump(mode="json")


def _bounds(written: dict[str, Any], path: str) -> str:
    spec = written.get("ranges", {}).get(path, {})
    return f"{spec.get('low')} – {spec.get('high')}"


def study_assumptions(study: Study) -> list[Assumption]:
    """The settings of the file(s) a study was made from: a run's scenario file; a sweep's base
    scenario and, for an arm with a scenario file of its own, its settings that differ from the
    base's. Empty when the file was not found."""
    origin = study.origin
    if not origin.found:
        return []
    if study.kind == "run":
        return scenario_assumptions(origin.path, run_changes(study))
    experiment = study.experiment
    folder = origin.path.parent
    changed = sweep_changes(study)
    rows = scenario_assumptions(folder / experiment.base, changed)
    seen = {(r.path, r.value, r.file, r.line) for r in rows}
    for arm, spec in experiment.arms.items():
        if spec.scenario and arm in study.arms:
            for row in scenario_assumptions(folder / spec.scenario, changed, scope=arm):
                if (row.path, row.value, row.file, row.line) not in seen:
                    rows.append(row)
    return rows


def varied(study: Study) -> list[dict[str, str]]:
    """What a sweep's experiment varies — its arms (scenario file and overrides), factors
    (levels) and ranges (bounds) — each with the comment of its line in the experiment file."""
    experiment = study.experiment
    origin = study.origin
    origins: dict = {}
    files = _Files()
    if origin.found:
        origins = load_data(origin.path)[1]

    def said(dotted: str) -> str:
        where = origins.get(dotted)
        return files.comment(where[0], where[1]) if where else ""

    rows = []
    for arm, spec in experiment.arms.items():
        what = "; ".join([*([spec.scenario] if spec.scenario else []), *spec.set]) or "–"
        rows.append({"kind": "arm", "name": arm, "value": what, "comment": said(f"arms.{arm}")})
    for path, levels in experiment.factors.items():
        rows.append(
            {
                "kind": "factor",
                "name": path,
                "value": ", ".join(str(v) for v in levels),
                "comment": said(f"factors.{path}"),
            }
        )
    written = _written(study)
    for path in experiment.ranges:
        rows.append(
            {
                "kind": "range",
                "name": path,
                "value": _bounds(written, path),
                "comment": said(f"ranges.{path}"),
            }
        )
    return rows
