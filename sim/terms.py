"""The words gridsim shows, in English and Chinese, in one table: KPI names and their units, the
kinds of work, roles, modes, activities and the words of tables and charts. The CLI's tables,
the charts (sim.plots) and the reports all take their words and number formats from here, so a
KPI is called the same everywhere and `--lang zh|en` changes every label at once.

    kpi_name("kpi.time_to_close_h.km_p50", "zh")  # '办结时长中位数（K-M估计）'
    kpi_unit("time_to_close_h.km_p50", "en")       # 'h'
    shown(0.1234, "share", "en")                    # '12.3'
    word("emergency", "zh")                         # '应急'

A KPI is named by its path in summary.json (`time_to_close_h.km_p50`; the runs table's
`kpi.` prefix is allowed), composed from its parts:

- a **measure** (`MEASURES`: its name and unit), the last part the table knows as one; a
  measure that holds one value per thing (`escalated_share.street`, `hours.admin`) names it
  with its `of` phrase: "escalated to the street", "上报至街道比例";
- a **statistic** at the end (`STATISTICS`: mean, median, Kaplan–Meier quantiles …);
- what the measure is about (`WORDS`): a kind of work, a tier, a band, a channel. Blocks of
  summary.json that hold one entry per thing (`BLOCKS`: `tasks`, `tiers`, `by_role` …) are
  not named themselves, only say how their entries are ("{}-difficulty grids"); blocks that
  hold measures (`GROUPS`: `channels`, `checks`, `offered_load` …) are left out of the
  name.

A word may be given for one block only: the key `block.part` (`routes.grid`: "taken to the
grid worker") is looked up before `part`, in WORDS and MEASURES alike; the block is the
nearest part before it that is a block or a measure.

Names a scenario gives (teams, categories, departments, incidents, plans: the entries of the
`NAMED` blocks) are the scenario's: `kpi_name(path, "zh", names)` takes their Chinese names
from `names`, a mapping of key → `label_zh` (`scenario_names(scenario)` collects them);
without one, a name is shown as the scenario writes its key. This table never translates them."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, get_args

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
#: shown as a percentage; `h`: a length of time in hours; `hours`: an amount of work in hours;
#: `count`: a whole number of anything; `flag`: yes or no.
Unit = Literal[
    "share",
    "h",
    "hours",
    "h_week",
    "per_week",
    "per_h",
    "per_year",
    "days",
    "cases",
    "tasks",
    "people",
    "households",
    "calls",
    "count",
    "yuan",
    "score",
    "number",
    "flag",
]
UNITS: dict[str, Term] = {
    "share": Term("%", "%"),
    "h": Term("h", "小时"),
    "hours": Term("h", "工时"),
    "h_week": Term("h/week", "工时/周"),
    "per_week": Term("/week", "/周"),
    "per_h": Term("/h", "/小时"),
    "per_year": Term("/year", "/年"),
    "days": Term("days", "天"),
    "cases": Term("cases", "件"),
    "tasks": Term("tasks", "项"),
    "people": Term("people", "人"),
    "households": Term("households", "户"),
    "calls": Term("calls", "次"),
    "count": Term("", ""),
    "yuan": Term("yuan", "元"),
    "score": Term("points", "分"),
    "number": Term("", ""),
    "flag": Term("", ""),
}
#: Units of whole things: shown without decimals (a mean over replications with one).
COUNTS: frozenset[str] = frozenset({"cases", "tasks", "people", "households", "calls", "count"})

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
    "hours.cases": Term("on cases", "办件"),
    "hours.incident": Term("on incident tasks", "应急任务"),
    "hours.admin": Term("on forms (top-down)", "上级交办表格"),
    "hours.visits": Term("on visits", "走访"),
    "hours.patrol": Term("on patrol", "巡查"),
    "hours.travel": Term("travelling", "路途"),
    "hours.meetings": Term("in meetings", "例会"),
    "hours.idle": Term("idle", "空闲"),
    "hours.off": Term("off duty", "休息"),
    "parts.on_time": Term("on time", "按时办结"),
    "parts.productivity": Term("productivity", "工作效率"),
    "parts.revisits": Term("revisits", "走访"),
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
    "tiers.grid": Term("grid tier", "网格层级"),
    "tiers.community": Term("community tier", "社区层级"),
    "tiers.street": Term("street tier", "街道层级"),
    "tiers.district": Term("district tier", "区级层级"),
    "tiers.city": Term("city tier", "市级层级"),
    "tiers.feedback": Term("the feedback call", "结果反馈环节"),
    # grid-difficulty bands
    "low": Term("low", "低"),
    "medium": Term("medium", "中"),
    "high": Term("high", "高"),
    # sources of cases
    "resident": Term("residents", "居民"),
    "found_by.patrol": Term("patrols", "巡查"),
    "by_source.patrol": Term("patrols", "巡查"),
    # channels
    "hotline": Term("12345 hotline", "12345热线"),
    "property": Term("property company", "物业"),
    "chosen.grid": Term("the grid worker", "网格员"),
    "by_channel.grid": Term("the grid worker", "网格员"),
    "routes.grid": Term("taken to the grid worker", "交网格员"),
    "routes.settled": Term("settled at a desk", "在受理台化解"),
    "routes.forwarded": Term("forwarded as a work order", "转派工单"),
    "routes.gave_up": Term("given up", "放弃反映"),
    "routes.at_desk": Term("still at a desk", "仍在受理台"),
    "managed": Term("in compounds with a property company", "有物业小区"),
    "unmanaged": Term("in compounds without a property company", "无物业小区"),
    # blocks shown as a subject
    "offered_load": Term("offered load", "预估负荷"),
    "steady_state": Term("steady state", "稳态"),
    "busiest_grid": Term("busiest grid", "最忙网格"),
    "satisfaction": Term("satisfaction", "满意度"),
    "self_governance": Term("residents' groups", "居民自治组织"),
    "recurrence": Term("recurrence", "复发"),
    "first_hours": Term("first hours", "先期处置"),
    "little": Term("Little's law", "利特尔法则"),
    "checks": Term("checks", "校验"),
    # tables and charts
    "kpi": Term("KPI", "指标"),
    "value": Term("value", "数值"),
    "unit": Term("unit", "单位"),
    "arm": Term("arm", "方案"),
    "difference": Term("difference", "差值"),
    "ci95": Term("95 % CI", "95%置信区间"),
    "p_value": Term("p", "p值"),
    "higher_in": Term("higher in", "较高占比"),
    "of_pairs": Term("of {n}", "（共{n}对）"),
    "against": Term("against", "对比"),
    "reference": Term("reference", "基准"),
    "parameter": Term("parameter", "参数"),
    "time_h": Term("simulated time (h)", "模拟时间（小时）"),
    "day": Term("day", "天"),
    "replications": Term("replications", "重复次数"),
    "not_available": Term("n/a", "无"),
    "yes": Term("yes", "是"),
    "no": Term("no", "否"),
    "stationary": Term("stationary", "已平稳"),
    "channels": Term("channels", "诉求渠道"),
    "turnover": Term("turnover", "人员流动"),
    "performance": Term("performance", "绩效"),
    "found_by": Term("found by", "发现方式"),
    "by_source": Term("by source", "来源"),
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
    "closed_loop_after_warmup": Term(
        "closed loop: residents' requests and patrol finds after the warm-up",
        "闭环事项：预热期后的居民诉求与巡查发现",
    ),
    "all_work": Term("all work", "全部工作"),
    # how the warm-up was chosen (steady_state.warmup_method)
    "MSER-5 on the closed-loop backlog": Term(
        "MSER-5 on the closed-loop backlog", "按闭环积压的MSER-5法"
    ),
    "set in the scenario": Term("set in the scenario", "场景设定"),
    "none: the run starts from a warm start": Term(
        "none: the run starts from a warm start", "无：从热启动开始"
    ),
    "none: too few ticks for MSER-5 before the first incident or the horizon": Term(
        "none: too few ticks for MSER-5 before the first incident or the horizon",
        "无：首个突发事件或模拟结束前的步数太少，无法用MSER-5法",
    ),
    "run_title": Term(
        "{name} · seed {seed} · {days:g} days · {wall:.2f} s wall",
        "{name} · 随机种子 {seed} · {days:g} 天 · 实际用时 {wall:.2f} 秒",
    ),
    "offered_load_title": Term("{name} · offered load", "{name} · 预估负荷"),
    "run_folder": Term("run folder: {path}", "运行目录：{path}"),
    "design_runs": Term(
        "{points} points × {replications} replications", "{points}个设计点 × {replications}次重复"
    ),
    "noise_share": Term(
        "replication noise: {share} of the variance of the point means",
        "重复噪声：占设计点均值方差的{share}",
    ),
    "noise_unknown": Term(
        "replication noise not estimated (one replication)", "未估计重复噪声（仅一次重复）"
    ),
    "noise_flat": Term(
        "replication noise not estimated (the point means do not vary)",
        "未估计重复噪声（各设计点均值无差异）",
    ),
    "sd_over_reps": Term("sd over reps", "重复间标准差"),
    "pairs": Term("pairs", "参数对"),
    "means": Term("means", "均值"),
    # -- reports (sim.report): sections, labels, sentences of the executive summary, captions ---
    # Sentences are templates filled by sim.report.summary with numbers formatted by `shown` and
    # `difference_shown`; captions are filled by sim.report.charts.
    "report_run": Term("Run of {name}", "{name}运行报告"),
    "report_sweep": Term("Experiment {name}", "{name}实验报告"),
    "report_subtitle": Term(
        "gridsim report for a planning meeting", "gridsim报告（供规划会议使用）"
    ),
    "sec_summary": Term("Executive summary", "摘要"),
    "sec_kpis": Term("Key figures", "主要指标"),
    "sec_comparisons": Term("Paired differences between arms", "方案间配对差值"),
    "sec_means": Term("Means by arm", "各方案均值"),
    "sec_sensitivity": Term("Sensitivity to the ranges", "参数敏感性"),
    "sec_charts": Term("Charts", "图表"),
    "sec_assumptions": Term("Assumptions and their sources", "假设及其来源"),
    "sec_varied": Term("What the experiment varies", "实验变量"),
    "sec_provenance": Term("Provenance", "来源与复现"),
    "sec_files": Term("Files beside this report", "随附文件"),
    "scenario": Term("scenario", "情景"),
    "experiment": Term("experiment", "实验"),
    "seed": Term("seed", "随机种子"),
    "seeds": Term("seeds", "随机种子"),
    "root_seed": Term("root seed", "根种子"),
    "gridsim_version": Term("gridsim version", "gridsim版本"),
    "command": Term("command that reproduces it", "复现命令"),
    "report_command": Term("command that writes this report", "生成本报告的命令"),
    "ran_on": Term("run on", "运行日期"),
    "written_on": Term("report written", "报告生成时间"),
    "horizon": Term("horizon", "模拟时长"),
    "n_days": Term("{n} days", "{n}天"),
    "folder": Term("folder", "文件夹"),
    "made_from": Term("made from", "来源文件"),
    "runs_count": Term("runs", "运行次数"),
    "mean": Term("mean", "均值"),
    "path": Term("path in summary.json", "summary.json中的路径"),
    "name": Term("name", "名称"),
    "setting": Term("setting", "设置项"),
    "value_ran": Term("value that ran", "实际运行值"),
    "source_kind": Term("source", "来源类型"),
    "cited": Term("cited (docs/sources.md)", "引用（docs/sources.md）"),
    "file_says": Term("what the file says", "文件注释"),
    "where_set": Term("where it is set", "设置位置"),
    "sourced": Term("cites a source", "有出处"),
    "informed": Term("assumption informed by a source", "参考来源的假设"),
    "assumption": Term("assumption", "假设"),
    "unsourced": Term("no source cited in the file", "文件未注明出处"),
    "grids_households": Term("grids and households", "网格与住户"),
    "staffing": Term("staffing", "人员配置"),
    "demand": Term("work and demand", "工作来源与需求"),
    "emergency_plans": Term("incidents and plans", "突发事件与预案"),
    "horizon_group": Term("horizon", "模拟时段"),
    "base_scenario": Term("base scenario", "基础情景"),
    "arm_scenario": Term("scenario file of {arm}", "{arm}方案情景文件"),
    "factor": Term("factor", "因素"),
    "levels": Term("levels", "水平"),
    "range": Term("range", "取值范围"),
    "design": Term("design", "设计"),
    "overrides": Term("overrides", "覆盖设置"),
    "sources_cited": Term("Sources cited", "所引来源"),
    "assumptions_count": Term(
        "Of the {n} values shown, {sourced} cite a source, {informed} are assumptions informed "
        "by a source, {assumption} are assumptions and {unsourced} cite no source.",
        "所列{n}项取值中，{sourced}项有出处，{informed}项为参考来源的假设，{assumption}项为假设，"
        "{unsourced}项未注明出处。",
    ),
    "cap_backlog_run": Term(
        "Closed-loop cases (residents' requests and patrol finds) open at the end of each hour; "
        "shaded, the time spent in alert, emergency or recovery. The lower panel counts each "
        "kind of task apart, as the KPIs do.",
        "每小时末未办结的闭环事项（居民诉求与巡查发现）；阴影为预警、应急或恢复模式的时段。下图单独"
        "统计各类任务，与指标口径一致。",
    ),
    "cap_response_run": Term(
        "Hours to first response and to close of the closed-loop cases created after the "
        "warm-up: the Kaplan–Meier estimate counts the cases still open at the end (a curve "
        "that ends below 100 % has cases left open); medians and P90s marked.",
        "预热期后新增闭环事项的首次响应与办结时长：K-M估计计入期末仍未办结的事项（曲线止于100%以下"
        "即有事项未办结）；标出中位数与P90。",
    ),
    "not_in_sources": Term("not found in docs/sources.md", "docs/sources.md中未找到"),
    "assumptions_note": Term(
        "The values that matter, as the scenario file writes them, each with the comment on its "
        "line (or just above it, or on its section's line) that says where it comes from; the "
        "ids it cites are those of docs/sources.md, with their text. A value whose comment says "
        "“assumption” is the model's own choice, and one with no comment cites no source: both "
        "are meant to be swept, not trusted.",
        "以下为情景文件中的关键取值，以及该行（或其上方、所在段落）注释说明的出处；引用编号见"
        "docs/sources.md，并附其内容。注释写明“assumption”的取值为模型自行设定的假设，没有注释的"
        "取值未注明出处：两者都应通过参数扫描检验，不宜直接采信。",
    ),
    "changed_note": Term(
        "Values marked in the column “value that ran” were set apart from the file for these "
        "runs (--set, --days, an arm or a factor).",
        "“实际运行值”一列有值的设置项在本次运行中另行设定（--set、--days、方案或因素）。",
    ),
    "edited_note": Term(
        "The scenario files have been edited since the sweep ran: the values shown are those of "
        "the files today, not necessarily those that ran.",
        "情景文件在扫描运行之后已被修改：以下为文件当前的取值，未必是运行时的取值。",
    ),
    "no_origin": Term(
        "The {what} file this folder was made from was not found (looked in {where}), so the "
        "sources of its values cannot be shown; name it with --from FILE.",
        "未找到生成该文件夹的{what}文件（已查找：{where}），无法列出取值的出处；"
        "可用--from FILE指定。",
    ),
    "scenario_file": Term("scenario", "情景"),
    "experiment_file": Term("experiment", "实验"),
    "files_note": Term(
        "Each chart as a PNG at slide resolution (1920 × 1080) and each table as CSV, in {folder}:",
        "每张图以幻灯片分辨率（1920×1080）保存为PNG，每个表格保存为CSV，位于{folder}：",
    ),
    "not_reached_end": Term("not reached by the end", "期末前未达到"),
    "higher": Term("higher", "升高"),
    "lower": Term("lower", "降低"),
    "not_significant": Term("not significant", "差异不显著"),
    "and": Term(" and ", "和"),
    "list_sep": Term(", ", "、"),
    "item_sep": Term("; ", "；"),
    # the executive summary of a run
    "sum_run_cases": Term(
        "{scenario}, seed {seed}, {days} days (the first {warmup} h a warm-up, not counted): "
        "{created} residents' requests and patrol finds came in, {closed} were closed and "
        "{open} were still open at the end (at most {peak} at once).",
        "{scenario}（随机种子{seed}，模拟{days}天，前{warmup}小时为预热期，不计入）：新增居民诉求"
        "和巡查发现{created}件，办结{closed}件，期末仍未办结{open}件（同时未办结最多{peak}件）。",
    ),
    "sum_close": Term(
        "half of them were closed within {p50} h and nine in ten within {p90} (Kaplan–Meier, "
        "cases still open counted)",
        "半数事项在{p50}小时内办结，九成在{p90}内办结（K-M估计，计入未办结事项）",
    ),
    "sum_open": Term(
        "more than half of them ({open_share} %) were still open at the end, so no median time "
        "to close can be given",
        "期末仍有{open_share}%的事项未办结（过半），无法给出办结时长中位数",
    ),
    "sum_on_time": Term("{on_time} % were reported back on time", "{on_time}%按时反馈结果"),
    "sum_first": Term(
        "half were first responded to within {first} h", "半数事项在{first}小时内得到首次响应"
    ),
    "sentence_end": Term(".", "。"),
    "clause_sep": Term(", ", "，"),
    "sum_run_cost": Term(
        "The staff cost {cost} yuan; grid workers were busy {util} % of their hours on duty and "
        "spent {admin} % of the hours they worked on forms.",
        "人力成本{cost}元；网格员在岗时间利用率为{util}%，{admin}%的工作时间用于填表、报材料。",
    ),
    "sum_run_incident": Term(
        "{incident} (from day {day}): the backlog peaked at {peak}; {tasks}.",
        "{incident}（第{day}天起）：积压峰值{peak}件；{tasks}。",
    ),
    "sum_task_done": Term(
        "{task} done in {h} h ({coverage} % covered)", "{task}用时{h}小时完成（覆盖{coverage}%）"
    ),
    "sum_task_unmet": Term("{task}: {share} % unmet", "{task}未满足{share}%"),
    "sum_plan_fired": Term("{plan} fired {h} h after onset", "{plan}于事件发生{h}小时后启动"),
    "sum_run_steady": Term(
        "The run is in steady state: the work offered is {load} % of the hours on duty, and no "
        "open work grew after the warm-up.",
        "运行处于稳态：工作负荷为在岗工时的{load}%，预热期后未完成工作没有增长。",
    ),
    "sum_run_transient": Term(
        "Caution: {why}; the numbers measure a transient and depend on the horizon.",
        "注意：{why}；以上数字反映的是非稳态过程，随模拟时长而变。",
    ),
    "why_overloaded": Term(
        "the work offered is {load} % of the hours on duty", "工作负荷达在岗工时的{load}%"
    ),
    "why_growing": Term(
        "open work grew after the warm-up ({blocks})", "预热期后未完成工作仍在增长（{blocks}）"
    ),
    "why_no_warmup": Term(
        "no warm-up was removed (too few ticks for the warm-up search)",
        "未剔除预热期（步数太少，无法检测预热期）",
    ),
    "why_unsettled": Term(
        "the warm-up search (MSER-5) found no settled start", "预热期检测（MSER-5）未找到稳定起点"
    ),
    "sum_run_surge": Term(
        "The run has an incident: it measures a surge, by design, and its numbers depend on the "
        "{days}-day horizon.",
        "本次运行包含突发事件，反映的是冲击过程（非稳态），数字随{days}天的模拟时长而变。",
    ),
    # the executive summary of a sweep
    "sum_sweep_intro": Term(
        "{experiment} compares {arms} with {reference} on {n} paired replications (the same "
        "seeds in every arm, from root seed {seed}), {days} days each{levels}.",
        "{experiment}实验以{reference}为基准比较{arms}，每个方案{n}次配对重复（各方案使用相同的"
        "随机种子，根种子{seed}），每次模拟{days}天{levels}。",
    ),
    "sum_sweep_levels": Term(
        ", at each level of {factor} ({values})", "，在{factor}的各水平（{values}）下分别比较"
    ),
    "sum_sweep_single": Term(
        "{experiment} runs one arm, {arm}, on {n} replications (root seed {seed}), {days} days "
        "each{levels}; its means are in the tables below.",
        "{experiment}实验只有一个方案{arm}，{n}次重复（根种子{seed}），每次模拟{days}天{levels}；"
        "各项均值见下表。",
    ),
    "sum_sweep_arm": Term("{arm} against {reference}: {items}.", "{arm}对比{reference}：{items}。"),
    "sum_item": Term(
        "{kpi} {direction}, {diff} {unit} [{low}, {high}]",
        "{kpi}{direction}{diff}{unit}［{low}, {high}］",
    ),
    "sum_item_levels": Term("{kpi} ({unit}): {levels}", "{kpi}（{unit}）：{levels}"),
    "sum_level": Term("{diff} [{low}, {high}] at {level}", "{level}时{diff}［{low}, {high}］"),
    "sum_level_ns": Term("{diff} at {level} (not significant)", "{level}时{diff}（差异不显著）"),
    "sum_no_difference": Term("no significant difference in {kpis}", "{kpis}无显著差异"),
    "sum_km_missing": Term(
        "the median time to close is not reached in {k} of {n} runs of {arm} (more than half "
        "still open at the end), so {kpi} is compared",
        "{arm}有{k}/{n}次运行未达到办结时长中位数（过半事项期末仍未办结），故改为比较{kpi}",
    ),
    "sum_sweep_more": Term(
        "{n} more arms are compared in the tables below.", "另有{n}个方案的比较见下表。"
    ),
    "sum_sweep_surge": Term(
        "Every run has an incident: the numbers measure a surge, by design, and depend on the "
        "{days}-day horizon.",
        "所有运行均包含突发事件，反映的是冲击过程（非稳态），数字随{days}天的模拟时长而变。",
    ),
    "sum_sweep_transient": Term(
        "Caution: {parts}; results measured on these runs are transients that depend on the "
        "horizon.",
        "注意：{parts}；这些运行的结果反映非稳态过程，随模拟时长而变。",
    ),
    "sum_transient_arm": Term(
        "{arm}: {over} of {n} runs offered more work than the staff's hours, {growing} with "
        "open work growing",
        "{arm}：{n}次运行中{over}次工作负荷超过在岗工时，{growing}次未完成工作持续增长",
    ),
    "sum_sweep_steady": Term(
        "Every run was in steady state: none was offered more work than its staff's hours and "
        "none had open work growing after the warm-up.",
        "所有运行均处于稳态：工作负荷均未超过在岗工时，预热期后未完成工作均未增长。",
    ),
    "sum_sens_intro": Term(
        "{experiment} varies {ranges} over a {design} design ({points} points, {n} runs, "
        "{days} days each).",
        "{experiment}实验采用{design}设计，在{ranges}的范围内取{points}个点（共{n}次运行，每次"
        "模拟{days}天）。",
    ),
    "sum_sens_kpi": Term(
        "{kpi} depends most on {first} ({index} {value} [{low}, {high}]){rest}.",
        "{kpi}受{first}影响最大（{index} {value}［{low}, {high}］）{rest}。",
    ),
    "sum_sens_rest": Term(", then {names}", "，其次是{names}"),
    "sum_sens_noise": Term(
        "Replication noise is {noise} % of the variance of the design points' means of {kpi}: "
        "indices of that order cannot be told from zero.",
        "{kpi}各设计点均值的方差中重复噪声占{noise}%：同一量级的指数与零无法区分。",
    ),
    # captions of the charts
    "cap_backlog": Term(
        "Closed-loop cases (residents' requests and patrol finds) open at the end of each hour, "
        "per arm: the median over the runs and a band (their range; the 10th–90th percentile "
        "from ten runs); shaded, the time spent in alert, emergency or recovery. The lower "
        "panel counts each kind of task apart, as the KPIs do.",
        "各方案每小时末未办结的闭环事项（居民诉求与巡查发现）：各次运行的中位数及其范围（十次及"
        "以上为10%–90%分位）；阴影为预警、应急或恢复模式的时段。下图单独统计各类任务，与指标口径"
        "一致。",
    ),
    "cap_response": Term(
        "Hours to first response and to close of the closed-loop cases created after the "
        "warm-up, runs pooled: the Kaplan–Meier estimate counts the cases still open at the end "
        "(a curve that ends below 100 % has cases left open); medians and P90s marked.",
        "预热期后新增闭环事项的首次响应与办结时长（各次运行合并）：K-M估计计入期末仍未办结的事项"
        "（曲线止于100%以下即有事项未办结）；标出中位数与P90。",
    ),
    "cap_differences": Term(
        "Mean paired difference of each KPI, arm − {reference}, replication by replication on "
        "the same seeds, with its 95 % confidence interval (paired t): an interval that does "
        "not cross zero is a significant difference. Shares in percentage points.",
        "各指标的平均配对差值（方案−{reference}，同一随机种子逐次配对）及95%置信区间（配对t检验）："
        "区间不含零即差异显著。比例以百分点表示。",
    ),
    "cap_frontier": Term(
        "Mean {cost} against {response} per arm, with 95 % confidence intervals on both; "
        "filled: the efficient arms, none other both cheaper and faster.",
        "各方案平均{cost}与{response}（两者均附95%置信区间）；实心为有效方案：没有其他方案既更省又"
        "更快。",
    ),
    "cap_sensitivity": Term(
        "Sensitivity indices of each KPI to the experiment's ranges, with 95 % bootstrap "
        "intervals, computed on the design points' means over the replications.",
        "各指标对实验参数范围的敏感性指数（基于各设计点的重复均值）及95% bootstrap区间。",
    ),
    "cap_budget": Term(
        "Hours on duty by activity and role, overtime hatched; the line marks the article's 50 % "
        "of the time on forms (docs/sources.md A62).",
        "各类人员在岗工时按活动构成，斜线为加班；竖线为文章所说50%的时间用于填表（A62）。",
    ),
    "cap_map": Term(
        "Each grid as a tile in its community's block and its street's band (the scenario has no "
        "geography), coloured by its mean closed-loop backlog after the warm-up.",
        "每个网格为一格，按社区、街道排列（情景不含地理位置），颜色表示预热期后平均未办结闭环事项数。",
    ),
    "cap_load": Term(
        "Work offered a week by kind, worked out before the run, against the hours on duty by "
        "team; work above the hours on duty cannot all be done, and the run does not settle.",
        "运行前估算的每周各类工作需求与各队伍在岗工时；需求超过在岗工时则无法全部完成，运行不会达到稳态。",
    ),
    "cap_cell": Term("At {cell}. ", "{cell}："),
    # -- end of reports -------------------------------------------------------------------------
}


@dataclass(frozen=True)
class Measure:
    """A measure: its name and unit; `of` names one value of a measure that holds one per thing
    (`{}` is the thing)."""

    name: Term
    unit: Unit
    of: Term | None = None


def _m(en: str, zh: str, unit: Unit, of: tuple[str, str] | None = None) -> Measure:
    return Measure(Term(en, zh), unit, Term(*of) if of else None)


#: Measures (the leaves of summary.json, and blocks of one value per thing): name and unit.
MEASURES: dict[str, Measure] = {
    # the closed loop
    "horizon_h": _m("horizon", "模拟时长", "h"),
    "warmup_h": _m("warm-up", "预热期", "h"),
    "cases_created": _m("cases created", "新增事项", "cases"),
    "cases_closed": _m("cases closed", "办结事项", "cases"),
    "backlog_end": _m("backlog at the end", "期末积压", "cases"),
    "backlog_peak": _m("backlog peak", "积压峰值", "cases"),
    "unhandled": _m("never started", "未受理", "cases"),
    "first_response_h": _m("first response", "首次响应时长", "h"),
    "time_to_close_h": _m("time to close", "办结时长", "h"),
    "time_to_done_h": _m("time to done", "完成时长", "h"),
    "wait_h": _m("wait", "等待时长", "h"),
    "time_h": _m("time there", "停留时长", "h"),
    "on_time_rate": _m("on-time rate", "按时办结率", "share"),
    "escalated_share": _m("escalated", "上报率", "share", ("escalated to the {}", "上报至{}比例")),
    "time_to_close_by_tier_h": _m(
        "time to close by highest tier",
        "按最高层级的办结时长",
        "h",
        ("time to close, highest tier {}", "最高至{}的事项办结时长"),
    ),
    "by_source": _m("cases by source", "按来源事项数", "cases", ("cases from {}", "{}来源事项")),
    "found_by": _m(
        "cases by who found them",
        "按发现方式事项数",
        "cases",
        ("cases found by {}", "{}发现的事项"),
    ),
    "jobs": _m("jobs", "办理次数", "count"),
    "tiers.cases": _m("cases", "事项数", "cases"),
    "waiting_end": _m("waiting at the end", "期末排队", "count"),
    # staff and their hours
    "members": _m("members", "人数", "people"),
    "utilization": _m("utilisation", "利用率", "share", ("utilisation of {}", "{}利用率")),
    "utilisation": _m("utilisation", "利用率", "share"),
    "admin_share": _m("admin share", "填表时间占比", "share"),
    "field_share": _m("field share", "实地工作时间占比", "share"),
    "meeting_share": _m("meeting share", "例会时间占比", "share"),
    "hours": _m("hours", "工时", "hours", ("hours {}", "{}工时")),
    "overtime_hours": _m("overtime", "加班时长", "hours"),
    "tired_errors": _m("errors from fatigue", "疲劳差错", "cases"),
    "cost_yuan": _m("cost", "人力成本", "yuan"),
    "cost_per_closed_case_yuan": _m("cost per closed case", "每件办结成本", "yuan"),
    "revisit_coverage": _m("revisit coverage", "走访覆盖率", "share"),
    # tasks
    "created": _m("created", "新增", "tasks"),
    "done": _m("done", "完成", "tasks"),
    "unreached": _m("not reached", "未联系上", "tasks"),
    "lapsed": _m("lapsed unstaffed", "无人值守", "tasks"),
    "open": _m("open at the end", "期末未完成", "tasks"),
    "due": _m("due", "到期", "tasks"),
    "on_time": _m("done on time", "按时完成", "tasks"),
    "late": _m("late", "逾期", "tasks"),
    "unmet": _m("unmet", "未满足", "tasks"),
    "unmet_share": _m("unmet", "未满足率", "share"),
    "by_department.blocked": _m("kept out by the admission list", "被准入清单挡回", "flag"),
    "sent": _m("sent to the grid", "下派", "tasks"),
    "held": _m("held by a plan at the end", "期末仍被预案暂缓", "tasks"),
    "quota_periods_due": _m("quota periods due", "到期考核周期", "count"),
    "quota_met": _m("quota periods met", "完成指标的周期", "count"),
    "quota_met_share": _m("quota met", "指标完成率", "share"),
    # checks on every run
    "checks.conservation": _m("conservation holds", "守恒校验通过", "flag"),
    "checks.created": _m("cases and tasks created", "新增事项与任务", "count"),
    "checks.closed": _m("cases and tasks closed", "办结事项与任务", "count"),
    "checks.open": _m("cases and tasks open", "未结事项与任务", "count"),
    "little_L": _m("Little's law: mean open cases (L)", "利特尔法则：平均在办事项数L", "number"),
    "little_lambda": _m(
        "Little's law: cases closed an hour (λ)", "利特尔法则：每小时办结数λ", "per_h"
    ),
    "little_W": _m("Little's law: mean time to close (W)", "利特尔法则：平均办结时长W", "h"),
    "little_open_L": _m(
        "Little's law: of L, cases still open", "利特尔法则：L中期末未结部分", "number"
    ),
    # emergencies
    "hours_in_mode": _m(
        "hours in each mode", "各模式时长", "h", ("hours in {} mode", "{}模式时长")
    ),
    "mobilised_hours": _m("hours of mobilised members", "动员人员在岗工时", "hours"),
    "mobilisation_cost_yuan": _m("cost of mobilised members", "动员人员成本", "yuan"),
    "standby_teams.members": _m("members", "人数", "people"),
    "left": _m("left", "离开人数", "people"),
    "shifts_missed": _m("shifts missed", "缺勤班次", "count"),
    "onset_h": _m("onset", "发生时刻", "h"),
    "backlog_before_max": _m("backlog before it, most", "事发前最大积压", "cases"),
    "time_to_absorb_h": _m("time to absorb", "消化时长", "h"),
    "time_to_recover_h": _m("time to recover service", "服务恢复时长", "h"),
    "tasks": _m("tasks", "任务数", "tasks"),
    "completed_h": _m("all done after", "全部完成用时", "h"),
    "coverage": _m("coverage", "覆盖率", "share"),
    "hours_staffed_share": _m("post hours staffed", "值守时段到岗率", "share"),
    "fired_h": _m("fired after", "启动用时", "h"),
    "mode_h": _m("mode switched after", "模式切换用时", "h"),
    "first_mobilised_job_h": _m(
        "first job of a mobilised member after", "动员人员首项工作用时", "h"
    ),
    "detected_h": _m("detected after", "发现用时", "h"),
    "assessed_h": _m("assessed after", "研判用时", "h"),
    "reported_h": _m("reported after", "上报用时", "h"),
    "first_response_done_h": _m("first response done after", "先期处置完成用时", "h"),
    "reached_h": _m(
        "report reached each tier after",
        "报告到达各层级用时",
        "h",
        ("report reached the {} after", "报告到达{}用时"),
    ),
    # offered load (worked out before a run: expected, not simulated)
    "offered_load.utilisation": _m("offered utilisation, grid side", "网格侧预估利用率", "share"),
    "busiest_grid.utilisation": _m(
        "offered utilisation of the busiest grid", "最忙网格预估利用率", "share"
    ),
    "arrivals_per_week": _m(
        "arrivals expected a week",
        "每周预计到达量",
        "per_week",
        ("{} expected a week", "每周预计到达的{}"),
    ),
    "demand_h_per_week": _m(
        "work offered a week",
        "每周预估工作量",
        "h_week",
        ("work offered a week by {}", "{}每周预估工作量"),
    ),
    "demand_by_category_h_per_week": _m(
        "work offered a week by category",
        "各类别每周预估工作量",
        "h_week",
        ("work offered a week by {}", "{}每周预估工作量"),
    ),
    "capacity_h_per_week": _m(
        "hours on duty a week, less meetings",
        "每周在岗工时（扣除例会）",
        "h_week",
        ("hours on duty a week (less meetings) of {}", "{}每周在岗工时（扣除例会）"),
    ),
    "standby_capacity_h_per_week": _m(
        "hours a week on standby, when mobilised",
        "每周待命工时（动员时）",
        "h_week",
        ("hours on standby a week of {}", "{}每周待命工时"),
    ),
    "shortfall_h_per_week": _m("offered work left undone a week", "每周预估工作缺口", "h_week"),
    "grids_over_capacity": _m("grids offered more work than hours", "预估超负荷网格数", "count"),
    "departments.demand": _m("work offered a week", "每周预估工作量", "h_week"),
    "departments.capacity": _m("hours on duty a week", "每周在岗工时", "h_week"),
    "departments.utilisation": _m("offered utilisation", "预估利用率", "share"),
    "incidents.hours": _m("extra work offered", "预估额外工作量", "hours"),
    "days": _m("duration", "持续时间", "days"),
    "h_per_week": _m("extra work offered a week", "每周预估额外工作量", "h_week"),
    "channels_per_week.needs": _m("residents' needs expected", "预计居民诉求", "per_week"),
    "channels_per_week.reported": _m("needs expected reported", "预计反映的诉求", "per_week"),
    "channels_per_week.grid": _m(
        "needs expected at the grid worker", "预计找网格员的诉求", "per_week"
    ),
    "channels_per_week.settled": _m(
        "needs expected settled at a desk", "预计在受理台化解的诉求", "per_week"
    ),
    "channels_per_week.gave_up": _m("needs expected given up", "预计放弃反映的诉求", "per_week"),
    "channels_per_week.calls": _m(
        "calls expected", "预计来电", "per_week", ("calls expected to the {}", "预计打给{}的来电")
    ),
    "channels_per_week.blocked": _m(
        "calls expected blocked",
        "预计未接通来电",
        "per_week",
        ("calls expected blocked at the {}", "预计{}未接通来电"),
    ),
    "needs_by_compound": _m(
        "needs expected by compound",
        "按小区预计诉求",
        "per_week",
        ("needs expected of households {}", "预计{}住户诉求"),
    ),
    "grid_by_compound": _m(
        "needs expected at the grid worker by compound",
        "按小区预计找网格员的诉求",
        "per_week",
        ("needs expected at the grid worker, households {}", "预计{}住户找网格员的诉求"),
    ),
    "calls": _m("calls", "来电", "calls"),
    "blocked": _m("calls blocked", "未接通来电", "calls"),
    # steady state
    "warmup_settled": _m("the warm-up settled", "预热期已稳定", "flag"),
    "stationary": _m("stationary after the warm-up", "预热期后已平稳", "flag"),
    # channels
    "needs": _m("residents' needs", "居民诉求", "count"),
    "reported": _m("needs reported", "已反映的诉求", "count"),
    "unreported": _m("needs never reported", "未反映的诉求", "count"),
    "unreported_share": _m("never reported", "未反映比例", "share"),
    "chosen.needs": _m("needs", "诉求数", "count"),
    "chosen.share": _m("share of the reported", "占已反映诉求比例", "share"),
    "chosen_by_compound.reported": _m("needs reported", "已反映的诉求", "count"),
    "routes.needs": _m("needs", "诉求数", "count"),
    "routes.share": _m("share of the reported", "占已反映诉求比例", "share"),
    "gave_up": _m("needs given up after a blocked call", "来电未接通后放弃的诉求", "count"),
    "gave_up_share": _m("given up after a blocked call", "来电未接通后放弃比例", "share"),
    "settled_at_desk": _m("needs settled at a desk", "在受理台化解的诉求", "count"),
    "forwarded": _m("forwarded as work orders", "转派工单", "count"),
    "agents": _m("agents", "坐席数", "people"),
    "capacity": _m("places (agents and queue)", "容量（坐席与排队）", "count"),
    "resident_calls": _m("calls from the area's residents", "本区居民来电", "calls"),
    "blocked_share": _m("calls blocked", "未接通比例", "share"),
    "blocked_full": _m("calls blocked, desk full", "占线未接通", "calls"),
    "blocked_closed": _m("calls blocked, desk closed", "非工作时间未接通", "calls"),
    "resident_blocked": _m("residents' calls blocked", "居民来电未接通", "calls"),
    "resident_blocked_share": _m("residents' calls blocked", "居民来电未接通比例", "share"),
    "answered": _m("answered", "接听", "calls"),
    "settled": _m("settled", "化解", "count"),
    "time_in_desk_h": _m("time in the desk", "在台时长", "h"),
    "L": _m("mean calls in the desk (L)", "平均在台来电数L", "number"),
    "lambda": _m("calls admitted an hour (λ)", "每小时接入来电λ", "per_h"),
    "W": _m("mean time in the desk (W)", "平均在台时长W", "h"),
    "ratings": _m("ratings", "评价数", "count"),
    "mean_rating": _m("mean rating (0–1)", "平均评分（0–1）", "number"),
    "households": _m("households", "户数", "households"),
    "mean_satisfaction": _m(
        "mean satisfaction at the end (0–1)", "期末平均满意度（0–1）", "number"
    ),
    "checks.needs": _m("every need has one route", "诉求去向守恒", "flag"),
    "checks.grid_cases": _m("cases taken to the grid match", "网格事项核对一致", "flag"),
    "checks.work_orders": _m("work orders match", "工单核对一致", "flag"),
    "checks.desk_little": _m("desks' call-hours match", "受理台来电时长核对一致", "flag"),
    # turnover and volunteer pools
    "posts": _m("posts", "岗位数", "count"),
    "leavers": _m("leavers", "离职人数", "people"),
    "hires": _m("hires", "新聘人数", "people"),
    "turnover_per_year": _m("turnover a year", "年流失率", "per_year"),
    "mean_head_count": _m("mean head count", "平均在岗人数", "people"),
    "filled_share": _m("posts filled", "岗位在岗率", "share"),
    "vacant_h": _m("post-hours vacant", "岗位空缺时长", "hours"),
    "vacant_at_end": _m("posts vacant at the end", "期末空缺岗位", "count"),
    "grid_hours_without_own_share": _m(
        "grid-hours without their own member", "网格无本岗人员时长占比", "share"
    ),
    "covered_share": _m("of those, covered from the community", "其中同社区人员兼顾占比", "share"),
    "communities": _m("communities", "社区数", "count"),
    "size": _m("pool size", "人员池规模", "people"),
    "mean_per_community": _m("pool size per community, mean", "每社区人员池平均规模", "people"),
    "joined": _m("joined", "加入人数", "people"),
    "turned_away": _m("turned away (pool full)", "因名额已满未加入", "people"),
    "turnover.calls": _m("calls to the pool", "召集次数", "count"),
    "turnover.answered": _m("answered a call", "响应召集人数", "people"),
    # performance
    "scored": _m("members scored", "参评人数", "people"),
    "score": _m("performance score", "绩效得分", "score"),
    "stars": _m("members by stars", "各星级人数", "people", ("members with {} stars", "{}星人数")),
    "parts": _m("parts of the score", "得分分项", "share", ("score part: {}", "{}分项得分")),
    "star_bonus_yuan": _m("star bonus", "星级奖金", "yuan"),
    # residents' groups and recurrence
    "requests": _m("requests a group could take", "可受理诉求", "count"),
    "taken": _m("taken", "接手", "count"),
    "passed_on": _m("passed on to the grid", "转交网格", "count"),
    "with_group_end": _m("with the group at the end", "期末仍在自治组织", "count"),
    "settled_share": _m("settled", "化解率", "share"),
    "time_to_settle_h": _m("time to settle", "化解时长", "h"),
    "closed": _m("closed", "办结", "cases"),
    "reopened": _m("reopened", "复发", "cases"),
    "reopened_share": _m("reopened", "复发率", "share"),
    "recurring_cases": _m("recurring cases brought", "复发带来的事项", "cases"),
}

#: Statistics (the last part of a KPI path).
STATISTICS: dict[str, Term] = {
    "mean": Term("mean", "均值"),
    "p10": Term("P10", "P10"),
    "p50": Term("median", "中位数"),
    "p90": Term("P90", "P90"),
    "p99": Term("P99", "P99"),
    "min": Term("least", "最小值"),
    "max": Term("most", "最大值"),
    "km_p50": Term("median (Kaplan–Meier)", "中位数（K-M估计）"),
    "km_p90": Term("P90 (Kaplan–Meier)", "P90（K-M估计）"),
    "open_share": Term("still open at the end", "期末仍未完成占比"),
    "n": Term("count", "数量"),
    "observed": Term("how many got there", "已完成数"),
}
#: Statistics that are not in the measure's unit.
STATISTIC_UNITS: dict[str, Unit] = {"open_share": "share", "n": "count", "observed": "count"}
#: Statistics over the cases that got there only (a Kaplan–Meier quantile counts the others).
OF_OBSERVED: frozenset[str] = frozenset({"mean", "p50", "p90", "p99"})
#: Measures whose summaries give the Kaplan–Meier quantiles beside the plain statistics, and
#: which cases their plain statistics count.
CENSORED: dict[str, Term] = {
    "first_response_h": Term("started", "已响应"),
    "time_to_close_h": Term("closed", "已办结"),
    "time_to_close_by_tier_h": Term("closed", "已办结"),
    "time_to_done_h": Term("done", "已完成"),
}

#: Blocks of summary.json that hold one entry per thing (a kind of work, a tier, a team), and
#: how an entry is named ("{}": the thing). The blocks are not named themselves.
BLOCKS: dict[str, Term] = {
    "tasks": Term("{}", "{}"),
    "tiers": Term("{}", "{}"),
    "by_role": Term("{}", "{}"),
    "by_category": Term("{}", "{}"),
    "by_department": Term("{}", "{}"),
    "by_difficulty_band": Term("{}-difficulty grids", "{}难度网格"),
    "departments": Term("{}", "{}"),
    "incidents": Term("{}", "{}"),
    "switch_over": Term("{}", "{}"),
    "standby_teams": Term("{} on standby", "待命的{}"),
    "turnover": Term("{}", "{}"),
    "performance": Term("{}", "{}"),
    "desks": Term("{} desk", "{}受理台"),
    "routes": Term("{}", "{}"),
    "chosen": Term("first choice {}", "首选{}"),
    "chosen_by_compound": Term("households {}", "{}住户"),
    "by_channel": Term("{}", "{}"),
}
#: Blocks that hold measures, not things: not named either.
GROUPS: frozenset[str] = frozenset(
    {"kpis", "emergency", "checks", "channels", "channels_per_week", "offered_load", "busiest_grid"}
)
#: Blocks whose entries are things a scenario names (teams, categories, departments,
#: incidents, plans), and measures of one value per such thing.
NAMED: frozenset[str] = frozenset(
    {
        "by_role",
        "by_category",
        "by_department",
        "departments",
        "incidents",
        "switch_over",
        "turnover",
        "performance",
        "standby_teams",
        "utilization",
        "capacity_h_per_week",
        "standby_capacity_h_per_week",
        "demand_by_category_h_per_week",
    }
)
#: Blocks whose values are counted a week.
BLOCK_UNITS: dict[str, Unit] = {"channels_per_week": "per_week"}
#: An incident's task block: `task_<i>_<category>`.
INCIDENT_TASK = re.compile(r"task_\d+_(.+)")


#: Settings of a scenario that experiments vary, by the last part of their path (a factor or a
#: range: `world.streets.0.communities.0.grids`); `parameter_name` composes the rest.
PARAMETERS: dict[str, Term] = {
    "grids": Term("grids per community", "每社区网格数"),
    "households_per_grid": Term("households per grid", "每网格户数"),
    "households_total": Term("households", "总户数"),
    "per_grid": Term("members per grid", "每网格人数"),
    "per_community": Term("members per community", "每社区人数"),
    "grids_per_member": Term("grids per member", "每人负责网格数"),
    "rate_per_household": Term("rate per household", "每户发生率"),
    "rate_per_grid": Term("rate per grid", "每网格发生率"),
    "monthly_yuan": Term("monthly pay", "月薪"),
    "annual_bonus_yuan": Term("annual bonus", "年度奖金"),
    "annual_rate": Term("leaving rate a year", "年离职率"),
    "join_rate": Term("join rate", "加入率"),
    "leave_rate": Term("leave rate", "离开率"),
    "recruitment_delay": Term("time to hire", "招聘周期"),
    "work": Term("work content", "工作量"),
    "travel": Term("travel", "路途时间"),
    "deadline": Term("deadline", "办理时限"),
    "speed": Term("speed", "工作速度"),
    "agents": Term("agents", "坐席数"),
    "days": Term("days simulated", "模拟天数"),
    "median": Term("median", "中位数"),
    "mean": Term("mean", "均值"),
    "cv": Term("CV", "变异系数"),
    "low": Term("low", "下限"),
    "high": Term("high", "上限"),
    "enabled": Term("on", "启用"),
}
#: Ends of a parameter path that qualify the part before: a distribution's statistic
#: (`work.median`) or a switch (`self_governance.enabled`).
PARAMETER_STATISTICS: frozenset[str] = frozenset({"median", "mean", "cv", "low", "high", "enabled"})
#: Parts of a scenario path whose next part is a thing the scenario names.
OWNERS: frozenset[str] = frozenset(
    {"categories", "teams", "departments", "incidents", "plans", "sources", "channels"}
)
#: Words of the things owned, where the scenario's sources and channels are named.
OWNED: dict[str, Term] = {
    "grid_workers": Term("grid workers", "网格员"),
    "sources.resident": Term("residents' requests", "居民诉求"),
    "sources.patrol": Term("patrols", "巡查"),
    "sources.admin": Term("forms (top-down)", "上级交办表格"),
    "sources.revisits": Term("revisits", "走访回访"),
    "channels.hotline": Term("12345 hotline", "12345热线"),
    "channels.property": Term("property company", "物业"),
}


def parameter_name(path: str, lang: Lang = "en", names: Mapping[str, str] | None = None) -> str:
    """A readable name of a scenario setting an experiment varies (a factor or a range):
    what it belongs to (a team, a category, a source: the scenario's name for it, `names` in
    Chinese), the setting (`PARAMETERS`) and a distribution's statistic; list indexes left out.
    `categories.admin_form.work.median` → "admin form: work content, median"."""
    parts = [part for part in path.removeprefix("factor.").split(".") if not part.isdigit()]
    owner = None
    if parts[0] in OWNED and len(parts) > 1:
        owner, parts = OWNED[parts[0]](lang), parts[1:]
    elif parts[0] in OWNERS and len(parts) > 2:
        key, known = parts[1], OWNED.get(f"{parts[0]}.{parts[1]}")
        if known is not None:
            owner = known(lang)
        else:
            owner = (names or {}).get(key) if lang == "zh" else None
            owner = owner or word(key, lang)
        parts = parts[2:]
    statistic = None
    if len(parts) > 1 and parts[-1] in PARAMETER_STATISTICS:
        statistic, parts = PARAMETERS[parts[-1]](lang), parts[:-1]
    term = PARAMETERS.get(parts[-1])
    name = term(lang) if term is not None else word(parts[-1], lang)
    if lang == "zh":
        return (owner or "") + name + (statistic or "")
    text = f"{owner}: {name}" if owner else name
    return f"{text}, {statistic}" if statistic else text


def word(key: str, lang: Lang = "en") -> str:
    """A word of the table in `lang`; a key the table lacks is shown as written, underscores
    as spaces."""
    term = WORDS.get(key)
    return term(lang) if term is not None else key.replace("_", " ")


def scenario_names(scenario: Any) -> dict[str, str]:
    """The Chinese names (`label_zh`) a scenario gives its teams (the grid workers too),
    categories, departments, incidents and plans, by key: the `names` of `kpi_name`. The
    scenario may be a Scenario or its data (a run folder's scenario.yaml)."""
    fields = ("grid_workers", "teams", "categories", "departments", "incidents", "plans")
    if hasattr(scenario, "model_dump"):
        scenario = scenario.model_dump(include=set(fields))
    groups = [{"grid_worker": scenario.get("grid_workers") or {}}]
    groups += [scenario.get(name) or {} for name in fields[1:]]
    return {
        key: item["label_zh"]
        for group in groups
        for key, item in group.items()
        if isinstance(item, Mapping) and item.get("label_zh")
    }


Role = Literal["block", "group", "thing", "measure", "qualifier", "word"]


@dataclass(frozen=True)
class _Parsed:
    """A KPI path read: each part's role and block (the nearest block or measure before it),
    the measure's index (None if no part is one) and the statistic."""

    parts: list[str]
    roles: list[Role]
    blocks: list[str]
    measure: int | None
    statistic: str | None


def _parse(kpi: str) -> _Parsed:
    parts = kpi.removeprefix("kpi.").split(".")
    statistic = parts[-1] if len(parts) > 1 and parts[-1] in STATISTICS else None
    body = parts[:-1] if statistic else parts
    roles: list[Role] = []
    blocks: list[str] = []
    measure, block = None, ""
    for i, part in enumerate(body):
        blocks.append(block)
        before = roles[-1] if roles else None
        if before == "block" or (
            before == "measure" and _lookup(MEASURES, blocks[-2], body[i - 1]).of
        ):
            roles.append("thing" if before == "block" else "qualifier")
            continue
        if (part in BLOCKS or part in GROUPS) and i + 1 < len(body):  # a leaf is never a block
            roles.append("block" if part in BLOCKS else "group")
            block = part
        elif _lookup(MEASURES, block, part) is not None:
            roles.append("measure")
            measure, block = i, part
        else:
            roles.append("word")
    return _Parsed(parts, roles, blocks, measure, statistic)


def _lookup(table: Mapping[str, Any], block: str, part: str) -> Any:
    """A part's entry in `table` for its block (`block.part`), else its own."""
    return table.get(f"{block}.{part}", table.get(part))


def _thing(parsed: _Parsed, i: int, lang: Lang, names: Mapping[str, str] | None) -> str:
    """How part `i` of a KPI path is named: a thing a scenario names, a word of the table, the
    way its block names its entries."""
    part, block = parsed.parts[i], parsed.blocks[i]
    task = INCIDENT_TASK.fullmatch(part)
    if task is not None:  # an incident's task, named by its category
        part = task.group(1)
    if task is not None or (parsed.roles[i] in ("thing", "qualifier") and block in NAMED):
        known = names.get(part) if names and lang == "zh" else None
        text = known or word(part, lang)
    else:
        term = _lookup(WORDS, block, part)
        text = term(lang) if term is not None else word(part, lang)
    return BLOCKS[block](lang).format(text) if parsed.roles[i] == "thing" else text


def kpi_kind(kpi: str) -> Unit:
    """The unit of a KPI (see `Unit`): a statistic's own, else its block's, else its
    measure's, else guessed from the name's ending (`_h`, `_share`/`_rate`, `_yuan`), else a
    plain number."""
    parsed = _parse(kpi)
    if parsed.statistic in STATISTIC_UNITS:
        return STATISTIC_UNITS[parsed.statistic]
    for part in parsed.parts:
        if part in BLOCK_UNITS:
            return BLOCK_UNITS[part]
    if parsed.measure is not None:
        return _lookup(MEASURES, parsed.blocks[parsed.measure], parsed.parts[parsed.measure]).unit
    last = parsed.parts[-1]
    if last.endswith("_h"):
        return "h"
    if last.endswith(("_share", "_rate")):
        return "share"
    if last.endswith("_yuan"):
        return "yuan"
    return "number"


def kpi_unit(kpi: str, lang: Lang = "en") -> str:
    """The unit written beside a KPI's values."""
    return UNITS[kpi_kind(kpi)](lang)


def kpi_name(kpi: str, lang: Lang = "en", names: Mapping[str, str] | None = None) -> str:
    """The name of a KPI in `lang`, composed from the parts of its path: what it is about (a
    kind of work, a role, a tier), the measure and the statistic — "incident tasks: on-time
    rate", "应急任务按时办结率". `names` gives the Chinese names of the scenario's teams,
    categories, departments, incidents and plans (`scenario_names`)."""
    parsed = _parse(kpi)
    parts, at, thing = parsed.parts, parsed.measure, None
    body = len(parsed.roles)
    if at is None:
        at = body - 1
        name = _thing(parsed, at, lang, names)
    else:
        measure = _lookup(MEASURES, parsed.blocks[at], parts[at])
        name = measure.name(lang)
        if at + 1 < body and parsed.roles[at + 1] == "qualifier":
            thing = _thing(parsed, at + 1, lang, names)
            name = measure.of(lang).format(thing)
    subjects: list[str] = []
    for i, role in enumerate(parsed.roles):
        if i == at or role in ("block", "group", "qualifier"):
            continue
        subject = _thing(parsed, i, lang, names)
        if subject not in subjects and subject != thing:
            subjects.append(subject)
    statistic = ""
    if parsed.statistic is not None:
        statistic = STATISTICS[parsed.statistic](lang)
        if parsed.statistic in OF_OBSERVED and parts[at] in CENSORED:
            note = CENSORED[parts[at]](lang)
            statistic += f"（{note}）" if lang == "zh" else f" ({note})"
    if lang == "zh":
        return "".join(subjects) + name + statistic
    text = f"{', '.join(subjects)}: {name}" if subjects else name
    return f"{text}, {statistic}" if statistic else text


def _number(value: float, digits: int, sign: bool = False) -> str:
    """A number with thousands separators and `digits` decimals, signed if asked; what rounds
    to zero is shown as 0, unsigned."""
    if round(value, digits) == 0:
        value, sign = 0.0, False
    return f"{value:{'+' if sign else ''},.{digits}f}"


def _count_digits(value: float) -> int:
    """Whole numbers without decimals; a mean of whole numbers with one."""
    return 0 if float(value).is_integer() else 1


def shown(value: object, unit: Unit | str, lang: Lang = "en", digits: int | None = None) -> str:
    """A value as a table shows it in `unit`: shares as percentages with one decimal, hours
    with two, counts and yuan whole with thousands separators (a mean of counts with one
    decimal), flags as yes or no; missing: n/a."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return word("not_available", lang)
    if unit == "flag":
        return word("yes" if value else "no", lang)
    number = float(value)  # type: ignore[arg-type]
    if unit == "share":
        return _number(100 * number, 1 if digits is None else digits)
    if unit in COUNTS:
        return _number(number, _count_digits(number) if digits is None else digits)
    return _number(number, (0 if unit == "yuan" else 2) if digits is None else digits)


def difference_shown(value: float, unit: Unit | str, lang: Lang = "en") -> str:
    """A difference between arms in `unit`, signed: shares in percentage points."""
    if value is None or not math.isfinite(value):
        return word("not_available", lang)
    if unit == "share":
        return _number(100 * value, 1, sign=True)
    if unit in COUNTS:
        return _number(value, _count_digits(value), sign=True)
    return _number(value, 0 if unit == "yuan" else 2, sign=True)


def difference_unit(unit: Unit | str, lang: Lang = "en") -> str:
    """The unit of a difference: percentage points for shares."""
    if unit == "share":
        return "pp" if lang == "en" else "个百分点"
    return UNITS[unit](lang) if unit in UNITS else ""


# --- names of an experiment's arms and factors ------------------------------------------

#: The names an experiment file gives its factors, ranges and arms (`Experiment.label_terms`).
Labels = Mapping[str, Term] | None
#: The Chinese names a scenario gives its teams, categories and the rest (`scenario_names`).
Names = Mapping[str, str] | None


def factor_label(path: str, lang: Lang = "en", labels: Labels = None, names: Names = None) -> str:
    """A factor's or range's name: the experiment file's label, else one made from its path
    (`sim.terms.parameter_name`)."""
    path = path.removeprefix("factor.")
    if labels and path in labels:
        return labels[path](lang)
    return parameter_name(path, lang, names)


def level_text(value: Any) -> str:
    """A factor's value as the experiment file writes it ("0.5/day", 10)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return f"{value:g}" if isinstance(value, float) else str(value)


def setting(column: str, value: Any, lang: Lang, labels: Labels, names: Names) -> str:
    """An arm, or a factor at a level: "one_six_n" (or its label), "grids per community = 10"."""
    if column == "arm":
        return labels[value](lang) if labels and value in labels else str(value)
    return f"{factor_label(column, lang, labels, names)} = {level_text(value)}"
