"""Charts for planning meetings, in English or Chinese, from results loaded by the API: one
run or several (`sim.run`, `sim.load_run`, `sim.sweep.load_runs`), a sweep's runs table
(`sim.sweep.load_results`), its paired comparisons or sensitivity indices. Every function
returns a matplotlib `Figure` (drawn on the Agg canvas, no pyplot; a notebook shows it as a
PNG by itself) and takes `lang="en"` or `"zh"`; `save` writes it as a PNG for slides
(1920 × 1080) or print (300 dpi).

    from sim import load_run
    from sim.plots import backlog_chart, save
    save(backlog_chart(load_run("runs/epidemic"), lang="zh"), "backlog.png")

Chinese needs a CJK font (`apt-get install fonts-noto-cjk`); without one, charts asked for in
Chinese are drawn in English with a warning (`sim.plots.fonts`).
"""

from sim.plots.backlog import backlog_chart
from sim.plots.budget import time_budget_chart
from sim.plots.differences import difference_chart
from sim.plots.fonts import chart_language, cjk_family
from sim.plots.frontier import frontier_chart
from sim.plots.grid_map import grid_map_chart
from sim.plots.offered import offered_load_chart
from sim.plots.response import response_time_chart
from sim.plots.sensitivity import sensitivity_chart
from sim.plots.style import PRINT_DPI, save

__all__ = [
    "PRINT_DPI",
    "backlog_chart",
    "chart_language",
    "cjk_family",
    "difference_chart",
    "frontier_chart",
    "grid_map_chart",
    "offered_load_chart",
    "response_time_chart",
    "save",
    "sensitivity_chart",
    "time_budget_chart",
]
