"""Is a run in steady state? Warm-up truncation (MSER-5) and growth of the open work.

A run starts empty, so its first days measure a transient, not the system: they are cut off as
a warm-up before KPIs are computed. And an overloaded system never settles at all: the open work
keeps growing, and every KPI (waiting times, backlog) then depends on the horizon chosen rather
than on the system. Two checks, each on a time series of the run:

- `mser_truncation`: the MSER-5 warm-up rule (White 1997; White, Cobb & Spratt 2000; Franklin &
  White 2008). It cuts the start that minimises the squared standard error of the mean of what
  is kept, computed on means of batches of 5 observations. A minimum at the largest cut allowed
  means the series never settles within the run.
- `growth`: a trend test on the open-work count. Weekly batch means (daily and weekly cycles
  cancel within a batch) are regressed on time by ordinary least squares, and the slope is
  tested one-sided with Student's t. Open work with a long memory (low-priority tasks in a busy
  system, cases that stay weeks at a department) leaves neighbouring batch means correlated,
  which would make the plain test see trends that are not there: the standard error and the
  degrees of freedom are adjusted for the lag-1 autocorrelation r of the residuals, with the
  effective number of batches n(1 − r)/(1 + r) (Santer et al. 2000). Growth must be both
  significant and material.

References
----------
White, K. P. (1997). An effective truncation heuristic for bias reduction in simulation output.
Simulation 69(6), 323–334.
White, K. P., Cobb, M. J. & Spratt, S. C. (2000). A comparison of five steady-state truncation
heuristics for simulation. Proceedings of the 2000 Winter Simulation Conference, 755–760.
Santer, B. D. et al. (2000). Statistical significance of trends and trend differences in
layer-average atmospheric temperature time series. Journal of Geophysical Research 105(D6),
7337–7356.
Franklin, W. W. & White, K. P. (2008). Stationarity tests and MSER-5: exploring the intuition
behind mean-squared-error-reduction in warm-up period determination. Proceedings of the 2008
Winter Simulation Conference, 541–546.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import stats

from sim.scenario import Scenario

HOURS_PER_WEEK = 168.0

# MSER needs enough batches for the standard error of the kept part to mean something: with
# fewer than 10 (50 observations in batches of 5) at most 5 could be cut and the judgement would
# rest on a handful of means, so `mser_truncation` does not judge and reports "not settled".
MIN_BATCHES = 10

# `growth` flags a trend only when it is both
# - significant: one-sided p-value of the slope below GROWTH_ALPHA, so a stationary series is
#   flagged in about 1 % of runs;
# - material: the fitted rise over the run exceeds MATERIAL_SHARE of the mean level and at least
#   MATERIAL_MIN cases, so that a long run does not flag a drift too small to matter. Open work
#   that grows without bound rises by about twice its mean over a run that starts empty; a
#   stationary backlog with long-lived cases (weeks at a department) wanders by a tenth of its
#   mean over a year, and is not a transient.
GROWTH_ALPHA = 0.01
MATERIAL_SHARE = 0.25
MATERIAL_MIN = 1.0


def mser_truncation(
    series: npt.ArrayLike, batch: int = 5, max_fraction: float = 0.5
) -> tuple[int, bool]:
    """MSER warm-up: how many observations to cut from the start of `series`.

    The series is cut into k batches of `batch` observations (an incomplete last batch is
    dropped); for each cut of d = 0 … floor(max_fraction · k) batches,
    MSER(d) = Σ_{j>d} (Z_j − Z̄(d))² / (k − d)² over the batch means Z_j, and the smallest d
    with the least MSER is chosen.

    Returns (cut in observations = d · batch, settled). settled is False when the minimum lies
    at the largest cut allowed (the series does not settle within the run) and when there are
    fewer than MIN_BATCHES batches (too short to judge: the cut is then 0).
    Raises ValueError on non-finite values.
    """
    if batch < 1:
        raise ValueError(f"batch must be ≥ 1, got {batch}")
    if not 0.0 < max_fraction < 1.0:
        raise ValueError(f"max_fraction must lie in (0, 1), got {max_fraction}")
    x = np.asarray(series, dtype=float).ravel()
    if not np.all(np.isfinite(x)):
        raise ValueError("series has non-finite values")
    k = x.size // batch
    if k < MIN_BATCHES:
        return 0, False
    means = x[: k * batch].reshape(k, batch).mean(axis=1)
    # MSER does not change when every batch mean is shifted; centring on the median limits the
    # cancellation in "sum of squares − square of sum" below (and is exact for constant series).
    z = means - np.median(means)
    kept = k - np.arange(k)  # batches kept after cutting d = 0 … k − 1
    tail_sum = np.cumsum(z[::-1])[::-1]
    tail_squares = np.cumsum((z * z)[::-1])[::-1]
    # clipped at 0: rounding can leave a tiny negative sum of squares for a constant tail
    squares = np.maximum(tail_squares - tail_sum**2 / kept, 0.0)
    last = int(max_fraction * k)
    mser = squares[: last + 1] / kept[: last + 1] ** 2
    d = int(np.argmin(mser))  # argmin returns the first minimum: the smallest d in a tie
    return d * batch, d < last


def growth(
    times: npt.ArrayLike, values: npt.ArrayLike, batch_length: float, alpha: float = GROWTH_ALPHA
) -> dict:
    """Does an open-work count grow through the run? Trend of its batch means.

    times: hours, increasing and equally spaced; values: time-average count over the interval
    ending at each time. The values are averaged over consecutive batches of `batch_length`
    hours (a whole number of intervals; an incomplete last batch is dropped) and the batch
    means regressed on the batch mid-times (scipy.stats.linregress).

    Returns {"slope_per_week": counts per week, "p_value": one-sided for slope > 0 (Student t,
    batches − 2 df), "rise": fitted increase over the span of the batches (counts), "mean":
    mean of the batch means (counts), "batches": int, "growing": bool}: growing when p_value
    < alpha and rise > max(MATERIAL_SHARE · mean, MATERIAL_MIN). With fewer than 3
    batches there is no test: slope_per_week, p_value and rise are None and growing is False
    (mean is None without any batch; fewer than 2 times give no batch). Batch means that are all
    equal give slope 0 and p_value 1.
    """
    t = np.asarray(times, dtype=float).ravel()
    y = np.asarray(values, dtype=float).ravel()
    if t.shape != y.shape:
        raise ValueError(f"{t.size} times but {y.size} values")
    if not (np.all(np.isfinite(t)) and np.all(np.isfinite(y))):
        raise ValueError("times and values must be finite")
    if batch_length <= 0:
        raise ValueError(f"batch_length must be > 0, got {batch_length}")
    if t.size < 2:
        return _result(None, None, None, None, 0, alpha)
    per_batch = _steps_per_batch(t, batch_length)
    k = t.size // per_batch
    means = y[: k * per_batch].reshape(k, per_batch).mean(axis=1)
    mean = float(means.mean()) if k else None
    if k < 3:
        return _result(None, None, None, mean, k, alpha)
    step = t[1] - t[0]
    mid_times = t[: k * per_batch].reshape(k, per_batch).mean(axis=1) - step / 2
    if np.ptp(means) == 0:  # linregress has no p-value without any variation
        slope, p_value = 0.0, 1.0
    else:
        fit = stats.linregress(mid_times, means)
        slope, p_value = float(fit.slope), _one_sided_p(fit, mid_times, means)
    return _result(slope * HOURS_PER_WEEK, p_value, slope * k * per_batch * step, mean, k, alpha)


def _one_sided_p(fit, x: np.ndarray, y: np.ndarray) -> float:
    """P(slope > 0) test of an OLS fit, its standard error and degrees of freedom adjusted for
    lag-1 autocorrelation r > 0 of the residuals: n_eff = n(1 − r)/(1 + r), SE scaled by
    √((n − 2)/(n_eff − 2)); 1 when fewer than 3 effective points remain. r is estimated from
    MIN_BATCHES or more points only (from fewer it is mostly noise)."""
    n = len(y)
    residuals = y - (fit.intercept + fit.slope * x)
    r = 0.0
    if n >= MIN_BATCHES and residuals.std() > 0:
        r = max(0.0, float(np.corrcoef(residuals[:-1], residuals[1:])[0, 1]))
    n_eff = n * (1.0 - r) / (1.0 + r)
    if n_eff <= 3.0 or fit.stderr == 0:
        return 1.0 if fit.slope <= 0 or n_eff <= 3.0 else 0.0
    stderr = fit.stderr * np.sqrt((n - 2) / (n_eff - 2))
    return float(stats.t.sf(fit.slope / stderr, n_eff - 2))


def _steps_per_batch(t: np.ndarray, batch_length: float) -> int:
    """Number of sampling intervals in a batch, after checking the spacing of `t` (≥ 2 times;
    equal up to the rounding of the times themselves)."""
    steps = np.diff(t)
    step = steps[0]
    rounding = 8 * float(np.spacing(np.abs(t).max()))
    if step <= 0 or not np.allclose(steps, step, rtol=1e-9, atol=rounding):
        raise ValueError("times must be increasing and equally spaced")
    per_batch = round(batch_length / step)
    close = np.isclose(per_batch * step, batch_length, rtol=1e-9, atol=per_batch * rounding)
    if per_batch < 1 or not close:
        raise ValueError(f"batch_length {batch_length} h is not a whole number of {step} h steps")
    return per_batch


def _result(
    slope_per_week: float | None,
    p_value: float | None,
    rise: float | None,
    mean: float | None,
    batches: int,
    alpha: float,
) -> dict:
    """The dict returned by `growth`, with its verdict."""
    growing = (
        p_value is not None and p_value < alpha and rise > max(MATERIAL_SHARE * mean, MATERIAL_MIN)
    )
    return {
        "slope_per_week": slope_per_week,
        "p_value": p_value,
        "rise": rise,
        "mean": mean,
        "batches": batches,
        "growing": bool(growing),
    }


# --- applied to a run's time series ---------------------------------------------------------

#: Fewest days after the warm-up for which open work is judged growing or not.
MIN_JUDGED_DAYS = 3.0
TOO_SHORT = "too short to judge"
#: How the warm-up was chosen when MSER-5 had too few ticks to search (none was removed).
TOO_FEW_TICKS = "none: too few ticks for MSER-5 before the first incident or the horizon"


def tick_series(timeseries: pd.DataFrame, column: str) -> pd.Series:
    """A time-series column summed over the units, one value per tick (index: tick end, h)."""
    rows = timeseries[timeseries[column].notna()]
    return rows.groupby("t_h", sort=True)[column].sum()


def mser_warmup(
    timeseries: pd.DataFrame, until: float, batch: int = 5
) -> tuple[float, bool | None]:
    """The warm-up MSER-5 finds in the closed-loop backlog (time average per tick) before
    `until` hours (an incident's onset, or the horizon): (hours, settled). A series too short
    to judge (fewer than MIN_BATCHES batches) gives (0, None)."""
    series = tick_series(timeseries, "backlog_mean")
    ends = series.index.to_numpy()
    series = series[ends <= until + 1e-9]
    if len(series) < MIN_BATCHES * batch:
        return 0.0, None
    tick = float(ends[1] - ends[0])
    cut, settled = mser_truncation(series.to_numpy(), batch)
    return cut * tick, settled


def choose_warmup(
    scenario: Scenario, timeseries: pd.DataFrame, horizon: float
) -> tuple[float, str, bool | None]:
    """(warm-up in hours, how it was chosen, whether MSER-5 found a settled start): the
    scenario's own, none after a warm start (its state is what the run is about), or MSER-5 on
    the closed-loop backlog before the first incident; none when fewer than MIN_BATCHES × 5
    ticks come before it (TOO_FEW_TICKS)."""
    if scenario.run.warmup != "auto":
        return float(scenario.run.warmup), "set in the scenario", None
    if scenario.warm_start is not None:
        return 0.0, "none: the run starts from a warm start", None
    until = min([incident.onset for incident in scenario.incidents.values()] + [horizon])
    warmup, settled = mser_warmup(timeseries, until)
    if settled is None:  # fewer than MIN_BATCHES batches of ticks: nothing was searched
        return 0.0, TOO_FEW_TICKS, None
    return warmup, "MSER-5 on the closed-loop backlog", settled


def open_work_growth(
    timeseries: pd.DataFrame, columns: dict[str, str], start: float
) -> dict[str, dict]:
    """Per block of work (name → time-series column: the closed-loop backlog, each task kind's
    open count), whether it grows from `start` to the end of the run: `growth()` on weekly
    batches (daily ones when less than three weeks are measured), each at GROWTH_ALPHA divided
    by the number of blocks (Bonferroni), so that a run in steady state is flagged in about
    GROWTH_ALPHA of runs whatever its number of blocks. Empty when fewer than MIN_JUDGED_DAYS
    are measured."""
    out = {}
    for name, column in columns.items():
        series = tick_series(timeseries, column)
        ends = series.index.to_numpy()
        if len(ends) < 2:
            return {}
        tick = float(ends[1] - ends[0])
        whole = np.isclose(np.diff(np.concatenate([[0.0], ends])), tick)  # a short last tick out
        series = series[(ends - tick >= start - 1e-9) & whole]
        span = len(series) * tick
        if span < MIN_JUDGED_DAYS * 24:
            return {}
        batch = HOURS_PER_WEEK if span >= 3 * HOURS_PER_WEEK else 24.0
        if batch % tick:
            batch = tick * max(1, round(batch / tick))
        alpha = GROWTH_ALPHA / len(columns)
        out[name] = growth(series.index.to_numpy(), series.to_numpy(), batch, alpha)
    return out


def steady_state_summary(
    timeseries: pd.DataFrame,
    warmup: float,
    method: str,
    settled: bool | None,
    hours_per_item: dict[str, float | None],
    reason: str | None = None,
) -> dict:
    """The summary's `steady_state` section: how the warm-up was chosen, and per block of work
    (closed loop, each task kind: name → hours one item takes) whether its open count grows
    after the warm-up, with the shortfall in hours a week that growth means. `reason` says why
    growth is not judged (an incident: the run measures a surge by design)."""
    out: dict = {"warmup_h": warmup, "warmup_method": method, "warmup_settled": settled}
    columns = {
        name: "backlog_mean" if name == "closed_loop" else f"open_{name}"
        for name in hours_per_item
        if name == "closed_loop" or f"open_{name}" in timeseries.columns
    }
    judged = {} if reason else open_work_growth(timeseries, columns, warmup)
    for name, result in judged.items():
        hours = hours_per_item[name]
        slope = result["slope_per_week"]
        result["shortfall_h_per_week"] = (
            slope * hours if result["growing"] and hours is not None else 0.0
        )
    out["growth"] = judged
    out["stationary"] = None if not judged else not any(r["growing"] for r in judged.values())
    out["not_judged"] = reason if reason else None if judged else TOO_SHORT
    return out


def growth_warnings(steady: dict) -> list[str]:
    """One line per block of work that grows, and one if the warm-up search found no settled
    start or had too few ticks to search: the KPIs then measure a transient."""
    out = []
    for name, result in steady.get("growth", {}).items():
        if result["growing"]:
            label = "closed-loop backlog" if name == "closed_loop" else f"open {name} tasks"
            out.append(
                f"{label} grew by {result['slope_per_week']:,.1f} a week after the warm-up "
                f"(≈{result['shortfall_h_per_week']:,.0f} h of work a week left undone): the "
                "run measures a transient, not a steady state"
            )
    if steady.get("not_judged") == TOO_SHORT:
        out.append(
            f"the run is {TOO_SHORT} whether it reaches a steady state (fewer than "
            f"{MIN_JUDGED_DAYS:g} days after the warm-up): its KPIs may describe the start-up "
            "transient"
        )
    if steady.get("warmup_method") == TOO_FEW_TICKS and steady.get("not_judged") != TOO_SHORT:
        out.append(
            f"no warm-up was removed: fewer than {MIN_BATCHES * 5} ticks come before the first "
            "incident or the horizon, too few for the warm-up search (MSER-5): its KPIs include "
            "the start-up transient (set run.warmup, or a shorter run.tick)"
        )
    if steady.get("warmup_settled") is False and steady.get("warmup_method", "").startswith("MSER"):
        out.append(
            "the warm-up search (MSER-5) found no settled start in the first half of the run: "
            "its KPIs include the start-up transient"
        )
    return out
