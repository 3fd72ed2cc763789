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
