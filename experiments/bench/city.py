"""A whole city, peacetime then an epidemic, in a fresh process (the issue-13 city target).

Runs `scenarios/jiamusi_city_epidemic.yaml` (佳木斯, 8,528 grids; 30 days of peacetime, then a
14-day epidemic with the city's plan) as `gridsim run` would (model built, simulated, tables and
KPIs), in a child process of its own, and prints:

- CPU seconds (`time.process_time`) of building, simulating and summarising, and wall seconds;
- the peak memory of the child (VmHWM, which counts the imports too);
- jobs executed per CPU second of the simulation (executions that ended: not the rows of jobs
  still waiting or in hand at the end), against a bare SimPy M/M/5 loop
  (bare_simpy.py) measured in this same run, as a ratio (both on one core; the machine may be
  shared, so the ratio is the figure to compare across machines).

Targets: ≤ 5 minutes and ≤ 4 GB peak on one core of a 2-core machine.

With `--per-day`, also each simulated day's CPU seconds, job executions and CPU µs per
execution: where a run's time goes (a peacetime weekday, a weekend of shifts and few jobs, an
epidemic's onset).

Run: `python experiments/bench/city.py [--days 44] [--scenario FILE] [--set KEY=VALUE ...]
[--per-day]` (5-7 minutes). `--set` changes the scenario as `gridsim run --set` does, to time a
variant: for example the epidemic moved to 12 h (`--days 4 --set incidents.epidemic.onset=12h`),
or one of its task streams turned down.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

from bare_simpy import run_bare_mmc

import sim

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import json, sys, time
from datetime import UTC, datetime
import sim
from sim.model import GridModel
from sim.runner import fewer_collections, result_of, scenario_as_run

def status(key):  # kiB; VmHWM: the peak of this process so far
    return next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith(key))

wall = time.perf_counter()
scenario = scenario_as_run(sim.load_scenario(sys.argv[1], sys.argv[3:]), float(sys.argv[2]))
cpu = [time.process_time()]
with fewer_collections():  # as sim.run does
    model = GridModel(scenario, seed=0)
    cpu.append(time.process_time())
    days = []  # per simulated day: its end (h), CPU s and job executions so far
    model.run_model(lambda now, _: days.append((now, time.process_time(), len(model.metrics.jobs))))
    cpu.append(time.process_time())
    simulated = status("VmHWM"), status("VmRSS")
    result = result_of(model, datetime.now(UTC), time.perf_counter(), release=True)
    cpu.append(time.process_time())
peak = status("VmHWM")
ENDED = ["done", "again", "handed_back"]  # executions that ended; not jobs waiting or in hand
print(json.dumps({
    "simulated_peak_kib": simulated[0], "simulated_rss_kib": simulated[1],
    "build_s": cpu[1] - cpu[0], "simulate_s": cpu[2] - cpu[1], "summary_s": cpu[3] - cpu[2],
    "wall_s": time.perf_counter() - wall, "peak_kib": peak, "days": days, "simulate_from": cpu[1],
    "jobs": int(result.jobs["outcome"].isin(ENDED).sum()),
    "cases": len(result.cases), "households": model.world.n_households,
}))
"""


def bare_simpy_rate(n_cases: int = 200_000) -> float:
    """Customers per CPU second of a bare SimPy M/M/5 loop at ρ = 0.8."""
    start = time.process_time()
    cases = run_bare_mmc(4.0, 1.0, 5, n_cases, seed=0)["cases"]
    return cases / (time.process_time() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default=str(ROOT / "scenarios/jiamusi_city_epidemic.yaml"))
    parser.add_argument("--days", type=float, default=44.0)
    parser.add_argument(
        "--set", action="append", default=[], metavar="KEY=VALUE", help="as gridsim run --set"
    )
    parser.add_argument("--per-day", action="store_true", help="print each simulated day too")
    args = parser.parse_args()
    try:  # a bad file or --set is reported here, not as the child's traceback
        sim.load_scenario(args.scenario, args.set)
    except sim.ScenarioError as error:
        print(f"error: {error}", file=sys.stderr)
        sys.exit(2)
    before = bare_simpy_rate()
    probe = subprocess.run(
        [sys.executable, "-c", PROBE, args.scenario, str(args.days), *args.set],
        capture_output=True,
        text=True,
        check=True,
    )
    after = bare_simpy_rate()
    run = json.loads(probe.stdout.strip().splitlines()[-1])
    total = run["build_s"] + run["simulate_s"] + run["summary_s"]
    jobs_per_s = run["jobs"] / run["simulate_s"]
    bare = (before + after) / 2
    changes = f" with {', '.join(args.set)}" if args.set else ""
    name = Path(args.scenario).name
    print(f"{name}{changes}, {args.days:g} days, {run['households']:,} households")
    print(
        f"  CPU: build {run['build_s']:.1f} s, simulate {run['simulate_s']:.1f} s, "
        f"tables and KPIs {run['summary_s']:.1f} s: {total:.1f} s ({total / 60:.1f} min); "
        f"wall {run['wall_s']:.1f} s"
    )
    print(
        f"  peak memory {run['peak_kib'] / 2**20:.2f} GiB; while simulating "
        f"{run['simulated_peak_kib'] / 2**20:.2f} GiB, at its end "
        f"{run['simulated_rss_kib'] / 2**20:.2f} GiB"
    )
    print(
        f"  {run['jobs']:,} job executions, {run['cases']:,} cases: {jobs_per_s:,.0f} jobs per "
        f"CPU second; bare SimPy M/M/5 {bare:,.0f} customers per CPU second "
        f"(before {before:,.0f}, after {after:,.0f}): {jobs_per_s / bare:.2f}×"
    )
    if args.per_day:
        print_days(run["days"], run["simulate_from"])


def print_days(days: list[tuple[float, float, int]], start: float) -> None:
    """Each simulated day's CPU seconds, job executions and CPU µs per execution."""
    print("  day   CPU s   job executions   µs each")
    cpu, jobs = start, 0
    for end, cpu_then, jobs_then in days:
        spent, done = cpu_then - cpu, jobs_then - jobs
        each = f"{1e6 * spent / done:8.1f}" if done else "       –"
        print(f"  {end / 24:4.1f}  {spent:6.2f}  {done:15,d}  {each}")
        cpu, jobs = cpu_then, jobs_then


if __name__ == "__main__":
    main()
