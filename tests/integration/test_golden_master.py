"""Golden master: a small seeded baseline run must reproduce the stored KPIs and case log.

Any change to the engine that alters results — intended or not — fails this test. When the
change is intended, regenerate the golden file and commit it with the change:

    GRIDSIM_UPDATE_GOLDEN=1 .venv/bin/pytest tests/integration/test_golden_master.py
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from pathlib import Path

import pandas as pd
import pytest

import sim

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).with_name("golden") / "baseline_seed7_10d.json"
SCENARIO = ROOT / "scenarios" / "baseline.yaml"
SEED, DAYS = 7, 10
UPDATE = "GRIDSIM_UPDATE_GOLDEN"
HOW_TO_UPDATE = (
    f"If this change of results is intended, regenerate the golden file with\n"
    f"    {UPDATE}=1 .venv/bin/pytest tests/integration/test_golden_master.py\n"
    f"and commit {GOLDEN.relative_to(ROOT)} together with the change."
)

#: A stable subset of summary.json (dotted paths into the summary).
KPIS = (
    "horizon_h",
    "cases_created",
    "cases_closed",
    "backlog_end",
    "backlog_peak",
    "first_response_h",
    "time_to_close_h",
    "on_time_rate",
    "escalated_share",
    "time_to_close_by_tier_h",
    "tiers",
    "by_source",
    "utilization",
    "admin_share",
    "overtime_hours",
    "cost_yuan",
    "tasks.admin.created",
    "tasks.admin.done",
    "tasks.admin.open",
    "tasks.revisit.created",
    "tasks.revisit.done",
    "tasks.revisit.unreached",
    "tasks.revisit.open",
    "revisit_coverage",
    "checks.conservation",
    "checks.created",
    "checks.closed",
    "checks.open",
    "checks.little_L",
    "checks.little_lambda",
    "checks.little_W",
)
#: Columns of the cases table that enter the hash (floats rounded to 1e-9 h).
CASE_COLUMNS = (
    "case_id",
    "source",
    "source_seq",
    "category",
    "grid",
    "household",
    "priority",
    "created_h",
    "deadline_h",
    "work_h",
    "accepted_h",
    "dispatched_h",
    "tracked_h",
    "implemented_h",
    "feedback_h",
    "rated_h",
    "published_h",
    "archived_h",
    "tier_reached",
    "handler_id",
    "status",
    "attempts",
)


def significant(value, digits: int = 6):
    """Round floats (also inside dicts and lists) to `digits` significant digits."""
    if isinstance(value, bool) or value is None or isinstance(value, int | str):
        return value
    if isinstance(value, float):
        if not math.isfinite(value) or value == 0:
            return value
        return round(value, digits - 1 - math.floor(math.log10(abs(value))))
    if isinstance(value, dict):
        return {str(k): significant(v, digits) for k, v in sorted(value.items())}
    if isinstance(value, list | tuple):
        return [significant(v, digits) for v in value]
    raise TypeError(f"unexpected {type(value).__name__} in the summary: {value!r}")


def kpis(summary: dict) -> dict:
    out = {}
    for path in KPIS:
        value = summary
        for key in path.split("."):
            value = value[key]
        out[path] = significant(value)
    return out


def cases_digest(cases: pd.DataFrame) -> tuple[str, int]:
    """sha256 of the CSV of CASE_COLUMNS, floats rounded to 1e-9, and the number of rows."""
    frame = cases.loc[:, list(CASE_COLUMNS)].copy()
    for column in frame.columns:
        if pd.api.types.is_float_dtype(frame[column]):
            frame[column] = frame[column].round(9)
        elif isinstance(frame[column].dtype, pd.CategoricalDtype):
            frame[column] = frame[column].astype(str)
    text = frame.to_csv(index=False, float_format="%.9f", lineterminator="\n", na_rep="NaN")
    return hashlib.sha256(text.encode("utf-8")).hexdigest(), len(frame)


def current() -> dict:
    result = sim.run(sim.load_scenario(SCENARIO), seed=SEED, days=DAYS)
    digest, rows = cases_digest(result.cases)
    return {
        "scenario": "scenarios/baseline.yaml",
        "seed": SEED,
        "days": DAYS,
        "kpis": kpis(result.summary),
        "cases_rows": rows,
        "cases_sha256": digest,
    }


def test_baseline_seed7_10d_matches_golden_master():
    now = current()
    if os.environ.get(UPDATE) == "1":
        GOLDEN.parent.mkdir(parents=True, exist_ok=True)
        GOLDEN.write_text(json.dumps(now, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        pytest.skip(f"golden file regenerated: {GOLDEN.relative_to(ROOT)}")
    if not GOLDEN.exists():
        pytest.fail(f"no golden file at {GOLDEN.relative_to(ROOT)}.\n{HOW_TO_UPDATE}")
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    problems = []
    for key in ("scenario", "seed", "days"):
        if golden.get(key) != now[key]:
            problems.append(f"  {key}: golden {golden.get(key)!r}, now {now[key]!r}")
    for path in sorted(set(golden["kpis"]) | set(now["kpis"])):
        was, is_ = golden["kpis"].get(path, "<absent>"), now["kpis"].get(path, "<absent>")
        if was != is_:
            problems.append(f"  {path}: golden {was!r}, now {is_!r}")
    if golden["cases_rows"] != now["cases_rows"]:
        problems.append(f"  cases rows: golden {golden['cases_rows']}, now {now['cases_rows']}")
    if golden["cases_sha256"] != now["cases_sha256"]:
        problems.append(
            f"  cases table hash: golden {golden['cases_sha256'][:16]}…, "
            f"now {now['cases_sha256'][:16]}…"
        )
    if problems:
        pytest.fail(
            "baseline seed 7, 10 days no longer reproduces the golden master:\n"
            + "\n".join(problems)
            + "\n"
            + HOW_TO_UPDATE,
            pytrace=False,
        )


def test_golden_run_is_reproducible_in_process():
    """Same seed, same process: identical digest (guards the golden test against flakiness)."""
    a, b = current(), current()
    assert a == b
