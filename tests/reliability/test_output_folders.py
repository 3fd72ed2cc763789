"""Output folders under faults: what a killed writer staged is removed by the next writer in the
same folder (and nothing else is)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import sim
from sim.folders import HOST, OLD, STAGED_NAME, WRITING, remove_stale, staged_prefix

ROOT = Path(__file__).resolve().parents[2]
MMC = ROOT / "scenarios" / "theory" / "mmc.yaml"


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
