"""Limits on input: how large a file, how deep its nesting, how long a list, how large a number
and how much work a scenario or an experiment may ask for.

Whatever exceeds a limit is refused as bad input (exit 2, naming the file, line and field)
before anything is allocated for it. The defaults hold every shipped scenario, the whole city
of 佳木斯 (scenarios/jiamusi_city.yaml: ≈861,000 households, ≈98,000 staff) included, with
room to spare. Limits never change a result, only what is accepted, so raising one for a
larger city is safe; set the environment variable, e.g.

    GRIDSIM_LIMITS="households=5000000,staff=600000,grids=50000" gridsim run big_city.yaml

(a sweep's processes inherit it; on a Dask cluster, set it in the workers' environment too).
`gridsim schema` lists every limit with its default.
"""

from __future__ import annotations

import functools
import os

from pydantic import BaseModel, ConfigDict, Field, ValidationError

__all__ = ["LIMITS_ENV", "Limits", "LimitsError", "limits", "limits_schema", "number", "over"]

LIMITS_ENV = "GRIDSIM_LIMITS"


class Limits(BaseModel):
    """Every limit on input, with its default (see the module's docstring)."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    file_bytes: int = Field(
        5_000_000,
        ge=1,
        description="Size of one YAML file (a scenario, experiment, drill or decisions file, "
        "or one it extends), in bytes.",
    )
    depth: int = Field(
        64,
        ge=2,
        le=200,
        description="Nesting depth of one YAML file (mappings and lists within each other).",
    )
    items: int = Field(
        100_000,
        ge=1,
        description="Entries of one list or mapping in a YAML file.",
    )
    nodes: int = Field(
        1_000_000,
        ge=1,
        description="Values in one YAML file, YAML aliases expanded (guards against the "
        '"billion laughs" alias bomb).',
    )
    households: int = Field(
        2_000_000,
        ge=1,
        description="Households of a scenario's world (all its grids; a range of grid sizes "
        "counted at its high end).",
    )
    grids: int = Field(50_000, ge=1, description="Grids of a scenario's world.")
    staff: int = Field(
        300_000,
        ge=1,
        description="Members of every team and department of a scenario (a difficulty rule "
        "counted at its max, a volunteer pool at its places).",
    )
    days: float = Field(
        3_660.0,
        gt=0,
        le=1e6,
        description="Horizon of one run, in days (run.days, --days, an experiment's days).",
    )
    ticks: int = Field(
        1_000_000,
        ge=1,
        description="Model steps of one run (the horizon over run.tick).",
    )
    batch: int = Field(
        2_000_000,
        ge=1,
        description="Work released at one time: a warm start's backlog, a department's quota "
        "over every grid, an incident's duty posts over every community.",
    )
    rate: float = Field(
        100.0,
        gt=0,
        le=1e9,
        description="Any rate, in events per hour of its unit (per household, per grid, per "
        "community, per volunteer): 100/h is one event every 36 s.",
    )
    cv: float = Field(
        100.0,
        gt=0,
        le=1e100,
        description="Coefficient of variation of a distribution (lognormal, gamma).",
    )
    runs: int = Field(
        100_000,
        ge=1,
        description="Runs of one experiment: arms × factor levels × design points × replications.",
    )


class LimitsError(ValueError):
    """GRIDSIM_LIMITS does not parse; `problems` are (limit, what is wrong) pairs."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(f"{name}: {message}" for name, message in problems))
        self.problems = problems


def limits() -> Limits:
    """The limits in force: the defaults, with those GRIDSIM_LIMITS raises or lowers
    (`name=value,name=value`; `_` may group digits). Raises LimitsError if it does not parse."""
    return _parse(os.environ.get(LIMITS_ENV, ""))


@functools.lru_cache(maxsize=8)
def _parse(text: str) -> Limits:
    values: dict[str, str] = {}
    problems: list[tuple[str, str]] = []
    for entry in text.replace(";", ",").split(","):
        if not entry.strip():
            continue
        name, equals, value = (part.strip() for part in entry.partition("="))
        if not equals or not value:
            problems.append((name, "expected NAME=VALUE, e.g. households=5000000"))
        elif name not in Limits.model_fields:
            problems.append(
                (name, f"no such limit; the limits are: {', '.join(Limits.model_fields)}")
            )
        else:
            values[name] = value.replace("_", "")
    try:
        given = Limits.model_validate(values)
    except ValidationError as exc:
        for error in exc.errors(include_url=False):
            name = str(error["loc"][0]) if error["loc"] else ""
            problems.append((name, f"{error['msg']} (got {error['input']!r})"))
    if problems:
        raise LimitsError(problems)
    return given


def limits_schema() -> dict[str, object]:
    """The limits for a JSON Schema (`x-limits`): each one's default and what it bounds."""
    return {
        "description": f"Limits on input; raise one with {LIMITS_ENV}=name=N,name=N. Whatever "
        "exceeds a limit is refused (exit 2) before anything is built.",
        **{
            name: {"default": field.default, "description": field.description}
            for name, field in Limits.model_fields.items()
        },
    }


def number(value: float) -> str:
    """A number for a message: `2,000,000`, `3,660`, `0.25`, `1e+308`, `a 5000-digit number`."""
    if isinstance(value, int) and abs(value) >= 10**15:
        return f"a {int(value.bit_length() * 0.30103) + 1}-digit number"
    if isinstance(value, int) or (value.is_integer() and abs(value) < 1e15):
        return f"{int(value):,}"
    return f"{value:.6g}"


def over(name: str, value: float, unit: str = "") -> str:
    """The message for `value` above the limit `name`: what it is, and how to raise it."""
    limit = getattr(limits(), name)
    return (
        f"{number(value)}{unit} is above the limit of {number(limit)}{unit} ({name}; raise it "
        f"with {LIMITS_ENV}={name}=N if this is meant)"
    )
