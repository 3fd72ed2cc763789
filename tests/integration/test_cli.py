"""The `gridsim` command line: run, validate, schema, exit codes, bad input."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
from cli_parts import gridsim_main

import sim
from sim import cli

ROOT = Path(__file__).resolve().parents[2]
MMC = ROOT / "scenarios" / "theory" / "mmc.yaml"
RUN_FILES = {
    "summary.json",
    "cases.parquet",
    "jobs.parquet",
    "timeseries.parquet",
    "workers.parquet",
    "scenario.yaml",
    "manifest.json",
    "events.parquet",
}
KPI_LABELS = (
    "cases created",
    "cases closed",
    "backlog at the end",
    "backlog peak",
    "first response, median (Kaplan–Meier)",
    "time to close, mean (closed)",
    "time to close, still open at the end",
    "on-time rate",
    "escalated to the street",
    "utilisation of grid workers (",
    "admin share",
    "overtime",
    "revisit coverage",
    "cost",
)


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("GRIDSIM_DEBUG", "FORCE_COLOR")}
    env.update({"NO_COLOR": "1", "COLUMNS": "120", **extra})
    return env


def gridsim(
    *args: str | Path, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`python -m sim.cli ARGS` in a fresh interpreter, as a user would run it."""
    return subprocess.run(
        [sys.executable, "-m", "sim.cli", *map(str, args)],
        cwd=cwd,
        env=env or _env(),
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture
def plain_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No colours, no debug tracebacks, for in-process runs."""
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.delenv("GRIDSIM_DEBUG", raising=False)
    monkeypatch.setenv("NO_COLOR", "1")


def console_script() -> str:
    """The installed `gridsim` script next to this interpreter."""
    script = shutil.which("gridsim", path=str(Path(sys.executable).parent))
    if script is None:
        pytest.fail("the gridsim console script is not installed: run `pip install -e .`")
    return script


# --- run -----------------------------------------------------------------------------------


def test_run_writes_run_folder_and_prints_kpis(tmp_path: Path) -> None:
    out = tmp_path / "run"
    result = subprocess.run(
        [console_script(), "run", str(MMC), "--days", "5", "--seed", "7", "--out", str(out)],
        cwd=tmp_path,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert {p.name for p in out.iterdir()} == RUN_FILES
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["cases_created"] > 0
    for label in KPI_LABELS:
        assert label in result.stdout, label
    assert f"{summary['cases_created']:,}" in result.stdout
    assert str(out) in result.stdout
    assert "Traceback" not in result.stderr
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["seed"] == 7
    assert manifest["days"] == 5
    assert "days: 5.0" in (out / "scenario.yaml").read_text(encoding="utf-8")
    assert not (tmp_path / "runs").exists()


@pytest.mark.usefixtures("plain_env")
def test_same_seed_gives_identical_cases(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Same seed, same cases: in a fresh interpreter and twice more in this one."""
    result = gridsim("run", MMC, "--days", "3", "--seed", "7", "--out", tmp_path / "a")
    assert result.returncode == 0, result.stderr
    for name, seed in (("b", 7), ("c", 7), ("d", 8)):
        code, _, err = gridsim_main(
            capsys, "run", MMC, "--days", "3", "--seed", seed, "--out", tmp_path / name
        )
        assert code == 0, err
    tables = {name: pd.read_parquet(tmp_path / name / "cases.parquet") for name in "abcd"}
    pd.testing.assert_frame_equal(tables["a"], tables["b"])
    pd.testing.assert_frame_equal(tables["a"], tables["c"])
    cases = [(tmp_path / name / "cases.parquet").read_bytes() for name in "abc"]
    assert cases[0] == cases[1] == cases[2]
    assert not tables["a"].equals(tables["d"])


def test_run_default_out_and_set(tmp_path: Path) -> None:
    result = gridsim(
        "run", MMC, "--days", "1", "--seed", "3", "--set", "grid_workers.per_grid=4", cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    out = tmp_path / "runs" / "mmc-s3"
    assert {p.name for p in out.iterdir()} == RUN_FILES
    assert str(Path("runs") / "mmc-s3") in result.stdout
    assert "per_grid: 4" in (out / "scenario.yaml").read_text(encoding="utf-8")
    # A second run replaces an earlier run folder.
    again = gridsim("run", MMC, "--days", "1", "--seed", "3", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert "per_grid: 3" in (out / "scenario.yaml").read_text(encoding="utf-8")
    assert [p.name for p in (tmp_path / "runs").iterdir()] == ["mmc-s3"]  # nothing left aside


def test_run_refuses_to_replace_a_folder_that_is_not_a_run(tmp_path: Path) -> None:
    keep = tmp_path / "keep"
    keep.mkdir()
    (keep / "notes.txt").write_text("precious", encoding="utf-8")
    result = gridsim("run", MMC, "--days", "1", "--out", keep)
    assert result.returncode == 2
    assert "not a gridsim run folder" in result.stderr
    assert [p.name for p in keep.iterdir()] == ["notes.txt"]


@pytest.mark.parametrize(
    "files",
    [
        {"manifest.json": '{"gridsim": "0.1.0"}', "thesis.docx": "precious"},  # a run + more
        {"manifest.json": '{"name": "my-package"}'},  # another program's manifest
        {"manifest.json": "not json", "summary.json": "{}"},
    ],
    ids=["run-plus-user-file", "foreign-manifest", "unreadable-manifest"],
)
def test_run_never_replaces_a_folder_holding_what_gridsim_did_not_write(
    tmp_path: Path, files: dict[str, str]
) -> None:
    keep = tmp_path / "keep"
    keep.mkdir()
    for name, text in files.items():
        (keep / name).write_text(text, encoding="utf-8")
    result = gridsim("run", MMC, "--days", "1", "--out", keep)
    assert result.returncode == 2, result.stderr
    assert "not a gridsim run folder" in result.stderr
    assert "Traceback" not in result.stderr
    assert {p.name: p.read_text(encoding="utf-8") for p in keep.iterdir()} == files
    assert [p.name for p in tmp_path.iterdir()] == ["keep"]  # nothing staged or left aside


def test_write_refuses_a_folder_holding_a_user_file(tmp_path: Path) -> None:
    result = sim.run(sim.load_scenario(MMC), seed=1, days=0.5)
    out = result.write(tmp_path / "run")
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(FileExistsError, match=r"notes\.txt"):
        result.write(out)
    assert (out / "notes.txt").read_text(encoding="utf-8") == "mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]


def test_decide_sets_off_a_manual_plan(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], plain_env: None
) -> None:
    """A plan only a decision sets off is refused until `--decide` names it; then it fires at
    that time and the run folder's scenario records the decision."""
    drill = tmp_path / "drill.yaml"
    drill.write_text(
        f"extends: {MMC}\nname: drill\nrun: {{days: 2}}\n"
        "plans:\n  surge:\n    triggers: [{manual: true}]\n"
        "    actions: [{set_mode: emergency, level: II}]\n",
        encoding="utf-8",
    )
    code, _, err = gridsim_main(capsys, "run", drill, "--out", tmp_path / "no")
    assert code == 2 and "plans.surge.triggers" in err and "--decide surge@24h" in err
    code, _, err = gridsim_main(capsys, "run", drill, "--decide", "surge", "--out", tmp_path / "no")
    assert code == 2 and "--decide surge: " in err and "PLAN@TIME" in err
    code, _, err = gridsim_main(
        capsys, "run", drill, "--decide", "sure@5h", "--out", tmp_path / "no"
    )
    assert code == 2 and "--decide: decisions.0.plan: no plan 'sure'" in err
    assert not (tmp_path / "no").exists()
    out = tmp_path / "run"
    code, _, err = gridsim_main(capsys, "run", drill, "--decide", "surge@5h", "--out", out)
    assert code == 0, err
    events = pd.read_parquet(out / "events.parquet")
    assert events["event"].tolist() == ["decision", "fired", "mode"]
    assert set(events["t_h"]) == {5.0} and events["detail"].iloc[-1] == "emergency II"
    assert "surge" in (out / "scenario.yaml").read_text(encoding="utf-8").split("decisions:")[1]


def test_python_dash_m_sim() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "sim", "--version"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("gridsim ")


# --- validate ------------------------------------------------------------------------------


def test_validate_good_and_bad_files(tmp_path: Path) -> None:
    good = gridsim("validate", MMC)
    assert good.returncode == 0, good.stderr
    assert good.stdout.strip() == f"ok {MMC}"

    bad = tmp_path / "bad.yaml"
    bad.write_text(MMC.read_text(encoding="utf-8").replace("  per_grid: 3", "  per_gird: 3"))
    line = _line_of(bad, "per_gird")
    result = gridsim("validate", MMC, bad, tmp_path / "missing.yaml")
    assert result.returncode == 2
    assert f"ok {MMC}" in result.stdout
    assert f"{bad}:{line}: grid_workers.per_gird: unknown key" in result.stderr
    assert f"{tmp_path / 'missing.yaml'}: cannot read scenario: file not found" in result.stderr
    assert "2 of 3 files have problems" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr


def test_validate_checks_drills_and_decisions_against_their_drill(tmp_path: Path) -> None:
    drills = ROOT / "scenarios" / "drills"
    good = gridsim("validate", drills / "gas_leak.yaml", drills / "gas_leak.decisions.yaml")
    assert good.returncode == 0, good.stderr
    played = str(ROOT / "scenarios" / "gas_leak_channels.yaml")
    drill_text = (drills / "gas_leak.yaml").read_text(encoding="utf-8")
    (tmp_path / "team.yaml").write_text(
        drill_text.replace("../gas_leak_channels.yaml", played), encoding="utf-8"
    )
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        drill_text.replace("../gas_leak_channels.yaml", played).replace(
            "by: day 2 23:00", "by: someday", 1
        ),
        encoding="utf-8",
    )
    decisions = tmp_path / "team.decisions.yaml"
    text = (drills / "gas_leak.decisions.yaml").read_text(encoding="utf-8")
    decisions.write_text(text.replace("role: 街道", "role: 路人", 1), encoding="utf-8")
    alone = tmp_path / "alone.yaml"
    alone.write_text(text, encoding="utf-8")
    result = gridsim("validate", broken, decisions, alone)
    assert result.returncode == 2
    assert f"{broken}:{_line_of(broken, 'someday')}: objectives.leak_checked.by:" in result.stderr
    assert f"{decisions}:{_line_of(decisions, '路人')}: decisions.1.role: no role" in result.stderr
    assert f"{alone}: a decisions file is checked against its drill" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr


def test_messages_print_as_written_no_emoji_codes_or_markup(tmp_path: Path) -> None:
    """Line 100 prints as `:100:`, not rich's emoji for it; brackets in a value as written."""
    bad = tmp_path / "bad.yaml"
    pad = "".join(f"# line {i}\n" for i in range(2, 100))
    bad.write_text(f"name: x\n{pad}grid_workers: {{per_gird: 3}}\n", encoding="utf-8")
    result = gridsim("validate", bad)
    assert result.returncode == 2
    assert f"{bad}:100: grid_workers.per_gird: unknown key" in result.stderr
    assert "\U0001f4af" not in result.stderr
    marked = tmp_path / "[bold]marked[/bold].yaml"
    result = gridsim("validate", marked)
    assert f"{marked}: cannot read scenario: file not found" in result.stderr


def test_validate_needs_a_file() -> None:
    assert gridsim("validate").returncode == 2


# --- bad input -----------------------------------------------------------------------------


def _line_of(file: Path, needle: str) -> int:
    """1-based number of the first line of `file` containing `needle`."""
    lines = file.read_text(encoding="utf-8").splitlines()
    return next(i for i, text in enumerate(lines, 1) if needle in text)


def _replace(old: str, new: str) -> Callable[[str], str]:
    def edit(text: str) -> str:
        assert old in text, f"mmc.yaml no longer contains {old!r}: update this test"
        return text.replace(old, new, 1)

    return edit


@dataclass
class Bad:
    """A broken variant of mmc.yaml and where its error must point."""

    edit: Callable[[str], str] | None  # None: the file does not exist
    path: str  # dotted field path in the message ("" if the problem has none)
    line_of: str | None  # text on the offending line (None: no line number)
    message: str  # part of what is wrong
    args: tuple[str, ...] = ()


ESCALATION = "    escalation:\n      - {tier: street, departments: [chengguan], p: 0.1}\n"
BAD_INPUTS = {
    "unknown key": Bad(
        _replace("  per_grid: 3", "  per_gird: 3"), "grid_workers.per_gird", "per_gird", "unknown"
    ),
    "wrong type": Bad(
        _replace("per_grid: 3 ", "per_grid: three "),
        "grid_workers.per_grid",
        "per_grid: three",
        "integer",
    ),
    "negative rate": Bad(
        _replace("rate_per_household: 0.1/h", "rate_per_household: -0.1/h"),
        "sources.resident.rate_per_household",
        "-0.1/h",
        "negative",
    ),
    "probability above 1": Bad(
        _replace("sources:\n", "sources:\n  revisits: {phone_reach: 1.5}\n"),
        "sources.revisits.phone_reach",
        "phone_reach",
        "between 0 and 1",
    ),
    "unknown distribution": Bad(
        _replace("dist: exponential", "dist: weibull"),
        "categories.service.work.dist",
        "weibull",
        "unknown dist 'weibull'",
    ),
    "unknown category in resident mix": Bad(
        _replace("mix: {service: 1}", "mix: {servce: 1}"),
        "sources.resident.mix.servce",
        "servce",
        "unknown category 'servce'",
    ),
    "unknown department in escalation": Bad(
        _replace("    priority: 1\n", "    priority: 1\n" + ESCALATION),
        "categories.service.escalation.0.departments",
        "chengguan",
        "unknown department 'chengguan'",
    ),
    "YAML syntax error": Bad(
        _replace("  per_grid: 3", "  per_grid: [3"), "", "shift:", "invalid YAML"
    ),
    "python tag": Bad(
        _replace("name: mmc", "name: !!python/object:os.system ls"),
        "",
        "python/object",
        "not allowed",
    ),
    "missing file": Bad(None, "", None, "file not found"),
    "bad --set syntax": Bad(
        lambda text: text,
        "grid_workers.per_grid",
        None,
        "KEY=VALUE",
        ("--set", "grid_workers.per_grid"),
    ),
    "bad --set value": Bad(
        lambda text: text,
        "grid_workers.per_grid",
        None,
        "greater than or equal to 0",
        ("--set", "grid_workers.per_grid=-1"),
    ),
    "extends a missing file": Bad(
        lambda text: "extends: nothere.yaml\n" + text, "extends", "extends:", "nothere.yaml"
    ),
    "--days 0": Bad(lambda text: text, "", None, "positive", ("--days", "0")),
    "--days negative": Bad(lambda text: text, "", None, "positive", ("--days", "-2")),
    "--days inf": Bad(lambda text: text, "", None, "finite", ("--days", "inf")),
}


@pytest.mark.parametrize("case", list(BAD_INPUTS))
@pytest.mark.usefixtures("plain_env")
def test_bad_input_exits_2_with_file_line_and_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], case: str
) -> None:
    bad = BAD_INPUTS[case]
    file = tmp_path / "broken.yaml"
    if bad.edit is not None:
        file.write_text(bad.edit(MMC.read_text(encoding="utf-8")), encoding="utf-8")
    out = tmp_path / "out"
    monkeypatch.chdir(tmp_path)

    code, stdout, stderr = gridsim_main(capsys, "run", file, *bad.args, "--out", out)

    assert code == 2, stdout + stderr
    assert "Traceback" not in stdout + stderr
    assert str(file) in stderr  # the scenario is always named
    where = re.escape(bad.args[0] if bad.args else str(file))
    if bad.line_of is not None:
        where += f":{_line_of(file, bad.line_of)}"
    path = f" {re.escape(bad.path)}:" if bad.path else ""
    assert re.search(rf"^  {where}:{path} .*{re.escape(bad.message)}", stderr, re.M), stderr
    assert not out.exists()
    assert not (tmp_path / "runs").exists()


def test_bad_input_through_the_console_script(tmp_path: Path) -> None:
    file = tmp_path / "broken.yaml"
    file.write_text(MMC.read_text(encoding="utf-8").replace("dist: exponential", "dist: weibull"))
    out = tmp_path / "out"
    result = subprocess.run(
        [console_script(), "run", str(file), "--out", str(out)],
        cwd=tmp_path,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 2
    line = _line_of(file, "weibull")
    assert f"{file}:{line}: categories.service.work.dist: unknown dist 'weibull'" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert not out.exists()


def test_bad_days_is_a_usage_error(tmp_path: Path) -> None:
    result = gridsim("run", MMC, "--days", "soon", "--out", tmp_path / "out")
    assert result.returncode == 2
    assert "--days" in result.stderr
    assert not (tmp_path / "out").exists()


# --- internal errors -----------------------------------------------------------------------


def _boom(*args: object, **kwargs: object) -> None:
    raise RuntimeError("boom")


@pytest.mark.usefixtures("plain_env")
@pytest.mark.parametrize("debug", [False, True])
def test_internal_error_exits_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], debug: bool
) -> None:
    monkeypatch.setattr(sim, "run", _boom)
    if debug:
        monkeypatch.setenv("GRIDSIM_DEBUG", "1")
    code, _, err = gridsim_main(capsys, "run", MMC, "--days", "1", "--out", tmp_path / "out")
    assert code == 1
    assert "internal error: RuntimeError: boom" in err
    assert ("Traceback" in err) is debug
    assert not (tmp_path / "out").exists()


# --- schema --------------------------------------------------------------------------------


def test_schema_is_json_with_properties(tmp_path: Path) -> None:
    result = gridsim("schema")
    assert result.returncode == 0, result.stderr
    schema = json.loads(result.stdout)
    assert schema["$schema"].startswith("https://json-schema.org/")
    assert schema["title"]
    assert {"name", "world", "sources", "extends"} <= set(schema["properties"])

    out = tmp_path / "editor" / "scenario.schema.json"
    written = gridsim("schema", "--out", out)
    assert written.returncode == 0, written.stderr
    assert json.loads(out.read_text(encoding="utf-8")) == schema


def schema_validator(schema: dict, files: list[Path]):
    """A JSON Schema validator of `schema`, after checking it accepts every one of `files`."""
    jsonschema = pytest.importorskip("jsonschema")
    from sim.config.loader import load_data

    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    assert files
    for file in files:
        data, _ = load_data(file)
        errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(data)]
        assert not errors, (file, errors)
    return validator


def test_schema_accepts_the_shipped_scenarios() -> None:
    drills = ROOT / "scenarios" / "drills"  # drill and decisions files, not scenarios
    files = sorted(f for f in (ROOT / "scenarios").rglob("*.yaml") if drills not in f.parents)
    assert MMC in files
    validator = schema_validator(cli.scenario_json_schema(), files)
    assert not list(validator.iter_errors({"extends": "base.yaml", "name": "child"}))
    assert list(validator.iter_errors({"name": "x", "bogus": 1}))


def test_experiment_schema_accepts_the_shipped_experiments() -> None:
    schema = cli.experiment_json_schema()
    validator = schema_validator(schema, sorted((ROOT / "experiments").glob("*.yaml")))
    assert list(validator.iter_errors({"name": "x", "base": "b.yaml", "bogus": 1}))
    result = gridsim("schema", "--experiment")
    assert result.returncode == 0 and json.loads(result.stdout) == schema
