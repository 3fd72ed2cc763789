"""Engine speed and memory, each figure a ratio against a baseline measured in the same run
(interleaved, CPU time by `time.process_time`), so it holds on a noisy shared machine:

1. the M/M/c reduction (`scenarios/theory/mmc.yaml`, c = 5) through gridsim's `run()`
   (simulation, tables and KPIs) against a bare SimPy loop of the same queue (bare_simpy.py) and
   against Ciw, at ρ = 0.5, 0.8 and 0.95 (targets: ≥ 1.0× bare SimPy, ≥ 2× Ciw);
2. cost per SimPy event and per case from 1× to 64× the baseline street (`baseline.yaml`'s
   street of 15 grids, copied k times), relative to 1× (target: flat within 1.5×);
3. bytes per closed case in the run records (cases and job executions; target ≤ 200 B) and
   peak memory per household of a city-size day in a fresh process (target ≤ 1 KB).

Run: `python experiments/bench/engine_speed.py [--cases 100000] [--repeats 3] [--days 7]
[--skip mmc,scaling,memory]` (about 5 minutes with the defaults)
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import ciw
from bare_simpy import run_bare_mmc

import sim
from sim.model import GridModel
from sim.runner import fewer_collections, result_of, scenario_as_run
from sim.scenario import scenario_from_dict

ROOT = Path(__file__).resolve().parents[2]
MU, C = 1.0, 5
RHOS = (0.5, 0.8, 0.95)
SCALES = (1, 2, 4, 8, 16, 32, 64)

MEMORY_PROBE = """
import json, sys, time
from datetime import UTC, datetime
import sim
from sim.model import GridModel
from sim.runner import fewer_collections, result_of, scenario_as_run

def status(key):  # kiB; VmHWM: peak of this process (ru_maxrss keeps the parent's after exec)
    for line in open("/proc/self/status"):
        if line.startswith(key + ":"):
            return int(line.split()[1])

rss0 = status("VmRSS")
scenario = scenario_as_run(sim.load_scenario(sys.argv[1]), float(sys.argv[2]))
with fewer_collections():  # as sim.run does
    model = GridModel(scenario, seed=1)
    model.run_model()
    result = result_of(model, datetime.now(UTC), time.perf_counter(), release=True)
peak = status("VmHWM")
print(json.dumps({"peak_kib": peak, "imports_kib": rss0, "households": model.world.n_households}))
"""


def mmc_scenario(lam: float) -> sim.Scenario:
    return sim.load_scenario(
        ROOT / "scenarios/theory/mmc.yaml",
        [
            f"sources.resident.rate_per_household={lam / 100}/h",
            f"categories.service.work.mean={1 / MU}h",
            f"grid_workers.per_grid={C}",
        ],
    )


def gridsim_mmc(lam: float, n_cases: int, seed: int) -> tuple[int, float]:
    """Cases and CPU seconds of `sim.run` for about `n_cases` arrivals."""
    scenario = mmc_scenario(lam)
    start = time.process_time()
    result = sim.run(scenario, seed=seed, days=n_cases / lam / 24)
    return len(result.cases), time.process_time() - start


def bare_mmc(lam: float, n_cases: int, seed: int) -> tuple[int, float]:
    start = time.process_time()
    result = run_bare_mmc(lam, MU, C, n_cases, seed=seed)
    return result["cases"], time.process_time() - start


def ciw_mmc(lam: float, n_cases: int, seed: int) -> tuple[int, float]:
    """Ciw's M/M/c for the time gridsim's run lasts (`n_cases` / λ); cases completed."""
    start = time.process_time()
    network = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(lam)],
        service_distributions=[ciw.dists.Exponential(MU)],
        number_of_servers=[C],
    )
    ciw.seed(seed)
    simulation = ciw.Simulation(network)
    simulation.simulate_until_max_time(n_cases / lam)
    cases = len(simulation.get_all_records())
    return cases, time.process_time() - start


def mmc_table(n_cases: int, repeats: int) -> None:
    print(f"1. M/M/{C}, about {n_cases:,} cases a run, cases per CPU second (median of {repeats})")
    print("   rho   gridsim    bare SimPy  Ciw        gridsim/SimPy  gridsim/Ciw")
    engines = {"gridsim": gridsim_mmc, "simpy": bare_mmc, "ciw": ciw_mmc}
    for rho in RHOS:
        lam = rho * C * MU
        rates: dict[str, list[float]] = {name: [] for name in engines}
        for repeat in range(repeats):
            order = list(engines) if repeat % 2 == 0 else list(reversed(engines))
            for name in order:
                cases, cpu = engines[name](lam, n_cases, seed=repeat)
                rates[name].append(cases / cpu)
        g, s, c = (statistics.median(rates[name]) for name in engines)
        print(f"   {rho:4.2f} {g:9,.0f}  {s:10,.0f}  {c:9,.0f}  {g / s:12.2f}×  {g / c:10.2f}×")


def street_copies(k: int, days: float) -> sim.Scenario:
    """`baseline.yaml` with its street copied k times (ids numbered)."""
    base = sim.load_scenario(ROOT / "scenarios/baseline.yaml")
    data = base.model_dump(mode="json", exclude_unset=True)
    (street,) = data["world"]["streets"]
    copies = []
    for copy in range(k):
        new = json.loads(json.dumps(street))
        new["id"] = f"{street['id']}-{copy + 1}"
        for community in new["communities"]:
            community["id"] = f"{community['id']}-{copy + 1}"
        copies.append(new)
    data["world"]["streets"] = copies
    return scenario_as_run(scenario_from_dict(data, f"baseline × {k}"), days)


def scaling_table(days: float, repeats: int) -> None:
    print(
        f"2. baseline street × k, {days:g} days, median of {repeats} rounds over the scales:\n"
        "   CPU µs per SimPy event and per case of the simulation (`run_model`), and per case\n"
        "   of the whole run (building the model, tables and KPIs too); relative to × 1\n"
        "   k    grids  events/day  cases/day  µs/event  µs/case  run µs/case"
        "  rel/event  rel/case  rel run"
    )
    scenarios = {k: street_copies(k, days) for k in SCALES}
    samples: dict[int, list[tuple[float, float, float]]] = {k: [] for k in SCALES}
    sizes: dict[int, tuple[int, int, int]] = {}
    for repeat in range(repeats):  # the scales interleaved, so the machine's drift hits them alike
        for k in SCALES:
            start = time.process_time()
            with fewer_collections():
                model = GridModel(scenarios[k], seed=repeat)
                built = time.process_time()
                model.run_model()
                ran = time.process_time()
                result = result_of(model, datetime.now(UTC), time.perf_counter(), release=True)
            end = time.process_time()
            events = next(model.env._eid)  # every event SimPy scheduled
            cases = len(result.cases)
            sizes[k] = (len(model.world.grids), events, cases)
            samples[k].append(
                (
                    (ran - built) / events * 1e6,
                    (ran - built) / cases * 1e6,
                    (end - start) / cases * 1e6,
                )
            )
    first = None
    for k in SCALES:
        grids, events, cases = sizes[k]
        e, c, r = (statistics.median(x) for x in zip(*samples[k], strict=True))
        first = first or (e, c, r)
        print(
            f"   {k:<4d} {grids:5d}  {events / days:10,.0f}  {cases / days:9,.0f}"
            f"  {e:8.2f}  {c:7.1f}  {r:11.1f}  {e / first[0]:8.2f}×  {c / first[1]:7.2f}×"
            f"  {r / first[2]:6.2f}×"
        )


def memory_table(days: float) -> None:
    print("3. memory")
    runs = (("scenarios/xinbei_district.yaml", days), ("scenarios/baseline.yaml", 30.0))
    for path, horizon in runs:
        scenario = scenario_as_run(sim.load_scenario(ROOT / path), horizon)
        with fewer_collections():
            model = GridModel(scenario, seed=1)
            model.run_model()
        metrics = model.metrics
        metrics.records.flush()  # as a long run holds them (the last rows are flushed anyway)
        metrics.jobs.flush()
        closed = len(metrics.records)
        cases_b, jobs_b = metrics.records.nbytes(), metrics.jobs.nbytes()
        print(
            f"   {path}, {horizon:g} days: {closed:,} closed cases, records "
            f"{cases_b / closed:.0f} B a closed case + job executions {jobs_b / closed:.0f} B "
            f"= {(cases_b + jobs_b) / closed:.0f} B (as float64 rows: 216 B + 80 B a job)"
        )
    probe = subprocess.run(
        [sys.executable, "-c", MEMORY_PROBE, str(ROOT / "scenarios/jiamusi_city.yaml"), "1"],
        capture_output=True,
        text=True,
        check=True,
    )
    stats = json.loads(probe.stdout.strip().splitlines()[-1])
    households = stats["households"]
    peak, imports = stats["peak_kib"] * 1024, stats["imports_kib"] * 1024
    print(
        f"   jiamusi_city.yaml, 1 day, fresh process: peak {peak / 2**20:,.0f} MiB "
        f"({imports / 2**20:,.0f} MiB after imports) for {households:,} households: "
        f"{peak / households:,.0f} B a household ({(peak - imports) / households:,.0f} B "
        "beyond the imports)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--days", type=float, default=7)
    parser.add_argument("--skip", default="", help="comma-separated: mmc, scaling, memory")
    args = parser.parse_args()
    skip = set(args.skip.split(","))
    sim.run(mmc_scenario(4.0), seed=0, days=0.1)  # imports and first calls out of the timing
    if "mmc" not in skip:
        mmc_table(args.cases, args.repeats)
    if "scaling" not in skip:
        scaling_table(args.days, args.repeats)
    if "memory" not in skip:
        memory_table(args.days)


if __name__ == "__main__":
    main()
