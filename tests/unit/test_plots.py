"""The charts of sim.plots, in English and Chinese, on a small run with an incident and a plan and
on two small sweeps run in-process (arms × a factor × replications; a Morris design over two
ranges); reading a run folder back (`sim.load_run`) and a sweep's runs (`sim.sweep.load_runs`)."""

from __future__ import annotations

import json
import re
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

import sim
from sim.config.loader import merge_mappings
from sim.metrics.censoring import km_quantiles
from sim.plots import (
    PRINT_DPI,
    backlog_chart,
    cjk_family,
    difference_chart,
    frontier_chart,
    grid_map_chart,
    offered_load_chart,
    response_time_chart,
    save,
    sensitivity_chart,
    time_budget_chart,
)
from sim.plots.runs import censored_times, spans
from sim.sweep import load_results, load_runs, sensitivity, sweep
from sim.sweep.compare import paired_comparisons

from drill_parts import SCENARIO as DRILL_SCENARIO

#: The drill tests' four grids with a gas leak at 24 h for 12 h (demand × 3, a check of every
#: household every 6 h) and a plan it fires: emergency mode and the standby cadres, standing
#: down 12 h later into 12 h of recovery.
SCENARIO: dict = merge_mappings(
    DRILL_SCENARIO,
    {
        "name": "plots-test",
        "run": {"days": 3, "warmup": "0h"},
        "incidents": {
            "leak": {
                "kind": "gas_leak",
                "label_zh": "燃气泄漏",
                "onset": "24h",
                "duration": "12h",
                "demand": {"resident": 3.0},
                "tasks": [{"category": "check", "every_household": "6h"}],
            }
        },
        "plans": {
            "call": {
                "triggers": [{"incident": "leak"}],
                "actions": [{"set_mode": "emergency"}, {"mobilise": "cadres"}],
                "stand_down": {"after": "12h", "recovery": "12h"},
            }
        },
    },
)
RATE = "sources.resident.rate_per_household"
KPIS = ["kpi.time_to_close_h.mean", "kpi.on_time_rate", "kpi.cost_yuan"]
CJK = re.compile(r"[\u3400-\u9fff\uff00-\uffef]")


@pytest.fixture(scope="module")
def result() -> sim.Result:
    return sim.run(sim.scenario_from_dict(SCENARIO), seed=3)


@pytest.fixture(scope="module")
def study(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two arms (the plan, none) × two demand levels × 3 replications, run serially."""
    folder = tmp_path_factory.mktemp("study")
    (folder / "scenario.yaml").write_text(yaml.safe_dump(SCENARIO, allow_unicode=True))
    experiment = {
        "name": "plots-arms",
        "base": "scenario.yaml",
        "replications": 3,
        "seed": 5,
        "arms": {"plan": {}, "no_plan": {"set": ["plans={}", "teams={}"]}},
        "factors": {RATE: ["0.01/h", "0.3/day"]},
    }
    (folder / "arms.yaml").write_text(yaml.safe_dump(experiment, sort_keys=False))
    sweep(folder / "arms.yaml", folder / "arms", executor="serial")
    return folder / "arms"


@pytest.fixture(scope="module")
def ranges(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A Morris design over two ranges (6 points), one replication each, run serially."""
    folder = tmp_path_factory.mktemp("ranges")
    (folder / "scenario.yaml").write_text(yaml.safe_dump(SCENARIO, allow_unicode=True))
    experiment = {
        "name": "plots-ranges",
        "base": "scenario.yaml",
        "seed": 5,
        "ranges": {
            RATE: {"low": "0.1/day", "high": "0.3/day"},
            "categories.urgent.work": {"low": "10min", "high": "40min"},
        },
        "design": {"kind": "morris", "samples": 2},
    }
    (folder / "ranges.yaml").write_text(yaml.safe_dump(experiment, sort_keys=False))
    sweep(folder / "ranges.yaml", folder / "ranges", executor="serial")
    return folder / "ranges"


# -- loading ------------------------------------------------------------------------------


def test_load_run_round_trips_result_write(result: sim.Result, tmp_path: Path):
    loaded = sim.load_run(result.write(tmp_path / "run"))
    assert loaded.seed == result.seed == 3
    assert loaded.scenario.model_dump() == result.scenario.model_dump()
    assert json.dumps(loaded.summary, sort_keys=True) == json.dumps(result.summary, sort_keys=True)
    assert loaded.manifest == result.manifest
    for name in ("cases", "jobs", "timeseries", "workers", "events"):
        pd.testing.assert_frame_equal(getattr(loaded, name), getattr(result, name), obj=name)


def test_load_run_refuses_a_folder_without_a_run(tmp_path: Path):
    with pytest.raises(FileNotFoundError, match=r"summary\.json"):
        sim.load_run(tmp_path)


def test_load_results_parses_factor_values_for_axes(study: Path):
    assert set(load_results(study)[f"factor.{RATE}"]) == {"0.01/h", "0.3/day"}
    numbers = load_results(study, numeric=True)[f"factor.{RATE}"]
    assert numbers.dtype == float
    assert sorted(set(numbers)) == pytest.approx([0.01, 0.3 / 24])  # per hour


def test_load_runs_groups_results_by_arm_and_level(study: Path):
    groups = load_runs(study)
    assert list(groups) == [
        "plan (rate_per_household=0.01/h)",
        "plan (rate_per_household=0.3/day)",
        "no_plan (rate_per_household=0.01/h)",
        "no_plan (rate_per_household=0.3/day)",
    ]
    chosen = load_runs(study, factors={RATE: 0.3 / 24})  # a number matches "0.3/day"
    assert list(chosen) == ["plan", "no_plan"]
    assert [r.seed for r in chosen["plan"]] == [r.seed for r in chosen["no_plan"]]  # CRN
    assert all(len(results) == 3 for results in chosen.values())


# -- what the charts read -----------------------------------------------------------------


def test_mode_spans_from_the_event_log_and_the_hourly_mode_agree(result: sim.Result):
    expected = [
        (0.0, 24.0, "peacetime"),
        (24.0, 36.0, "emergency"),
        (36.0, 48.0, "recovery"),
        (48.0, 72.0, "peacetime"),
    ]
    assert spans(result) == expected
    # without the log, from the hourly mode: the same modes, each change within its hour
    hourly = spans(sim.Result(**{**vars(result), "events": result.events.iloc[0:0]}))
    assert [mode for *_, mode in hourly] == [mode for *_, mode in expected]
    assert np.abs(np.array([s[:2] for s in hourly]) - [s[:2] for s in expected]).max() <= 1.0


def test_response_times_count_open_cases_as_censored_as_the_kpis_do(result: sim.Result):
    hours, reached = censored_times([result], "close")
    loop = result.cases[result.cases["kind"].isin(["request", "patrol"])]
    assert len(hours) == len(loop) == result.summary["time_to_close_h"]["n"]
    assert (~reached).sum() == (loop["status"] != "closed").sum()
    for milestone, kpi in (("close", "time_to_close_h"), ("first_response", "first_response_h")):
        quantiles = km_quantiles(*censored_times([result], milestone), (0.5, 0.9))
        assert [quantiles[0.5], quantiles[0.9]] == [
            result.summary[kpi]["km_p50"],
            result.summary[kpi]["km_p90"],
        ]


# -- every chart, in both languages ---------------------------------------------------------


def _charts() -> dict[str, Callable]:
    """Each chart, built from the fixtures named in its arguments."""
    level = {RATE: "0.01/h"}
    return {
        "backlog": lambda result, study, ranges, lang: backlog_chart(result, lang, tasks=True),
        "backlog_arms": lambda result, study, ranges, lang: backlog_chart(
            load_runs(study, factors=level), lang
        ),
        "response": lambda result, study, ranges, lang: response_time_chart(
            load_runs(study, factors=level), lang
        ),
        "differences": lambda result, study, ranges, lang: difference_chart(
            paired_comparisons(load_results(study), "arm", ["plan", "no_plan"], KPIS), lang
        ),
        "budget": lambda result, study, ranges, lang: time_budget_chart(
            load_runs(study, factors=level), lang
        ),
        "map": lambda result, study, ranges, lang: grid_map_chart([result], "backlog", lang),
        "map_workload": lambda result, study, ranges, lang: grid_map_chart(
            load_runs(study, factors=level), "workload", lang
        ),
        "map_difficulty": lambda result, study, ranges, lang: grid_map_chart(
            result, "difficulty", lang
        ),
        "sensitivity": lambda result, study, ranges, lang: sensitivity_chart(
            sensitivity(ranges, KPIS[:2]), lang
        ),
        "frontier": lambda result, study, ranges, lang: frontier_chart(load_results(study), lang),
        "offered_load": lambda result, study, ranges, lang: offered_load_chart(result, lang),
    }


def _labels(figure) -> list[str]:
    """The figure's title and every axis label it shows."""
    texts = [figure.get_suptitle()]
    for axis in figure.axes:
        if axis.get_visible():
            texts += [axis.get_xlabel(), axis.get_ylabel()]
    return [text for text in texts if text]


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("chart", list(_charts()))
def test_every_chart_draws_in_the_language_asked(chart, lang, result, study, ranges):
    if lang == "zh" and cjk_family() is None:
        pytest.skip("no CJK font found (install fonts-noto-cjk): Chinese charts not checked")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        figure = _charts()[chart](result, study, ranges, lang)
        figure.canvas.draw()
    assert not [w for w in caught if "missing from font" in str(w.message)]  # no boxes
    pixels = np.asarray(figure.canvas.buffer_rgba())[..., :3].astype(float)
    assert pixels.std() > 10  # not blank
    assert (pixels.min(axis=-1) < 200).mean() > 0.01  # ink on more than 1 % of the image
    labels = _labels(figure)
    assert figure.get_suptitle() and len(labels) >= 2
    for text in labels:
        assert bool(CJK.search(text)) == (lang == "zh"), text


def test_chinese_falls_back_to_english_without_a_cjk_font(result, monkeypatch):
    monkeypatch.setattr("sim.plots.fonts.cjk_family", lambda: None)
    with pytest.warns(UserWarning, match="no CJK font found"):
        figure = offered_load_chart(result, "zh")
    assert not any(CJK.search(text) for text in _labels(figure))


def test_save_writes_slides_at_1920_by_1080_and_print_at_300_dpi(result, tmp_path: Path):
    from matplotlib.image import imread

    figure = offered_load_chart(result)
    assert imread(save(figure, tmp_path / "slide.png")).shape[:2] == (1080, 1920)
    figure.set_size_inches(4, 3)
    assert imread(save(figure, tmp_path / "print.png", dpi=PRINT_DPI)).shape[:2] == (900, 1200)


def test_a_notebook_shows_a_chart_without_pyplot(result):
    """IPython shows an object through `_repr_png_` when no formatter is set up for it."""
    from io import BytesIO

    from matplotlib.image import imread

    png = offered_load_chart(result)._repr_png_()
    assert png.startswith(b"\x89PNG") and imread(BytesIO(png)).shape[:2] == (720, 1280)
