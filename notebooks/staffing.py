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
# # Staffing mix and grid size
#
# Two questions of article #5 (佳木斯), on the baseline community (15 grids of 200 households,
# `scenarios/baseline.yaml`):
#
# 1. **"1 only" or "1+6+N"?** One full-time grid worker per grid, or the same worker with six
#    department specialists on two half-days a week, two part-time members per grid in the
#    evenings and at weekends, and a small volunteer pool (`experiments/staffing_mix.yaml`).
# 2. **Does the gain depend on the grid size?** The same 3,000 households cut into 10, 15 or 30
#    grids, one worker per grid, with and without "1+6+N" (`experiments/staffing_grid_size.yaml`).
#
# Both sweeps run every arm on the same seeds (common random numbers): each replication faces
# the same cases in every arm, so a paired difference is the staffing's alone, and its
# confidence interval is narrow with few replications.
#
# Size: by default the experiments' own reduced size (20 and 36 runs of 13 weeks; about two
# minutes on two cores). `GRIDSIM_NOTEBOOK_QUICK=1` runs 2 replications of 10 days instead, and
# only 10 and 30 grids (the tests do): enough to run every cell, too few for findings. Results
# go under `runs/notebooks/` (or `GRIDSIM_NOTEBOOK_OUT`); rerunning resumes them.

# %%
import os
from pathlib import Path

import sim
from sim.plots import difference_chart, frontier_chart, response_time_chart, time_budget_chart
from sim.sweep import load_results, load_runs, sweep
from sim.sweep.compare import paired_comparisons, transient_runs

QUICK = os.environ.get("GRIDSIM_NOTEBOOK_QUICK", "") not in ("", "0")
ROOT = next(
    (p for p in [Path.cwd(), *Path.cwd().parents] if (p / "experiments").is_dir()),
    Path(sim.__file__).resolve().parents[1],
)
OUT = Path(os.environ.get("GRIDSIM_NOTEBOOK_OUT", ROOT / "runs" / "notebooks"))
SIZE = ["replications=2", "days=10"] if QUICK else []
RUN = {"executor": "serial"} if QUICK else {"executor": "processes", "workers": 2}
suffix = "quick" if QUICK else "default"

# %% [markdown]
# ## "1 only" against "1+6+N"

# %%
mix = OUT / f"staffing-mix-{suffix}"
sweep(ROOT / "experiments" / "staffing_mix.yaml", mix, overrides=SIZE, **RUN)
table = load_results(mix)
kpis = [
    "kpi.time_to_close_h.km_p50",
    "kpi.time_to_close_h.km_p90",
    "kpi.first_response_h.km_p50",
    "kpi.on_time_rate",
    "kpi.utilization.grid_worker",
    "kpi.cost_yuan",
]
compared = paired_comparisons(table, "arm", ["one_only", "one_six_n"], kpis)
compared[["kpi", "mean_a", "mean_b", "diff", "ci_low", "ci_high", "share_b_higher"]].round(3)

# %% [markdown]
# `diff` is the mean over replications of (one_six_n − one_only), with its 95 % confidence
# interval; `share_b_higher` the share of pairs in which "1+6+N" is higher. An interval that
# leaves out zero is a significant difference. Times are Kaplan–Meier quantiles, which count the
# cases still open at the end. `cost_yuan` is the pay of the staff gridsim pays: the
# specialists and part-time members are paid by their own units (an assumption of
# `scenarios/jiamusi_1_6_n.yaml`), so "1+6+N" costs the grid nothing more here.

# %%
difference_chart(compared)

# %% [markdown]
# The whole distribution of the times, not only their medians: "1+6+N" starts most cases
# sooner (its evening and weekend members take cases the grid worker would leave to the next
# day).

# %%
arms = load_runs(mix)
response_time_chart(arms)

# %%
time_budget_chart(arms)

# %% [markdown]
# Were the runs in steady state? A run offered more work than its staff's hours, or with open
# work growing, measures a transient; `transient_runs` counts them per arm (runs, overloaded,
# growing).

# %%
transient_runs(table, "arm")

# %% [markdown]
# ## Grid size
#
# `households_total` re-grids the same 3,000 households, row by row, into 10, 15 or 30 grids;
# each grid has its own full-time worker, so smaller grids mean more workers (and more cost).

# %%
size = OUT / f"staffing-grid-size-{suffix}"
quick_sizes = ['factors={"world.streets.0.communities.0.grids": [10, 30]}'] if QUICK else []
sweep(ROOT / "experiments" / "staffing_grid_size.yaml", size, overrides=SIZE + quick_sizes, **RUN)
grids = load_results(size)
factor = "factor.world.streets.0.communities.0.grids"
gain = paired_comparisons(grids, "arm", ["one_only", "one_six_n"], kpis[:2])
gain[[factor, "kpi", "mean_a", "mean_b", "diff", "ci_low", "ci_high"]].round(2)

# %% [markdown]
# The gain of "1+6+N" at each grid size (above), and, along the factor, what smaller grids do
# for each staffing (below: every size against 10 grids, arm by arm).

# %%
levels = sorted(grids[factor].unique())
along = paired_comparisons(grids, factor, levels, ["kpi.time_to_close_h.km_p50", "kpi.cost_yuan"])
along[["arm", factor, "kpi", "mean_a", "mean_b", "diff", "ci_low", "ci_high"]].round(1)

# %%
difference_chart(gain)

# %% [markdown]
# Cost against the median time to close, per grid size: the arms no other arm beats on both are
# filled. More grids buy speed with more workers' pay.

# %%
frontier_chart(grids, cost="cost_yuan", response="time_to_close_h.km_p50")

# %% [markdown]
# **Caveats.** The specialists' rosters, the part-time members' hours and the volunteers are
# assumptions (`scenarios/jiamusi_1_6_n.yaml`); so are the work contents and escalation shares
# of every category. The direction of the results is what the common random numbers make
# robust; their size depends on these assumptions, and at the quick size on too few
# replications.
