"""Distributions: sample moments against theory, determinism, YAML shorthand and errors."""

from __future__ import annotations

import math

import numpy as np
import pytest
from pydantic import TypeAdapter, ValidationError

from sim.config.distributions import (
    DIST_NAMES,
    Distribution,
    Empirical,
    Exponential,
    Fixed,
    Gamma,
    LogNormal,
    Uniform,
)

N = 200_000
ADAPTER: TypeAdapter[Distribution] = TypeAdapter(Distribution)

CASES = [
    Exponential(mean=2.0),
    LogNormal(median=0.5, cv=0.8),
    Gamma(mean=1.5, cv=0.5),
    Gamma(mean=3.0, cv=2.0),
    Uniform(low=1.0, high=4.0),
    Empirical(values=[0.5, 1.0, 3.0], weights=[2, 1, 1]),
    Empirical(values=[1.0, 2.0]),
]


def _standard_errors(x: np.ndarray) -> tuple[float, float]:
    """Standard errors of the sample mean and (via the delta method) of the sample SCV."""
    n = len(x)
    mean = x.mean()
    centred = x - mean
    m2, m3, m4 = (np.mean(centred**k) for k in (2, 3, 4))
    se_mean = math.sqrt(m2 / n)
    # scv = m2 / mean²; gradient w.r.t. (mean, m2) with Var(m2) ≈ (m4 - m2²)/n, Cov ≈ m3/n
    d_mean, d_m2 = -2 * m2 / mean**3, 1 / mean**2
    var_scv = (d_mean**2 * m2 + 2 * d_mean * d_m2 * m3 + d_m2**2 * (m4 - m2**2)) / n
    return se_mean, math.sqrt(var_scv)


@pytest.mark.parametrize("dist", CASES, ids=lambda d: f"{d.dist}")
def test_sample_moments_match_theory(dist: Distribution) -> None:
    x = dist.sample(np.random.default_rng(20240601), N)
    assert x.dtype == np.float64
    assert x.shape == (N,)
    assert (x >= 0).all()
    se_mean, se_scv = _standard_errors(x)
    assert abs(x.mean() - dist.mean) < 4 * se_mean
    assert abs(x.var() / x.mean() ** 2 - dist.scv) < 4 * se_scv


def test_lognormal_parameters() -> None:
    d = LogNormal(median=2.0, cv=1.0)
    assert d.sigma**2 == pytest.approx(math.log(2.0))
    assert d.mu == pytest.approx(math.log(2.0))
    assert d.mean == pytest.approx(2.0 * math.sqrt(2.0))
    x = d.sample(np.random.default_rng(1), N)
    p = 0.5  # the median: share below it is binomial with sd sqrt(p(1-p)/n)
    assert abs((x < 2.0).mean() - p) < 4 * math.sqrt(p * (1 - p) / N)


def test_fixed_and_exact_moments() -> None:
    assert Fixed(value=3.0).sample(np.random.default_rng(0), 4).tolist() == [3.0] * 4
    assert Fixed(value=3.0).scv == 0.0
    assert Exponential(mean=2.0).scv == 1.0
    assert Gamma(mean=1.0, cv=0.5).scv == pytest.approx(0.25)
    assert Uniform(low=0.0, high=2.0).scv == pytest.approx(1 / 3)
    assert Empirical(values=[1.0, 3.0]).mean == pytest.approx(2.0)


def test_empirical_zero_weight_never_drawn() -> None:
    x = Empirical(values=[1.0, 2.0, 3.0], weights=[0, 1, 0]).sample(np.random.default_rng(0), 1000)
    assert set(x.tolist()) == {2.0}


@pytest.mark.parametrize("dist", CASES, ids=lambda d: f"{d.dist}")
def test_deterministic_and_consumption_depends_only_on_n(dist: Distribution) -> None:
    a, b = np.random.default_rng(7), np.random.default_rng(7)
    np.testing.assert_array_equal(dist.sample(a, 100), dist.sample(b, 100))
    # the generators stay in step: one batch of n consumes the same as any other batch of n
    assert a.random() == b.random()


def test_batches_consume_a_fixed_number_of_variates() -> None:
    """Exponential draws from one batch of 10 equal draws from two batches of 5."""
    d = Exponential(mean=1.0)
    one = d.sample(np.random.default_rng(3), 10)
    rng = np.random.default_rng(3)
    two = np.concatenate([d.sample(rng, 5), d.sample(rng, 5)])
    np.testing.assert_array_equal(one, two)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (2, Fixed(value=2.0)),
        (0.5, Fixed(value=0.5)),
        ("15min", Fixed(value=0.25)),
        ({"dist": "exponential", "mean": "30min"}, Exponential(mean=0.5)),
        ({"dist": "lognormal", "median": "20min", "cv": 0.8}, LogNormal(median=1 / 3, cv=0.8)),
        ({"dist": "uniform", "low": "1h", "high": "1d"}, Uniform(low=1.0, high=24.0)),
        ({"dist": "empirical", "values": ["1h", 2]}, Empirical(values=[1.0, 2.0])),
    ],
)
def test_yaml_forms(raw: object, expected: Distribution) -> None:
    assert ADAPTER.validate_python(raw) == expected


def _error_text(raw: object) -> str:
    with pytest.raises(ValidationError) as info:
        ADAPTER.validate_python(raw)
    return str(info.value)


def test_unknown_dist_lists_allowed_names() -> None:
    text = _error_text({"dist": "weibull", "mean": 1})
    assert "weibull" in text
    for name in DIST_NAMES:
        assert name in text


def test_missing_dist_key_lists_allowed_names() -> None:
    text = _error_text({"mean": 1})
    for name in DIST_NAMES:
        assert name in text


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ({"dist": "uniform", "low": 2, "high": 1}, "must not exceed high"),
        ({"dist": "lognormal", "median": 1, "cv": 0}, "greater than 0"),
        ({"dist": "lognormal", "median": 0, "cv": 1}, "median must be greater than 0"),
        ({"dist": "gamma", "mean": 1, "cv": -1}, "greater than 0"),
        ({"dist": "exponential", "mean": "-1h"}, "must not be negative"),
        ({"dist": "empirical", "values": []}, "at least 1"),
        ({"dist": "empirical", "values": [1, 2], "weights": [1]}, "weights has 1 entries"),
        ({"dist": "empirical", "values": [1, 2], "weights": [1, -1]}, "not negative"),
        ({"dist": "empirical", "values": [1, 2], "weights": [0, 0]}, "not all be zero"),
        ({"dist": "fixed", "value": 1, "mean": 2}, "Extra inputs"),
        (True, "valid dictionary"),
    ],
)
def test_invalid_parameters(raw: object, fragment: str) -> None:
    assert fragment in _error_text(raw)
