"""Faults on Dask: a worker process killed with SIGKILL while it executes a run. The scheduler
runs it again on another worker, every run is recorded once, and the numbers equal a serial
sweep's."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from distributed import Client, LocalCluster

from sim.sweep import load_experiment, sweep
from sim.sweep.spec import runs_of, scenario_digests
from sim.sweep.store import Store

ROOT = Path(__file__).resolve().parents[2]
EXPERIMENT = f"""
name: dask-kill
base: {ROOT}/scenarios/baseline.yaml
days: 60
replications: 4
seed: 11
"""


def kill_a_worker_mid_run(client: Client, killed: dict[str, Any]) -> None:
    """Wait until a worker executes a run, then SIGKILL that worker's process; note its pid and
    the run's key in `killed`."""

    def executing(dask_worker) -> tuple[int, list[str]]:  # runs on each worker
        return os.getpid(), [str(task.key) for task in dask_worker.state.executing]

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        for pid, keys in client.run(executing).values():
            runs = [key for key in keys if key.startswith("run-")]
            if runs:
                os.kill(pid, signal.SIGKILL)
                killed.update(pid=pid, key=runs[0])
                return
        time.sleep(0.02)


@pytest.mark.slow
def test_worker_killed_mid_run_is_retried_and_matches_serial(tmp_path: Path):
    experiment = tmp_path / "kill.yaml"
    experiment.write_text(EXPERIMENT, encoding="utf-8")
    run_ids = sorted(r.run_id for r in runs_of(load_experiment(experiment), tmp_path))
    serial = sweep(experiment, tmp_path / "serial", executor="serial")
    out = tmp_path / "dask"
    # what a writer killed mid-write in an earlier attempt leaves: a staging folder beside the
    # run folder, in a results folder already holding this experiment
    spec = load_experiment(experiment)
    Store(out).claim(spec, scenario_digests(spec, tmp_path))
    leftover = out / "runs" / f".{run_ids[0]}.partial"
    leftover.mkdir(parents=True)
    (leftover / "summary.json").write_text("{", encoding="utf-8")

    done: list[str] = []
    killed: dict[str, Any] = {}
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        killer = threading.Thread(target=kill_a_worker_mid_run, args=(client, killed))
        killer.start()
        table = sweep(
            experiment,
            out,
            executor="dask",
            scheduler=cluster.scheduler_address,
            on_done=lambda spec, _: done.append(spec.run_id),
        )
        killer.join()
        lost = client.run_on_scheduler(
            lambda dask_scheduler: dask_scheduler.task_prefixes["run"].suspicious
        )

    # the kill happened while a run executed, and the scheduler saw that run die with it
    assert killed and killed["key"].startswith("run-") and lost >= 1
    # every run recorded "ok", exactly once, with a complete run folder
    assert sorted(done) == run_ids
    assert sorted(table["run_id"]) == run_ids and (table["status"] == "ok").all()
    assert sorted(p.stem for p in (out / "runs").glob("*.json")) == run_ids
    assert all((out / "runs" / run_id / "manifest.json").is_file() for run_id in run_ids)
    # and the numbers are the serial sweep's
    kpis = ["run_id", "seed", *sorted(c for c in serial.columns if c.startswith("kpi."))]
    assert len(kpis) > 20
    assert (
        serial[kpis]
        .sort_values("run_id", ignore_index=True)
        .equals(table[kpis].sort_values("run_id", ignore_index=True))
    )


def test_a_relative_results_folder_means_the_callers(tmp_path: Path, monkeypatch):
    """Workers started elsewhere (here: in another working directory) write the run folders
    where the caller meant, next to the records."""
    experiment = tmp_path / "kill.yaml"
    experiment.write_text(EXPERIMENT.replace("replications: 4", "replications: 2"), "utf-8")
    workers_home, caller_home = tmp_path / "workers", tmp_path / "caller"
    workers_home.mkdir()
    caller_home.mkdir()
    monkeypatch.chdir(workers_home)
    with (
        LocalCluster(n_workers=1, threads_per_worker=1, dashboard_address=None) as cluster,
        Client(cluster),
    ):
        monkeypatch.chdir(caller_home)
        table = sweep(experiment, "results", executor="dask", scheduler=cluster.scheduler_address)
    assert (table["status"] == "ok").all() and len(table) == 2
    for run_id in table["run_id"]:
        assert (caller_home / "results" / "runs" / run_id / "manifest.json").is_file()
    assert not (workers_home / "results").exists()
