"""Commands killed with SIGKILL at random points — a run, a sweep on either executor, a drill
played headless — and run again: the rerun completes, every run exactly once, with the numbers
of an uninterrupted one, and nothing the killed writer staged is left behind. A sweep's worker
processes die with it. A sweep stopped with Ctrl-C exits 130 and resumes the same way.

The kill points are drawn from a fixed seed, so a failure can be replayed."""

from __future__ import annotations

import contextlib
import json
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import psutil
import pytest
from typer.testing import CliRunner

from sim.cli import app
from sim.folders import STAGED_NAME
from sim.sweep import fingerprint, load_results, sweep

ROOT = Path(__file__).resolve().parents[2]
BASELINE = ROOT / "scenarios" / "baseline.yaml"
DRILL = ROOT / "scenarios" / "drills" / "gas_leak.yaml"
RUNS = 6
EXPERIMENT = f"""
name: kill
base: {BASELINE}
days: 4
replications: {RUNS}
seed: 11
"""


def start(*args: str | Path) -> subprocess.Popen:
    """`gridsim ARGS` in a fresh process and session, as a user starts it."""
    return subprocess.Popen(
        [sys.executable, "-m", "sim.cli", *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def kill_when(process: subprocess.Popen, ready: Callable[[], bool], timeout: float = 90) -> None:
    """SIGKILL `process` (it alone, not its children) as soon as `ready()`; fail if it ended
    first."""
    deadline = time.monotonic() + timeout
    while not ready():
        assert process.poll() is None, f"ended before the kill: {process.communicate()[1]}"
        assert time.monotonic() < deadline, "never ready"
        time.sleep(0.002)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)


def kill_at_random_point(command: list, rng: random.Random, took: float) -> None:
    """Start `gridsim COMMAND` afresh and SIGKILL it at a point drawn from [0, took) seconds
    after its start. If it ends first (the machine ran it faster than `took` said), start it
    again and draw the point from half the time it took, until a kill lands: a test of the
    kill, not of the machine's speed."""
    while True:
        process = start(*command)
        begun = time.monotonic()
        moment = begun + rng.uniform(0, took)
        while time.monotonic() < moment and process.poll() is None:
            time.sleep(0.002)
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=30)
            return
        process.communicate()
        took = (time.monotonic() - begun) / 2


def staged_in(*folders: Path) -> list[Path]:
    """What writers staged in `folders` (see sim.folders)."""
    return [p for f in folders if f.is_dir() for p in f.iterdir() if STAGED_NAME.match(p.name)]


def alive(processes: list[psutil.Process]) -> list[psutil.Process]:
    """Those of `processes` still running (a zombie has ended)."""
    running = []
    for process in processes:
        try:
            if process.status() != psutil.STATUS_ZOMBIE:
                running.append(process)
        except psutil.NoSuchProcess:
            pass
    return running


def test_a_run_killed_at_a_random_point_or_while_written_reruns_to_the_same_folder(
    tmp_path: Path,
):
    command = ["run", BASELINE, "--days", "20", "--seed", "5"]
    reference = tmp_path / "reference"
    clock = time.monotonic()
    done = CliRunner().invoke(app, [*map(str, command), "--out", str(reference)])
    assert done.exit_code == 0, done.output
    took = time.monotonic() - clock + 2  # and the start of a fresh process
    expected = (reference / "summary.json").read_bytes()
    out = tmp_path / "out"
    points = random.Random(1401)

    def writing() -> bool:
        """The run folder is being written: its staging folder is there."""
        return any(p.name.startswith(".out.writing-") for p in staged_in(tmp_path))

    for kill in (
        lambda: kill_at_random_point([*command, "--out", out], points, took),
        lambda: kill_when(start(*command, "--out", out), writing),
    ):
        kill()
        # killed at any moment, it leaves the earlier folder or the new one, never half of one
        assert not out.exists() or (out / "summary.json").read_bytes() == expected
        rerun = CliRunner().invoke(app, [*map(str, command), "--out", str(out)])
        assert rerun.exit_code == 0, rerun.output
        assert (out / "summary.json").read_bytes() == expected
        cases = pd.read_parquet(out / "cases.parquet")
        assert cases.equals(pd.read_parquet(reference / "cases.parquet"))
        assert staged_in(tmp_path) == []


@pytest.fixture(scope="module")
def experiment(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, pd.DataFrame, str]:
    """The experiment file, its runs table uninterrupted (serial) and its fingerprint."""
    folder = tmp_path_factory.mktemp("experiment")
    path = folder / "kill.yaml"
    path.write_text(EXPERIMENT, encoding="utf-8")
    table = sweep(path, folder / "reference", executor="serial")
    return path, table, fingerprint(folder / "reference")


def same_numbers(table: pd.DataFrame, reference: pd.DataFrame) -> bool:
    columns = ["run_id", "seed", *sorted(c for c in reference.columns if c.startswith("kpi."))]
    left = table[columns].sort_values("run_id", ignore_index=True)
    return left.equals(reference[columns].sort_values("run_id", ignore_index=True))


@pytest.mark.slow
@pytest.mark.parametrize("executor", ["serial", "processes"])
def test_a_sweep_killed_at_a_random_point_resumes_every_run_once(
    experiment: tuple[Path, pd.DataFrame, str], tmp_path: Path, executor: str
):
    path, reference, expected = experiment
    out = tmp_path / "out"
    recorded = random.Random(f"1402 {executor}").randint(1, RUNS - 2)
    process = start("sweep", path, "--out", out, "--executor", executor)
    workers: set[psutil.Process] = set()

    def ready() -> bool:
        with contextlib.suppress(psutil.NoSuchProcess):
            workers.update(psutil.Process(process.pid).children(recursive=True))
        return len(list((out / "runs").glob("*.json"))) >= recorded

    kill_when(process, ready)  # the command alone: its workers must die with it
    assert len(workers) >= (3 if executor == "processes" else 0)  # 2 workers + resource tracker
    deadline = time.monotonic() + 10
    while alive(list(workers)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert alive(list(workers)) == []
    assert recorded <= len(load_results(out)) < RUNS
    table = sweep(path, out, executor=executor)
    assert len(table) == RUNS and table["run_id"].is_unique and (table["status"] == "ok").all()
    assert sorted(p.stem for p in (out / "runs").glob("*.json")) == sorted(reference["run_id"])
    assert same_numbers(table, reference) and fingerprint(out) == expected
    assert staged_in(out, out / "runs") == []


@pytest.mark.slow
def test_ctrl_c_stops_a_sweep_cleanly_and_rerun_completes(
    experiment: tuple[Path, pd.DataFrame, str], tmp_path: Path
):
    path, reference, _ = experiment
    out = tmp_path / "out"
    process = start("sweep", path, "--out", out, "--executor", "processes")
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and len(list((out / "runs").glob("*.json"))) < 2:
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert "interrupted:" in stderr and "rerun the same command to resume" in stderr
    assert "Traceback" not in stderr
    table = sweep(path, out, executor="serial")
    assert len(table) == RUNS and table["run_id"].is_unique and (table["status"] == "ok").all()
    assert same_numbers(table, reference)


@pytest.mark.slow
def test_a_drill_killed_at_a_random_point_plays_again_to_the_same_folder(tmp_path: Path):
    command = ["drill", DRILL, "--script", DRILL.with_suffix(".decisions.yaml")]
    command += ["--replays", "0"]
    reference, out = tmp_path / "reference", tmp_path / "out"
    clock = time.monotonic()
    played = CliRunner().invoke(app, [*map(str, command), "--out", str(reference)])
    assert played.exit_code == 0, played.output
    took = time.monotonic() - clock + 2  # and the start of a fresh process
    kill_at_random_point([*command, "--out", out], random.Random(1403), took)
    rerun = CliRunner().invoke(app, [*map(str, command), "--out", str(out)])
    assert rerun.exit_code == 0, rerun.output
    for name in ("run/summary.json", "objectives.json", "expectations.json", "decisions.yaml"):
        assert (out / name).read_bytes() == (reference / name).read_bytes(), name
    log, expected = (json.loads((f / "drill_log.json").read_text()) for f in (out, reference))
    assert [{**e, "wall": None} for e in log] == [{**e, "wall": None} for e in expected]
    assert staged_in(tmp_path, out) == []
