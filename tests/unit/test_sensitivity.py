"""Sensitivity indices from a results folder, checked on functions with known indices: the
design is drawn, the runs are recorded as a sweep would record them, and the analysis reads
them back through the same store."""

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import yaml

from sim.sweep.sensitivity import sensitivity
from sim.sweep.spec import Experiment, runs_of
from sim.sweep.store import Store

A, B = 7.0, 0.1  # the Ishigami function's usual constants
ISHIGAMI_S1 = {"x1": 0.3139, "x2": 0.4424, "x3": 0.0}
ISHIGAMI_ST = {"x1": 0.5576, "x2": 0.4424, "x3": 0.2437}


def ishigami(point: dict[str, float]) -> float:
    x1, x2, x3 = point["x1"], point["x2"], point["x3"]
    return np.sin(x1) + A * np.sin(x2) ** 2 + B * x3**4 * np.sin(x1)


def recorded(
    folder: Path,
    spec: dict,
    output: Callable[[dict[str, float], int], float],
    skip: int = 0,
) -> Path:
    """Write the experiment and a record per run (output of its point and replication), as a
    sweep would; leave out the first `skip` runs."""
    folder.mkdir(parents=True, exist_ok=True)
    experiment = Experiment.model_validate({"name": "fn", "base": "none.yaml", **spec})
    (folder / "experiment.yaml").write_text(yaml.safe_dump(experiment.model_dump(mode="json")))
    store = Store(folder)
    for run in runs_of(experiment, folder)[skip:]:
        y = output(run.levels, run.replication)
        store.record(run, {"status": "ok", "summary": {"y": y}})
    return folder


def by_parameter(frame) -> dict:
    return frame.set_index("parameter").to_dict("index")


def within_3se(estimate: float, truth: float, half_width_95: float) -> bool:
    return abs(estimate - truth) <= 3 * half_width_95 / 1.96


ISHIGAMI_RANGES = {name: {"low": -np.pi, "high": np.pi} for name in ("x1", "x2", "x3")}


def test_sobol_indices_of_the_ishigami_function(tmp_path: Path):
    folder = recorded(
        tmp_path,
        {"ranges": ISHIGAMI_RANGES, "design": {"kind": "sobol", "samples": 1024}},
        lambda point, _r: ishigami(point),
    )
    rows = by_parameter(sensitivity(folder, ["kpi.y"]))
    assert set(rows) == {"x1", "x2", "x3"}
    for name, row in rows.items():
        assert row["method"] == "sobol" and row["points"] == 1024 * 5
        assert within_3se(row["S1"], ISHIGAMI_S1[name], row["S1_conf"]), (name, row)
        assert within_3se(row["ST"], ISHIGAMI_ST[name], row["ST_conf"]), (name, row)


def test_replication_noise_is_measured(tmp_path: Path):
    sd, replications = 2.0, 2
    noise = np.random.default_rng(5)
    folder = recorded(
        tmp_path,
        {
            "ranges": ISHIGAMI_RANGES,
            "design": {"kind": "sobol", "samples": 512},
            "replications": replications,
        },
        lambda point, _r: ishigami(point) + noise.normal(0, sd),
    )
    frame = sensitivity(folder, ["kpi.y"])
    variance = (
        A**2 / 8 + B * np.pi**4 / 5 + B**2 * np.pi**8 / 18 + 0.5
    )  # the Ishigami function's variance over the cube
    share = (sd**2 / replications) / (variance + sd**2 / replications)
    assert frame["noise"].iloc[0] == pytest.approx(share, rel=0.15)
    assert (frame["S1_rep_sd"] > 0).all() and (frame["ST_rep_sd"] > 0).all()


def test_morris_elementary_effects_of_a_linear_function(tmp_path: Path):
    ranges = {"a": {"low": 0, "high": 2}, "b": {"low": 10, "high": 20}}
    folder = recorded(
        tmp_path,
        {"ranges": ranges, "design": {"kind": "morris", "samples": 10}},
        lambda point, _r: 3 * point["a"] + 0 * point["b"],
    )
    rows = by_parameter(sensitivity(folder, ["kpi.y"]))
    # An elementary effect is the change over one step, per unit of the range's width.
    assert rows["a"]["mu_star"] == pytest.approx(3 * 2) and rows["a"]["sigma"] == pytest.approx(0)
    assert rows["b"]["mu_star"] == 0


def test_rbd_fast_on_a_latin_hypercube(tmp_path: Path):
    ranges = {"a": {"low": 0, "high": 1}, "b": {"low": 0, "high": 1}}
    folder = recorded(
        tmp_path,
        {"ranges": ranges, "design": {"kind": "lhs", "samples": 512}},
        lambda point, _r: point["a"] + 2 * point["b"],
    )
    rows = by_parameter(sensitivity(folder, ["kpi.y"]))
    assert rows["a"]["method"] == "rbd_fast"
    # additive: S1 = 1/5 and 4/5 (variances 1/12 and 4/12); RBD-FAST is biased low by
    # O(M/N), so compare within its interval plus that bias
    assert rows["a"]["S1"] == pytest.approx(0.2, abs=rows["a"]["S1_conf"] + 0.05)
    assert rows["b"]["S1"] == pytest.approx(0.8, abs=rows["b"]["S1_conf"] + 0.05)


def test_missing_runs_and_unknown_kpis_are_refused(tmp_path: Path):
    spec = {"ranges": {"a": {"low": 0, "high": 1}}, "design": {"kind": "morris", "samples": 4}}
    folder = recorded(tmp_path / "partial", spec, lambda point, _r: point["a"], skip=1)
    with pytest.raises(ValueError, match="missing or failed"):
        sensitivity(folder, ["kpi.y"])
    with pytest.raises(ValueError, match="unknown KPI"):
        sensitivity(folder, ["kpi.nope"])


def test_an_experiment_without_ranges_has_nothing_to_analyse(tmp_path: Path):
    folder = recorded(tmp_path, {}, lambda point, _r: 1.0)
    with pytest.raises(ValueError, match="no ranges"):
        sensitivity(folder, ["kpi.y"])


def test_a_sobol_design_needs_a_power_of_two():
    with pytest.raises(ValueError, match="power of 2"):
        Experiment.model_validate(
            {
                "name": "x",
                "base": "b.yaml",
                "ranges": ISHIGAMI_RANGES,
                "design": {"kind": "sobol", "samples": 100},
            }
        )


def test_second_order_sobol_indices_of_the_ishigami_function(tmp_path: Path):
    design = {"kind": "sobol", "samples": 1024, "second_order": True}
    folder = recorded(
        tmp_path, {"ranges": ISHIGAMI_RANGES, "design": design}, lambda p, _r: ishigami(p)
    )
    rows = by_parameter(sensitivity(folder, ["kpi.y"]))
    assert rows["x1"]["points"] == 1024 * (2 * 3 + 2)
    # only x1 and x3 interact: S13 = ST3 (x3 acts through x1 alone), S12 = S23 = 0
    expected = {"x1 × x2": 0.0, "x1 × x3": ISHIGAMI_ST["x3"], "x2 × x3": 0.0}
    for pair, truth in expected.items():
        assert within_3se(rows[pair]["S2"], truth, rows[pair]["S2_conf"]), (pair, rows[pair])
    for name in ("x1", "x2", "x3"):  # first-order and total indices as without pairs
        assert within_3se(rows[name]["S1"], ISHIGAMI_S1[name], rows[name]["S1_conf"])
        assert within_3se(rows[name]["ST"], ISHIGAMI_ST[name], rows[name]["ST_conf"])


def test_second_order_needs_a_sobol_design():
    with pytest.raises(ValueError, match="second_order"):
        Experiment.model_validate(
            {
                "name": "x",
                "base": "b.yaml",
                "ranges": ISHIGAMI_RANGES,
                "design": {"kind": "morris", "second_order": True},
            }
        )
