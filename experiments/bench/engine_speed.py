"""Engine speed: the M/M/c reduction through gridsim vs a bare SimPy loop of the same queue,
measured in the same process, interleaved, so the ratio holds on a noisy shared machine.

Also reports wall time and peak memory of a 365-day baseline run (in a fresh process).

Run: `python experiments/bench/engine_speed.py [--cases 200000] [--repeats 3]`
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bare_simpy import run_bare_mmc

import sim

ROOT = Path(__file__).resolve().parents[2]
LAM, MU, C = 4.0, 1.0, 5  # ρ = 0.8

BASELINE_PROBE = """
import json, resource, sys, time
import sim
start = time.perf_counter()
result = sim.run(sim.load_scenario(sys.argv[1]), seed=1, days=365)
wall = time.perf_counter() - start
peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"wall_s": wall, "peak_mib": peak_mib, "cases": len(result.cases)}))
"""


def gridsim_mmc(n_cases: int, seed: int) -> dict:
    """Run the M/M/c scenario long enough for about `n_cases` arrivals; time the whole
    `sim.run` (simulation, tables and KPIs)."""
    scenario = sim.load_scenario(
        ROOT / "scenarios/theory/mmc.yaml",
        [
            f"sources.resident.rate_per_household={LAM / 100}/h",
            f"categories.service.work.mean={1 / MU}h",
            f"grid_workers.per_grid={C}",
        ],
    )
    start = time.perf_counter()
    result = sim.run(scenario, seed=seed, days=n_cases / LAM / 24)
    wall = time.perf_counter() - start
    return {
        "cases": len(result.cases),
        "wall_s": wall,
        "mean_wait": result.summary["first_response_h"]["mean"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=200_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--skip-baseline", action="store_true")
    args = parser.parse_args()

    bare, grid = [], []
    for repeat in range(args.repeats):
        b = run_bare_mmc(LAM, MU, C, args.cases, seed=repeat)
        g = gridsim_mmc(args.cases, seed=repeat)
        bare.append(b["cases"] / b["wall_s"])
        grid.append(g["cases"] / g["wall_s"])
    bare_rate, grid_rate = statistics.median(bare), statistics.median(grid)
    print(f"M/M/{C} rho={LAM / (C * MU):.2f}, {args.cases:,} cases, median of {args.repeats}:")
    print(f"  bare SimPy loop : {bare_rate:10,.0f} cases/s")
    print(f"  gridsim run()   : {grid_rate:10,.0f} cases/s")
    print(f"  ratio gridsim / bare SimPy = {grid_rate / bare_rate:.2f}  (goal >= 0.7)")

    if not args.skip_baseline:
        probe = subprocess.run(
            [sys.executable, "-c", BASELINE_PROBE, str(ROOT / "scenarios/baseline.yaml")],
            capture_output=True,
            text=True,
            check=True,
        )
        stats = json.loads(probe.stdout.strip().splitlines()[-1])
        print(
            f"baseline, 365 days: {stats['wall_s']:.1f} s wall, peak memory "
            f"{stats['peak_mib']:.0f} MiB, {stats['cases']:,} cases and tasks"
        )


if __name__ == "__main__":
    main()
