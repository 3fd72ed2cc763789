"""Garbage collection during a run: `sim.run` with collection off (`sim.runner.RUN_GC_THRESHOLDS`
= None, what runs do) against Python's default thresholds and against the raised thresholds runs
used before (100,000, 50, 1,000), interleaved in one process so the ratios hold on a noisy
shared machine. CPU time (`time.process_time`) of the whole `sim.run`; peak memory is the
process's, so it is only an upper bound after the first run.

Run: `python experiments/bench/gc_thresholds.py [--repeats 2]` (a city-size day and a year of
the baseline; about 3 minutes)
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
SETTINGS = {
    "Python's defaults": gc.get_threshold(),
    "raised (100000, 50, 1000)": (100_000, 50, 1_000),
    "off": None,
}


def timed(scenario: sim.Scenario, days: float, setting: tuple[int, int, int] | None) -> float:
    """CPU seconds of one run with `setting` in force during it."""
    sim.runner.RUN_GC_THRESHOLDS = setting
    gc.collect()
    start = time.process_time()
    sim.run(scenario, seed=1, days=days)
    return time.process_time() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    sim.run(ROOT / "scenarios/theory/mmc.yaml", seed=1, days=0.1)  # imports out of the timing
    for label, (path, days) in CASES.items():
        scenario = sim.load_scenario(ROOT / path)
        cpu: dict[str, list[float]] = {name: [] for name in SETTINGS}
        for repeat in range(args.repeats):
            names = list(SETTINGS) if repeat % 2 == 0 else list(reversed(SETTINGS))
            for name in names:
                cpu[name].append(timed(scenario, days, SETTINGS[name]))
        base = statistics.median(cpu["Python's defaults"])
        print(f"{label}, CPU s (median of {args.repeats}) and speed-up vs Python's defaults:")
        for name, times in cpu.items():
            median = statistics.median(times)
            print(f"  {name:28s} {median:6.1f} s  {base / median:.2f}×")
    sim.runner.RUN_GC_THRESHOLDS = None


if __name__ == "__main__":
    main()
