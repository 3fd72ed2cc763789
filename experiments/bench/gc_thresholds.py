"""Garbage collection during a run: `sim.run` with the collection thresholds it sets
(`sim.runner.RUN_GC_THRESHOLDS`) against Python's defaults, interleaved in one process so the
ratio holds on a noisy shared machine.

Run: `python experiments/bench/gc_thresholds.py [--repeats 2]` (a city-size day and a year of
the baseline; about 2 minutes)
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time
from pathlib import Path

import sim
import sim.runner

ROOT = Path(__file__).resolve().parents[2]
CASES = {
    "jiamusi_city.yaml, 1 day (8,528 grids)": ("scenarios/jiamusi_city.yaml", 1.0),
    "baseline.yaml, 365 days (15 grids)": ("scenarios/baseline.yaml", 365.0),
}


def timed(scenario: sim.Scenario, days: float, thresholds: tuple[int, int, int]) -> float:
    """Wall time of one run with `thresholds` in force during it."""
    sim.runner.RUN_GC_THRESHOLDS = thresholds
    gc.collect()
    start = time.perf_counter()
    sim.run(scenario, seed=1, days=days)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    tuned, default = sim.runner.RUN_GC_THRESHOLDS, gc.get_threshold()
    print(f"thresholds during a run {tuned} vs Python's defaults {default}")
    for label, (path, days) in CASES.items():
        scenario = sim.load_scenario(ROOT / path)
        ratios = []
        for _ in range(args.repeats):
            slow = timed(scenario, days, default)
            fast = timed(scenario, days, tuned)
            ratios.append(slow / fast)
            print(f"  {label}: {slow:5.1f} s → {fast:5.1f} s")
        print(f"{label}: {statistics.median(ratios):.2f}× faster (median of {args.repeats})")


if __name__ == "__main__":
    main()
