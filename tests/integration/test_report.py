"""`gridsim report` on a small run folder and a small sweep, in English and Chinese: one
self-contained HTML file naming the scenario, the seed and every KPI it shows; an executive
summary of at most five sentences whose numbers are those of `paired_comparisons`; the
scenario's values with the docs/sources.md ids their comments cite; each chart as a PNG at
slide resolution and each table as CSV beside it; an existing report left alone without
--force; a folder that is neither a run nor a sweep refused with exit 2, nothing written."""

from __future__ import annotations

import os
import re
import struct
from collections.abc import Iterator
from html import unescape
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

import sim
from sim.cli import app
from sim.report import write_report
from sim.report.summary import ARM_KPIS_CALM, MAX_SENTENCES
from sim.sweep import load_results, sweep
from sim.sweep.compare import paired_comparisons
from sim.terms import difference_shown, difference_unit, kpi_kind, kpi_name

#: Two grids of 50 households, one worker each on duty round the clock, flat requests: ten days.
#: Comments cite docs/sources.md as the shipped scenarios do.
SCENARIO = """\
name: report-test
run:
  days: 6
  tick: 24h
  warmup: 0h
world:
  households: {floating: 0, rental: 0, group_rental: 0, shop: 0, elderly: 0, vulnerable: 0}
  streets:
    - id: s
      communities:
        - id: c
          grids: 2                    # article #5 (A18): grids of a community
          households_per_grid: 50     # assumption
categories:
  service: {work: 40min, priority: 1, deadline: 1d}
grid_workers:
  per_grid: 1                         # article #2/#5 (A15, A18): one full-time worker per grid
  shift: {start: "00:00", end: "00:00", days: [mon, tue, wed, thu, fri, sat, sun]}
  patrol: {enabled: false}
  pay: {monthly_yuan: 2000}           # assumption: between A42 and A43
sources:
  resident:
    rate_per_household: 0.02/h        # P1 scaled up: assumption
    multipliers: {}
    hourly_profile: [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]
    weekend_factor: 1
    mix: {service: 1}
loop: {feedback: {handler: none}, rating_delay: 0h, publicity_delay: 0h, archive_delay: 0h}
"""
EXPERIMENT = """\
name: report-sweep
base: ../scenarios/report_test.yaml
replications: 3
seed: 11
arms:
  one: {}
  two: {set: [grid_workers.per_grid=2]}   # assumption: a second worker per grid
"""
CJK = re.compile(r"[\u3400-\u9fff]")


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A folder laid out like a checkout (scenarios/, experiments/, runs/), made the working
    directory, with a run folder (runs/one) and a sweep (runs/sweep) run serially."""
    root = tmp_path_factory.mktemp("project")
    (root / "scenarios").mkdir()
    (root / "experiments").mkdir()
    (root / "scenarios" / "report_test.yaml").write_text(SCENARIO, encoding="utf-8")
    (root / "experiments" / "report_sweep.yaml").write_text(EXPERIMENT, encoding="utf-8")
    before = Path.cwd()
    os.chdir(root)
    try:
        scenario = sim.load_scenario("scenarios/report_test.yaml")
        sim.run(scenario, seed=5).write("runs/one")
        sweep("experiments/report_sweep.yaml", "runs/sweep", executor="serial")
        yield root
    finally:
        os.chdir(before)


@pytest.fixture(scope="module")
def reports(project: Path) -> dict[tuple[str, str], Path]:
    """The report of the run folder and of the sweep, in each language."""
    out = {}
    for kind in ("one", "sweep"):
        for lang in ("en", "zh"):
            out[kind, lang] = write_report(
                project / "runs" / kind, project / "reports" / f"{kind}-{lang}.html", lang
            )
    return out


def text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def section(html: str, key: str) -> str:
    return re.search(rf'<section id="{key}">(.*?)</section>', html, re.S).group(1)


def sentences(html: str) -> list[str]:
    return [unescape(s) for s in re.findall(r"<p>(.*?)</p>", section(html, "summary"), re.S)]


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


@pytest.mark.parametrize("kind", ["one", "sweep"])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_report_is_self_contained_and_names_scenario_seed_and_kpis(
    reports: dict, project: Path, kind: str, lang: str
):
    path = reports[kind, lang]
    html = text(path)
    assert 'src="http' not in html and "<link" not in html and "<script" not in html
    images = re.findall(r'<img src="([^"]+)"', html)
    assert images and all(src.startswith("data:image/png;base64,") for src in images)
    assert "report-test" in html  # the scenario
    seed_word = "随机种子" if lang == "zh" else "seed"
    assert seed_word in html
    if kind == "one":
        assert re.search(rf"{seed_word}: 5\b", unescape(html))
        shown = pd.read_csv(path.with_name(f"{path.stem}_files") / "kpis.csv")
    else:
        assert "report-sweep" in html and "11" in section(html, "provenance")
        for seed in {
            r.seed for rs in sim.sweep.load_runs(project / "runs" / kind).values() for r in rs
        }:
            assert str(seed) in html
        shown = pd.read_csv(path.with_name(f"{path.stem}_files") / "comparisons.csv")
    for kpi in shown["kpi"]:
        path_of = kpi.removeprefix("kpi.")
        assert path_of in html, kpi
        assert kpi_name(path_of, lang) in unescape(html), kpi
    if lang == "zh":
        assert CJK.search(section(html, "summary"))
        assert '<html lang="zh-CN">' in html


@pytest.mark.parametrize("kind", ["one", "sweep"])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_summary_has_at_most_five_sentences(reports: dict, kind: str, lang: str):
    said = sentences(text(reports[kind, lang]))
    assert 2 <= len(said) <= MAX_SENTENCES
    end = "。" if lang == "zh" else "."
    assert all(s.endswith(end) for s in said)
    files = reports[kind, lang].with_name(f"{reports[kind, lang].stem}_files")
    assert (files / "summary.txt").read_text(encoding="utf-8").splitlines() == said


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_summary_states_the_paired_differences_of_paired_comparisons(
    reports: dict, project: Path, lang: str
):
    said = sentences(text(reports["sweep", lang]))
    assert said[1].startswith("two against one" if lang == "en" else "two对比one")
    arm = " ".join(said[1:])
    table = load_results(project / "runs" / "sweep")
    kpis = [f"kpi.{k}" for k in ARM_KPIS_CALM]
    compared = paired_comparisons(table, "arm", ["one", "two"], kpis)
    significant = 0
    for row in compared.to_dict("records"):
        kind = kpi_kind(row["kpi"])
        name = kpi_name(row["kpi"].removeprefix("kpi."), lang)
        assert name in arm
        low, high = (difference_shown(row[k], kind, lang) for k in ("ci_low", "ci_high"))
        stated = f"{difference_shown(row['diff'], kind, lang)}"
        if row["ci_low"] > 0 or row["ci_high"] < 0:
            significant += 1
            unit = difference_unit(kind, lang)
            if lang == "en":
                assert f"{stated} {unit} [{low}, {high}]" in arm, (row["kpi"], arm)
            else:
                assert f"{stated}{unit}［{low}, {high}］" in arm, (row["kpi"], arm)
        else:
            clause = "no significant difference in" if lang == "en" else "无显著差异"
            assert clause in arm and f"[{low}, {high}]" not in arm
    assert significant >= 2  # a second worker per grid: sooner and dearer


def test_the_run_summary_takes_its_numbers_from_the_run(reports: dict, project: Path):
    summary = sim.load_run(project / "runs" / "one").summary
    said = " ".join(sentences(text(reports["one", "en"])))
    assert f"{summary['cases_created']} residents' requests" in said
    assert f"{summary['cases_closed']} were closed" in said
    assert f"{100 * summary['on_time_rate']:.1f} % were reported back on time" in said
    assert f"within {summary['time_to_close_h']['km_p50']:.1f} h" in said


def test_charts_and_tables_are_written_beside_the_report(reports: dict):
    for (kind, _), path in reports.items():
        files = path.with_name(f"{path.stem}_files")
        charts = sorted(files.glob("*.png"))
        assert {p.stem for p in charts} >= {"backlog", "response", "time_budget"}
        assert all(png_size(p) == (1920, 1080) for p in charts)
        tables = {p.stem for p in files.glob("*.csv")}
        assert "assumptions" in tables
        assert tables >= ({"kpis"} if kind == "one" else {"comparisons", "means", "runs", "varied"})
        html = text(path)
        assert all(f"{files.name}/{p.name}" in html for p in charts)
        assert len(re.findall(r"<figcaption>", html)) == len(charts)


def test_the_assumptions_cite_their_sources(reports: dict):
    html = unescape(text(reports["one", "en"]))
    part = section(html, "assumptions")
    assert "world.streets.0.communities.0.grids" in part
    assert "A18" in part and "北焦化社区" in part  # the id and its text from docs/sources.md
    assert "scenarios/report_test.yaml:12" in part  # where the value is set
    table = pd.read_csv(reports["one", "en"].with_name("one-en_files") / "assumptions.csv")
    status = dict(zip(table["setting"], table["status"], strict=True))
    assert status["world.streets.0.communities.0.grids"] == "sourced"
    assert status["world.streets.0.communities.0.households_per_grid"] == "assumption"
    assert status["sources.resident.rate_per_household"] == "informed"
    assert status["grid_workers.shift"] == "unsourced"
    sweep_html = unescape(text(reports["sweep", "en"]))
    row = "<code>grid_workers.per_grid</code></td><td>1</td><td>two: 2</td>"  # the value that ran
    assert row in section(sweep_html, "assumptions")
    assert "a second worker per grid" in section(sweep_html, "varied")


def test_the_provenance_gives_the_commands(reports: dict):
    run = unescape(section(text(reports["one", "en"]), "provenance"))
    assert "gridsim run scenarios/report_test.yaml --seed 5 --out runs/one" in run
    assert "gridsim report runs/one --out reports/one-en.html --lang en" in run
    swept = unescape(section(text(reports["sweep", "zh"]), "provenance"))
    assert "gridsim sweep experiments/report_sweep.yaml --out runs/sweep" in swept
    assert sim.__name__ and "gridsim" in swept


def test_an_existing_report_is_kept_unless_forced(project: Path, reports: dict):
    target = reports["one", "en"]
    before = text(target)
    runner = CliRunner()
    result = runner.invoke(app, ["report", "runs/one", "--out", str(target)])
    assert result.exit_code == 2 and "--force" in result.output
    assert text(target) == before
    files = target.with_name(f"{target.stem}_files")
    (files / "stale.png").write_bytes(b"")
    result = runner.invoke(app, ["report", "runs/one", "--out", str(target), "--force"])
    assert result.exit_code == 0, result.output
    assert not (files / "stale.png").exists() and (files / "backlog.png").is_file()


@pytest.mark.parametrize("folder", ["runs/none", "scenarios", "scenarios/report_test.yaml"])
def test_a_folder_that_is_not_a_run_or_a_sweep_exits_2_writing_nothing(project: Path, folder: str):
    out = project / "reports" / "bad.html"
    result = CliRunner().invoke(app, ["report", folder, "--out", str(out)])
    assert result.exit_code == 2
    assert "nothing was written" in result.output
    assert not out.exists() and not out.with_name("bad_files").exists()
    assert not list((project / "reports").glob(".bad.*"))


@pytest.mark.parametrize(
    ("lang", "start"),
    [("en", "two workers against one worker"), ("zh", "两名网格员对比一名网格员")],
)
def test_arms_are_named_as_the_experiment_labels_them(project: Path, lang: str, start: str):
    """`labels:` in the experiment names the arms in the summary, the tables and the charts."""
    import shutil

    labelled = project / "runs" / f"labelled-{lang}"
    shutil.copytree(project / "runs" / "sweep", labelled)
    experiment = labelled / "experiment.yaml"
    experiment.write_text(
        experiment.read_text(encoding="utf-8")
        + "labels:\n  one: {en: one worker, zh: 一名网格员}\n"
        + "  two: {en: two workers, zh: 两名网格员}\n",
        encoding="utf-8",
    )
    report = write_report(labelled, project / "reports" / f"labelled-{lang}.html", lang)
    html = text(report)
    assert sentences(html)[1].startswith(start)
    assert "one worker" in html if lang == "en" else "一名网格员" in html
