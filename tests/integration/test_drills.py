"""The drills shipped in scenarios/drills: each validates with its scenario, its example
decisions file validates against it, and it plays headless through `gridsim drill`, writing the
drill folder; bad drill or decisions files, and an app whose port is taken, exit 2 (the app
itself: tests/browser)."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pandas as pd
import pytest
from cli_parts import gridsim_main

from sim.drill import load_drill, load_script

ROOT = Path(__file__).resolve().parents[2]
DRILLS = sorted(
    p for p in (ROOT / "scenarios" / "drills").glob("*.yaml") if ".decisions" not in p.name
)


def test_the_drills_are_there() -> None:
    assert {p.stem for p in DRILLS} >= {"gas_leak", "epidemic"}


@pytest.mark.parametrize("drill_file", DRILLS, ids=lambda p: p.stem)
def test_a_shipped_drill_plays_headless(
    drill_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    decisions = drill_file.with_suffix(".decisions.yaml")
    drill = load_drill(drill_file)
    script = load_script(decisions, drill)
    assert drill.objectives and drill.injects and script.decisions
    out = tmp_path / "drill"
    code, stdout, stderr = gridsim_main(
        capsys, "drill", drill_file, "--script", decisions, "--out", out, "--replays", "0"
    )
    assert code == 0, stderr
    assert "refused: 0" in stdout
    assert {p.name for p in out.iterdir()} >= {
        "run",
        "drill_log.json",
        "drill_log.csv",
        "objectives.json",
        "expectations.json",
        "decisions.yaml",
        "drill.yaml",
        "report.html",
        "charts",
    }
    summary = json.loads((out / "run" / "summary.json").read_text(encoding="utf-8"))
    assert summary["checks"]["conservation"] is True
    objectives = json.loads((out / "objectives.json").read_text(encoding="utf-8"))
    assert set(objectives) == set(drill.objectives)
    assert all(o["status"] in ("met", "missed") for o in objectives.values())
    log = pd.read_csv(out / "drill_log.csv")
    assert (log.kind == "decision").sum() == sum(
        "role" in e.model_fields_set for e in script.decisions
    )
    # the decisions as played play again to the same log
    again = tmp_path / "again"
    code, _, stderr = gridsim_main(
        capsys, "drill", drill_file, "--script", out / "decisions.yaml", "--out", again,
        "--replays", "0",
    )  # fmt: skip
    assert code == 0, stderr
    replayed = pd.read_csv(again / "drill_log.csv")
    pd.testing.assert_frame_equal(log.drop(columns="wall"), replayed.drop(columns="wall"))


def test_without_a_script_the_app_needs_a_free_port(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        code, _, stderr = gridsim_main(capsys, "drill", DRILLS[0], "--port", str(port))
    assert code == 2 and f"127.0.0.1:{port}: cannot listen there" in stderr


def test_bad_files_exit_2_with_file_line_and_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    gas = ROOT / "scenarios" / "drills" / "gas_leak.yaml"
    bad_drill = tmp_path / "bad.yaml"
    bad_drill.write_text(
        f"extends: {gas}\nname: bad\nscenario: {ROOT / 'scenarios' / 'gas_leak_channels.yaml'}\n"
        "injects:\n  property_staff_ill:\n    grid: beijiaohua-g77\n",
        encoding="utf-8",
    )
    code, _, stderr = gridsim_main(
        capsys, "drill", bad_drill, "--script", gas.with_suffix(".decisions.yaml")
    )
    assert code == 2
    assert f"{bad_drill}:6: injects.property_staff_ill.grid: no grid 'beijiaohua-g77'" in stderr
    script = tmp_path / "decisions.yaml"
    script.write_text(
        "decisions:\n  - {at: day 2 21:00, role: 街道, decision: {mobilise: street_cadres}}\n"
        "  - {at: day 2 22:00, role: 网格长, decision: {mobilise: volunteers}}\n"
        "  - {at: day 3 07:00, role: 街道, decision: {fire: gas_response}}\n",
        encoding="utf-8",
    )
    code, _, stderr = gridsim_main(
        capsys, "drill", gas, "--script", script, "--out", tmp_path / "x"
    )
    assert code == 2 and not (tmp_path / "x").exists()
    assert (
        f"{script}:2: decisions.0.decision.mobilise: role '街道' may not decide action 'mobilise'"
        in stderr
    )
    assert f"{script}:3: decisions.1.decision.mobilise: no team 'volunteers'" in stderr
    assert f"{script}:4: decisions.2.at: 79 h: outside the drill" in stderr
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("mine", encoding="utf-8")
    code, _, stderr = gridsim_main(
        capsys, "drill", gas, "--script", gas.with_suffix(".decisions.yaml"), "--out", foreign
    )
    assert code == 2 and "not a drill's" in stderr
