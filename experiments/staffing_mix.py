"""'1 only' (the baseline) vs '1+6+N' (jiamusi_1_6_n.yaml) on the same seeds: paired
differences of the KPIs with 95 % confidence intervals.

Run: `python experiments/staffing_mix.py [--reps 20] [--days 60]`
"""

from __future__ import annotations

import argparse
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import sim
from sim.rng import derive_seed
from sim.sweep.compare import paired_difference

ROOT = Path(__file__).resolve().parents[1]
ARMS = {"1 only": "scenarios/baseline.yaml", "1+6+N": "scenarios/jiamusi_1_6_n.yaml"}
KPIS = {
    "time to close, mean (h)": lambda s: s["time_to_close_h"]["mean"],
    "first response, mean (h)": lambda s: s["first_response_h"]["mean"],
    "on-time rate": lambda s: s["on_time_rate"],
    "backlog at end": lambda s: s["backlog_end"],
    "grid workers' utilisation": lambda s: s["utilization"]["grid_worker"],
    "revisit coverage": lambda s: s["revisit_coverage"],
}


def summary(path: str, seed: int, days: float) -> dict:
    """KPIs of one run (in a worker process)."""
    return sim.run(ROOT / path, seed=seed, days=days).summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reps", type=int, default=20)
    parser.add_argument("--days", type=float, default=60)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    seeds = [derive_seed(args.seed, "staffing-mix", r) for r in range(args.reps)]
    with ProcessPoolExecutor(max_workers=2) as pool:
        runs = {
            arm: list(pool.map(summary, [path] * len(seeds), seeds, [args.days] * len(seeds)))
            for arm, path in ARMS.items()
        }
    print(f"{args.reps} paired replications × {args.days:g} days, seeds from root {args.seed}")
    print(f"{'KPI':28}  1 only → 1+6+N: difference [95 % CI]")
    for name, kpi in KPIS.items():
        a = [kpi(s) for s in runs["1 only"]]
        b = [kpi(s) for s in runs["1+6+N"]]
        print(f"{name:28}  {paired_difference(a, b)}")


if __name__ == "__main__":
    main()
