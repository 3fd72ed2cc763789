"""The words gridsim shows, in English and Chinese, in one table: KPI names and their units, the
kinds of work, roles, modes, activities and the words of tables and charts. The CLI's tables,
the charts (sim.plots) and the reports all take their words and number formats from here, so a
KPI is called the same everywhere and `--lang zh|en` changes every label at once.

    kpi_name("kpi.time_to_close_h.km_p50", "zh")  # '办结时长中位数（K-M估计）'
    kpi_unit("time_to_close_h.km_p50", "en")       # 'h'
    shown(0.1234, "share", "en")                    # '12.3'
    word("emergency", "zh")                         # '应急'

A KPI is named by its path in summary.json (`time_to_close_h.km_p50`; the runs table's
`kpi.` prefix is allowed): a name of its own where the table has one, else composed from its
parts (a block, a measure, a statistic), so every KPI gets a name in both languages. Names a
scenario gives (`label_zh` of teams, categories, plans) are the scenario's, not this table's."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal, get_args

Lang = Literal["en", "zh"]
LANGS: tuple[str, ...] = get_args(Lang)


@dataclass(frozen=True)
class Term:
    """One word or phrase in both languages."""

    en: str
    zh: str

    def __call__(self, lang: Lang) -> str:
        return self.zh if lang == "zh" else self.en


#: Units: how a value is shown (`shown`) and the unit written beside it. `share`: a fraction
#: shown as a percentage; `h`: a length of time in hours; `hours`: an amount of work in hours.
Unit = Literal["share", "h", "hours", "cases", "tasks", "people", "yuan", "score", "number"]
UNITS: dict[str, Term] = {
    "share": Term("%", "%"),
    "h": Term("h", "小时"),
    "hours": Term("h", "工时"),
    "cases": Term("cases", "件"),
    "tasks": Term("tasks", "项"),
    "people": Term("people", "人"),
    "yuan": Term("yuan", "元"),
    "score": Term("points", "分"),
    "number": Term("", ""),
}

#: Words of the model and of tables and charts.
WORDS: dict[str, Term] = {
    # modes
    "peacetime": Term("peacetime", "平时"),
    "alert": Term("alert", "预警"),
    "emergency": Term("emergency", "应急"),
    "recovery": Term("recovery", "恢复"),
    # kinds of work
    "request": Term("residents' requests", "居民诉求"),
    "patrol": Term("patrol finds", "巡查发现"),
    "closed_loop": Term("closed-loop cases", "闭环事项"),
    "incident": Term("incident tasks", "应急任务"),
    "admin": Term("forms (top-down)", "上级交办表格"),
    "revisit": Term("revisits", "走访回访"),
    "warning": Term("monitoring warnings", "监测预警"),
    # activities of a worker's hours
    "cases": Term("cases", "办件"),
    "visits": Term("visits", "走访"),
    "travel": Term("travel", "路途"),
    "meetings": Term("meetings", "例会"),
    "idle": Term("idle", "空闲"),
    "off": Term("off duty", "休息"),
    "overtime": Term("overtime", "加班"),
    "field": Term("field work", "实地工作"),
    # roles and tiers
    "grid_worker": Term("grid workers", "网格员"),
    "specialist": Term("specialists", "专职人员"),
    "part_time": Term("part-time members", "兼职人员"),
    "volunteer": Term("volunteers", "志愿者"),
    "grid": Term("grid", "网格"),
    "community": Term("community", "社区"),
    "street": Term("street", "街道"),
    "district": Term("district", "区"),
    "city": Term("city", "市"),
    "feedback": Term("the feedback call", "结果反馈"),
    # channels
    "hotline": Term("12345 hotline", "12345热线"),
    "property": Term("property company", "物业"),
    # tables and charts
    "kpi": Term("KPI", "指标"),
    "value": Term("value", "数值"),
    "unit": Term("unit", "单位"),
    "arm": Term("arm", "方案"),
    "difference": Term("difference", "差值"),
    "ci95": Term("95 % CI", "95%置信区间"),
    "p_value": Term("p", "p值"),
    "higher_in": Term("higher in", "较高占比"),
    "of_pairs": Term("of {n} pairs", "（共{n}对）"),
    "against": Term("against", "对比"),
    "reference": Term("reference", "基准"),
    "parameter": Term("parameter", "参数"),
    "time_h": Term("simulated time (h)", "模拟时间（小时）"),
    "day": Term("day", "天"),
    "replications": Term("replications", "重复次数"),
    "not_available": Term("n/a", "无"),
    "offered_load": Term("offered load", "工作负荷"),
    "steady_state": Term("steady state", "稳态"),
    "stationary": Term("stationary", "已平稳"),
    "channels": Term("channels", "诉求渠道"),
    "turnover": Term("turnover", "人员流动"),
    "performance": Term("performance", "绩效"),
    "found_by": Term("found by", "发现方式"),
    "by_source": Term("by source", "来源"),
    "resident": Term("residents", "居民"),
    "checks": Term("checks", "校验"),
    "hours_in_mode": Term("hours in mode", "模式时长"),
    # -- charts (sim.plots): titles, axes and legends ------------------------------------------
    "mode": Term("mode", "运行模式"),
    "time_d": Term("simulated time (days)", "模拟时间（天）"),
    "median": Term("median", "中位数"),
    "runs_range": Term("range of {n} runs", "{n}次运行的范围"),
    "runs_p10_p90": Term("10th–90th percentile of {n} runs", "{n}次运行的10%–90%分位"),
    "open_cases": Term("open closed-loop cases", "未办结闭环事项"),
    "open_tasks": Term("open tasks", "未完成任务"),
    "chart_backlog": Term("Closed-loop backlog through the switch", "平战转换中的闭环事项积压"),
    "chart_response": Term(
        "First response and time to close, open cases counted (Kaplan–Meier)",
        "首次响应与办结时长（K-M估计，计入未办结事项）",
    ),
    "km_share": Term("share of cases by then, Kaplan–Meier", "累计占比，K-M估计"),
    "not_reached": Term("not reached", "未达到"),
    "chart_differences": Term(
        "Paired differences against {reference} (95 % CI)", "与{reference}的配对差值（95%置信区间）"
    ),
    "chart_budget": Term("Time budget by role", "各类人员工作时间构成"),
    "share_on_duty": Term("share of hours on duty", "占在岗工时比例"),
    "patrolling": Term("patrol", "巡查"),
    "of_which_overtime": Term("of which overtime (hatched)", "其中加班（斜线）"),
    "forms_line": Term(
        "50 % of the time on forms (article #4, docs/sources.md A62)",
        "50%的时间精力用于填表、报材料（第4篇，A62）",
    ),
    "chart_map": Term("Grids by street and community: {what}", "各街道、社区网格：{what}"),
    "mean_backlog": Term("mean open closed-loop cases", "平均未办结闭环事项"),
    "difficulty": Term("difficulty score", "网格难度分值"),
    "workload": Term("utilisation of the grid's staff", "网格人员利用率"),
    "chart_sensitivity": Term("Sensitivity of KPIs to the ranges", "指标对参数范围的敏感性"),
    "index": Term("index", "指数"),
    "S1": Term("first-order index", "一阶指数"),
    "ST": Term("total index", "总效应指数"),
    "S2": Term("second-order index", "二阶指数"),
    "mu_star": Term("μ* (mean absolute elementary effect)", "μ*（基本效应绝对值均值）"),
    "chart_frontier": Term("Cost against response time by arm", "各方案成本与响应时间"),
    "efficient": Term("efficient: no arm cheaper and faster", "有效方案：无更省且更快者"),
    "dominated": Term("dominated", "被占优方案"),
    "chart_load": Term("Offered load against capacity", "工作负荷与在岗能力"),
    "hours_per_week": Term("hours a week", "每周"),
    "work_offered": Term("work offered", "工作需求"),
    "hours_on_duty": Term("hours on duty", "在岗工时"),
    "standby": Term("on standby", "待命"),
    "while_incident": Term("{name} (while it lasts)", "{name}（事件期间）"),
    "utilisation_is": Term(
        "utilisation {value} % (incidents aside)", "利用率{value}%（不计突发事件）"
    ),
    # -- end of charts ------------------------------------------------------------------------
}

#: Measures (the first part of a KPI path, or a block's measure): name and unit.
MEASURES: dict[str, tuple[Term, Unit]] = {
    "cases_created": (Term("cases created", "新增事项"), "cases"),
    "cases_closed": (Term("cases closed", "办结事项"), "cases"),
    "backlog_end": (Term("backlog at the end", "期末积压"), "cases"),
    "backlog_peak": (Term("backlog peak", "积压峰值"), "cases"),
    "unhandled": (Term("never started", "未受理"), "cases"),
    "first_response_h": (Term("first response", "首次响应时长"), "h"),
    "time_to_close_h": (Term("time to close", "办结时长"), "h"),
    "time_to_done_h": (Term("time to done", "完成时长"), "h"),
    "wait_h": (Term("wait", "等待时长"), "h"),
    "on_time_rate": (Term("on-time rate", "按时办结率"), "share"),
    "escalated_share": (Term("escalated", "上报率"), "share"),
    "utilization": (Term("utilisation", "利用率"), "share"),
    "utilisation": (Term("utilisation", "利用率"), "share"),
    "admin_share": (Term("admin share", "填表时间占比"), "share"),
    "field_share": (Term("field share", "实地工作时间占比"), "share"),
    "meeting_share": (Term("meeting share", "例会时间占比"), "share"),
    "overtime_hours": (Term("overtime", "加班时长"), "hours"),
    "mobilised_hours": (Term("hours of mobilised members", "动员人员在岗工时"), "hours"),
    "revisit_coverage": (Term("revisit coverage", "走访覆盖率"), "share"),
    "cost_yuan": (Term("cost", "人力成本"), "yuan"),
    "cost_per_closed_case_yuan": (Term("cost per closed case", "每件办结成本"), "yuan"),
    "created": (Term("created", "新增"), "tasks"),
    "done": (Term("done", "完成"), "tasks"),
    "open": (Term("open at the end", "期末未完成"), "tasks"),
    "unmet_share": (Term("unmet", "未满足率"), "share"),
    "members": (Term("members", "人数"), "people"),
    "leavers": (Term("leavers", "离职人数"), "people"),
    "time_to_absorb_h": (Term("time to absorb", "消化时长"), "h"),
    "time_to_recover_h": (Term("time to recover service", "服务恢复时长"), "h"),
    "hours": (Term("hours", "工时"), "hours"),
    "score": (Term("performance score", "绩效得分"), "score"),
    "satisfaction": (Term("satisfaction", "满意度"), "share"),
    "horizon_h": (Term("horizon", "模拟时长"), "h"),
    "warmup_h": (Term("warm-up", "预热期"), "h"),
    "tired_errors": (Term("errors from fatigue", "疲劳差错"), "cases"),
    "mobilisation_cost_yuan": (Term("cost of mobilised members", "动员人员成本"), "yuan"),
    "late": (Term("late", "逾期"), "tasks"),
    "due": (Term("due", "到期"), "tasks"),
    "unmet": (Term("unmet", "未满足"), "tasks"),
    "unreached": (Term("not reached", "未联系上"), "tasks"),
    "jobs": (Term("jobs", "作业"), "tasks"),
    "waiting_end": (Term("waiting at the end", "期末等待"), "tasks"),
}

#: Statistics (the last part of a KPI path).
STATISTICS: dict[str, Term] = {
    "mean": Term("mean", "均值"),
    "p50": Term("median", "中位数"),
    "p90": Term("P90", "P90"),
    "p99": Term("P99", "P99"),
    "km_p50": Term("median (Kaplan–Meier)", "中位数（K-M估计）"),
    "km_p90": Term("P90 (Kaplan–Meier)", "P90（K-M估计）"),
    "open_share": Term("still open at the end", "期末仍未完成占比"),
    "n": Term("count", "数量"),
    "observed": Term("cases that got there", "已到达的事项数"),
}
#: Statistics that are not in the measure's unit.
STATISTIC_UNITS: dict[str, Unit] = {"open_share": "share", "n": "cases", "observed": "cases"}

#: Blocks of summary.json whose parts name a kind of work, a role or a tier.
BLOCKS: tuple[str, ...] = ("tasks", "by_role", "tiers", "emergency", "incidents", "kpis")


def word(key: str, lang: Lang = "en") -> str:
    """A word of the table in `lang`; a key the table lacks is shown as written, underscores
    as spaces."""
    term = WORDS.get(key)
    return term(lang) if term is not None else key.replace("_", " ")


def _path(kpi: str) -> list[str]:
    return kpi.removeprefix("kpi.").split(".")


def _measure(parts: list[str]) -> int | None:
    """Where the measure is in a KPI path's parts (a statistic left out): the last part the
    table knows; None if none."""
    known = [i for i, part in enumerate(parts) if part in MEASURES]
    return known[-1] if known else None


def kpi_unit(kpi: str, lang: Lang = "en") -> str:
    """The unit written beside a KPI's values."""
    return UNITS[kpi_kind(kpi)](lang)


def kpi_kind(kpi: str) -> Unit:
    """The unit of a KPI (see `Unit`): a statistic's own, else its measure's, else guessed from
    the name's ending (`_h`, `_share`/`_rate`, `_yuan`), else a plain number."""
    parts = _path(kpi)
    if parts[-1] in STATISTIC_UNITS:
        return STATISTIC_UNITS[parts[-1]]
    measure = _measure(parts)
    if measure is not None:
        return MEASURES[parts[measure]][1]
    last = parts[-1]
    if last.endswith("_h"):
        return "h"
    if last.endswith(("_share", "_rate")):
        return "share"
    if last.endswith("_yuan"):
        return "yuan"
    return "number"


def kpi_name(kpi: str, lang: Lang = "en") -> str:
    """The name of a KPI in `lang`, composed from the parts of its path: what it is about (a
    kind of work, a role, a tier), the measure and the statistic — "incident tasks: on-time
    rate", "应急任务按时办结率"."""
    parts = _path(kpi)
    statistic = STATISTICS.get(parts[-1]) if len(parts) > 1 else None
    body = parts[:-1] if statistic is not None else parts
    at = _measure(body)
    if at is None:
        at = len(body) - 1
        name = word(body[at], lang)
    else:
        name = MEASURES[body[at]][0](lang)
    subjects = [
        MEASURES[part][0](lang) if part in MEASURES else word(part, lang)
        for i, part in enumerate(body)
        if i != at and part not in BLOCKS
    ]
    if lang == "zh":
        return "".join(subjects) + name + (statistic(lang) if statistic is not None else "")
    text = f"{', '.join(subjects)}: {name}" if subjects else name
    return f"{text}, {statistic(lang)}" if statistic is not None else text


def shown(value: object, unit: Unit | str, lang: Lang = "en", digits: int | None = None) -> str:
    """A value as a table shows it in `unit`: shares as percentages with one decimal, hours
    with two, counts and yuan whole with thousands separators; missing: n/a."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return word("not_available", lang)
    number = float(value)  # type: ignore[arg-type]
    if unit == "share":
        return f"{100 * number:.{1 if digits is None else digits}f}"
    if unit in ("cases", "tasks", "people", "yuan"):
        return f"{number:,.0f}"
    return f"{number:,.{2 if digits is None else digits}f}"


def difference_shown(value: float, unit: Unit | str, lang: Lang = "en") -> str:
    """A difference between arms in `unit`, signed: shares in percentage points."""
    if unit == "share":
        return f"{100 * value:+.1f}"
    if unit in ("cases", "tasks", "people", "yuan"):
        return f"{value:+,.0f}"
    return f"{value:+,.2f}"


def difference_unit(unit: Unit | str, lang: Lang = "en") -> str:
    """The unit of a difference: percentage points for shares."""
    if unit == "share":
        return "pp" if lang == "en" else "个百分点"
    return UNITS[unit](lang) if unit in UNITS else ""
