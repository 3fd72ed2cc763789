"""Sweep speed: the same experiment (runs of ≥ 2 s) run serially, with two worker processes,
and on a two-worker Dask LocalCluster, interleaved in one session; prints the speed-ups against
serial and where each executor's time goes. Worker processes are kept from one sweep to the
next (as in a notebook session), so the process executor is timed twice in each repeat: with
workers it starts (`started`: the pool closed before) and with the workers of that sweep kept
(`kept`). A LocalCluster is started and closed by every sweep, so Dask is compared with the
`started` sweeps. Goals: two processes ≥ 1.9× serial; Dask within 10 % of the process
executor.

Breakdown of a sweep's wall time, from each run's own wall time and the moment its result
reached the sweep:
  start-up  until the first run began (pool or cluster start, imports in the workers);
  runs      the runs' own wall time, summed, divided by the number of workers;
  shut-down from the last result until the sweep returned (closing the pool or cluster);
  other     the rest: workers idle while others finish (tail), task hand-over, results.

Run: `python experiments/bench/sweep_speed.py [--runs 8] [--days 200] [--repeats 1]`
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from sim.sweep import sweep
from sim.sweep.executors import close_pool
from sim.sweep.spec import RunSpec

ROOT = Path(__file__).resolve().parents[2]
#: What is timed in each repeat, in this order: label → executor.
EXECUTORS = {"serial": "serial", "started": "processes", "kept": "processes", "dask": "dask"}
WORKERS = 2


@dataclass
class Timing:
    """One sweep's wall time and its breakdown, in seconds."""

    total: float
    startup: float
    runs: float
    shutdown: float

    @property
    def other(self) -> float:
        return self.total - self.startup - self.runs - self.shutdown


def timed(experiment: Path, label: str, folder: Path) -> Timing:
    """Run the whole sweep (results written) with the executor of `label` and break its wall
    time down."""
    executor = EXECUTORS[label]
    if label == "started":
        close_pool()
    done: list[tuple[float, float]] = []  # (moment the result arrived, run's own wall time)

    def arrived(_: RunSpec, outcome: dict) -> None:
        done.append((time.perf_counter(), outcome["wall_s"]))

    start = time.perf_counter()
    table = sweep(experiment, folder, executor=executor, workers=WORKERS, on_done=arrived)
    end = time.perf_counter()
    assert (table["status"] == "ok").all()
    workers = 1 if executor == "serial" else WORKERS
    return Timing(
        total=end - start,
        startup=done[0][0] - done[0][1] - start,
        runs=sum(wall for _, wall in done) / workers,
        shutdown=end - done[-1][0],
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=8)
    parser.add_argument("--days", type=float, default=200)
    parser.add_argument("--repeats", type=int, default=3, help="interleaved repetitions")
    args = parser.parse_args()
    timings: dict[str, list[Timing]] = {name: [] for name in EXECUTORS}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        experiment = folder / "bench.yaml"
        experiment.write_text(
            f"name: bench\nbase: {ROOT / 'scenarios/baseline.yaml'}\ndays: {args.days}\n"
            f"replications: {args.runs}\nseed: 1\n",
            encoding="utf-8",
        )
        for repeat in range(args.repeats):
            for name in EXECUTORS:
                timings[name].append(timed(experiment, name, folder / f"{name}-{repeat}"))
        close_pool()

    def median(name: str, field: str) -> float:
        return statistics.median(getattr(t, field) for t in timings[name])

    def ratio(a: str, b: str) -> float:
        """Median over repeats of the total of `a` over that of `b` in the same repeat."""
        pairs = zip(timings[a], timings[b], strict=True)
        return statistics.median(x.total / y.total for x, y in pairs)

    per_run = median("serial", "runs") / args.runs
    print(
        f"{args.runs} runs of the baseline × {args.days:g} days ({per_run:.1f} s each serially), "
        f"{WORKERS} workers, median of {args.repeats} interleaved repeat(s)"
    )
    print("             total    start-up  runs/worker  shut-down  other")
    for name in EXECUTORS:
        print(
            f"  {name:10s} {median(name, 'total'):6.1f} s  {median(name, 'startup'):6.2f} s"
            f"  {median(name, 'runs'):8.1f} s  {median(name, 'shutdown'):7.2f} s"
            f"  {median(name, 'other'):5.2f} s"
        )
    print(
        f"  processes: speed-up {ratio('serial', 'started'):.2f}× with workers started, "
        f"{ratio('serial', 'kept'):.2f}× with workers kept (goal ≥ 1.9×)"
    )
    print(
        f"  dask:      speed-up {ratio('serial', 'dask'):.2f}×, "
        f"{ratio('dask', 'started') - 1:+.1%} against processes started (goal within 10 %)"
    )
    each = ", ".join(
        f"{d.total / p.total - 1:+.1%}"
        for d, p in zip(timings["dask"], timings["started"], strict=True)
    )
    print(f"  dask against processes started, in each repeat: {each}")
    print(
        "  per-run slowdown against serial: "
        + ", ".join(
            f"{name} {median(name, 'runs') * WORKERS / median('serial', 'runs') - 1:+.1%}"
            for name in ("started", "kept", "dask")
        )
    )


if __name__ == "__main__":
    main()
