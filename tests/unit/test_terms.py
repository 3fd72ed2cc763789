"""The terminology table: every KPI a run writes gets a name and a unit in both languages, the
Chinese name has no English word left in it (apart from scenario names), and values are shown as
the unit says."""

from __future__ import annotations

import re

import pytest

import sim
from sim.terms import LANGS, difference_shown, kpi_kind, kpi_name, kpi_unit, shown, word


def flat(summary: dict, prefix: str = "") -> dict[str, object]:
    out = {}
    for key, value in summary.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            out |= flat(value, f"{path}.")
        else:
            out[path] = value
    return out


@pytest.fixture(scope="module")
def kpis() -> dict[str, object]:
    result = sim.run(sim.load_scenario("scenarios/epidemic_14d.yaml"), seed=1, days=2)
    return {k: v for k, v in flat(result.summary).items() if isinstance(v, int | float)}


def test_every_numeric_kpi_of_a_run_has_a_name_and_unit_in_both_languages(kpis):
    for path in kpis:
        for lang in LANGS:
            assert kpi_name(path, lang).strip(), path
            kpi_unit(path, lang)  # never raises


@pytest.mark.parametrize(
    ("path", "en", "zh", "unit"),
    [
        (
            "kpi.time_to_close_h.km_p50",
            "time to close, median (Kaplan–Meier)",
            "办结时长中位数（K-M估计）",
            "h",
        ),
        ("on_time_rate", "on-time rate", "按时办结率", "share"),
        (
            "tasks.incident.on_time_rate",
            "incident tasks: on-time rate",
            "应急任务按时办结率",
            "share",
        ),
        ("by_role.grid_worker.utilization", "grid workers: utilisation", "网格员利用率", "share"),
        (
            "time_to_close_h.open_share",
            "time to close, still open at the end",
            "办结时长期末仍未完成占比",
            "share",
        ),
        ("cost_yuan", "cost", "人力成本", "yuan"),
        ("backlog_end", "backlog at the end", "期末积压", "cases"),
    ],
)
def test_headline_kpis_are_named_as_the_readme_names_them(path, en, zh, unit):
    assert (kpi_name(path, "en"), kpi_name(path, "zh"), kpi_kind(path)) == (en, zh, unit)


def test_chinese_names_of_the_headline_kpis_are_chinese(kpis):
    """Top-level KPIs and those of the closed loop (the blocks below carry names of the
    scenario's own: teams, incidents, categories, departments)."""
    blocks = ("first_response_h", "time_to_close_h", "hours", "emergency")
    for path in kpis:
        parts = path.split(".")
        if (len(parts) > 1 and parts[0] not in blocks) or path.startswith("emergency.incidents"):
            continue
        if path.startswith("emergency.standby_teams"):
            continue
        name = kpi_name(path, "zh")
        assert not re.search(r"[a-z]{3,}", name), (path, name)


def test_values_are_shown_as_their_unit_says():
    assert shown(0.1234, "share") == "12.3"
    assert shown(115300.4, "yuan") == "115,300"
    assert shown(3.14159, "h") == "3.14"
    assert shown(None, "h", "zh") == "无" and shown(float("nan"), "h") == "n/a"
    assert difference_shown(-0.021, "share") == "-2.1"
    assert word("emergency", "zh") == "应急" and word("no_such_word") == "no such word"
