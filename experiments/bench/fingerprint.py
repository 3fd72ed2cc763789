"""Fingerprints of many runs: a hash of every table and of the summary of each scenario below,
run for a short horizon with a fixed seed. A change meant to leave results bit-identical (a
speed-up) must leave every fingerprint as it was; the golden master covers one scenario, this
covers every mechanism the presets use (patrol, epidemics, plans, channels, turnover, meetings,
departments, the city's teams).

Run: `python experiments/bench/fingerprint.py --out before.json` on the old code, then
`python experiments/bench/fingerprint.py --compare before.json` on the new (a few minutes).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

import sim

ROOT = Path(__file__).resolve().parents[2]
#: (scenario file, days, seed)
RUNS = (
    ("scenarios/baseline.yaml", 20, 3),
    ("scenarios/beijiaohua_community.yaml", 10, 1),
    ("scenarios/channels.yaml", 10, 2),
    ("scenarios/epidemic_14d.yaml", 24, 5),
    ("scenarios/epidemic_first_hours.yaml", None, 4),
    ("scenarios/gas_leak_channels.yaml", None, 6),
    ("scenarios/gas_leak_evening.yaml", None, 8),
    ("scenarios/grid_meetings.yaml", 10, 9),
    ("scenarios/jiamusi_1_6_n.yaml", 5, 10),
    ("scenarios/resident_groups.yaml", 10, 11),
    ("scenarios/task_inflation.yaml", 10, 12),
    ("scenarios/turnover.yaml", 30, 13),
    ("scenarios/turnover_channels.yaml", 20, 14),
    ("scenarios/typhoon_day.yaml", None, 15),
    ("scenarios/xinbei_district.yaml", 2, 16),
    ("scenarios/yanchi_county.yaml", 5, 17),
    ("scenarios/theory/mmc.yaml", 20, 18),
    ("scenarios/theory/mmck.yaml", 20, 19),
    ("scenarios/theory/jackson_j2.yaml", 20, 20),
    ("scenarios/theory/fluid_surge.yaml", None, 21),
    ("scenarios/theory/staffing_switch.yaml", None, 22),
    ("scenarios/jiamusi_city.yaml", 0.25, 23),
)


def table_digest(frame: pd.DataFrame) -> str:
    """sha256 over the column names, dtypes and every value (NaN-aware, exact floats)."""
    h = hashlib.sha256()
    h.update(repr([(str(c), str(t)) for c, t in frame.dtypes.items()]).encode())
    h.update(str(len(frame)).encode())
    if len(frame.columns):
        h.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
    return h.hexdigest()[:16]


def summary_digest(summary: dict) -> str:
    def plain(value):
        if isinstance(value, dict):
            return {str(k): plain(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [plain(v) for v in value]
        if isinstance(value, float | np.floating):
            return repr(float(value))
        if isinstance(value, np.integer):
            return int(value)
        return value

    text = json.dumps(plain(summary), sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def fingerprint(path: str, days: float | None, seed: int) -> dict:
    result = sim.run(sim.load_scenario(ROOT / path), seed=seed, days=days)
    return {
        "summary": summary_digest(result.summary),
        **{
            name: table_digest(getattr(result, name))
            for name in ("cases", "jobs", "timeseries", "workers", "events")
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--compare", type=Path)
    parser.add_argument("--only", help="run only scenarios whose path contains this")
    args = parser.parse_args()
    earlier = json.loads(args.compare.read_text()) if args.compare else {}
    now, differ = {}, []
    for path, days, seed in RUNS:
        if args.only and args.only not in path:
            continue
        key = f"{path}:{days}:{seed}"
        start = time.process_time()
        now[key] = fingerprint(path, days, seed)
        cpu = time.process_time() - start
        status = ""
        if key in earlier:
            bad = [k for k in now[key] if now[key][k] != earlier[key].get(k)]
            status = "same" if not bad else "DIFFERS: " + ", ".join(bad)
            if bad:
                differ.append(key)
        print(f"{key:55s} {cpu:6.1f} s CPU  {status}", flush=True)
    if args.out:
        args.out.write_text(json.dumps(now, indent=1) + "\n")
    if differ:
        sys.exit(f"{len(differ)} run(s) differ")


if __name__ == "__main__":
    main()
