"""Paired comparison of two arms."""

import numpy as np
import pytest
from scipy import stats

from sim.sweep.compare import paired_difference


def test_paired_difference_matches_the_paired_t_interval():
    rng = np.random.default_rng(1)
    a = rng.normal(10, 2, 30)
    b = a - 1 + rng.normal(0, 0.5, 30)
    result = paired_difference(a, b)
    d = b - a
    half = stats.t.ppf(0.975, 29) * d.std(ddof=1) / np.sqrt(30)
    assert result.diff == pytest.approx(d.mean())
    assert (result.ci_low, result.ci_high) == pytest.approx((d.mean() - half, d.mean() + half))
    assert result.p_value == pytest.approx(stats.ttest_rel(b, a).pvalue)
    assert result.share_b_higher == pytest.approx((d > 0).mean())


def test_identical_arms_have_no_difference():
    result = paired_difference([1.0, 2.0, 3.0], [1.0, 2.0, 3.0])
    assert result.diff == 0 and result.p_value == 1.0 and result.ci_low == result.ci_high == 0


def test_unequal_arms_are_refused():
    with pytest.raises(ValueError):
        paired_difference([1.0, 2.0], [1.0])


def test_transient_runs_counts_overloaded_and_growing_runs_per_arm():
    import pandas as pd

    from sim.sweep.compare import transient_runs

    table = pd.DataFrame(
        {
            "arm": ["calm", "calm", "busy", "busy"],
            "status": ["ok"] * 4,
            "kpi.offered_load.utilisation": [0.7, 0.7, 1.2, 1.2],
            "kpi.steady_state.stationary": [True, None, False, True],
        }
    )
    assert transient_runs(table, "arm") == {"calm": (2, 0, 0), "busy": (2, 2, 1)}
