"""The results folder of a sweep, written as runs finish: per run a run folder (cases,
timeseries, workers … as `gridsim run` writes) and, last, a small JSON record (parameters, seed,
status, KPIs, wall time, or the traceback). A run counts as done once its record says "ok", so a
rerun of the same command skips it; nothing is ever kept only in memory."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from sim.config.units import parse_quantity
from sim.folders import own_entries, remove_stale, staging_file, unwritable
from sim.sweep.spec import Experiment, RunSpec, runs_of


def flatten(summary: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested KPIs as flat columns: {"time_to_close_h": {"mean": 1}} → time_to_close_h.mean."""
    out: dict[str, Any] = {}
    for key, value in summary.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(flatten(value, f"{name}."))
        else:
            out[name] = value
    return out


def factor_number(value: Any) -> float | None:
    """A factor's value as a number in the scenario's base units (hours, per hour): numbers as
    they are, `"0.5/day"` → 0.0208 per hour, `"12min"` → 0.2 h; None for anything else (a
    list, a name)."""
    try:
        return parse_quantity(value)
    except ValueError:
        return None


def numeric_factors(table: pd.DataFrame) -> pd.DataFrame:
    """The runs table with each `factor.*` column whose every value is a number, a duration or
    a rate turned into numbers in base units (hours, per hour), for axes; other columns as
    they are."""
    out = table.copy()
    for column in [c for c in table.columns if c.startswith("factor.")]:
        numbers = [factor_number(value) for value in table[column]]
        if numbers and all(number is not None for number in numbers):
            out[column] = pd.Series(numbers, index=table.index, dtype=float)
    return out


class Store:
    """Runs of one sweep under `folder`."""

    def __init__(self, folder: str | os.PathLike[str]) -> None:
        # absolute: workers elsewhere (other processes, a cluster's nodes) write into it too
        self.folder = Path(folder).resolve()
        self.runs = self.folder / "runs"

    def check(self, experiment: Experiment, scenarios: dict[str, str]) -> None:
        """Check, writing nothing, that the folder may take the runs of `experiment` (with the
        hashes of its scenario files, `scenarios`): it is new, empty, or holds this experiment,
        whose replications may grow and whose labels may change; and it can be written
        (ValueError otherwise)."""
        path, digests = self.folder / "experiment.yaml", self.folder / "scenarios.json"
        if self.folder.exists() and not self.folder.is_dir():
            raise ValueError(f"{self.folder} is a file: give a folder for the results")
        if self.folder.is_dir() and own_entries(self.folder) and not path.is_file():
            raise ValueError(
                f"{self.folder} is not empty and holds no sweep results: give a new or empty folder"
            )
        if path.is_file():
            saved = yaml.safe_load(path.read_text(encoding="utf-8"))
            current = experiment.model_dump(mode="json")
            changed = sorted(
                key
                for key in saved.keys() | current.keys()
                if key not in ("replications", "labels") and saved.get(key) != current.get(key)
            )
            if digests.is_file():
                before = json.loads(digests.read_text(encoding="utf-8"))
                changed += sorted(
                    f"scenario {name}"
                    for name in before.keys() | scenarios.keys()
                    if before.get(name) != scenarios.get(name)
                )
            if changed:
                raise ValueError(
                    f"{self.folder} holds results of a different experiment ({', '.join(changed)} "
                    "changed): give another results folder"
                )
        for folder in (self.folder, self.runs):
            problem = unwritable(folder)
            if problem:
                raise ValueError(f"{problem}: the results cannot be written")

    def claim(self, experiment: Experiment, scenarios: dict[str, str]) -> None:
        """Check the folder (`check`), then save the experiment (`experiment.yaml`) and the
        hashes of its scenario files (`scenarios.json`): a folder holds one experiment."""
        self.check(experiment, scenarios)
        self.folder.mkdir(parents=True, exist_ok=True)
        remove_stale(self.folder)  # what writers killed in an earlier sweep left
        # the experiment first: a sweep killed at any later point leaves a folder that holds it
        current = experiment.model_dump(mode="json")
        _write_atomic(
            self.folder / "experiment.yaml",
            yaml.safe_dump(current, allow_unicode=True, sort_keys=False),
        )
        _write_atomic(
            self.folder / "scenarios.json", json.dumps(scenarios, indent=1, ensure_ascii=False)
        )
        self.runs.mkdir(exist_ok=True)
        remove_stale(self.runs)

    def run_folder(self, spec: RunSpec) -> Path:
        """Where a run's tables go."""
        return self.runs / spec.run_id

    def done(self) -> set[str]:
        """Ids of the runs that finished successfully."""
        return {record["run_id"] for record in self._records() if record["status"] == "ok"}

    def record(self, spec: RunSpec, outcome: dict[str, Any]) -> None:
        """Write a run's record atomically (temporary file, then rename)."""
        record = {
            "run_id": spec.run_id,
            "arm": spec.arm,
            "replication": spec.replication,
            "seed": spec.seed,
            "scenario": spec.scenario,
            "overrides": list(spec.overrides),
            **{f"factor.{k}": v for k, v in spec.levels.items()},
            **outcome,
        }
        self.runs.mkdir(parents=True, exist_ok=True)
        _write_atomic(
            self.runs / f"{spec.run_id}.json", json.dumps(record, ensure_ascii=False, default=str)
        )

    def _records(self) -> list[dict[str, Any]]:
        return [
            json.loads(path.read_text(encoding="utf-8"))
            for path in sorted(self.runs.glob("*.json"))
        ]

    def table(self) -> pd.DataFrame:
        """The runs table: one row per run, parameters, seed, status, KPIs, wall time."""
        rows = []
        for record in self._records():
            summary = record.pop("summary", None) or {}
            rows.append({**record, **flatten(summary, "kpi.")})
        frame = pd.DataFrame(rows)
        if len(frame):
            position = frame["run_id"].map(self._run_order())  # runs of no experiment: last
            frame = frame.iloc[position.sort_values(kind="stable", na_position="last").index]
            frame = frame.reset_index(drop=True)
        return frame

    def stacked(self, name: str, columns: Sequence[str] | None = None) -> pd.DataFrame:
        """Table `name` (`<name>.parquet` of each run folder) of every finished run, stacked,
        with the run's id, arm, replication and factor values in front."""
        table = self.table()
        if len(table):
            table = table[table["status"] == "ok"]
        keys = ["run_id", "arm", "replication"] + [
            c for c in table.columns if c.startswith("factor.")
        ]
        parts = []
        for run in table[keys].to_dict("records"):
            path = self.runs / run["run_id"] / f"{name}.parquet"
            if not path.is_file():
                raise ValueError(
                    f"{path}: no such table (runs have cases, timeseries, workers, events)"
                )
            part = pd.read_parquet(path, columns=list(columns) if columns else None)
            parts.append(part.assign(**run)[keys + list(part.columns)])
        return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=keys)

    def fingerprint(self) -> str:
        """A short hash of the finished runs' ids, seeds and KPIs (not their wall times): two
        folders with the same fingerprint hold the same numbers, whichever executor ran them."""
        digest = hashlib.blake2b(digest_size=8)
        order = self._run_order()  # runs of the saved experiment (all runs if none is saved)
        for record in sorted(self._records(), key=lambda r: r["run_id"]):
            if record["status"] == "ok" and (not order or record["run_id"] in order):
                essentials = [record["run_id"], record["seed"], record["summary"]]
                digest.update(json.dumps(essentials, sort_keys=True, default=str).encode())
        return digest.hexdigest()

    def _run_order(self) -> dict[str, int]:
        """Position of each run in its experiment: arm, factor levels, replication (in the order
        the experiment gives them)."""
        path = self.folder / "experiment.yaml"
        if not path.is_file():
            return {}
        experiment = Experiment.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
        return {spec.run_id: i for i, spec in enumerate(runs_of(experiment, self.folder))}


def _write_atomic(path: Path, text: str) -> None:
    """Write `text` to a hidden file beside `path` named for this writer (`sim.folders`), then
    rename it into place."""
    handle, temporary = staging_file(path)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
