"""Kaplan–Meier quantiles of durations that are right-censored at the end of a run.

A run stops at its horizon. A case still open then has not closed yet: its time to close is only
known to exceed horizon − created, i.e. it is right-censored. Summarising the closed cases alone
drops exactly the long ones, so their mean or median is biased low, badly so when many cases are
still open (an overloaded system). The Kaplan–Meier estimator (Kaplan & Meier 1958) uses the
censored cases for as long as they were observed; its quantiles are the standard remedy.

The estimator is SciPy's (`scipy.stats.ecdf` on `scipy.stats.CensoredData`), step for step and
to the last bit (tests/unit/test_censoring.py compares them), computed here in a few arrays:
SciPy's builds a Python list of one integer per item, which for an epidemic's millions of tasks
held half a gigabyte while a summary was made. It counts every case tied at a time as at risk
there, so events come before censorings at equal times (the usual convention). A quantile is
read off at the jumps as the smallest t with F̂(t) ≥ q, F̂ = 1 − Ŝ: where F̂ stays flat at exactly
q this is the lower end of the flat, not its midpoint (which R's
`quantile.survfit` returns). With nothing censored it is the empirical quantile
`numpy.quantile(x, q, method="inverted_cdf")`. The one difference is numpy's own rounding when
n·q is an integer in exact arithmetic but not in floating point (n = 25, q = 0.28:
25 * 0.28 = 7.000000000000001, and numpy takes the 8th value); here the 7th is returned, as
numpy does with unit weights and as F̂(7th) = 7/25 = q requires.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import numpy.typing as npt

# F̂ is a product of fractions computed in floating point: a value that is exactly q in exact
# arithmetic can come out a few ulps below it. Reading F̂(t) ≥ q − _ROUNDING keeps those ties on
# the jump where F̂ reaches q; 1e-9 is far above the rounding of the product (a few 1e-16 per
# factor) and far below any real gap between KM values of run-sized samples.
_ROUNDING = 1e-9


def km_quantiles(
    durations: npt.ArrayLike,
    observed: npt.ArrayLike,
    probabilities: Iterable[float] = (0.5, 0.9),
) -> dict[float, float | None]:
    """Kaplan–Meier quantiles of a duration (hours) from right-censored observations.

    durations: hours ≥ 0; for a censored item, the time observed so far.
    observed: True where the event happened (the case closed), False where right-censored.
    probabilities: the levels q, each in (0, 1].

    Returns {q: smallest t with F̂(t) ≥ q, in hours}, or None for a q the estimate never
    reaches (too many items censored before it could); all None for empty input.
    """
    levels = [float(q) for q in probabilities]
    if any(not 0.0 < q <= 1.0 for q in levels):
        raise ValueError(f"probabilities must lie in (0, 1], got {levels}")
    times, events = _validated(durations, observed)
    if times.size == 0:
        return dict.fromkeys(levels)
    jumps, cdf = _kaplan_meier(times, events)
    out: dict[float, float | None] = {}
    for q in levels:
        reached = np.flatnonzero(cdf >= q - _ROUNDING)
        out[q] = float(jumps[reached[0]]) if reached.size else None
    return out


def km_curve(durations: npt.ArrayLike, observed: npt.ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """The Kaplan–Meier estimate F̂ = 1 − Ŝ of the distribution of a censored duration, as a
    step function: (hours at its jumps, F̂ just after each). F̂ ends below 1 when the longest
    items are censored. Empty arrays for empty input or when nothing was observed."""
    times, events = _validated(durations, observed)
    if not events.any():
        return np.empty(0), np.empty(0)
    return _kaplan_meier(times, events)


def _kaplan_meier(times: np.ndarray, events: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """F̂ at each distinct time (sorted), as `scipy.stats.ecdf` computes it: with nothing
    censored, the share of items at or below the time; else 1 − Π (n − d) / n over the times so
    far, n at risk and d events at each. Non-empty input."""
    order = np.argsort(times)
    ordered = times[order]
    died = events[order]
    del order
    first = np.empty(ordered.size, dtype=bool)  # first item at each distinct time
    first[0] = True
    np.greater(ordered[1:], ordered[:-1], out=first[1:])
    jumps = ordered[first]
    del ordered
    last = np.empty_like(first)  # last item at each distinct time
    last[:-1] = first[1:]
    last[-1] = True
    deaths = np.cumsum(died, dtype=np.int64)[last]  # events up to each distinct time
    if deaths[-1] == died.size:  # nothing censored
        return jumps, deaths / died.size
    at_risk = died.size - np.flatnonzero(first)
    del first, last
    # 1 − cumprod((n − d) / n), in place (exact: the counts are integers below 2⁵³)
    cdf = np.subtract(at_risk, np.diff(deaths, prepend=0), dtype=float)
    cdf /= at_risk
    np.cumprod(cdf, out=cdf)
    return jumps, np.subtract(1.0, cdf, out=cdf)


def km_summary(durations: npt.ArrayLike, observed: npt.ArrayLike) -> dict:
    """Counts and Kaplan–Meier median and 90th percentile (hours) of censored durations.

    Returns {"n", "observed", "open_share" (share censored, None when empty), "km_p50",
    "km_p90"} as plain Python numbers or None, ready for JSON.
    """
    times, events = _validated(durations, observed)
    quantiles = km_quantiles(times, events, (0.5, 0.9))
    n = int(times.size)
    return {
        "n": n,
        "observed": int(events.sum()),
        "open_share": float((~events).sum() / n) if n else None,
        "km_p50": quantiles[0.5],
        "km_p90": quantiles[0.9],
    }


def _validated(durations: npt.ArrayLike, observed: npt.ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """The inputs as 1-d float and bool arrays, after checking them."""
    times = np.asarray(durations, dtype=float).ravel()
    events = np.asarray(observed).ravel()
    if events.dtype != bool and events.size:  # an empty list comes as float64
        raise TypeError(f"observed must be booleans, got dtype {events.dtype}")
    if times.shape != events.shape:
        raise ValueError(f"{times.size} durations but {events.size} observed flags")
    if not np.all(np.isfinite(times)) or np.any(times < 0):
        raise ValueError("durations must be finite and ≥ 0")
    return times, events.astype(bool)
