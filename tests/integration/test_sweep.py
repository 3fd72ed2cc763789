"""Sweeps: common random numbers across arms, identical results whatever the executor, results
streamed and resumed, a failing run recorded while the sweep goes on, bad files refused."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from sim.cli import app
from sim.rng import derive_seed
from sim.sweep import fingerprint, load_experiment, load_results, sweep
from sim.sweep.spec import runs_of

ROOT = Path(__file__).resolve().parents[2]
EXPERIMENT = """
name: tiny
base: {root}/scenarios/theory/mmc.yaml
days: 2
replications: 3
seed: 7
arms:
  three: {{}}
  four: {{set: ["grid_workers.per_grid=4"]}}
factors:
  categories.service.work.mean: ["12min", "15min"]
"""


def gridsim(*args: str | Path) -> subprocess.CompletedProcess:
    """The command in a fresh process, as a user runs it."""
    command = [sys.executable, "-m", "sim.cli", *map(str, args)]
    return subprocess.run(command, capture_output=True, text=True)


@pytest.fixture
def experiment(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.yaml"
    path.write_text(EXPERIMENT.format(root=ROOT), encoding="utf-8")
    return path


def test_runs_share_seeds_across_arms_and_levels(experiment: Path):
    runs = runs_of(load_experiment(experiment), experiment.parent)
    assert len(runs) == 2 * 2 * 3 and len({r.run_id for r in runs}) == 12
    seeds = {
        (r.arm, str(r.levels)): [
            s.seed for s in runs if (s.arm, str(s.levels)) == (r.arm, str(r.levels))
        ]
        for r in runs
    }
    assert len({tuple(v) for v in seeds.values()}) == 1  # same seeds in every cell


def test_serial_and_processes_give_the_same_numbers(experiment: Path, tmp_path: Path):
    serial = sweep(experiment, tmp_path / "serial", executor="serial")
    parallel = sweep(experiment, tmp_path / "processes", executor="processes", workers=2)
    assert (serial["status"] == "ok").all() and len(serial) == 12
    columns = ["run_id", "seed", "kpi.cases_created", "kpi.time_to_close_h.mean"]
    key = ["run_id"]
    left = serial[columns].sort_values(key, ignore_index=True)
    right = parallel[columns].sort_values(key, ignore_index=True)
    assert left.equals(right)
    assert fingerprint(tmp_path / "serial") == fingerprint(tmp_path / "processes")
    # common random numbers: the arms see the same arrivals in every replication
    per_arm = serial.pivot_table(
        index=["replication", "factor.categories.service.work.mean"],
        columns="arm",
        values="kpi.cases_created",
    )
    assert (per_arm["three"] == per_arm["four"]).all()


def test_workers_are_kept_for_later_sweeps_and_replaced_when_they_died(
    experiment: Path, tmp_path: Path
):
    import psutil

    from sim.sweep import executors

    def workers() -> set[int]:
        children = psutil.Process().children()
        return {p.pid for p in children if "spawn_main" in " ".join(p.cmdline())}

    executors.close_pool()
    before = workers()
    first = sweep(experiment, tmp_path / "first", executor="processes", workers=2)
    started = workers() - before
    assert len(started) == 2
    second = sweep(experiment, tmp_path / "second", executor="processes", workers=2)
    assert workers() - before == started  # the same two processes ran the second sweep
    assert fingerprint(tmp_path / "first") == fingerprint(tmp_path / "second")
    for pid in started:  # killed while idle: the next sweep starts new workers
        psutil.Process(pid).kill()
    third = sweep(experiment, tmp_path / "third", executor="processes", workers=2)
    assert fingerprint(tmp_path / "third") == fingerprint(tmp_path / "first")
    assert all((table["status"] == "ok").all() for table in (first, second, third))
    assert not (workers() - before) & started
    executors.close_pool()


def test_rerun_resumes_and_a_failing_run_is_recorded(experiment: Path, tmp_path: Path):
    text = experiment.read_text(encoding="utf-8") + '  broken: {set: ["run.days=-1"]}\n'
    experiment.write_text(
        text.replace('factors:\n  categories.service.work.mean: ["12min", "15min"]\n', ""),
        encoding="utf-8",
    )
    out = tmp_path / "out"
    first = sweep(experiment, out, executor="serial")
    assert (first.loc[first["arm"] == "broken", "status"] == "failed").all()
    assert first.loc[first["arm"] == "broken", "error"].str.contains("days").all()
    assert (first.loc[first["arm"] != "broken", "status"] == "ok").all()
    done = []
    sweep(experiment, out, executor="serial", on_done=lambda spec, _: done.append(spec.arm))
    assert done == ["broken"] * 3  # finished runs skipped; the failed ones tried again
    table = load_results(out)
    assert len(table) == 9 and (Path(out) / "runs").is_dir()


def test_bad_experiment_exits_2(tmp_path: Path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        EXPERIMENT.format(root=ROOT).replace("replications: 3", "replications: 0"), encoding="utf-8"
    )
    done = gridsim("sweep", bad, "--out", tmp_path / "o")
    assert done.returncode == 2 and "replications" in done.stderr
    assert "Traceback" not in done.stderr and not (tmp_path / "o").exists()


def test_dask_local_cluster_gives_the_same_numbers(experiment: Path, tmp_path: Path):
    serial = sweep(experiment, tmp_path / "serial", executor="serial")
    dask = sweep(experiment, tmp_path / "dask", executor="dask", workers=2)
    assert fingerprint(tmp_path / "serial") == fingerprint(tmp_path / "dask")
    columns = ["run_id", "seed", "kpi.cases_created", "kpi.time_to_close_h.mean"]
    assert (
        serial[columns]
        .sort_values("run_id", ignore_index=True)
        .equals(dask[columns].sort_values("run_id", ignore_index=True))
    )


def test_latin_hypercube_design_over_ranges(tmp_path: Path):
    path = tmp_path / "lhs.yaml"
    path.write_text(
        f"""
name: lhs
base: {ROOT}/scenarios/theory/mmc.yaml
days: 1
replications: 2
seed: 3
ranges:
  categories.service.work.mean: {{low: 0.1, high: 0.3}}
  grid_workers.per_grid: {{low: 3, high: 6, integer: true}}
design: {{kind: lhs, samples: 5}}
""",
        encoding="utf-8",
    )
    runs = runs_of(load_experiment(path), tmp_path)
    assert len(runs) == 5 * 2
    means = sorted({r.levels["categories.service.work.mean"] for r in runs})
    assert len(means) == 5 and all(0.1 <= m <= 0.3 for m in means)
    # Latin hypercube: one point in each fifth of the range
    assert sorted(int((m - 0.1) / 0.04) for m in means) == [0, 1, 2, 3, 4]
    assert {r.levels["grid_workers.per_grid"] for r in runs} <= {3, 4, 5, 6}
    assert runs_of(load_experiment(path), tmp_path) == runs  # the design follows the seed
    table = sweep(path, tmp_path / "out", executor="serial")
    assert (table["status"] == "ok").all()


def test_an_empty_range_is_refused(tmp_path: Path):
    path = tmp_path / "bad.yaml"
    path.write_text(
        f"""
name: bad
base: {ROOT}/scenarios/theory/mmc.yaml
ranges:
  categories.service.work.mean: {{low: 0.3, high: 0.3}}
""",
        encoding="utf-8",
    )
    done = gridsim("validate", path)
    assert done.returncode == 2 and "empty range" in done.stderr


def test_more_replications_extend_a_folder_and_other_changes_are_refused(
    experiment: Path, tmp_path: Path
):
    out = tmp_path / "out"
    sweep(experiment, out, executor="serial", overrides=["replications=1"])
    done = []
    table = sweep(
        experiment,
        out,
        executor="serial",
        overrides=["replications=2"],
        on_done=lambda spec, _: done.append(spec.replication),
    )
    assert done == [1] * 4 and len(table) == 8  # only the new replication was run
    changed = gridsim("sweep", experiment, "--out", out, "--set", "days=3", "--executor", "serial")
    assert changed.returncode == 2 and "different experiment (days changed)" in changed.stderr
    assert "Traceback" not in changed.stderr and len(load_results(out)) == 8


def test_compare_pairs_arms_against_the_first_or_a_chosen_one(experiment: Path, tmp_path: Path):
    out = tmp_path / "out"
    sweep(experiment, out, executor="serial")
    runner = CliRunner()
    first = runner.invoke(app, ["compare", str(out), "--kpi", "time_to_close_h.mean"])
    assert first.exit_code == 0, first.output
    assert "four against three" in first.output  # the experiment's first arm, not the alphabet's
    assert not (out / "compare.csv").exists()  # writes nothing unless asked (--out)
    csv = runner.invoke(
        app, ["compare", str(out), "--kpi", "time_to_close_h.mean", "--format", "csv"]
    )
    rows = pd.read_csv(io.StringIO(csv.stdout))
    assert len(rows) == 2 and set(rows["kpi"]) == {"kpi.time_to_close_h.mean"}  # one per level
    assert (rows["n"] == 3).all() and (rows["diff"] < 0).all()  # four workers: shorter times
    # piped (CliRunner) and no COLUMNS in the environment (pytest-xdist sets 80)
    chosen = runner.invoke(app, ["compare", str(out), "--reference", "four"], env={"COLUMNS": None})
    assert chosen.exit_code == 0 and "three against four" in chosen.output
    assert re.search(r"│ time to close, still open at the end +│", chosen.output)  # not wrapped
    for bad in (["--kpi", "nope"], ["--reference", "five"]):
        refused = runner.invoke(app, ["compare", str(out), *bad])
        assert refused.exit_code == 2 and "Traceback" not in refused.output
    along = ["compare", str(out), "--along", "categories.service.work.mean", "--format", "csv"]
    levels = runner.invoke(app, [*along, "--kpi", "time_to_close_h.mean"])
    assert levels.exit_code == 0, levels.output
    rows = pd.read_csv(io.StringIO(levels.stdout))
    assert list(rows["arm"]) == ["three", "four"]  # one comparison per arm
    assert set(rows["reference"]) == {"12min"} and (rows["diff"] > 0).all()  # longer work
    unknown = runner.invoke(app, ["compare", str(out), "--along", "nope"])
    assert unknown.exit_code == 2 and "no factor 'nope'" in unknown.output
    empty = runner.invoke(app, ["compare", str(tmp_path / "none")])
    assert empty.exit_code == 2 and not (tmp_path / "none").exists()


def test_the_sweep_command_reports_failed_runs_and_exits_1(
    experiment: Path, tmp_path: Path, monkeypatch
):
    import sim.runner

    real_run = sim.runner.run

    def flaky(scenario, seed, days=None):  # replication 1 raises at run time
        if seed == derive_seed(7, "replication", 1):
            raise RuntimeError("the model broke")
        return real_run(scenario, seed=seed, days=days)

    monkeypatch.setattr(sim.runner, "run", flaky)
    out = str(tmp_path / "out")
    command = ["sweep", str(experiment), "--out", out, "--executor", "serial"]
    first = CliRunner().invoke(app, command)
    assert first.exit_code == 1  # some runs failed: the exit code says so
    assert "8 of 12 runs done, 4 failed" in first.output
    assert "failed: three, replication 1: RuntimeError: the model broke" in first.output
    monkeypatch.setattr(sim.runner, "run", real_run)
    second = CliRunner().invoke(app, command)
    assert second.exit_code == 0 and "resuming: 8 of 12 runs already done" in second.output


def test_a_scenario_edited_after_the_runs_is_refused(tmp_path: Path):
    scenario = tmp_path / "mmc.yaml"
    scenario.write_text((ROOT / "scenarios/theory/mmc.yaml").read_text(encoding="utf-8"))
    experiment = tmp_path / "e.yaml"
    experiment.write_text("name: e\nbase: mmc.yaml\ndays: 1\nreplications: 2\n", encoding="utf-8")
    sweep(experiment, tmp_path / "out", executor="serial")
    scenario.write_text(scenario.read_text().replace("per_grid: 3", "per_grid: 4"))
    with pytest.raises(ValueError, match=r"scenario mmc\.yaml changed"):
        sweep(experiment, tmp_path / "out", executor="serial")


def test_notebook_tables_tidy_kpis_and_stacked_run_tables(experiment: Path, tmp_path: Path):
    from sim.sweep import load_runs_table

    out = tmp_path / "out"
    seen = []
    wide = sweep(
        experiment,
        out,
        executor="serial",
        overrides=["replications=2"],
        progress=True,  # as in a notebook: the bar and the caller's callback both see each run
        on_done=lambda spec, _: seen.append(spec.run_id),
    )
    assert sorted(seen) == sorted(wide["run_id"])
    tidy = load_results(out, tidy=True)
    kpis = [c for c in wide.columns if c.startswith("kpi.")]
    assert len(tidy) == len(wide) * len(kpis)
    one = tidy[(tidy["run_id"] == wide["run_id"][0]) & (tidy["kpi"] == "cases_created")]
    assert one["value"].item() == wide["kpi.cases_created"][0]
    series = load_runs_table(out, "timeseries", ["t_h", "backlog"])
    assert set(series["run_id"]) == set(wide["run_id"])
    assert list(series.columns[:3]) == ["run_id", "arm", "replication"]
    per_run = series.groupby("run_id").size()
    assert per_run.nunique() == 1  # every run has the same clock
    cases = load_runs_table(out, "cases", ["case_id"])
    created = wide.set_index("run_id")["kpi.cases_created"]
    counts = cases.groupby("run_id").size()
    assert (counts.to_numpy() >= created[counts.index].to_numpy()).all()  # cases and tasks
    with pytest.raises(ValueError, match="no such table"):
        load_runs_table(out, "nope")


def test_unknown_paths_and_bad_values_are_named_by_their_experiment_field(tmp_path: Path):
    path = tmp_path / "bad.yaml"
    path.write_text(
        f"""name: bad
base: {ROOT}/scenarios/theory/mmc.yaml
arms:
  a: {{}}
  b: {{set: [grid_workers.per_grid=-1]}}
factors:
  grid_workers.per_grd: [1, 2]
  categories.service.work.mean: [10min, -5]
""",
        encoding="utf-8",
    )
    done = gridsim("sweep", path, "--out", tmp_path / "o")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert f"{path}:7: factors.grid_workers.per_grd: 2 values 1, 2: unknown key" in done.stderr
    assert f"{path}:8: factors.categories.service.work.mean: value -5:" in done.stderr
    assert f"{path}:5: arms.b.set: grid_workers.per_grid:" in done.stderr
    assert not (tmp_path / "o").exists()


def test_a_results_folder_must_be_new_empty_or_a_sweeps(experiment: Path, tmp_path: Path):
    (tmp_path / "a_file").write_text("notes", encoding="utf-8")
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("precious", encoding="utf-8")
    for out, message in ((tmp_path / "a_file", "is a file"), (other, "is not empty")):
        done = gridsim("sweep", experiment, "--out", out)
        assert done.returncode == 2 and message in done.stderr and "Traceback" not in done.stderr
    assert [p.name for p in other.iterdir()] == ["notes.txt"]


def test_dry_run_counts_the_runs_and_runs_nothing(experiment: Path, tmp_path: Path):
    out = tmp_path / "out"
    command = ["sweep", str(experiment), "--out", str(out), "--dry-run"]
    result = CliRunner().invoke(app, command)
    assert result.exit_code == 0, result.output
    assert "2 arms × 2 cells" in result.output and "= 12 distinct runs" in result.output
    assert "0 already done" in result.output and not out.exists()
    sweep(experiment, out, executor="serial", overrides=["replications=1"])
    again = CliRunner().invoke(app, command)
    assert "4 already done" in again.output and "8 to run" in again.output


def test_dry_run_refuses_a_changed_experiment_as_the_sweep_does(experiment: Path, tmp_path: Path):
    """A folder of a different experiment (here its horizon changed) is refused by --dry-run
    with the sweep's own message and exit code, not counted as done."""
    out = tmp_path / "out"
    sweep(experiment, out, executor="serial", overrides=["replications=1"])
    experiment.write_text(experiment.read_text().replace("days: 2", "days: 3"), encoding="utf-8")
    command = ["sweep", str(experiment), "--out", str(out)]
    dry = CliRunner().invoke(app, [*command, "--dry-run"])
    real = CliRunner().invoke(app, command)
    assert dry.exit_code == real.exit_code == 2
    assert "different experiment (days changed)" in dry.output
    assert dry.output == real.output and "already done" not in dry.output
    a_file = tmp_path / "a_file"
    a_file.write_text("notes", encoding="utf-8")
    dry = CliRunner().invoke(app, ["sweep", str(experiment), "--out", str(a_file), "--dry-run"])
    assert dry.exit_code == 2 and "is a file" in dry.output


def test_run_ids_and_seeds_are_stable_across_versions():
    """Results folders resume by run id, and arms share seeds: both must never change for the
    same experiment (these values were recorded when the scheme was made)."""
    from sim.sweep.spec import Experiment

    experiment = Experiment.model_validate(
        {
            "name": "ids",
            "base": "b.yaml",
            "seed": 2026,
            "replications": 2,
            "arms": {"a": {}, "b": {"set": ["x=1"]}},
            "factors": {"p.q": [1, "2/day"]},
        }
    )
    runs = runs_of(experiment, Path("/x"))
    assert [(r.arm, r.levels["p.q"], r.replication) for r in runs[:3]] == [
        ("a", 1, 0),
        ("a", 1, 1),
        ("a", "2/day", 0),
    ]
    assert [r.seed for r in runs[:2]] == [6831488870315890336, 5798510788434933929]
    assert {r.seed for r in runs} == {6831488870315890336, 5798510788434933929}
    assert [r.run_id for r in runs] == [
        "d6310dd42b622e6f",
        "60c609bf277c7ffa",
        "74f3ae75c5651afb",
        "096e19058e55218d",
        "90902902bed980a4",
        "f60e13f7a5dc5633",
        "57eec1922835dec1",
        "5f624e5b834336ba",
    ]
