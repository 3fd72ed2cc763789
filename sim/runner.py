"""Running a scenario, writing its run folder and reading one back."""

from __future__ import annotations

import gc
import json
import os
import platform
import shutil
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

import mesa
import pandas as pd
import pyarrow.parquet as pq
import yaml

from sim.emergency.plans import Decision
from sim.folders import OLD, remove_stale, staging_folder
from sim.load import offered_load
from sim.metrics import cases_table, jobs_table, summarize, timeseries_table, workers_table
from sim.metrics.channels import channel_kpis
from sim.metrics.emergency import emergency_kpis
from sim.metrics.performance import performance_kpis, score_workers
from sim.metrics.recurrence import recurrence_kpis
from sim.metrics.steady_state import choose_warmup, growth_warnings, steady_state_summary
from sim.metrics.turnover import turnover_kpis
from sim.model import GridModel
from sim.scenario import RunSettings, Scenario, load_scenario, scenario_from_dict
from sim.vocabulary import CLOSED_LOOP_KINDS, TASK_KINDS
from sim.work.self_governance import resident_group_kpis
from sim.work.sources.admin import department_kpis
from sim.work.sources.recurrence import Recurrence

DEPENDENCIES = ("mesa", "simpy", "numpy", "pandas", "pyarrow", "pydantic", "scipy")
#: Every file a run folder holds; gridsim writes nothing else into one.
RUN_FILES = (
    "summary.json",
    "cases.parquet",
    "jobs.parquet",
    "timeseries.parquet",
    "workers.parquet",
    "events.parquet",
    "scenario.yaml",
    "manifest.json",
)


#: Rows of a floating-point column looked at to tell whether its values seldom repeat.
_SAMPLE = 4096


def write_table(table: pd.DataFrame, path: Path) -> None:
    """Write `table` as Parquet. A floating-point column whose first rows seldom repeat (times
    and hours of cases and jobs) is split into byte streams instead of tried as a dictionary:
    a city's cases 15 % smaller and a fifth quicker to write. Columns of few values (counts
    per hour, codes, labels) keep their dictionaries. Every value as it was."""
    spread = [
        name
        for name, dtype in table.dtypes.items()
        if dtype.kind == "f" and 2 * table[name].iloc[:_SAMPLE].nunique() > _SAMPLE
    ]
    others = [name for name in table.columns if name not in spread]
    table.to_parquet(
        path, index=False, use_dictionary=others, use_byte_stream_split=spread or False
    )


def holds_working_folder(out: Path) -> bool:
    """Whether `out` is the working folder or one of the folders holding it."""
    return out.exists() and out.resolve() in (Path.cwd(), *Path.cwd().parents)


def replace_problem(out: Path) -> str | None:
    """Why a run folder may not be written at `out`, or None if it may: `out` does not exist,
    is an empty folder, or holds a run that gridsim wrote (its manifest names gridsim, and
    every entry is a file of RUN_FILES), and is not the working folder or one holding it.
    Anything else is the user's and is never replaced."""
    if not out.exists():
        return None
    if not out.is_dir():
        return "exists and is not a folder"
    if holds_working_folder(out):
        return "is the working folder or holds it (a run folder is replaced as a whole)"
    entries = list(out.iterdir())
    if not entries:
        return None
    foreign = sorted(e.name for e in entries if e.name not in RUN_FILES or not e.is_file())
    if foreign:
        shown = ", ".join(foreign[:3]) + (", …" if len(foreign) > 3 else "")
        return f"holds files gridsim did not write ({shown})"
    try:
        manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        manifest = None
    if not isinstance(manifest, dict) or "gridsim" not in manifest:
        return "holds no manifest.json written by gridsim"
    return None


@dataclass
class Result:
    """The outcome of one run: tables as DataFrames, KPIs as a dict."""

    scenario: Scenario
    seed: int
    cases: pd.DataFrame
    timeseries: pd.DataFrame
    workers: pd.DataFrame
    summary: dict
    manifest: dict = field(default_factory=dict)
    events: pd.DataFrame = field(default_factory=pd.DataFrame)
    jobs: pd.DataFrame = field(default_factory=pd.DataFrame)

    def write(self, out: str | os.PathLike[str]) -> Path:
        """Write the run folder atomically: built in a hidden sibling named for this writer
        (`sim.folders`), then renamed. An earlier run folder at `out` is replaced; any other
        existing path is refused (FileExistsError), its files untouched. What killed writers
        left beside `out` is removed first."""
        out = Path(out)
        problem = replace_problem(out)
        if problem:
            raise FileExistsError(f"{out} {problem}: not a gridsim run folder, not replaced")
        out.parent.mkdir(parents=True, exist_ok=True)
        remove_stale(out.parent)
        staging = staging_folder(out)  # with the mode mkdir would give it
        try:
            (staging / "summary.json").write_text(
                json.dumps(self.summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
            )
            for name in ("cases", "jobs", "timeseries", "workers", "events"):
                write_table(getattr(self, name), staging / f"{name}.parquet")
            (staging / "scenario.yaml").write_text(
                yaml.safe_dump(
                    self.scenario.model_dump(mode="json"), allow_unicode=True, sort_keys=False
                ),
                encoding="utf-8",
            )
            (staging / "manifest.json").write_text(
                json.dumps(self.manifest, indent=2) + "\n", encoding="utf-8"
            )
            earlier = None
            if out.exists():
                problem = replace_problem(out)  # again: it may have changed while writing
                if problem:
                    raise FileExistsError(f"{out} {problem}: not a gridsim run folder")
                # moved aside, not deleted in place: a writer killed at any moment leaves either
                # the earlier folder or the new one at `out`, never half of one
                earlier = staging_folder(out, OLD)
                out.rename(earlier / out.name)
            staging.rename(out)
            if earlier is not None:
                shutil.rmtree(earlier, ignore_errors=True)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        return out


def read_table(path: Path) -> pd.DataFrame:
    """A run folder's Parquet table as it was written: a categorical column without a single
    value (no department sent a task, say) comes back from Parquet as objects, and is made
    categorical again as the file's pandas metadata records."""
    frame = pd.read_parquet(path)
    written = pq.read_schema(path).pandas_metadata or {}
    for column in written.get("columns", []):
        name = column.get("name")
        if (
            column.get("pandas_type") == "categorical"
            and name in frame
            and not isinstance(frame[name].dtype, pd.CategoricalDtype)
        ):
            frame[name] = frame[name].astype("category")
    return frame


def load_run(folder: str | os.PathLike[str]) -> Result:
    """The run written to `folder` by `Result.write` (or `gridsim run --out`, or a sweep's run
    folder), read back: its scenario from scenario.yaml, its seed from manifest.json, its KPIs
    and tables. A table the folder lacks is an empty DataFrame; FileNotFoundError if it holds
    no summary.json."""
    folder = Path(folder)
    summary_path = folder / "summary.json"
    if not summary_path.is_file():
        raise FileNotFoundError(f"{folder} holds no summary.json: not a gridsim run folder")

    def table(name: str) -> pd.DataFrame:
        path = folder / f"{name}.parquet"
        return read_table(path) if path.is_file() else pd.DataFrame()

    manifest_path = folder / "manifest.json"
    manifest = (
        json.loads(manifest_path.read_text(encoding="utf-8")) if manifest_path.is_file() else {}
    )
    data = yaml.safe_load((folder / "scenario.yaml").read_text(encoding="utf-8"))
    return Result(
        scenario=scenario_from_dict(data, f"{folder / 'scenario.yaml'}"),
        seed=int(manifest.get("seed", 0)),
        cases=table("cases"),
        timeseries=table("timeseries"),
        workers=table("workers"),
        summary=json.loads(summary_path.read_text(encoding="utf-8")),
        manifest=manifest,
        events=table("events"),
        jobs=table("jobs"),
    )


#: Garbage collection while a model is built, runs and is summarised: None turns it off (a run
#: makes no cyclic garbage, so nothing is freed later for it; tests/unit/test_runner.py checks
#: that); thresholds (Python's defaults: 700, 10, 10) would keep it on, collecting that often.
RUN_GC_THRESHOLDS: tuple[int, int, int] | None = None


@contextmanager
def fewer_collections() -> Iterator[None]:
    """No garbage collection (or collections as often as RUN_GC_THRESHOLDS says) while a model
    is built and runs. A collection scans every live object of its generations, and a model
    holds millions (agents, members, SimPy events, cases) that live as long as the run; with
    Python's defaults a city-size run spent half its time rescanning them, with thresholds
    raised a fifth. Memory use is unchanged: what a simulation discards is freed at once by
    reference counting, as it makes no reference cycles (tests/unit/test_runner.py). The
    collector's previous state is restored afterwards."""
    saved, enabled = gc.get_threshold(), gc.isenabled()
    if RUN_GC_THRESHOLDS is None:
        gc.disable()
    else:
        gc.set_threshold(*RUN_GC_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*saved)
        if enabled:
            gc.enable()


def run(
    scenario: Scenario | str | os.PathLike[str],
    seed: int = 0,
    days: float | None = None,
    decisions: Iterable[Decision | str] = (),
    progress: Callable[[float, float], None] | None = None,
) -> Result:
    """Run a scenario (object or file path) with `seed` for `days` (default: the file's), taking
    `decisions` by hand besides the scenario's own (`Decision`s or `PLAN@TIME` strings).
    `progress(now, horizon)` is called with the simulated hours done after each simulated day
    and at the horizon (`GridModel.run_model`)."""
    scenario = scenario_as_run(scenario, days, decisions)
    started = datetime.now(UTC)
    clock = time.perf_counter()
    with fewer_collections():
        model = GridModel(scenario, seed=seed)
        model.run_model(progress)
        return result_of(model, started, clock, release=True)


def scenario_as_run(
    scenario: Scenario | str | os.PathLike[str],
    days: float | None = None,
    decisions: Iterable[Decision | str] = (),
) -> Scenario:
    """The scenario (object or file path) as `run` runs it: with the horizon of `days`
    (default: the file's) and the `decisions` (`Decision`s or `PLAN@TIME` strings) added to
    its own, so that the run folder's scenario.yaml records both."""
    taken = [d if isinstance(d, Decision) else Decision.parse(d) for d in decisions]
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario, decisions=taken)
    elif taken:  # the run folder's scenario.yaml records the decisions taken
        data = scenario.model_dump(exclude_unset=True)
        data["decisions"] = [d.model_dump() for d in [*scenario.decisions, *taken]]
        scenario = scenario_from_dict(data, f"scenario {scenario.name!r}")
    if days is not None:  # ... and the horizon actually run
        settings = RunSettings.model_validate({**scenario.run.model_dump(), "days": days})
        scenario = scenario.model_copy(update={"run": settings})
    return scenario


def result_of(model: GridModel, started: datetime, clock: float, release: bool = False) -> Result:
    """The result of a model run to its horizon (`run_model`): its tables, KPIs and manifest;
    `started` is when the run began and `clock` the `time.perf_counter()` then. `release`:
    nothing uses the model afterwards, so its run records are let go as they move into the
    tables (a whole city's run peaks lower by their size)."""
    with fewer_collections():
        return _result_of(model, started, clock, release)


def _result_of(model: GridModel, started: datetime, clock: float, release: bool) -> Result:
    scenario, seed = model.scenario, model.seed
    cases = cases_table(model, release)
    jobs = jobs_table(model, release)
    if release:
        model.release_cases()
    workers = workers_table(model)
    if scenario.performance is not None:
        workers = score_workers(model, cases, workers)
    timeseries = timeseries_table(model, release)
    warmup, method, settled = choose_warmup(scenario, timeseries, model.horizon)
    summary = summarize(cases, jobs, workers, timeseries, model.horizon, warmup)
    if "admin" in model.sources:
        admin = scenario.sources.admin
        held = model.sources["admin"].held_senders(warmup)
        summary["tasks"]["admin"]["held"] = len(held)
        summary["tasks"]["admin"]["by_department"] = department_kpis(
            cases, admin, model.horizon, warmup, held
        )
    if model.residents is not None:
        summary["self_governance"] = resident_group_kpis(cases, warmup)
    if model.channels is not None:
        summary["channels"] = channel_kpis(model.channels, cases, model.horizon, warmup)
    if recurring := Recurrence.configured(scenario):
        summary["recurrence"] = recurrence_kpis(cases, warmup, list(recurring))
    if scenario.incidents or scenario.plans:
        summary["emergency"] = emergency_kpis(
            scenario, cases, timeseries, workers, model.events.table(), jobs, model.horizon
        )
    if model.attrition or model.pools:
        summary["turnover"] = turnover_kpis(model.attrition, model.pools, model.horizon)
    if scenario.performance is not None:
        summary["performance"] = performance_kpis(workers)
    load = offered_load(scenario, model.world)
    summary["offered_load"] = load.as_dict()
    per_item = {"closed_loop": load.hours_per_item(CLOSED_LOOP_KINDS)}
    per_item |= {kind: load.hours_per_item((kind,)) for kind in TASK_KINDS}
    reason = "the run has incidents: it measures a surge, by design" if scenario.incidents else None
    steady = steady_state_summary(timeseries, warmup, method, settled, per_item, reason)
    summary["steady_state"] = steady
    summary["warnings"] = load.warnings() + growth_warnings(steady)
    wall = time.perf_counter() - clock
    manifest = {
        "gridsim": metadata.version("gridsim"),
        "scenario": scenario.name,
        "seed": seed,
        "days": model.horizon / 24,
        "started": started.isoformat(timespec="seconds"),
        "finished": datetime.now(UTC).isoformat(timespec="seconds"),
        "wall_s": round(wall, 3),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "dependencies": {name: metadata.version(name) for name in DEPENDENCIES},
    }
    mesa.Agent._ids.pop(model, None)  # Mesa 3.3 keeps every model alive otherwise
    events = model.events.table()
    return Result(scenario, seed, cases, timeseries, workers, summary, manifest, events, jobs)
