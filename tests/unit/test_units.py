"""Durations, rates, clock times and probabilities in scenario files."""

from __future__ import annotations

import math
import re

import pytest
from pydantic import ValidationError

from sim.config.base import StrictModel
from sim.config.units import _UNIT_HOURS as UNIT_SPELLINGS
from sim.config.units import (
    ClockTime,
    Duration,
    Probability,
    Rate,
    parse_clock,
    parse_duration,
    parse_rate,
)


@pytest.mark.parametrize(
    ("text", "hours"),
    [
        (2, 2.0),
        (1.5, 1.5),
        (0, 0.0),
        ("30s", 30 / 3600),
        ("30 sec", 30 / 3600),
        ("10 seconds", 10 / 3600),
        ("15min", 0.25),
        ("15 min", 0.25),
        ("1 minute", 1 / 60),
        ("2h", 2.0),
        ("1.5h", 1.5),
        ("2 hours", 2.0),
        ("3 hr", 3.0),
        ("3d", 72.0),
        ("3 days", 72.0),
        ("1 day", 24.0),
        ("2w", 336.0),
        ("1 week", 168.0),
        (".5h", 0.5),
        ("2H", 2.0),
        ("1.5e2min", 2.5),
        ("2E-1 h", 0.2),
    ],
)
def test_parse_duration(text: object, hours: float) -> None:
    assert parse_duration(text) == pytest.approx(hours)


@pytest.mark.parametrize(
    "bad", ["-1h", -1, -0.5, "2", "abc", "2 parsecs", "h", "", True, None, "1e400h", "2e h", "e3h"]
)
def test_parse_duration_rejects(bad: object) -> None:
    with pytest.raises(ValueError):
        parse_duration(bad)


def test_duration_error_names_units() -> None:
    with pytest.raises(ValueError, match=r"units: s, min, h, d, w"):
        parse_duration("5 fortnights")


def test_negative_duration_message() -> None:
    with pytest.raises(ValueError, match="must not be negative"):
        parse_duration("-15min")


@pytest.mark.parametrize(
    ("text", "per_hour"),
    [
        (3, 3.0),
        ("2/h", 2.0),
        ("2 per hour", 2.0),
        ("10/day", 10 / 24),
        ("0.5/d", 0.5 / 24),
        ("3 per week", 3 / 168),
        ("1/year", 1 / (365 * 24)),
        ("1/y", 1 / (365 * 24)),
        ("1 / yr", 1 / (365 * 24)),
        ("1e-3/day", 1e-3 / 24),
        ("2.4e+1 per day", 1.0),
    ],
)
def test_parse_rate(text: object, per_hour: float) -> None:
    assert parse_rate(text) == pytest.approx(per_hour)


@pytest.mark.parametrize("bad", ["-2/h", -1, "2", "2/fortnight", "per day", "2 h", "1e400/h"])
def test_parse_rate_rejects(bad: object) -> None:
    with pytest.raises(ValueError):
        parse_rate(bad)


@pytest.mark.parametrize(
    ("text", "hours"),
    [("08:00", 8.0), ("19:30", 19.5), ("0:00", 0.0), ("24:00", 24.0), ("7:15", 7.25), (12, 12.0)],
)
def test_parse_clock(text: object, hours: float) -> None:
    assert parse_clock(text) == pytest.approx(hours)


@pytest.mark.parametrize("bad", ["24:01", "25:00", "7:60", "8", "8h", "08:00:00", -1, 25, "ab:cd"])
def test_parse_clock_rejects(bad: object) -> None:
    with pytest.raises(ValueError):
        parse_clock(bad)


class _Units(StrictModel):
    duration: Duration = 0.0
    rate: Rate = 0.0
    clock: ClockTime = 0.0
    p: Probability = 0.0


def test_annotated_types_in_models() -> None:
    m = _Units(duration="15min", rate="10/day", clock="19:30", p=0.25)
    assert (m.duration, m.rate, m.clock, m.p) == pytest.approx((0.25, 10 / 24, 19.5, 0.25))


@pytest.mark.parametrize("p", [-0.1, 1.5, math.nan])
def test_probability_rejects(p: float) -> None:
    with pytest.raises(ValidationError, match=r"probability must be between 0 and 1|finite"):
        _Units(p=p)


def test_duration_validation_error_in_model() -> None:
    with pytest.raises(ValidationError, match="invalid duration"):
        _Units(duration="soon")


def test_json_schema_accepts_numbers_and_strings() -> None:
    schema = _Units.model_json_schema()["properties"]
    kinds = {alt["type"] for alt in schema["duration"]["anyOf"]}
    assert kinds == {"number", "string"}
    pattern = next(alt["pattern"] for alt in schema["duration"]["anyOf"] if "pattern" in alt)
    for text in ("15min", "1.5e2 min", "2E-1h"):  # an editor accepts what gridsim reads
        assert re.match(pattern, text), text
    assert "15min" in schema["duration"]["description"]
    assert schema["p"]["maximum"] == 1


@pytest.mark.parametrize("case", [str.lower, str.upper, str.title])
def test_the_schema_accepts_every_unit_gridsim_reads_in_any_case(case) -> None:
    schema = _Units.model_json_schema()["properties"]
    duration, rate = (
        next(alt["pattern"] for alt in schema[field]["anyOf"] if "pattern" in alt)
        for field in ("duration", "rate")
    )
    for unit in UNIT_SPELLINGS:
        text = case(f"2 {unit}")
        assert re.match(duration, text) and parse_duration(text) > 0, text
        for per in ("/", " per "):
            text = case(f"0.01{per}{unit}")
            assert re.match(rate, text) and parse_rate(text) > 0, text


def test_quantities_are_numbers_durations_or_rates():
    from sim.config.units import parse_quantity

    assert parse_quantity(-2) == -2.0  # any sign: bounds of a range
    assert parse_quantity("12min") == pytest.approx(0.2)
    assert parse_quantity("2/year") == pytest.approx(2 / (365 * 24))
    assert parse_quantity("3 per week") == pytest.approx(3 / (7 * 24))
    for bad in (float("nan"), float("inf"), "twelve", True, None):
        with pytest.raises(ValueError):
            parse_quantity(bad)
