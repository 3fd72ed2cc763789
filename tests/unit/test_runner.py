"""The runner: garbage collection is off during a run (a simulation makes no reference cycles, so
nothing waits for a collection to be freed) and the collector's state is restored after; a run
reports its progress once a simulated day, its simulated time increasing to the horizon, and
reporting changes nothing in the run; its tables are written as they are, times in byte streams."""

from __future__ import annotations

import gc
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import sim
from sim.model import GridModel
from sim.runner import (
    RUN_GC_THRESHOLDS,
    fewer_collections,
    result_of,
    scenario_as_run,
    write_table,
)

from cycle_parts import left_in_cycles

ROOT = Path(__file__).resolve().parents[2]


def test_collections_are_off_during_a_run_and_restored_after():
    assert RUN_GC_THRESHOLDS is None
    before, enabled = gc.get_threshold(), gc.isenabled()
    with fewer_collections():
        assert not gc.isenabled()
        with fewer_collections():  # nested (result_of within run): still off, then still off
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert (gc.get_threshold(), gc.isenabled()) == (before, enabled)
    with pytest.raises(RuntimeError), fewer_collections():
        raise RuntimeError("a run that fails")
    assert (gc.get_threshold(), gc.isenabled()) == (before, enabled)
    sim.run(ROOT / "scenarios/theory/mmc.yaml", seed=1, days=0.5)
    assert (gc.get_threshold(), gc.isenabled()) == (before, enabled)


def test_progress_is_reported_each_simulated_day_up_to_the_horizon():
    reports: list[tuple[float, float]] = []
    scenario = ROOT / "scenarios/theory/mmc.yaml"
    watched = sim.run(scenario, seed=3, days=3.5, progress=lambda *now: reports.append(now))
    times = [now for now, _ in reports]
    assert times == sorted(set(times)) and times[-1] == 84.0  # increasing, to the horizon
    assert {horizon for _, horizon in reports} == {84.0}
    assert len(times) == 4 and all(t >= 24 * (i + 1) for i, t in enumerate(times[:3]))
    plain = sim.run(scenario, seed=3, days=3.5)
    assert watched.cases.equals(plain.cases)


def test_ticks_end_at_whole_multiples_of_the_tick_and_the_last_at_the_horizon():
    """Tick k ends at k × tick, not at the ticks added up: 30,000 ticks of 0.024 h (not a
    binary fraction) drifted 3e-11 h from their multiples, and the growth test then refused
    the time series as unequally spaced (an internal error at the end of the run)."""
    scenario = sim.load_scenario(
        ROOT / "scenarios/theory/mmc.yaml", ["run.tick=0.024h", "run.days=30"]
    )
    result = sim.run(scenario, seed=1)
    ends = np.unique(result.timeseries["t_h"].to_numpy())
    assert len(ends) == 30_000 and ends[-1] == 720.0
    np.testing.assert_array_equal(ends[:-1], np.arange(1, 30_000) * 0.024)
    assert "growth" in result.summary["steady_state"]


@pytest.mark.parametrize(
    ("path", "days"),
    [
        ("scenarios/baseline.yaml", 10),  # patrol, revisits, forms, departments, the loop
        ("scenarios/epidemic_14d.yaml", 8),  # an incident, its tasks, a plan, overtime limits
        ("scenarios/turnover_channels.yaml", 20),  # members leaving (interrupts), channels
        ("scenarios/grid_meetings.yaml", 7),  # meetings (waits on the first of two events)
    ],
)
def test_a_simulation_makes_no_reference_cycles(path, days):
    """With collection off during runs, garbage in reference cycles would pile up until the run
    ends: there must be none (the model itself, alive, is not garbage), nor once the model has
    let go of its open cases, waiting jobs and pending events (`release_cases`)."""
    model = GridModel(scenario_as_run(sim.load_scenario(ROOT / path), days), seed=3)
    _, garbage = left_in_cycles(lambda: (model.run_model(), model.release_cases()))
    ours = [o for o in garbage if type(o).__module__.split(".")[0] in ("sim", "simpy")]
    assert not ours, f"{len(ours)} objects in reference cycles, e.g. {ours[:3]}"


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o755), (0o077, 0o700), (0o002, 0o775)])
def test_a_run_folder_has_the_mode_the_umask_gives(tmp_path: Path, umask: int, mode: int):
    import os

    result = sim.run(ROOT / "scenarios/theory/mmc.yaml", seed=1, days=0.2)
    before = os.umask(umask)
    try:
        out = result.write(tmp_path / "run")
    finally:
        os.umask(before)
    assert out.stat().st_mode & 0o777 == mode


def test_the_working_folder_is_never_replaced(tmp_path: Path, monkeypatch):
    """`--out .` (or a folder holding the working one) is refused, nothing left behind."""
    result = sim.run(ROOT / "scenarios/theory/mmc.yaml", seed=1, days=0.2)
    inside = tmp_path / "work"
    inside.mkdir()
    monkeypatch.chdir(inside)
    for out in (Path("."), Path(".."), inside):
        with pytest.raises(FileExistsError, match="working folder"):
            result.write(out)
    assert list(inside.iterdir()) == [] and sorted(p.name for p in tmp_path.iterdir()) == ["work"]


def test_records_released_into_the_tables_give_the_same_tables():
    """`sim.run` lets the run records go as they move into the tables (nothing uses the model
    afterwards); the tables are those of a model that keeps them, and a released field cannot
    be read again (it would come back empty)."""
    scenario = scenario_as_run(sim.load_scenario(ROOT / "scenarios/baseline.yaml"), 5)
    started = datetime.now(UTC)
    kept, moved = (GridModel(scenario, seed=4) for _ in range(2))
    for model in (kept, moved):
        model.run_model()
    with_records = result_of(kept, started, 0.0)
    released = result_of(moved, started, 0.0, release=True)
    pd.testing.assert_frame_equal(with_records.cases, released.cases)
    pd.testing.assert_frame_equal(with_records.jobs, released.jobs)
    assert with_records.summary == released.summary
    assert len(kept.metrics.records.column("case_id")) > 0
    with pytest.raises(RuntimeError, match="released"):
        moved.metrics.records.column("case_id")


def test_closed_h_is_a_column_of_its_own():
    """`closed_h` equals `archived_h` but does not share its memory: setting one in place
    leaves the other as it was."""
    cases = sim.run(sim.load_scenario("scenarios/theory/mmc.yaml"), seed=2, days=1).cases
    before = cases["closed_h"].copy()
    cases.loc[cases.index[:3], "archived_h"] = -1.0
    pd.testing.assert_series_equal(cases["closed_h"], before)


def test_tables_are_written_as_they_are_spread_floats_in_byte_streams(tmp_path: Path):
    """Every value reads back as written (NaN, categories, strings); a floating-point column of
    values that seldom repeat is split into byte streams, one of few values keeps its
    dictionary, as do the other columns."""
    import pyarrow.parquet as pq

    rng = np.random.default_rng(1)
    n = 10_000
    spread = rng.exponential(5.0, n)
    spread[::7] = np.nan
    table = pd.DataFrame(
        {
            "created_h": spread,
            "arrivals": rng.integers(0, 3, n).astype(float),
            "case_id": np.arange(n),
            "grid": pd.Categorical(rng.choice(["g01", "g02"], n)),
            "name": rng.choice(["a", "b"], n),
        }
    )
    path = tmp_path / "table.parquet"
    write_table(table, path)
    pd.testing.assert_frame_equal(pd.read_parquet(path), table)
    columns = pq.ParquetFile(path).metadata.row_group(0)
    encodings = {
        columns.column(j).path_in_schema: set(columns.column(j).encodings)
        for j in range(columns.num_columns)
    }
    assert "BYTE_STREAM_SPLIT" in encodings["created_h"]
    assert not encodings["created_h"] & {"RLE_DICTIONARY", "PLAIN_DICTIONARY"}
    for name in ("arrivals", "case_id", "grid", "name"):
        assert "RLE_DICTIONARY" in encodings[name] and "BYTE_STREAM_SPLIT" not in encodings[name]
    empty = tmp_path / "empty.parquet"
    write_table(table.iloc[:0], empty)
    back = pd.read_parquet(empty)  # an empty table: no rows to look at, dictionaries kept
    assert len(back) == 0 and list(back.columns) == list(table.columns)
