"""The words of a drill's after-action report in one place: section titles and the arms compared
(English and Chinese), the statuses of objectives and expectations, the headline KPIs compared,
names with the drill's Chinese labels (`label_zh`), and times as a drill file writes them. A
terminology layer (zh/en) replaces these tables and functions, nothing else."""

from __future__ import annotations

import math

#: Section titles: (English, Chinese).
TITLES: dict[str, tuple[str, str]] = {
    "report": ("After-action report", "演练总结报告"),
    "header": ("The drill", "演练概况"),
    "timeline": ("Timeline", "演练过程"),
    "objectives": ("Objectives", "演练目标"),
    "findings": ("Strengths and areas for improvement", "评估：做得好的与待改进的"),
    "strengths": ("Strengths", "做得好的"),
    "areas": ("Areas for improvement", "待改进的"),
    "plan": ("Improvement plan", "改进计划"),
    "whatif": ("What-if: the plan alone and the team's decisions", "对比：仅依预案与演练决策"),
    "replays": ("Beyond the one future played", "其他可能情景下的复演"),
}

#: The two arms compared: (English, Chinese).
ARMS: dict[str, tuple[str, str]] = {
    "team": ("with the team's decisions", "按演练决策"),
    "plan alone": ("the plan alone", "仅依预案"),
}

#: Outcomes of objectives and of expected decisions: (English, Chinese).
STATUSES: dict[str, tuple[str, str]] = {
    "met": ("met", "达成"),
    "missed": ("missed", "未达成"),
    "on track": ("on track", "进展正常"),
    "at risk": ("at risk", "有风险"),
    "in time": ("in time", "及时"),
    "late": ("late", "迟缓"),
    "not taken": ("not taken", "未采取"),
    "pending": ("pending", "未到期"),
    "taken": ("taken", "已采取"),
    "refused": ("refused", "被拒绝"),
    "fired": ("fired", "已发布"),
}

#: Headline KPIs of summary.json set side by side in the what-if: (path, English label, unit:
#: `share`, `h` a length of time, `hours` an amount of work, `cases` or `yuan`).
HEADLINE_KPIS: tuple[tuple[str, str, str], ...] = (
    ("backlog_end", "closed-loop backlog at the end", "cases"),
    ("backlog_peak", "most closed-loop cases open at once", "cases"),
    ("first_response_h.mean", "mean first response", "h"),
    ("tasks.incident.on_time_rate", "incident tasks done on time", "share"),
    ("tasks.incident.time_to_done_h.mean", "mean time to do an incident task", "h"),
    ("overtime_hours", "overtime", "hours"),
    ("emergency.mobilised_hours", "hours on duty of mobilised members", "hours"),
    ("cost_yuan", "cost of all staff", "yuan"),
)


def both(key: str, table: dict[str, tuple[str, str]]) -> str:
    """`English 中文` for a key of one of the tables above."""
    english, chinese = table[key]
    return f"{english} {chinese}"


def named(name: str, label_zh: str = "") -> str:
    """A drill's name for something (an objective, an inject, a resource) with its Chinese
    label when the drill gives one."""
    return f"{name} ({label_zh})" if label_zh else name


def clock_text(hours: float | None) -> str:
    """A moment of the run as a drill file writes it: `day 2 21:05` (day 0 the first); `–` for
    None."""
    if hours is None:
        return "–"
    minutes = round(hours * 60)
    day, minute_of_day = divmod(minutes, 24 * 60)
    return f"day {day} {minute_of_day // 60:02d}:{minute_of_day % 60:02d}"


def duration_text(hours: float) -> str:
    """A length of time in words: `20 min`, `1 h 30 min`, `2 d 4 h`; seconds under a minute."""
    if hours < 1 / 60:
        return f"{hours * 3600:.0f} s"
    minutes = round(hours * 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours_left, minutes = divmod(minutes, 60)
    parts = [(days, "d"), (hours_left, "h"), (minutes, "min")]
    shown = [f"{value} {unit}" for value, unit in parts if value]
    return " ".join(shown[:2])


def value_text(value: float | None, unit: str) -> str:
    """A measured value with its unit: shares as percentages, lengths of time (`h`) as a
    duration, amounts of work (`hours`) in hours."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if unit == "share":
        return f"{100 * value:.1f} %"
    if unit == "h":
        return duration_text(value)
    if unit == "hours":
        return f"{value:,.1f} h"
    if unit in ("cases", "yuan"):
        return f"{value:,.0f} {unit}"
    return f"{value:.3g} {unit}"


def difference_text(value: float, unit: str) -> str:
    """A signed difference of two values with the same unit: shares in percentage points."""
    sign = "+" if value > 0 else "−" if value < 0 else "±"
    if unit == "share":
        return f"{sign}{100 * abs(value):.1f} points"
    return sign + value_text(abs(value), unit)
