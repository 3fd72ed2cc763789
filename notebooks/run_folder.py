# ---
# jupyter:
#   jupytext:
#     cell_metadata_filter: -all
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # How to read a run folder
#
# One run of the baseline community (北焦化-like: 15 grids of 200 households, one full-time grid
# worker per grid, `scenarios/baseline.yaml`) for 30 simulated days, written as a run folder and
# read back. The folder is what `gridsim run … --out DIR` writes; everything below reads it with
# `sim.load_run`, so the same cells work on any run folder.
#
# Size: set `GRIDSIM_NOTEBOOK_QUICK=1` for a 10-day run (the tests do); the numbers then show
# how to read a folder, not findings. Folders are written under `runs/notebooks/` (or
# `GRIDSIM_NOTEBOOK_OUT`), never into the repository's tracked files.

# %%
import json
import os
from pathlib import Path

import pandas as pd

import sim
from sim.plots import backlog_chart, grid_map_chart, offered_load_chart, time_budget_chart
from sim.terms import kpi_kind, kpi_name, kpi_unit, shown

QUICK = os.environ.get("GRIDSIM_NOTEBOOK_QUICK", "") not in ("", "0")
ROOT = next(
    (p for p in [Path.cwd(), *Path.cwd().parents] if (p / "scenarios" / "baseline.yaml").is_file()),
    Path(sim.__file__).resolve().parents[1],
)
OUT = Path(os.environ.get("GRIDSIM_NOTEBOOK_OUT", ROOT / "runs" / "notebooks"))
DAYS = 10 if QUICK else 30
folder = OUT / f"baseline-s7-{DAYS}d"

# %% [markdown]
# ## Run, write, read back
#
# `sim.run` returns a `Result`; `Result.write` writes the folder atomically (an earlier run
# folder at the same place is replaced, anything else is refused); `sim.load_run` reads it back.

# %%
result = sim.run(ROOT / "scenarios" / "baseline.yaml", seed=7, days=DAYS)
result.write(folder)
run = sim.load_run(folder)
sorted(p.name for p in folder.iterdir())

# %% [markdown]
# - `summary.json`: the KPIs (below);
# - `cases.parquet`: one row per case or task, with the time of each of the eight steps of the
#   closed loop (`accepted_h` … `archived_h`, `closed_h`), its kind, category, grid and handler;
# - `jobs.parquet`: one row per piece of work on a case (the grid's, each department's, the
#   feedback call), when it was queued, started and finished;
# - `timeseries.parquet`: per hour and unit, arrivals, completions and the open cases;
# - `workers.parquet`: per member of staff, hours by activity, overtime, cost;
# - `events.parquet`: the emergency plans' event log (empty in peacetime);
# - `scenario.yaml`: the scenario as it ran, every default filled in, and `manifest.json`: the
#   seed, the gridsim version, the dates and the versions of the libraries.
#
# `scenario.yaml` runs again as it is: `gridsim run DIR/scenario.yaml --seed 7` gives the same
# numbers.

# %%
manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
{key: manifest[key] for key in ("gridsim", "scenario", "seed", "days", "started")}

# %% [markdown]
# ## The KPIs
#
# The headline KPIs count the **closed loop**: residents' requests and patrol finds created
# after the warm-up (chosen by MSER-5, so the empty start does not count). Times to close and to
# first response are given as the Kaplan–Meier median and P90, which count the cases still open
# at the end as censored: a mean of the closed cases alone flatters a system that leaves its
# hardest cases open. Forms, revisits and an incident's tasks are counted apart, in
# `summary["tasks"]`. Names and units come from `sim.terms` (`lang="zh"` for Chinese).

# %%
summary = run.summary
paths = [
    "cases_created", "cases_closed", "backlog_end", "backlog_peak",
    "time_to_close_h.km_p50", "time_to_close_h.km_p90", "time_to_close_h.open_share",
    "first_response_h.km_p50", "on_time_rate", "utilization.grid_worker", "admin_share",
    "overtime_hours", "cost_yuan",
]  # fmt: skip


def value(path: str) -> object:
    node = summary
    for part in path.split("."):
        node = node[part]
    return node


pd.DataFrame(
    {
        "KPI": [kpi_name(p) for p in paths],
        "指标": [kpi_name(p, "zh") for p in paths],
        "value": [shown(value(p), kpi_kind(p)) for p in paths],
        "unit": [kpi_unit(p) for p in paths],
        "path": paths,
    }
)

# %% [markdown]
# **Is the run in steady state?** Before the run, the offered load compares the work a week with
# the hours on duty; after it, the open work of each kind is tested for growth. A run that is
# overloaded or still growing measures a transient: every KPI then depends on the horizon, and
# `warnings` says so in words.

# %%
(
    summary["offered_load"]["utilisation"],
    summary["steady_state"]["stationary"],
    summary["warmup_h"],
    summary["warnings"],
)

# %% [markdown]
# ## The tables
#
# The cases table answers questions the summary does not: here, the share of each category's
# cases still open at the end, and the median hours to close of those closed.

# %%
cases = run.cases
loop = cases[
    cases["kind"].isin(["request", "patrol"]) & (cases["created_h"] >= summary["warmup_h"])
]
by_category = loop.assign(hours=loop["closed_h"] - loop["created_h"]).groupby(
    "category", observed=True
)
pd.DataFrame(
    {
        "cases": by_category.size(),
        "open_share": by_category["closed_h"].apply(lambda c: c.isna().mean()).round(3),
        "median_h_closed": by_category["hours"].median().round(1),
    }
).sort_values("cases", ascending=False)

# %% [markdown]
# Where the grid workers' hours go (the workers table): the forms (`admin_h`) take about half of
# them, as article #4 reports (docs/sources.md A62).

# %%
workers = run.workers
on_duty = ["cases_h", "admin_h", "visits_h", "patrol_h", "travel_h", "meetings_h", "idle_h"]
hours = workers.loc[workers["role"] == "grid_worker", on_duty].sum()
(hours / hours.sum()).round(3)

# %% [markdown]
# ## Charts
#
# `sim.plots` draws from the same `Result`; `sim.plots.save(figure, "chart.png")` writes a PNG
# at slide resolution. The backlog hour by hour (forms and revisits counted apart, lower panel):

# %%
backlog_chart(run, tasks=True)

# %% [markdown]
# The grids as tiles (the scenario has no geography), coloured by their mean backlog after the
# warm-up; and where the hours on duty go, by role, against the article's 50 % line for forms.

# %%
grid_map_chart(run, colour_by="backlog")

# %%
time_budget_chart(run, lang="zh")

# %% [markdown]
# The offered load, worked out before the run from the scenario alone: the work each kind
# brings a week against the hours on duty. Above 100 % the run cannot settle.

# %%
offered_load_chart(run)

# %% [markdown]
# **Caveats.** Service times, department capacities and escalation shares are assumptions (see
# `docs/sources.md` §5 and the comments of `scenarios/baseline.yaml`); one run of one seed shows
# how to read a folder, not how large a difference is — compare policies with a sweep on common
# random numbers (the other notebooks), and write a report with
# `gridsim report DIR --out report.html --lang zh`.
