"""Top-down tasks per sending department (sources.admin.departments): a weight of the shared
Poisson stream, a department's own rate, or a quota per period released at its start and due by
its end (article #2: "各部门任务都派到网格且带着考核指标"). Each task records its sender; the
`tasks.admin.by_department` block counts what each sent and how much of it was done in time;
blocking a department (the admission list) leaves every other task unchanged."""

from __future__ import annotations

import copy
import math

import pandas as pd
import pytest

import sim
from sim.config.loader import merge_mappings

from scenario_parts import INSTANT_LOOP, NO_ATTRIBUTES, ROUND_THE_CLOCK, flat_requests

DAYS = 28
GRIDS = 3
BASE = {
    "name": "departments-test",
    "run": {"days": DAYS, "tick": "24h", "warmup": "0h", "start_weekday": "mon"},
    "world": {
        "households": NO_ATTRIBUTES,
        "streets": [{"id": "s", "communities": [{"id": "c", "grids": GRIDS}]}],
    },
    "categories": {
        "service": {"work": "10min", "priority": 1},
        "forms": {"kind": "admin", "work": "10min", "loop": False, "deadline": "2d"},
        "patrols": {"kind": "admin", "work": "20min", "loop": False},
    },
    "grid_workers": {"per_grid": 2, "shift": ROUND_THE_CLOCK, "patrol": {"enabled": False}},
    "sources": {
        "resident": flat_requests("0.002/h"),
        "admin": {
            "category": "forms",
            "rate_per_grid": "4/day",
            "departments": {
                "民政": 1,
                "城管": 3,
                "垃圾分类": {"rate": "2/day", "priority": 3, "deadline": "1d"},
                "文保巡查": {"quota": 5, "period": "7d", "category": "patrols"},
                "河道巡查": {"quota": 2, "period": "14d", "category": "patrols", "priority": 4},
            },
        },
    },
    "loop": INSTANT_LOOP,
}
WEEKDAYS = 20  # weekdays in the 28 days from a Monday


def run(patch: dict | None = None, seed: int = 1) -> sim.Result:
    return sim.run(sim.scenario_from_dict(merge_mappings(BASE, patch or {})), seed=seed)


def admin(result: sim.Result) -> pd.DataFrame:
    cases = result.cases
    return cases[cases["source"] == "admin"]


def test_each_department_sends_its_share_rate_or_quota():
    result = run()
    tasks = admin(result)
    sent = tasks["sender"].value_counts()

    def within(count: int, expected: float) -> bool:  # Poisson count, 4 standard errors
        return abs(count - expected) < 4 * math.sqrt(expected)

    assert within(sent["民政"], 4 / 4 * WEEKDAYS * GRIDS)
    assert within(sent["城管"], 4 * 3 / 4 * WEEKDAYS * GRIDS)
    assert within(sent["垃圾分类"], 2 * WEEKDAYS * GRIDS)
    # quotas: exactly so many per grid at the start of each period, due by its end
    for name, quota, period in (("文保巡查", 5, 168.0), ("河道巡查", 2, 336.0)):
        rows = tasks[tasks["sender"] == name]
        starts = [k * period for k in range(math.ceil(DAYS * 24 / period))]
        assert sorted(rows["created_h"].unique()) == starts
        assert (rows.groupby(["created_h", "grid"], observed=True).size() == quota).all()
        assert len(rows) == quota * GRIDS * len(starts)
        assert (rows["deadline_h"] == rows["created_h"] + period).all()
        assert (rows["category"] == "patrols").all()
    # a department's priority and deadline, or its category's
    priority = tasks.groupby("sender", observed=True)["priority"].unique()
    assert priority["垃圾分类"].tolist() == [3] and priority["河道巡查"].tolist() == [4]
    assert priority["民政"].tolist() == [2] and priority["文保巡查"].tolist() == [2]
    allowed = (tasks["deadline_h"] - tasks["created_h"]).groupby(tasks["sender"], observed=True)
    assert allowed.max()["垃圾分类"] == pytest.approx(24.0)
    assert allowed.max()["民政"] == pytest.approx(48.0)
    # only top-down tasks have a sender
    assert result.cases.loc[result.cases["source"] != "admin", "sender"].isna().all()


def test_by_department_counts_sent_done_in_time_and_quotas_met():
    result = run()
    block = result.summary["tasks"]["admin"]["by_department"]
    tasks = admin(result)
    for name, row in block.items():
        mine = tasks[tasks["sender"] == name]
        assert row["sent"] == len(mine) and row["blocked"] is False
        assert row["done"] == int((mine["status"] == "closed").sum())
        assert row["on_time"] <= row["due"] <= row["sent"]
    assert sum(row["sent"] for row in block.values()) == result.summary["tasks"]["admin"]["created"]
    # ample staff: every quota done in time; the 14-day quota falls due twice in 28 days
    assert block["文保巡查"]["quota_met_share"] == 1.0
    assert block["文保巡查"]["quota_periods_due"] == 4 * GRIDS
    assert block["河道巡查"]["quota_periods_due"] == 2 * GRIDS
    assert "quota_met_share" not in block["民政"]


def test_a_quota_nobody_can_finish_in_time_is_never_met():
    """Five tasks of an hour each, due within two hours, for a grid's two workers: at most four
    can be done in time, so no grid-period meets its quota."""
    patch = {
        "categories": {"patrols": {"work": "1h"}},
        "sources": {
            "admin": {
                "departments": {
                    "文保巡查": {
                        "quota": 5,
                        "period": "7d",
                        "category": "patrols",
                        "deadline": "2h",
                    }
                }
            }
        },
    }
    block = run(patch).summary["tasks"]["admin"]["by_department"]["文保巡查"]
    assert block["quota_periods_due"] == 4 * GRIDS
    assert block["quota_met"] == 0 and block["quota_met_share"] == 0.0
    assert block["on_time"] <= 4 * 4 * GRIDS  # two workers, two hours: at most four a period


def test_blocking_departments_leaves_every_other_task_unchanged():
    """Common random numbers: with a weighted department, a rated one and a quota blocked,
    every other task and every resident request is the same draw as before, only the blocked
    senders' tasks are missing."""
    blocked = ["城管", "垃圾分类", "文保巡查"]
    full = run(seed=4).cases
    kept = run({"sources": {"admin": {"blocked": blocked}}}, seed=4)
    assert kept.summary["tasks"]["admin"]["by_department"]["城管"] == {
        "blocked": True,
        "sent": 0,
        "done": 0,
        "due": 0,
        "on_time": 0,
        "on_time_rate": None,
        "held": 0,
    }
    columns = ["source", "source_seq", "sender", "category", "grid", "created_h", "work_h"]

    def drawn(cases: pd.DataFrame) -> pd.DataFrame:
        frame = cases[columns].astype({"source": str, "sender": str, "category": str, "grid": str})
        return frame.sort_values(["source", "source_seq"], ignore_index=True)

    expected = full[~full["sender"].isin(blocked)]
    assert drawn(kept.cases).equals(drawn(expected))
    assert full["sender"].isin(blocked).sum() > 100


def test_departments_are_checked():
    bad = {
        "both ways": ({"民政": {"weight": 1, "quota": 3}}, "exactly one of weight, rate or quota"),
        "period without quota": ({"民政": {"rate": "1/day", "period": "7d"}}, "period applies"),
        "unknown category": ({"民政": {"quota": 3, "category": "nothing"}}, "unknown category"),
        "not admin": ({"民政": {"quota": 3, "category": "service"}}, "needs 'admin'"),
    }
    for departments, message in bad.values():
        data = merge_mappings(BASE, {"sources": {"admin": {"departments": departments}}})
        data["sources"]["admin"]["departments"] = departments
        if "rate_per_grid" in data["sources"]["admin"]:
            del data["sources"]["admin"]["rate_per_grid"]
        with pytest.raises(sim.ScenarioError, match=message):
            sim.scenario_from_dict(data)
    no_rate = copy.deepcopy(BASE)
    del no_rate["sources"]["admin"]["rate_per_grid"]
    with pytest.raises(sim.ScenarioError, match="rate_per_grid is needed"):
        sim.scenario_from_dict(no_rate)
