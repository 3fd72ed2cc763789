"""Task inflation and the admission list, metamorphic on common random numbers
(scenarios/task_inflation.yaml: the baseline with the article's added tasks as monthly quotas
per grid, article #2, A60, A61).

Blocking departments (the admission list, 基层事项准入) only takes tasks away: every other
task and every resident request is the same draw (tested in tests/unit/test_admin_departments.py),
so in every pair of runs with the same seed, blocking more departments never makes the closed
loop's mean time to close longer nor the share of the grid workers' hours on top-down tasks
larger. Three nested lists: none; the five added tasks; those and half of the twelve
departments' forms. With the five added tasks blocked, the scenario is the baseline, run for
run."""

from __future__ import annotations

import pandas as pd

import sim
from sim.config.loader import load_data, merge_mappings

ADDED = ["精神病人梳理管控", "文保单位巡查", "长江沿岸巡查", "动员垃圾分类", "招商引资"]
HALF = ["宗教", "统战", "经济发展", "环保", "安全", "消防"]
LISTS = {"none": [], "added": ADDED, "added_and_half": ADDED + HALF}
REPS, DAYS = 8, 30


def kpis(result: sim.Result, cases: pd.DataFrame) -> dict[str, float]:
    summary = result.summary
    return {
        "time_to_close": summary["time_to_close_h"]["mean"],
        "admin_share": summary["admin_share"],
        "requests": summary["by_source"]["resident"],
    }


def test_blocking_departments_never_worsens_time_to_close_or_admin_share(scenarios, replicate):
    data, _ = load_data(scenarios / "task_inflation.yaml")
    arms = {}
    for name, blocked in LISTS.items():
        patch = {"run": {"warmup": "3d"}, "sources": {"admin": {"blocked": blocked}}}
        scenario = sim.scenario_from_dict(merge_mappings(data, patch))
        reps = replicate(scenario, kpis, key="task-inflation", reps=REPS, days=DAYS, cooldown=None)
        arms[name] = pd.DataFrame(reps)
    for looser, stricter in (("none", "added"), ("added", "added_and_half")):
        a, b = arms[looser], arms[stricter]
        assert (a["requests"] == b["requests"]).all()  # the same residents' requests
        assert (b["time_to_close"] <= a["time_to_close"]).all(), (looser, stricter)
        assert (b["admin_share"] < a["admin_share"]).all(), (looser, stricter)
    baseline, _ = load_data(scenarios / "baseline.yaml")
    plain = sim.scenario_from_dict(merge_mappings(baseline, {"run": {"warmup": "3d"}}))
    same = replicate(plain, kpis, key="task-inflation", reps=2, days=DAYS, cooldown=None)
    assert pd.DataFrame(same).equals(arms["added"].head(2))
