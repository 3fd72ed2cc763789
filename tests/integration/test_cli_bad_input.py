"""Hostile and careless input through the command line: each is refused with exit 2, the file,
line and field named, never a traceback, quickly and without building what was asked for."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from cli_parts import gridsim_main

ROOT = Path(__file__).resolve().parents[2]
MMC = ROOT / "scenarios" / "theory" / "mmc.yaml"


@pytest.fixture(autouse=True)
def plain_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No colours, no debug tracebacks, the default limits."""
    for name in ("FORCE_COLOR", "GRIDSIM_DEBUG", "GRIDSIM_LIMITS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_COLOR", "1")


def mmc_with(tmp_path: Path, old: str, new: str, name: str = "broken.yaml") -> Path:
    text = MMC.read_text(encoding="utf-8")
    assert old in text, f"mmc.yaml no longer holds {old!r}: update this test"
    path = tmp_path / name
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def hostile_files(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    """name → (file, what the message must hold as `file:line: path`)."""
    (tmp_path / "mmc.yaml").write_text(MMC.read_text(encoding="utf-8"), encoding="utf-8")
    files = {
        "500 levels": ("a: " + "[" * 500 + "]" * 500 + "\n", ":1: a.0.0"),
        "NUL": ("name: x\x00\n", ":1: invalid YAML"),
        "NUL in extends": ('extends: "mmc\\0.yaml"\n', ":1: extends:"),
        "5000 digits": ("extends: mmc.yaml\nrun: {days: " + "1" * 5000 + "}\n", ":2: invalid YAML"),
        "/dev/zero": ("extends: /dev/zero\n", ":1: extends:"),
        "nan intensity": (
            "extends: mmc.yaml\n"
            "incidents: {x: {start: 1h, duration: 1h, intensity: [[0h, .nan]]}}\n",
            ":2: incidents.x.intensity.0.1:",
        ),
    }
    out = {}
    for name, (text, where) in files.items():
        path = tmp_path / f"{name.replace(' ', '_').replace('/', '')}.yaml"
        path.write_text(text, encoding="utf-8")
        out[name] = (path, f"{path}{where}")
    out["grids: 100000000"] = (
        mmc_with(tmp_path, "grids: 1,", "grids: 100000000,", "grids.yaml"),
        f"{tmp_path / 'grids.yaml'}:18: world.streets.0.communities.0:",
    )
    return out


def test_hostile_files_exit_2_naming_file_line_and_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name, (file, where) in hostile_files(tmp_path).items():
        started = time.monotonic()
        code, out, err = gridsim_main(capsys, "validate", file)
        assert time.monotonic() - started < 10, name
        assert code == 2, f"{name}: {out}{err}"
        assert "Traceback" not in out + err and "internal error" not in err, name
        assert where in err, f"{name}: {err}"


def test_run_with_days_1e308_exits_2_before_running(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_dir = tmp_path / "out"
    code, _, err = gridsim_main(capsys, "run", MMC, "--days", "1e308", "--out", out_dir)
    assert code == 2
    assert "--set: run.days: 1e+308 days is above the limit" in err
    assert not out_dir.exists()


def test_sweep_dry_run_of_a_hundred_million_replications_exits_2_fast(
    capsys: pytest.CaptureFixture[str],
) -> None:
    started = time.monotonic()
    code, _, err = gridsim_main(
        capsys,
        "sweep",
        ROOT / "experiments" / "staffing_mix.yaml",
        "--dry-run",
        "--set",
        "replications=100000000",
    )
    assert time.monotonic() - started < 30
    assert code == 2
    assert "--set: replications:" in err and "limit" in err


@pytest.mark.parametrize("command", ["validate", "sweep"])
def test_a_missing_base_names_the_base_line_as_written(
    command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    experiment = tmp_path / "exp.yaml"
    experiment.write_text("name: e\n# the base\nbase: ../nothere.yaml\n", encoding="utf-8")
    out = ["--out", tmp_path / "out"] if command == "sweep" else []
    code, _, err = gridsim_main(capsys, command, experiment, *out)
    assert code == 2
    assert f"{experiment}:3: base: no scenario file '../nothere.yaml'" in err
    assert not (tmp_path / "out").exists()


def test_a_scenario_with_a_base_key_is_checked_as_a_scenario(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario = mmc_with(tmp_path, "name: mmc\n", "name: mmc\nbase: mmc.yaml\n")
    code, _, err = gridsim_main(capsys, "validate", scenario)
    assert code == 2
    assert f"{scenario}:8: base: unknown key" in err


def test_gridsim_schema_lists_every_limit(capsys: pytest.CaptureFixture[str]) -> None:
    for args in ((), ("--experiment",)):
        code, out, _ = gridsim_main(capsys, "schema", *args)
        assert code == 0
        listed = json.loads(out)["x-limits"]
        for name in ("file_bytes", "depth", "items", "households", "grids", "staff", "runs"):
            assert listed[name]["description"] and listed[name]["default"] > 0
