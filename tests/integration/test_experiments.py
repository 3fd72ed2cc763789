"""The experiment files shipped in experiments/ validate and run (one replication, two days),
and the analysis each one's header names works on its results."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from sim.cli import app

ROOT = Path(__file__).resolve().parents[2]
EXPERIMENTS = sorted((ROOT / "experiments").glob("*.yaml"))


def test_there_are_experiments():
    names = {path.stem for path in EXPERIMENTS}
    assert {"staffing_grid_size", "surge_plan", "admin_burden", "admin_sensitivity"} <= names


@pytest.mark.parametrize("path", EXPERIMENTS, ids=lambda p: p.stem)
def test_experiment_runs_and_is_analysed(path: Path, tmp_path: Path):
    runner = CliRunner()
    out = tmp_path / "out"
    swept = runner.invoke(
        app,
        [
            "sweep",
            str(path),
            "--executor",
            "serial",
            "--out",
            str(out),
            "--set",
            "replications=2",
            "--set",
            "days=2",
        ],
    )
    assert swept.exit_code == 0, swept.output
    assert "0 failed" in swept.output
    analysis = "sensitivity" if "ranges:" in path.read_text(encoding="utf-8") else "compare"
    table = tmp_path / f"{analysis}.md"
    asked = [analysis, str(out), "--kpi", "time_to_close_h.mean", "--format", "markdown"]
    analysed = runner.invoke(app, [*asked, "--out", str(table)])
    assert analysed.exit_code == 0, analysed.output
    assert "time to close, mean (closed)" in table.read_text(encoding="utf-8")  # a row, a title
