"""`gridsim sensitivity` on a real sweep: with common random numbers a parameter the KPI does
not depend on has elementary effects of exactly zero, while the work content drives the time
to close; bad folders and KPIs exit 2."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from sim.cli import app
from sim.sweep import sweep

ROOT = Path(__file__).resolve().parents[2]
EXPERIMENT = f"""
name: morris
base: {ROOT}/scenarios/theory/mmc.yaml
days: 2
replications: 2
seed: 11
ranges:
  categories.service.work.mean: {{low: 0.15, high: 0.3}}   # hours
  grid_workers.pay.monthly_yuan: {{low: 2000, high: 4000}}  # cost only
design: {{kind: morris, samples: 3}}
labels:
  grid_workers.pay.monthly_yuan: {{en: monthly pay, zh: 月薪}}
"""


@pytest.fixture(scope="module")
def results(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("morris")
    path = folder / "morris.yaml"
    path.write_text(EXPERIMENT, encoding="utf-8")
    table = sweep(path, folder / "out", executor="serial")
    assert (table["status"] == "ok").all()
    return folder / "out"


def test_effects_follow_what_the_kpi_depends_on(results: Path):
    asked = ["sensitivity", str(results), "--kpi", "time_to_close_h.mean"]
    result = CliRunner().invoke(app, asked)
    assert result.exit_code == 0, result.output
    assert "μ* (h)" in result.output and "replication noise" in result.output
    assert "service: work content, mean" in result.output  # the parameter named, not its path
    assert "│ monthly pay " in result.output  # as the experiment file labels it
    assert not (results / "sensitivity.csv").exists()  # writes nothing unless asked (--out)
    csv = CliRunner().invoke(app, [*asked, "--format", "csv"])
    frame = pd.read_csv(io.StringIO(csv.stdout)).set_index("parameter")
    work, pay = (
        frame.loc["categories.service.work.mean"],
        frame.loc["grid_workers.pay.monthly_yuan"],
    )
    assert work["mu_star"] > 0 and work["mu"] > 0  # longer work, longer waits
    assert pay["mu_star"] == 0 and pay["sigma"] == 0  # same seeds: identical queues


def test_indices_in_markdown_latex_and_chinese_and_never_over_a_file(results: Path, tmp_path: Path):
    runner = CliRunner()
    asked = ["sensitivity", str(results), "--kpi", "time_to_close_h.mean"]
    markdown = runner.invoke(app, [*asked, "--format", "markdown"]).stdout
    assert "| parameter | μ* (h) | 95 % CI | sd over reps |" in markdown
    assert "| monthly pay | 0.00 | [0.00, 0.00] | 0.00 |" in markdown
    assert "9 points × 2 replications; replication noise: " in markdown
    latex = runner.invoke(app, [*asked, "--format", "latex"]).stdout
    assert r"\begin{tabular}{lrrr}" in latex and r"95 \% CI" in latex
    chinese = runner.invoke(app, [*asked, "--lang", "zh"]).stdout
    assert "办结时长均值（已办结）（小时）" in chinese and "│ 月薪 " in chinese
    assert "重复间标准差" in chinese
    path = tmp_path / "indices.tex"
    path.write_text("mine", encoding="utf-8")
    refused = runner.invoke(app, [*asked, "--format", "latex", "--out", str(path)])
    assert refused.exit_code == 2 and path.read_text(encoding="utf-8") == "mine"
    forced = runner.invoke(app, [*asked, "--format", "latex", "--out", str(path), "--force"])
    assert forced.exit_code == 0 and path.read_text(encoding="utf-8") == latex


def test_bad_folders_and_kpis_exit_2(results: Path, tmp_path: Path):
    runner = CliRunner()
    not_sweep = runner.invoke(app, ["sensitivity", str(tmp_path)])
    assert not_sweep.exit_code == 2 and "experiment.yaml" in not_sweep.output
    unknown = runner.invoke(app, ["sensitivity", str(results), "--kpi", "nope"])
    assert unknown.exit_code == 2 and "unknown KPI" in unknown.output
    assert "Traceback" not in unknown.output
