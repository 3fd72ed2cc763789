"""Tables for papers and planning meetings: `gridsim compare` in every format (rich table,
Markdown, LaTeX, CSV) on one tiny sweep, the same numbers in each; labels in Chinese with
--lang zh (compare and run); factors and arms named by the experiment file's `labels:` or
from their path; a file written only with --out, and never over an existing one without
--force."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from sim.cli import app
from sim.sweep import load_results, sweep
from sim.sweep.compare import paired_comparisons
from sim.terms import difference_shown, shown

ROOT = Path(__file__).resolve().parents[2]
EXPERIMENT = f"""
name: tiny-tables
base: {ROOT}/scenarios/theory/mmc.yaml
days: 2
replications: 3
seed: 7
arms:
  three: {{}}
  four: {{set: ["grid_workers.per_grid=4"]}}
factors:
  categories.service.work.mean: ["12min", "15min"]
labels:
  four: {{en: four workers, zh: 四名网格员}}
  categories.service.work.mean: {{en: mean work per case, zh: 每件平均工作量}}
"""
KPIS = ["--kpi", "time_to_close_h.mean", "--kpi", "on_time_rate", "--kpi", "cost_yuan"]


@pytest.fixture(scope="module")
def results(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("tables")
    path = folder / "tiny.yaml"
    path.write_text(EXPERIMENT, encoding="utf-8")
    table = sweep(path, folder / "out", executor="serial")
    assert (table["status"] == "ok").all()
    return folder / "out"


def compare(*args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["compare", *map(str, args)], env={"COLUMNS": "200"})
    return result.exit_code, result.stdout, result.stderr


def test_one_comparison_in_every_format_gives_the_same_numbers(results: Path, tmp_path: Path):
    table = load_results(results)
    kpis = ["kpi.time_to_close_h.mean", "kpi.on_time_rate", "kpi.cost_yuan"]
    expected = paired_comparisons(table, "arm", ["three", "four"], kpis)
    # csv: the numbers unformatted, with the KPI's name and unit
    code, out, _ = compare(results, *KPIS, "--format", "csv")
    assert code == 0
    rows = pd.read_csv(io.StringIO(out))
    assert list(rows["kpi"]) == kpis * 2
    assert list(rows["kpi_label"][:3]) == ["time to close, mean (closed)", "on-time rate", "cost"]
    assert list(rows["unit"][:3]) == ["h", "share", "yuan"]
    for column in ("mean_a", "mean_b", "diff", "ci_low", "ci_high", "p_value"):
        assert rows[column].to_numpy() == pytest.approx(expected[column].to_numpy())
    first = expected.iloc[1]  # on-time rate at 12 min: a share, in % and percentage points
    mean, diff = shown(first["mean_a"], "share"), difference_shown(first["diff"], "share")
    # table: rich tables on the terminal
    code, out, _ = compare(results, *KPIS)
    assert code == 0 and "┃ KPI" in out and "four workers against three" in out
    assert re.search(rf"│ on-time rate +│ % +│ +{mean} │ .* │ +{re.escape(diff)} pp │", out)
    # markdown: pipe tables, numbers right-aligned
    code, out, _ = compare(results, *KPIS, "--format", "markdown")
    assert code == 0
    assert "**four workers against three · mean work per case = 12min**" in out
    assert "| KPI | unit | three | four workers | difference | 95 % CI | p | higher in |" in out
    assert "|:---|:---|---:|---:|---:|---:|---:|---:|" in out
    assert f"| on-time rate | % | {mean} | " in out and f"| {diff} pp |" in out
    assert "| cost | yuan | 370 | 493 | +123 | [+123, +123] | <0.001 | 100% of 3 |" in out
    # latex: booktabs, special characters escaped
    code, out, _ = compare(results, *KPIS, "--format", "latex")
    assert code == 0
    assert out.count(r"\begin{tabular}{llrrrrrr}") == 2 and out.count(r"\bottomrule") == 2
    assert r"\toprule" in out and r"\midrule" in out
    assert r"KPI & unit & three & four workers & difference & 95 \% CI & p & higher in \\" in out
    assert rf"on-time rate & \% & {mean} & " in out
    for line in out.splitlines():
        assert not re.search(r"(?<!\\)[%_#$]", line), line
    # --out: the same text in a file, nothing on stdout
    for form, ending in (("markdown", "md"), ("latex", "tex"), ("csv", "csv"), ("table", "txt")):
        path = tmp_path / f"compare.{ending}"
        code, out, err = compare(results, *KPIS, "--format", form, "--out", path)
        assert code == 0 and out == "" and str(path) in err
        if form != "table":
            assert path.read_text(encoding="utf-8") == compare(results, *KPIS, "--format", form)[1]
    assert "│ on-time rate" in (tmp_path / "compare.txt").read_text(encoding="utf-8")
    assert not (results / "compare.csv").exists()  # nothing written beside the results


def test_chinese_labels_with_lang_zh(results: Path, tmp_path: Path):
    code, out, _ = compare(results, *KPIS, "--lang", "zh", "--format", "markdown")
    assert code == 0
    assert "| 指标 | 单位 | three | 四名网格员 | 差值 | 95%置信区间 | p值 | 较高占比 |" in out
    assert "| 办结时长均值（已办结） | 小时 |" in out and "| 按时办结率 | % |" in out
    assert "个百分点" in out and "**四名网格员 对比 three · 每件平均工作量 = 12min**" in out
    names = [line.split("|")[1].strip() for line in out.splitlines() if line.startswith("| ")]
    assert not [name for name in names[1:] if re.search(r"[a-z]{3,}", name)]
    code, out, _ = compare(results, *KPIS, "--lang", "zh")
    assert code == 0 and "办结时长均值（已办结）" in out and "人力成本" in out
    csv = pd.read_csv(io.StringIO(compare(results, *KPIS, "--lang", "zh", "--format", "csv")[1]))
    assert csv["kpi_label"][1] == "按时办结率" and csv["unit"][1] == "share"
    command = ["run", str(ROOT / "scenarios/theory/mmc.yaml"), "--days", "1"]
    command += ["--out", str(tmp_path / "run")]
    run = CliRunner().invoke(app, command, env={"COLUMNS": "200"})
    assert run.exit_code == 0 and "cases created" in run.stdout and "on-time rate" in run.stdout
    run = CliRunner().invoke(app, [*command, "--lang", "zh"], env={"COLUMNS": "200"})
    assert run.exit_code == 0
    for name in (
        "预热期（无：首个突发事件或模拟结束前的步数太少，无法用MSER-5法）",  # a day of 24 h ticks
        "新增事项",
        "按时办结率",
        "网格员利用率",
        "人力成本",
    ):
        assert name in run.stdout, name
    assert "cases created" not in run.stdout and "┃ 指标" in run.stdout
    assert "Running" not in run.stderr  # no progress bar when stderr is not a terminal


def test_factors_and_arms_are_named_by_the_experiment_or_their_path(results: Path):
    code, out, _ = compare(
        results, "--kpi", "on_time_rate", "--along", "categories.service.work.mean"
    )
    assert code == 0
    assert "mean work per case = 15min against 12min · three" in out  # labels: the file's
    assert "mean work per case = 15min against 12min · four workers" in out
    assert "categories.service.work.mean" not in out
    # without labels, a name made from the path; a factor's value as the file writes it
    saved = results / "experiment.yaml"
    text = saved.read_text(encoding="utf-8")
    try:
        saved.write_text(text.split("labels:")[0], encoding="utf-8")
        code, out, _ = compare(results, "--kpi", "on_time_rate")
        assert code == 0 and "four against three · service: work content, mean = 12min" in out
    finally:
        saved.write_text(text, encoding="utf-8")


def test_labels_must_name_a_factor_range_or_arm(tmp_path: Path):
    path = tmp_path / "bad.yaml"
    path.write_text(
        EXPERIMENT.replace("labels:\n", "labels:\n  nope: {en: x}\n  three: {}\n"),
        encoding="utf-8",
    )
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 2 and "labels.three: give en, zh or both" in result.output
    path.write_text(EXPERIMENT.replace("labels:\n", "labels:\n  nope: {en: x}\n"), encoding="utf-8")
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 2 and "nope: not a factor, range or arm" in result.output


def test_an_existing_file_is_never_overwritten_without_force(results: Path, tmp_path: Path):
    path = tmp_path / "table.md"
    path.write_text("mine", encoding="utf-8")
    code, out, err = compare(results, "--format", "markdown", "--out", path)
    assert code == 2 and "the file exists; nothing was written (--force replaces it)" in err
    assert path.read_text(encoding="utf-8") == "mine" and out == ""
    code, _, _ = compare(results, "--format", "markdown", "--out", path, "--force")
    assert code == 0 and path.read_text(encoding="utf-8").startswith("**four workers against")


@pytest.mark.parametrize(("option", "value"), [("--lang", "fr"), ("--format", "html")])
def test_bad_choices_exit_2(results: Path, option: str, value: str):
    code, _, err = compare(results, option, value)
    assert code == 2 and f"Invalid value for '{option}'" in err and "Traceback" not in err


def test_compare_on_a_sweep_of_one_arm_says_there_is_nothing_to_compare(tmp_path: Path):
    mmc = Path(__file__).resolve().parents[2] / "scenarios" / "theory" / "mmc.yaml"
    experiment = tmp_path / "one.yaml"
    experiment.write_text(f"name: one\nbase: {mmc}\ndays: 0.2\nreplications: 2\n")
    sweep(experiment, tmp_path / "out", executor="serial")
    result = CliRunner().invoke(app, ["compare", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "one arm only (base): nothing to compare" in result.output
