"""Soak: does memory stay flat over a long run and over many runs?

1. A 365-day run of the baseline, its resident set size (RSS) sampled every simulated week.
   A run keeps its records (every closed case, every job execution, a row of the time series
   per hour) until its tables are made, so its memory grows by those records and should grow
   by nothing else: the slope after the warm-up is compared with the records' own growth.
2. A 200-run sweep of short baseline runs, serial (every run in this process: what Mesa 3.3
   keeps of a finished model would pile up here) and with two worker processes (the workers'
   and this process's RSS), sampled after every run. Nothing should grow from run to run.

Memory is called flat when the straight line fitted after the warm-up grows by less than
FLAT_SHARE of the RSS at the end of the warm-up over the whole span measured.

Run: `python experiments/bench/soak.py [--days 365] [--runs 200] [--run-days 7]`
(about 10 minutes on the 2-core development machine).
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import psutil

from sim import load_scenario
from sim.model import GridModel
from sim.runner import fewer_collections, scenario_as_run
from sim.sweep import sweep
from sim.sweep.spec import RunSpec

ROOT = Path(__file__).resolve().parents[2]
BASELINE = ROOT / "scenarios" / "baseline.yaml"
MB = 1024**2
#: Growth after the warm-up, as a share of the RSS then, below which memory counts as flat.
FLAT_SHARE = 0.05
#: Samples left out as the warm-up: the first weeks of the run, the first runs of a sweep.
WARMUP_WEEKS, WARMUP_RUNS = 4, 20


def rss(processes: list[psutil.Process]) -> float:
    """The summed resident set size of `processes`, in MB (gone ones count 0)."""
    total = 0
    for process in processes:
        with contextlib.suppress(psutil.NoSuchProcess):
            total += process.memory_info().rss
    return total / MB


def slope(values: list[float], warmup: int) -> tuple[float, float, float]:
    """The least-squares slope of `values` per step after `warmup` steps, the value fitted at
    the warm-up's end, and the fitted growth over the rest as a share of that value."""
    tail = np.asarray(values[warmup:], dtype=float)
    steps = np.arange(len(tail))
    per_step, start = np.polyfit(steps, tail, 1)
    return float(per_step), float(start), float(per_step * (len(tail) - 1) / start)


def verdict(share: float) -> str:
    return "flat" if abs(share) < FLAT_SHARE else "NOT flat"


def kept_mb(model: GridModel) -> float:
    """What a run keeps by design until its tables are made, in MB: the records of closed
    cases and of job executions (typed columns) and the time series' rows (per tick: a
    tuple of the time, the mode and two arrays)."""
    metrics = model.metrics
    rows = sum(
        sys.getsizeof(row) + sys.getsizeof(row[0]) + sum(_array_bytes(a) for a in row[2:])
        for row in metrics.rows
    )
    return (metrics.records.nbytes() + metrics.jobs.nbytes() + rows) / MB


def _array_bytes(array: np.ndarray) -> int:
    """An array's header and data (a view's data is its base's, counted here too)."""
    return sys.getsizeof(array) + (array.nbytes if array.base is not None else 0)


def long_run(days: int) -> None:
    """Part 1: one run of `days` days, RSS and the records kept each simulated week."""
    me = psutil.Process()
    weekly: list[float] = []
    kept: list[float] = []
    scenario = scenario_as_run(load_scenario(BASELINE), days)
    start = time.perf_counter()
    with fewer_collections():  # as sim.run
        model = GridModel(scenario, seed=1)

        def sample(now: float, horizon: float) -> None:
            if now % (7 * 24) < 24:  # the first day of each week
                weekly.append(rss([me]))
                kept.append(kept_mb(model))

        model.run_model(sample)
    wall = time.perf_counter() - start
    per_week, at_warmup, share = slope(weekly, WARMUP_WEEKS)
    records, _, _ = slope(kept, WARMUP_WEEKS)
    rest = len(weekly) - WARMUP_WEEKS - 1
    beyond = (per_week - records) * rest / at_warmup
    print(f"1. {days}-day baseline run ({wall:.0f} s simulated), RSS each simulated week")
    print(f"   RSS by week (MB): {', '.join(f'{v:.0f}' for v in weekly)}")
    print(
        f"   after week {WARMUP_WEEKS}: {per_week:+.3f} MB a week from {at_warmup:.0f} MB "
        f"({share:+.1%} over the remaining {rest} weeks); the records the run keeps by design "
        f"(cases, job executions, time series: {kept[-1]:.1f} MB at the end) grow by "
        f"{records:.3f} MB a week"
    )
    print(f"   beyond the records: {beyond:+.1%} over the remaining weeks: {verdict(beyond)}")


def many_runs(runs: int, days: int, executor: str) -> None:
    """Part 2: a sweep of `runs` runs of `days` days, RSS after every run: of this process,
    and of its worker processes (with the processes executor)."""
    me = psutil.Process()
    own: list[float] = []
    workers: list[float] = []

    def sample(_: RunSpec, outcome: dict) -> None:
        assert outcome["status"] == "ok", outcome.get("error")
        own.append(rss([me]))
        workers.append(rss(me.children(recursive=True)))

    with tempfile.TemporaryDirectory() as folder:
        experiment = Path(folder) / "soak.yaml"
        experiment.write_text(
            f"name: soak\nbase: {BASELINE}\ndays: {days}\nreplications: {runs}\nseed: 5\n",
            encoding="utf-8",
        )
        start = time.perf_counter()
        sweep(experiment, Path(folder) / "out", executor=executor, workers=2, on_done=sample)
        wall = time.perf_counter() - start
    print(f"2. sweep of {runs} {days}-day runs, {executor} ({wall:.0f} s), RSS after every run")
    measured = [("this process", own)]
    if executor != "serial":
        measured.append(("its worker processes together", workers))
    every = max(1, runs // 20)
    for who, samples in measured:
        per_run, at_warmup, share = slope(samples, WARMUP_RUNS)
        shown = ", ".join(f"{v:.0f}" for v in samples[::every])
        print(f"   {who}, every {every} runs (MB): {shown}")
        print(
            f"   after run {WARMUP_RUNS}: {per_run * 1024:+.1f} kB a run from {at_warmup:.0f} MB "
            f"({share:+.1%} over the remaining {runs - WARMUP_RUNS} runs): {verdict(share)}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=365, help="days of the long run")
    parser.add_argument("--runs", type=int, default=200, help="runs of the sweep")
    parser.add_argument("--run-days", type=int, default=7, help="days of each run of the sweep")
    parser.add_argument(
        "--executors", nargs="+", default=["serial", "processes"], help="executors of the sweep"
    )
    args = parser.parse_args()
    if args.days:
        long_run(args.days)
    for executor in args.executors if args.runs else ():
        many_runs(args.runs, args.run_days, executor)


if __name__ == "__main__":
    main()
