"""Sweep speed: the same experiment (runs of ≥ 2 s) run serially, with two worker processes,
and on a two-worker Dask LocalCluster, in one session; prints the speed-ups against serial.
Goals: two processes ≥ 1.8× serial; Dask within 10 % of the process executor.

Run: `python experiments/bench/sweep_speed.py [--runs 8] [--days 200]`
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from sim.sweep import sweep

ROOT = Path(__file__).resolve().parents[2]


def timed(experiment: Path, executor: str, folder: Path) -> float:
    """Wall time of the whole sweep, results included."""
    start = time.perf_counter()
    table = sweep(experiment, folder / executor, executor=executor, workers=2)
    assert (table["status"] == "ok").all()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=8)
    parser.add_argument("--days", type=float, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        experiment = folder / "bench.yaml"
        experiment.write_text(
            f"name: bench\nbase: {ROOT / 'scenarios/baseline.yaml'}\ndays: {args.days}\n"
            f"replications: {args.runs}\nseed: 1\n",
            encoding="utf-8",
        )
        serial = timed(experiment, "serial", folder)
        processes = timed(experiment, "processes", folder)
        dask = timed(experiment, "dask", folder)
    per_run = serial / args.runs
    print(f"{args.runs} runs of the baseline × {args.days:g} days ({per_run:.1f} s each serially)")
    print(f"  serial     {serial:6.1f} s")
    print(f"  processes  {processes:6.1f} s   speed-up {serial / processes:.2f}× (goal ≥ 1.8×)")
    print(
        f"  dask       {dask:6.1f} s   speed-up {serial / dask:.2f}×, "
        f"{dask / processes - 1:+.0%} against processes (goal within ±10 %)"
    )


if __name__ == "__main__":
    main()
