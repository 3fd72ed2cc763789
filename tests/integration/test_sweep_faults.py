"""Faults in sweeps: a sweep killed with SIGKILL, or stopped with Ctrl-C, mid-way completes on
rerun with no run lost and none duplicated."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sim.sweep import load_results, sweep

ROOT = Path(__file__).resolve().parents[2]
EXPERIMENT = f"""
name: kill
base: {ROOT}/scenarios/baseline.yaml
days: 20
replications: 8
seed: 11
"""


def start_and_stop(tmp_path: Path, executor: str, stop: signal.Signals) -> subprocess.Popen:
    """Start `gridsim sweep` of EXPERIMENT; once two runs are recorded, send `stop` to it (its
    whole process group for SIGKILL, as a crash would; the command alone for Ctrl-C)."""
    experiment = tmp_path / "kill.yaml"
    experiment.write_text(EXPERIMENT, encoding="utf-8")
    out = tmp_path / "out"
    command = [sys.executable, "-m", "sim.cli", "sweep", str(experiment), "--out", str(out)]
    process = subprocess.Popen(
        [*command, "--executor", executor],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(list((out / "runs").glob("*.json"))) < 2:
        time.sleep(0.05)
    if stop == signal.SIGKILL:
        os.killpg(process.pid, stop)
    else:
        process.send_signal(stop)
    process.wait(timeout=60)
    return process


def test_sigkill_mid_sweep_then_rerun_completes_every_run_once(tmp_path: Path):
    start_and_stop(tmp_path, "serial", signal.SIGKILL)
    experiment, out = tmp_path / "kill.yaml", tmp_path / "out"
    before = len(list((out / "runs").glob("*.json")))
    assert 2 <= before < 8  # killed mid-way
    table = sweep(experiment, out, executor="serial")
    assert len(table) == 8 and table["run_id"].is_unique
    assert (table["status"] == "ok").all()
    again = load_results(out)
    assert len(again) == 8


def test_ctrl_c_stops_a_sweep_cleanly_and_rerun_completes(tmp_path: Path):
    process = start_and_stop(tmp_path, "processes", signal.SIGINT)
    stderr = process.stderr.read()
    assert process.returncode == 130, stderr
    assert "interrupted:" in stderr and "rerun the same command to resume" in stderr
    assert "Traceback" not in stderr
    table = sweep(tmp_path / "kill.yaml", tmp_path / "out", executor="serial")
    assert len(table) == 8 and table["run_id"].is_unique and (table["status"] == "ok").all()
