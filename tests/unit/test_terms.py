"""The terminology table: every KPI a run writes gets a name and a unit in both languages, the
Chinese name has no English word left in it (apart from scenario names, which come from the
scenario's `label_zh`), and values are shown as the unit says."""

from __future__ import annotations

import re

import pytest

import sim
from sim.terms import (
    LANGS,
    UNITS,
    difference_shown,
    difference_unit,
    kpi_kind,
    kpi_name,
    kpi_unit,
    parameter_name,
    scenario_names,
    shown,
    word,
)

#: Scenarios whose runs together write every block of summary.json: incidents and plans,
#: channels, turnover, performance, residents' groups, quotas, first hours, teams.
SCENARIOS = (
    "epidemic_14d",
    "baseline",
    "turnover_channels",
    "resident_groups",
    "task_inflation",
    "epidemic_first_hours",
    "gas_leak_channels",
)


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
def runs() -> list[tuple[object, dict[str, object]]]:
    """(scenario, its numeric KPIs by path) of a 2-day run of each of SCENARIOS."""
    out = []
    for name in SCENARIOS:
        scenario = sim.load_scenario(f"scenarios/{name}.yaml")
        summary = sim.run(scenario, seed=1, days=2).summary
        kpis = {k: v for k, v in flat(summary).items() if isinstance(v, int | float) or v is None}
        out.append((scenario, kpis))
    return out


@pytest.fixture(scope="module")
def kpis(runs) -> dict[str, object]:
    return {path: value for _, kpis in runs for path, value in kpis.items()}


def test_every_numeric_kpi_of_a_run_has_a_name_and_unit_in_both_languages(kpis):
    assert len(kpis) > 1000
    for path, value in kpis.items():
        assert kpi_kind(path) in UNITS, path
        for lang in LANGS:
            assert kpi_name(path, lang).strip(), path
            kpi_unit(path, lang)  # never raises
            assert shown(value, kpi_kind(path), lang)
        if isinstance(value, bool):
            assert kpi_kind(path) == "flag", path


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


def test_chinese_names_are_chinese_apart_from_the_names_a_scenario_gives(runs):
    """Every KPI's Chinese name, with the scenario's `label_zh` for its teams, categories,
    departments, incidents and plans, has no English word left; without them, only the keys
    of the scenario's own things are left in English."""
    for scenario, kpis in runs:
        names = scenario_names(scenario)
        own = {key for group in _own(scenario) for key in group}
        for path in kpis:
            name = kpi_name(path, "zh", names)
            assert not re.search(r"[A-Za-z]{3,}", name), (path, name)
            bare = kpi_name(path, "zh")
            for key in sorted(own, key=len, reverse=True):
                bare = bare.replace(key.replace("_", " "), "")
            assert not re.search(r"[A-Za-z]{3,}", bare), (path, kpi_name(path, "zh"))


def _own(scenario) -> tuple:
    return (
        scenario.all_teams(),
        scenario.categories,
        scenario.departments,
        scenario.incidents,
        scenario.plans,
    )


def test_a_scenario_names_its_own_things_in_chinese():
    scenario = sim.load_scenario("scenarios/epidemic_14d.yaml")
    names = scenario_names(scenario)
    assert names["cadres"] == "下沉干部" and names["epidemic"] == "疫情"
    assert kpi_name("by_role.cadres.utilization.cadres", "zh", names) == "下沉干部利用率"
    assert kpi_name("by_role.cadres.utilization.cadres", "en", names) == "utilisation of cadres"
    assert kpi_name("by_role.cadres.utilization.cadres", "zh") == "cadres利用率"  # not invented
    task = "emergency.incidents.epidemic.task_1_delivery.unmet_share"
    assert kpi_name(task, "zh", names) == "疫情代购配送未满足率"
    assert kpi_name(task, "en", names) == "epidemic, delivery: unmet"
    assert kpi_name("offered_load.departments.chengguan.utilisation", "zh", names) == (
        "城管中队预估利用率"
    )


@pytest.mark.parametrize(
    ("path", "en", "zh", "unit"),
    [
        ("escalated_share.street", "escalated to the street", "上报至街道比例", "share"),
        (
            "tiers.feedback.wait_h.mean",
            "the feedback call: wait, mean",
            "结果反馈环节等待时长均值",
            "h",
        ),
        ("hours.off", "hours off duty", "休息工时", "hours"),
        (
            "by_difficulty_band.high.time_to_close_h.mean",
            "high-difficulty grids: time to close, mean (closed)",
            "高难度网格办结时长均值（已办结）",
            "h",
        ),
        (
            "channels.routes.settled.share",
            "settled at a desk: share of the reported",
            "在受理台化解占已反映诉求比例",
            "share",
        ),
        (
            "offered_load.demand_h_per_week.admin",
            "work offered a week by forms (top-down)",
            "上级交办表格每周预估工作量",
            "h_week",
        ),
        (
            "offered_load.channels_per_week.calls.hotline",
            "calls expected to the 12345 hotline",
            "预计打给12345热线的来电",
            "per_week",
        ),
        ("checks.conservation", "conservation holds", "守恒校验通过", "flag"),
        (
            "performance.grid_worker.stars.5",
            "grid workers: members with 5 stars",
            "网格员5星人数",
            "people",
        ),
        (
            "turnover.grid_worker.filled_share",
            "grid workers: posts filled",
            "网格员岗位在岗率",
            "share",
        ),
        ("turnover.volunteers.size.max", "volunteers: pool size, most", None, "people"),
    ],
)
def test_kpis_of_the_blocks_are_named_from_their_parts(path, en, zh, unit):
    assert (kpi_name(path, "en"), kpi_kind(path)) == (en, unit)
    if zh is not None:
        assert kpi_name(path, "zh") == zh


def test_values_are_shown_as_their_unit_says():
    assert shown(0.1234, "share") == "12.3"
    assert shown(115300.4, "yuan") == "115,300"
    assert shown(3.14159, "h") == "3.14"
    assert shown(12, "cases") == "12" and shown(12.25, "cases") == "12.2"  # a mean of counts
    assert shown(None, "h", "zh") == "无" and shown(float("nan"), "h") == "n/a"
    assert shown(True, "flag") == "yes" and shown(False, "flag", "zh") == "否"
    assert difference_shown(-0.021, "share") == "-2.1" and difference_unit("share") == "pp"
    assert difference_shown(1234.5, "yuan") == "+1,234" and difference_shown(3, "cases") == "+3"
    assert difference_shown(-0.0004, "share") == "0.0" and shown(-0.001, "h") == "0.00"
    assert word("emergency", "zh") == "应急" and word("no_such_word") == "no such word"


@pytest.mark.parametrize(
    ("path", "en", "zh"),
    [
        ("world.streets.0.communities.0.grids", "grids per community", "每社区网格数"),
        ("grid_workers.per_grid", "grid workers: members per grid", "网格员每网格人数"),
        ("grid_workers.pay.monthly_yuan", "grid workers: monthly pay", "网格员月薪"),
        (
            "categories.admin_form.work.median",
            "admin form: work content, median",
            "填表报材料工作量中位数",
        ),
        (
            "sources.admin.rate_per_grid",
            "forms (top-down): rate per grid",
            "上级交办表格每网格发生率",
        ),
        (
            "incidents.epidemic.tasks.1.rate_per_household",
            "epidemic: rate per household",
            "疫情每户发生率",
        ),
        ("world.self_governance.enabled", "residents' groups, on", "居民自治组织启用"),
    ],
)
def test_a_factor_is_named_from_its_path(path, en, zh):
    names = {"admin_form": "填表报材料", "epidemic": "疫情"}
    assert parameter_name(path, "en", names) == en
    assert parameter_name(f"factor.{path}", "zh", names) == zh
