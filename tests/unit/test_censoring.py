"""sim.metrics.censoring: Kaplan–Meier quantiles of right-censored durations.

Exact answers throughout: KM steps are ratios of small integers, so a quantile is one of the
data values and is compared with ==.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy import stats

from sim.metrics.censoring import km_curve, km_quantiles, km_summary

LEVELS = (0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 1.0)

# durations with many ties (small integers) mixed with arbitrary floats, each with its flag
durations = st.one_of(st.integers(0, 10).map(float), st.floats(0.0, 1e3))
samples = st.lists(st.tuples(durations, st.booleans()), max_size=40)


def split(sample: list[tuple[float, bool]]) -> tuple[np.ndarray, np.ndarray]:
    times = np.array([t for t, _ in sample], dtype=float)
    observed = np.array([e for _, e in sample], dtype=bool)
    return times, observed


# --- nothing censored: the empirical quantile ---------------------------------------------------


def test_uncensored_equals_numpy_inverted_cdf_on_random_samples():
    rng = np.random.default_rng(20240611)
    for _ in range(300):
        n = int(rng.integers(1, 300))
        # rounded to a few distinct values half of the time, to have ties
        x = rng.exponential(10.0, n)
        if rng.random() < 0.5:
            x = np.round(x)
        levels = [*LEVELS, *rng.uniform(0.0, 1.0, 5)]
        got = km_quantiles(x, np.ones(n, dtype=bool), levels)
        for q in levels:
            assert got[q] == np.quantile(x, q, method="inverted_cdf"), (n, q)


@settings(max_examples=150, derandomize=True, deadline=None)
@given(x=st.lists(durations, min_size=1, max_size=60), q=st.floats(1e-6, 1.0))
def test_uncensored_equals_numpy_inverted_cdf_property(x, q):
    n = len(x)
    # off the jumps both definitions agree with margin; at the jumps see the next two tests
    assume(abs(n * q - round(n * q)) > 1e-6)
    got = km_quantiles(x, np.ones(n, dtype=bool), [q])[q]
    assert got == np.quantile(x, q, method="inverted_cdf")


def test_at_a_jump_the_lower_value_is_taken():
    """q = k/n exactly: F̂ reaches q at the k-th order statistic, which is the answer."""
    rng = np.random.default_rng(7)
    for n in range(1, 41):
        x = rng.permutation(np.arange(1.0, n + 1))
        for k in range(1, n + 1):
            q = k / n
            got = km_quantiles(x, np.ones(n, dtype=bool), [q])[q]
            assert got == k
            if n * q == k:  # numpy's index arithmetic is exact here (see the next test)
                assert got == np.quantile(x, q, method="inverted_cdf")


def test_numpy_rounding_artefact_at_a_jump():
    # 25 * 0.28 = 7.000000000000001 in floating point, so unweighted numpy takes the 8th value;
    # in exact arithmetic F̂(7th) = 7/25 = 0.28 = q, and numpy with unit weights agrees.
    x = np.arange(1.0, 26.0)
    got = km_quantiles(x, np.ones(25, dtype=bool), [0.28])[0.28]
    assert got == 7.0
    assert got == np.quantile(x, 0.28, method="inverted_cdf", weights=np.ones(25))


# --- censored: worked and published examples ----------------------------------------------------


def test_worked_example():
    # t:       1    2+   3    3    4+   5    6+   7      (+ = censored, still open)
    # at t=1:  8 at risk, 1 closes -> Ŝ = 7/8              = 0.875,  F̂ = 0.125
    # at t=2+: one leaves unclosed -> 6 at risk after it
    # at t=3:  6 at risk, 2 close  -> Ŝ = 7/8 · 4/6 = 7/12 ≈ 0.583,  F̂ ≈ 0.417
    # at t=4+: one leaves          -> 3 at risk
    # at t=5:  3 at risk, 1 closes -> Ŝ = 7/12 · 2/3 = 7/18 ≈ 0.389, F̂ ≈ 0.611
    # at t=6+: one leaves          -> 1 at risk
    # at t=7:  1 at risk, 1 closes -> Ŝ = 0,                      F̂ = 1
    # median: first F̂ ≥ 0.5 at 5 (the closed cases alone, 1 3 3 5 7, give 3: biased low);
    # 0.9: at 7; 0.25: at 3; 0.125: F̂ reaches it exactly at 1.
    t = [1, 2, 3, 3, 4, 5, 6, 7]
    closed = [True, False, True, True, False, True, False, True]
    assert km_quantiles(t, closed, (0.125, 0.25, 0.5, 0.9)) == {
        0.125: 1.0,
        0.25: 3.0,
        0.5: 5.0,
        0.9: 7.0,
    }
    assert np.median([1, 3, 3, 5, 7]) == 3.0


def test_events_come_before_censorings_at_equal_times():
    # At t=1 all three are at risk (the censored one leaves after the event): Ŝ(1) = 2/3, then
    # 1 at risk at t=2 closes: Ŝ(2) = 0. The median is 2. Censoring first would give Ŝ(1) = 1/2
    # and a median of 1.
    assert km_quantiles([1, 1, 2], [True, False, True], (0.5,)) == {0.5: 2.0}


def test_rounding_of_the_product_does_not_move_a_jump():
    # t: 1 2 2 3 3 4 4+ 5+ 6 7+. Ŝ(1) = 9/10, Ŝ(2) = 9/10 · 7/9 = 7/10, Ŝ(3) = 7/10 · 5/7 = 1/2
    # exactly, so the median is 3; in floating point SciPy's F̂(3) is 0.4999999999999999,
    # and read without tolerance the median would move to the next event, 4.
    t = [1, 2, 2, 3, 3, 4, 4, 5, 6, 7]
    closed = [True, True, True, True, True, True, False, False, True, False]
    assert km_quantiles(t, closed, (0.5,)) == {0.5: 3.0}


def test_fanbelt_example_from_scipy_documentation():
    # scipy.stats.ecdf docstring (Conover 1999, p. 91): 10 fanbelts, 5 broke (events), 5 still
    # working when their test ended (censored); the documented Ŝ at 47, 56, 77, 80, 81 is
    # 0.875, 0.75, 0.5, 0.25, 0. F̂ is exactly 0.5 from 77 until 80: the lower end, 77, is the
    # median (R's quantile.survfit would return the midpoint 78.5).
    broken = [77, 47, 81, 56, 80]
    unbroken = [62, 60, 43, 71, 37]
    t = broken + unbroken
    closed = [True] * 5 + [False] * 5
    assert km_quantiles(t, closed, (0.125, 0.25, 0.5, 0.75, 0.9)) == {
        0.125: 47.0,
        0.25: 56.0,
        0.5: 77.0,
        0.75: 80.0,
        0.9: 81.0,
    }


# Freireich et al. (1963) 6-MP trial as tabulated by Gehan (1965): weeks in remission; the
# 6-MP group has 9 relapses and 12 censored, the placebo group relapsed throughout.
SIX_MP_WEEKS = [6, 6, 6, 6, 7, 9, 10, 10, 11, 13, 16, 17, 19, 20, 22, 23, 25, 32, 32, 34, 35]
SIX_MP_RELAPSED = [1, 1, 1, 0, 1, 0, 1, 0, 0, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0]
PLACEBO_WEEKS = [1, 1, 2, 2, 3, 4, 4, 5, 5, 8, 8, 8, 8, 11, 11, 12, 12, 15, 17, 22, 23]


def test_freireich_six_mp_median_is_23_weeks():
    # The published KM medians are 23 weeks (6-MP) and 8 weeks (placebo). By hand, 6-MP:
    # Ŝ(6) = 18/21, Ŝ(7) = ·16/17, Ŝ(10) = ·14/15, Ŝ(13) = ·11/12, Ŝ(16) = ·10/11,
    # Ŝ(22) = ·6/7 ≈ 0.538, Ŝ(23) = ·5/6 ≈ 0.448: first below 0.5 at 23, and never below
    # 0.448 after it (the rest is censored), so the 0.9 quantile does not exist.
    relapsed = np.array(SIX_MP_RELAPSED, dtype=bool)
    assert km_quantiles(SIX_MP_WEEKS, relapsed) == {0.5: 23.0, 0.9: None}
    placebo = km_quantiles(PLACEBO_WEEKS, np.ones(21, dtype=bool), (0.5,))
    assert placebo == {0.5: 8.0}


# --- not reached, empty ------------------------------------------------------------------------


def test_median_is_none_when_most_are_censored_early():
    # 1 closes (Ŝ = 4/5), then the four others are censored: F̂ never exceeds 0.2.
    assert km_quantiles([1, 2, 2, 2, 3], [True, False, False, False, False], (0.2, 0.5, 0.9)) == {
        0.2: 1.0,
        0.5: None,
        0.9: None,
    }
    assert km_quantiles([4.0, 5.0], [False, False]) == {0.5: None, 0.9: None}


def test_empty_input():
    assert km_quantiles([], []) == {0.5: None, 0.9: None}
    assert km_summary([], []) == {
        "n": 0,
        "observed": 0,
        "open_share": None,
        "km_p50": None,
        "km_p90": None,
    }


def test_summary_is_plain_json():
    relapsed = np.array(SIX_MP_RELAPSED, dtype=bool)
    summary = km_summary(np.array(SIX_MP_WEEKS, dtype=float), relapsed)
    assert summary == {
        "n": 21,
        "observed": 9,
        "open_share": 12 / 21,
        "km_p50": 23.0,
        "km_p90": None,
    }
    assert [type(v) for v in summary.values()] == [int, int, float, float, type(None)]
    assert json.loads(json.dumps(summary)) == summary


# --- SciPy's estimator, bit for bit -------------------------------------------------------------


@settings(max_examples=200, derandomize=True, deadline=None)
@given(sample=samples.filter(lambda sample: any(observed for _, observed in sample)))
def test_the_estimate_is_scipys_to_the_last_bit(sample):
    # km_curve is computed in a few arrays instead of scipy.stats.ecdf (which holds a Python
    # list of one integer per item): same jumps, same F̂, with and without censoring, with ties.
    times, observed = split(sample)
    data = stats.CensoredData(uncensored=times[observed], right=times[~observed])
    expected = stats.ecdf(data).cdf
    jumps, cdf = km_curve(times, observed)
    np.testing.assert_array_equal(jumps, expected.quantiles)
    np.testing.assert_array_equal(cdf, expected.probabilities)


def test_a_large_censored_sample_is_scipys_to_the_last_bit():
    rng = np.random.default_rng(5)
    times = np.round(rng.exponential(10.0, 200_000), 2)  # ties, as hour stamps give
    observed = rng.random(times.size) < 0.8
    expected = stats.ecdf(stats.CensoredData(uncensored=times[observed], right=times[~observed]))
    jumps, cdf = km_curve(times, observed)
    np.testing.assert_array_equal(jumps, expected.cdf.quantiles)
    np.testing.assert_array_equal(cdf, expected.cdf.probabilities)


# --- censoring only ever pushes quantiles up ----------------------------------------------------


@settings(max_examples=150, derandomize=True, deadline=None)
@given(sample=samples)
def test_censoring_never_lowers_a_quantile(sample):
    # A censored item's mass is spread over the later times (Efron's redistribution to the
    # right) instead of sitting at its own time, so F̂ can only be lower and each quantile only
    # later (None: never reached, i.e. later than any time).
    times, observed = split(sample)
    censored = km_quantiles(times, observed, LEVELS)
    as_events = km_quantiles(times, np.ones_like(observed), LEVELS)
    for q in LEVELS:
        if censored[q] is not None:
            assert as_events[q] is not None
            assert censored[q] >= as_events[q]


# --- input checks -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("durations", "observed", "error"),
    [
        ([1.0, -0.5], [True, True], ValueError),
        ([1.0, np.nan], [True, False], ValueError),
        ([1.0, np.inf], [True, False], ValueError),
        ([1.0, 2.0], [True], ValueError),
        ([1.0, 2.0], [1, 0], TypeError),
    ],
)
def test_bad_input_raises(durations, observed, error):
    with pytest.raises(error):
        km_quantiles(durations, observed)


@pytest.mark.parametrize("q", [0.0, -0.1, 1.5, float("nan")])
def test_probability_out_of_range_raises(q):
    with pytest.raises(ValueError):
        km_quantiles([1.0], [True], (q,))
