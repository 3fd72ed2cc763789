"""Faults in sweeps: a sweep killed with SIGKILL mid-way completes on rerun with no run lost and
none duplicated."""

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


def test_sigkill_mid_sweep_then_rerun_completes_every_run_once(tmp_path: Path):
    experiment = tmp_path / "kill.yaml"
    experiment.write_text(EXPERIMENT, encoding="utf-8")
    out = tmp_path / "out"
    command = [
        sys.executable,
        "-m",
        "sim.cli",
        "sweep",
        str(experiment),
        "--executor",
        "serial",
        "--out",
        str(out),
    ]
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(list((out / "runs").glob("*.json"))) < 2:
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    before = len(list((out / "runs").glob("*.json")))
    assert 2 <= before < 8  # killed mid-way
    table = sweep(experiment, out, executor="serial")
    assert len(table) == 8 and table["run_id"].is_unique
    assert (table["status"] == "ok").all()
    again = load_results(out)
    assert len(again) == 8
