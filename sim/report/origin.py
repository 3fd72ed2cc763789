"""Where a study came from: the scenario file a run folder was run from, the experiment file a
sweep's results folder was swept from. A folder keeps the resolved scenario (scenario.yaml) or
experiment (experiment.yaml), not the file with its comments that cite docs/sources.md, so the
file is looked for by name — under scenarios/ and experiments/ of the working directory, of the
folder's parents and of the checkout gridsim is installed from — and taken only if it resolves
to what was run: a scenario file to the same scenario (its differences listed: `--days`,
`--set`), an experiment file to the same experiment (differing only in fields `--set` can give,
such as the replications), its scenario files unchanged since the sweep (their hashes)."""

from __future__ import annotations

import json
import os
import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from sim.config.loader import ScenarioError, load_data

#: Folders of a checkout where scenario and experiment files live.
SCENARIOS, EXPERIMENTS = "scenarios", "experiments"
#: Fields of an experiment that may differ from the file (given with --set) for it to count.
SETTABLE = ("replications", "days", "seed", "design")


@dataclass(frozen=True)
class Origin:
    """The file a study was made from, found or given, and how what ran differs from it."""

    path: Path | None  # None: not found
    differences: tuple[str, ...] = ()  # dotted paths where what ran differs from the file
    overrides: tuple[str, ...] = ()  # --set arguments that make the file give what ran
    unchanged: bool = True  # the scenario files are those the sweep ran (sweeps)
    searched: tuple[Path, ...] = ()  # the folders looked in, when not found

    @property
    def found(self) -> bool:
        return self.path is not None


def roots(*near: str | os.PathLike[str]) -> list[Path]:
    """Folders that may hold scenarios/ and experiments/: the working directory, `near` and
    their parents, the checkout gridsim is installed from."""
    import sim

    places = [Path.cwd()]
    for place in near:
        resolved = Path(place).resolve()
        places += [resolved, *resolved.parents]
    places.append(Path(sim.__file__).resolve().parents[1])
    return list(dict.fromkeys(places))


def leaf_differences(a: Any, b: Any, prefix: str = "") -> list[str]:
    """Dotted paths of the leaves where two plain-data trees differ (a subtree present in one
    only counts as one difference, at its root)."""
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for key in list(dict.fromkeys([*a, *b])):
            path = f"{prefix}.{key}" if prefix else str(key)
            if key not in a or key not in b:
                out.append(path)
            else:
                out += leaf_differences(a[key], b[key], path)
        return out
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return [
            d
            for i, (x, y) in enumerate(zip(a, b, strict=True))
            for d in leaf_differences(x, y, f"{prefix}.{i}" if prefix else str(i))
        ]
    return [] if a == b else [prefix]


def scenario_origin(
    scenario: Any, folder: str | os.PathLike[str], given: str | os.PathLike[str] | None = None
) -> Origin:
    """The scenario file a run folder's `scenario` (a Scenario) was run from: `given`, else a
    file under scenarios/ whose resolved name is the scenario's, the one that differs least.
    Its differences from what ran are the dotted paths of the resolved scenario."""
    from sim.scenario import load_scenario

    ran = scenario.model_dump(mode="json")
    if given is not None:
        candidates = [Path(given)]
    else:
        candidates = []
        for root in roots(folder):
            for path in sorted((root / SCENARIOS).glob("**/*.yaml")):
                if _names(path, scenario.name):
                    candidates.append(path)
    searched = tuple(root / SCENARIOS for root in roots(folder))
    best: tuple[int, Path, list[str]] | None = None
    for path in dict.fromkeys(c.resolve() for c in candidates):
        try:
            loaded = load_scenario(path)
        except (ScenarioError, OSError):
            continue
        if loaded.name != scenario.name and given is None:
            continue
        differences = leaf_differences(loaded.model_dump(mode="json"), ran)
        if best is None or len(differences) < best[0]:
            best = (len(differences), path, differences)
    if best is None:
        return Origin(None, searched=searched)
    _, path, differences = best
    overrides = tuple(f"--days {ran['run']['days']:g}" for d in differences if d == "run.days")
    return Origin(path, tuple(differences), overrides)


def experiment_origin(
    experiment: Any, folder: str | os.PathLike[str], given: str | os.PathLike[str] | None = None
) -> Origin:
    """The experiment file a sweep's results folder was swept from: `given`, else a file under
    experiments/ with the experiment's name that resolves to the same experiment but for fields
    `--set` gives (SETTABLE); `unchanged` when its scenario files hash as the folder recorded
    (scenarios.json)."""
    from sim.sweep import load_experiment
    from sim.sweep.spec import scenario_digests

    ran = experiment.model_dump(mode="json")
    folder = Path(folder)
    if given is not None:
        candidates = [Path(given)]
    else:
        candidates = [
            path
            for root in roots(folder)
            for path in sorted((root / EXPERIMENTS).glob("*.yaml"))
            if _names(path, experiment.name)
        ]
    searched = tuple(root / EXPERIMENTS for root in roots(folder))
    for path in dict.fromkeys(c.resolve() for c in candidates):
        try:
            loaded = load_experiment(path).model_dump(mode="json")
        except (ScenarioError, OSError):
            continue
        differences = leaf_differences(loaded, ran)
        if given is None and any(d.split(".")[0] not in SETTABLE for d in differences):
            continue
        overrides = tuple(
            "--set " + shlex.quote(f"{d}={json.dumps(_at(ran, d), ensure_ascii=False)}")
            for d in differences
        )
        try:
            recorded = json.loads((folder / "scenarios.json").read_text(encoding="utf-8"))
            unchanged = scenario_digests(experiment, path.parent) == recorded
        except (OSError, ValueError, ScenarioError):
            unchanged = False
        return Origin(path, tuple(differences), overrides, unchanged)
    return Origin(None, searched=searched)


def _names(path: Path, name: str) -> bool:
    """Whether a YAML file names `name` at its top level (a quick look before loading it;
    a file that extends another and keeps its name is loaded to find out)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return False
    for line in text.splitlines():
        if line.startswith("name:"):
            try:
                return yaml.safe_load(line).get("name") == name
            except yaml.YAMLError:
                return False
    if "extends:" not in text:
        return False
    try:
        return load_data(path)[0].get("name") == name
    except (ScenarioError, OSError):
        return False


def _at(tree: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        tree = tree[int(part)] if isinstance(tree, list) else tree.get(part)
    return tree
