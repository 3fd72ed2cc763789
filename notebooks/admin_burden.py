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
# # The admin burden (减负) and its sensitivity
#
# Article #4 reports that grid workers spend about half their time filling in forms and
# reports for upper departments (docs/sources.md A62); the baseline scenario is calibrated to it.
# Two ways to lighten the load (`experiments/admin_burden.yaml`):
#
# - **the admission list** (基层事项准入, A66): half of the twelve upper departments' tasks are
#   kept out of the grid (which half is an assumption);
# - **shorter forms**: 12 minutes instead of 25 (one shared form instead of one per department:
#   an assumption).
#
# Then, which matters most for the time to close — how many forms arrive, how long each takes,
# or how many requests residents make? A Morris design over the three
# (`experiments/admin_sensitivity.yaml`, ranges that stay below an overload).
#
# Size: by default the experiments' reduced size (30 and 42 runs of 13 weeks, about two minutes
# on two cores). `GRIDSIM_NOTEBOOK_QUICK=1` runs 2 replications (one for the design, with 2
# Morris trajectories) of 14 days (the tests do): enough to run every cell, not for findings.
# Results go under `runs/notebooks/` (or `GRIDSIM_NOTEBOOK_OUT`).

# %%
import os
from pathlib import Path

import sim
from sim.plots import difference_chart, sensitivity_chart, time_budget_chart
from sim.sweep import load_results, load_runs, sensitivity, sweep
from sim.sweep.compare import paired_comparisons, transient_runs

QUICK = os.environ.get("GRIDSIM_NOTEBOOK_QUICK", "") not in ("", "0")
ROOT = next(
    (p for p in [Path.cwd(), *Path.cwd().parents] if (p / "experiments").is_dir()),
    Path(sim.__file__).resolve().parents[1],
)
OUT = Path(os.environ.get("GRIDSIM_NOTEBOOK_OUT", ROOT / "runs" / "notebooks"))
RUN = {"executor": "serial"} if QUICK else {"executor": "processes", "workers": 2}
suffix = "quick" if QUICK else "default"

# %% [markdown]
# ## Admission list and shorter forms

# %%
burden = OUT / f"admin-burden-{suffix}"
sweep(
    ROOT / "experiments" / "admin_burden.yaml",
    burden,
    overrides=["replications=2", "days=14"] if QUICK else [],
    **RUN,
)
table = load_results(burden)
kpis = [
    "kpi.admin_share",
    "kpi.field_share",
    "kpi.time_to_close_h.km_p50",
    "kpi.first_response_h.km_p50",
    "kpi.on_time_rate",
]
compared = paired_comparisons(table, "arm", ["current", "admission_list", "shorter_forms"], kpis)
compared[["arm", "kpi", "mean_a", "mean_b", "diff", "ci_low", "ci_high"]].round(3)

# %% [markdown]
# `admin_share` is the share of the grid workers' hours worked spent on forms, `field_share`
# on visits and patrol. Fewer or shorter forms free hours for residents: cases are started and
# closed sooner. Each arm is compared with the current burden on the same seeds.

# %%
difference_chart(compared, lang="zh")

# %% [markdown]
# Where the hours go in each arm, against the article's 50 % line:

# %%
time_budget_chart(load_runs(burden))

# %%
transient_runs(table, "arm")

# %% [markdown]
# ## Sensitivity: forms per day, minutes per form, residents' requests
#
# A Morris design moves one range at a time along each trajectory; μ\* is the mean absolute
# change of a KPI per step, in the KPI's unit. The indices are computed on each design point's
# mean over the replications; with several replications, `noise` is the share of the variance
# that is replication noise (indices of that size cannot be told from zero).

# %%
ranges = OUT / f"admin-sensitivity-{suffix}"
sweep(
    ROOT / "experiments" / "admin_sensitivity.yaml",
    ranges,
    overrides=["replications=1", "design.samples=2", "days=14"] if QUICK else [],
    **RUN,
)
indices = sensitivity(ranges, ["kpi.time_to_close_h.mean", "kpi.on_time_rate"])
indices[["kpi", "parameter", "mu_star", "mu_star_conf", "sigma", "noise"]].round(3)

# %%
sensitivity_chart(indices)

# %% [markdown]
# The forms' load is the product of their number and their length, so the two act together
# (a Sobol design's total indices show it: `--set design.kind=sobol --set design.samples=64`,
# about 9 minutes).
#
# **Caveats.** Which departments the admission list keeps out, the shorter form's length and the
# ranges are assumptions; the forms' rate is calibrated to article #4's "half the time". The
# ranges were chosen to stay below an overload: beyond it the KPIs measure a transient that
# depends on the horizon, and `transient_runs` would say so.
