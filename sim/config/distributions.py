"""Probability distributions of durations (work content, travel, delays) in scenario files.

In YAML a distribution is a mapping with a `dist` key, or a bare duration meaning "fixed":

    service: {dist: lognormal, median: 20min, cv: 0.8}
    travel: 10min            # same as {dist: fixed, value: 10min}

Every distribution samples hours as float64 with one vectorised call to the generator per
batch, so the number of variates consumed depends only on `n` (common random numbers).
`mean` and `scv` (squared coefficient of variation) feed queueing approximations.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import BeforeValidator, Field, GetJsonSchemaHandler, field_validator, model_validator
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

from sim.config.base import StrictModel
from sim.config.limits import Limits, limits, over
from sim.config.units import DURATION_JSON_SCHEMA, Duration

__all__ = [
    "DIST_NAMES",
    "Distribution",
    "Empirical",
    "Exponential",
    "Fixed",
    "Gamma",
    "LogNormal",
    "Uniform",
]


def _positive(value: float, what: str) -> float:
    if value <= 0:
        raise ValueError(f"{what} must be greater than 0, got {value!r}")
    return value


def _cv_within_limit(value: float) -> float:
    """A coefficient of variation at most the `cv` limit (so cv² never overflows)."""
    if value > limits().cv:
        raise ValueError(f"cv {over('cv', value)}")
    return value


_CV_HELP = (
    "Coefficient of variation (standard deviation / mean); at most "
    f"{Limits.model_fields['cv'].default:g} (limit `cv`, GRIDSIM_LIMITS)."
)


class Exponential(StrictModel):
    """Exponential with the given mean (memoryless; SCV = 1)."""

    dist: Literal["exponential"] = "exponential"
    mean: Duration = Field(description="Mean, hours or with a unit.")

    @field_validator("mean")
    @classmethod
    def _mean_positive(cls, value: float) -> float:
        return _positive(value, "mean")

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """`n` draws, in hours."""
        return rng.exponential(self.mean, size=n)

    @property
    def scv(self) -> float:
        """Squared coefficient of variation."""
        return 1.0


class LogNormal(StrictModel):
    """Lognormal given by its median and coefficient of variation.

    sigma² = ln(1 + cv²), mu = ln(median); mean = median·sqrt(1 + cv²).
    """

    dist: Literal["lognormal"] = "lognormal"
    median: Duration = Field(description="Median, hours or with a unit.")
    cv: float = Field(gt=0, description=_CV_HELP)

    @field_validator("median")
    @classmethod
    def _median_positive(cls, value: float) -> float:
        return _positive(value, "median")

    @field_validator("cv")
    @classmethod
    def _cv(cls, value: float) -> float:
        return _cv_within_limit(value)

    @property
    def sigma(self) -> float:
        """Standard deviation of the underlying normal."""
        return math.sqrt(math.log1p(self.cv**2))

    @property
    def mu(self) -> float:
        """Mean of the underlying normal."""
        return math.log(self.median)

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """`n` draws, in hours."""
        return rng.lognormal(self.mu, self.sigma, size=n)

    @property
    def mean(self) -> float:
        """Mean, hours."""
        return self.median * math.sqrt(1.0 + self.cv**2)

    @property
    def scv(self) -> float:
        """Squared coefficient of variation."""
        return self.cv**2


class Gamma(StrictModel):
    """Gamma given by its mean and coefficient of variation (shape = 1/cv², scale = mean·cv²)."""

    dist: Literal["gamma"] = "gamma"
    mean: Duration = Field(description="Mean, hours or with a unit.")
    cv: float = Field(gt=0, description=_CV_HELP)

    @field_validator("mean")
    @classmethod
    def _mean_positive(cls, value: float) -> float:
        return _positive(value, "mean")

    @field_validator("cv")
    @classmethod
    def _cv(cls, value: float) -> float:
        return _cv_within_limit(value)

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """`n` draws, in hours."""
        return rng.gamma(1.0 / self.cv**2, self.mean * self.cv**2, size=n)

    @property
    def scv(self) -> float:
        """Squared coefficient of variation."""
        return self.cv**2


class Fixed(StrictModel):
    """Always the same value (consumes no random variates)."""

    dist: Literal["fixed"] = "fixed"
    value: Duration = Field(description="The value, hours or with a unit.")

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """`n` copies of the value, in hours."""
        return np.full(n, self.value, dtype=np.float64)

    @property
    def mean(self) -> float:
        """Mean, hours."""
        return self.value

    @property
    def scv(self) -> float:
        """Squared coefficient of variation."""
        return 0.0


class Uniform(StrictModel):
    """Uniform between `low` and `high`."""

    dist: Literal["uniform"] = "uniform"
    low: Duration = Field(description="Lower bound, hours or with a unit.")
    high: Duration = Field(description="Upper bound, hours or with a unit.")

    @model_validator(mode="after")
    def _ordered(self) -> Uniform:
        if self.low > self.high:
            raise ValueError(f"low ({self.low:g} h) must not exceed high ({self.high:g} h)")
        return self

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """`n` draws, in hours."""
        return rng.uniform(self.low, self.high, size=n)

    @property
    def mean(self) -> float:
        """Mean, hours."""
        return (self.low + self.high) / 2

    @property
    def scv(self) -> float:
        """Squared coefficient of variation (0 if the mean is 0)."""
        if self.mean == 0:
            return 0.0
        return (self.high - self.low) ** 2 / 12 / self.mean**2


class Empirical(StrictModel):
    """A discrete distribution over observed values, equally likely unless weighted."""

    dist: Literal["empirical"] = "empirical"
    values: list[Duration] = Field(min_length=1, description="Observed values.")
    weights: list[float] | None = Field(
        default=None, description="Relative weights, one per value; equal if omitted."
    )

    @model_validator(mode="after")
    def _check_weights(self) -> Empirical:
        if self.weights is None:
            return self
        if len(self.weights) != len(self.values):
            raise ValueError(
                f"weights has {len(self.weights)} entries but values has {len(self.values)}"
            )
        if any(not math.isfinite(w) or w < 0 for w in self.weights):
            raise ValueError("weights must be finite and not negative")
        if sum(self.weights) <= 0:
            raise ValueError("weights must not all be zero")
        return self

    @property
    def probabilities(self) -> np.ndarray:
        """Normalised weights."""
        if self.weights is None:
            return np.full(len(self.values), 1.0 / len(self.values))
        weights = np.asarray(self.weights, dtype=np.float64)
        return weights / weights.sum()

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """`n` draws, in hours (one uniform variate per draw, inverse CDF)."""
        cdf = np.cumsum(self.probabilities)
        cdf /= cdf[-1]
        index = np.searchsorted(cdf, rng.random(n), side="right")
        values = np.asarray(self.values, dtype=np.float64)
        return values[np.minimum(index, len(values) - 1)]

    @property
    def mean(self) -> float:
        """Mean, hours."""
        return float(np.dot(self.probabilities, self.values))

    @property
    def scv(self) -> float:
        """Squared coefficient of variation (0 if the mean is 0)."""
        mean = self.mean
        if mean == 0:
            return 0.0
        values = np.asarray(self.values, dtype=np.float64)
        variance = float(np.dot(self.probabilities, (values - mean) ** 2))
        return variance / mean**2


_MODELS = (Exponential, LogNormal, Gamma, Fixed, Uniform, Empirical)
DIST_NAMES: tuple[str, ...] = tuple(m.model_fields["dist"].default for m in _MODELS)
"""The names allowed in `dist:`."""


def _scalar_to_fixed(value: Any) -> Any:
    """Read a bare number or duration string as a fixed distribution."""
    if isinstance(value, int | float | str) and not isinstance(value, bool):
        return {"dist": "fixed", "value": value}
    if isinstance(value, dict) and "dist" not in value:
        raise ValueError(
            f"a distribution needs a 'dist' key, one of: {', '.join(DIST_NAMES)} "
            "(or write a bare duration such as '15min' for a fixed value)"
        )
    return value


class _ScalarInSchema:
    """Add the bare-duration shorthand to the JSON schema of `Distribution`."""

    def __get_pydantic_json_schema__(
        self, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {"anyOf": [DURATION_JSON_SCHEMA, handler(core_schema)]}


Distribution = Annotated[
    Exponential | LogNormal | Gamma | Fixed | Uniform | Empirical,
    Field(discriminator="dist"),
    BeforeValidator(_scalar_to_fixed),
    _ScalarInSchema(),
]
"""Any distribution, chosen by `dist:`; a bare duration means `fixed`."""
