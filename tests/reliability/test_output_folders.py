"""Output folders under faults: what a killed writer staged is removed by the next writer in the
same folder (and nothing else is); a folder that cannot be written is refused with exit 2
before anything is simulated, by run, sweep (and its dry run) and drill; a full disk is
reported with exit 2, leaves nothing half-written, and a rerun once there is room completes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import sim
import sim.drill
import sim.sweep
from sim.cli import app
from sim.folders import HOST, OLD, STAGED_NAME, WRITING, remove_stale, staged_prefix
from sim.sweep import load_results

ROOT = Path(__file__).resolve().parents[2]
MMC = ROOT / "scenarios" / "theory" / "mmc.yaml"
DRILL = ROOT / "scenarios" / "drills" / "gas_leak.yaml"
EXPERIMENT = f"""
name: faults
base: {MMC}
days: 0.5
replications: 2
seed: 3
"""


def dead_pid() -> int:
    """The id of a process that has ended (and been reaped)."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def staged(folder: Path, name: str, kind: str, host: str, pid: int) -> Path:
    """A folder named as a writer on `host` with process `pid` stages one, holding a file."""
    path = folder / f".{name}.{kind}-{host}-{pid}-abcd_123"
    path.mkdir()
    (path / "summary.json").write_text("{", encoding="utf-8")
    return path


def test_staged_names_say_the_writer(tmp_path: Path):
    assert STAGED_NAME.match(f"{staged_prefix('run-s1')}abcd_123")
    assert STAGED_NAME.match(f"{staged_prefix('run-s1', OLD)}x1y2z3w4")
    assert not STAGED_NAME.match(".run-s1.x1y2z3w4") and not STAGED_NAME.match(".notes")


def test_the_next_write_removes_what_dead_writers_staged_and_nothing_else(tmp_path: Path):
    dead = dead_pid()
    stale = [
        staged(tmp_path, "run", WRITING, HOST, dead),  # killed while writing the run folder
        staged(tmp_path, "run", OLD, HOST, dead),  # killed while replacing an earlier one
        staged(tmp_path, "other", WRITING, HOST, dead),  # another run folder's
    ]
    kept = [
        staged(tmp_path, "run", WRITING, HOST, os.getpid()),  # a writer still at work
        staged(tmp_path, "run", WRITING, "another-host", dead),  # a writer on another machine
        tmp_path / ".run.partial",  # not gridsim's naming
        tmp_path / ".notes",
    ]
    kept[2].mkdir()
    kept[3].write_text("mine", encoding="utf-8")
    result = sim.run(MMC, seed=1, days=0.2)
    result.write(tmp_path / "run")
    assert not any(path.exists() for path in stale)
    assert all(path.exists() for path in kept)
    assert (tmp_path / "run" / "manifest.json").is_file()
    assert remove_stale(tmp_path) == []  # nothing more to remove


def test_a_sweep_removes_what_its_killed_writers_left(tmp_path: Path):
    experiment = tmp_path / "faults.yaml"
    experiment.write_text(EXPERIMENT, encoding="utf-8")
    out = tmp_path / "out"
    sim.sweep.sweep(experiment, out, executor="serial", overrides=["replications=1"])
    dead = dead_pid()
    leftovers = [
        staged(out / "runs", "0123456789abcdef", WRITING, HOST, dead),
        staged(out, "experiment.yaml", WRITING, HOST, dead),
    ]
    table = sim.sweep.sweep(experiment, out, executor="serial")
    assert (table["status"] == "ok").all() and len(table) == 2
    assert not any(path.exists() for path in leftovers)


def refused_before_running(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make any simulation fail the test: the refusal must come first."""

    def ran(*_: object, **__: object) -> None:
        raise AssertionError("simulated before the output folder was checked")

    monkeypatch.setattr(sim, "run", ran)
    monkeypatch.setattr(sim.sweep, "run_all", ran)
    monkeypatch.setattr(sim.drill, "play", ran)


@pytest.mark.parametrize("inside", [False, True], ids=["the folder", "a folder in it"])
def test_a_read_only_output_folder_is_refused_before_running(
    read_only_folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, inside: bool
):
    refused_before_running(monkeypatch)
    experiment = tmp_path / "faults.yaml"
    experiment.write_text(EXPERIMENT, encoding="utf-8")
    out = read_only_folder / "out" if inside else read_only_folder
    decisions = DRILL.with_suffix(".decisions.yaml")
    commands = {
        "run": ["run", str(MMC), "--out", str(out)],
        "sweep": ["sweep", str(experiment), "--out", str(out), "--executor", "serial"],
        "sweep --dry-run": ["sweep", str(experiment), "--out", str(out), "--dry-run"],
        "drill": ["drill", str(DRILL), "--script", str(decisions), "--out", str(out)],
    }
    for name, command in commands.items():
        done = CliRunner().invoke(app, command)
        assert done.exit_code == 2, (name, done.output)
        assert "cannot write there" in done.output, (name, done.output)
        assert str(read_only_folder) in done.output and "Traceback" not in done.output
    assert list(read_only_folder.iterdir()) == []


def test_a_full_disk_is_reported_and_leaves_nothing_half_written(full_disk):
    out = full_disk.folder / "run"
    done = CliRunner().invoke(app, ["run", str(MMC), "--days", "0.5", "--out", str(out)])
    assert done.exit_code == 2, done.output
    assert "the run finished but its folder could not be written" in done.output
    assert "No space left on device" in done.output and "Traceback" not in done.output
    assert list(full_disk.folder.iterdir()) == []  # no run folder, no staging left
    full_disk.free()
    done = CliRunner().invoke(app, ["run", str(MMC), "--days", "0.5", "--out", str(out)])
    assert done.exit_code == 0, done.output
    assert sorted(p.name for p in full_disk.folder.iterdir()) == ["run"]


def test_a_sweep_on_a_full_disk_stops_with_exit_2_and_resumes_once_there_is_room(
    full_disk, tmp_path: Path
):
    experiment = tmp_path / "faults.yaml"
    experiment.write_text(EXPERIMENT, encoding="utf-8")
    out = full_disk.folder / "sweep"
    command = ["sweep", str(experiment), "--out", str(out), "--executor", "serial"]
    done = CliRunner().invoke(app, command)
    assert done.exit_code == 2, done.output
    assert "No space left on device" in done.output and "Traceback" not in done.output
    assert "rerun the same command to resume" in done.output
    full_disk.free()
    done = CliRunner().invoke(app, command)
    assert done.exit_code == 0, done.output
    table = load_results(out)
    assert len(table) == 2 and table["run_id"].is_unique and (table["status"] == "ok").all()
    assert not [p for p in (out / "runs").iterdir() if STAGED_NAME.match(p.name)]
