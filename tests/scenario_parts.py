"""Pieces shared by the small in-memory scenarios of the tests: a shift on duty round the
clock, households with no attributes, flat resident requests and a closed loop that takes no
time. Each test file still spells out what is particular to it.

Importable from every test folder (`pythonpath = ["tests"]` in pyproject.toml). The constants
are plain dicts, as `sim.scenario_from_dict` and `merge_mappings` expect: read them, never
change them in place.
"""

from __future__ import annotations

from sim.vocabulary import ATTRIBUTES, WEEKDAYS

#: Every day of the week, Monday first.
ALL_DAYS: list[str] = list(WEEKDAYS)

#: A shift on duty all day, every day (00:00 to 00:00).
ROUND_THE_CLOCK: dict = {"start": "00:00", "end": "00:00", "days": ALL_DAYS}

#: Household attribute shares all zero (no floating, rental, shop, elderly, ... households);
#: every household still lives in a compound with a property company (`managed`, the default).
NO_ATTRIBUTES: dict[str, float] = {name: 0.0 for name in ATTRIBUTES if name != "managed"}

#: A closed loop without feedback work or delays: a case is archived when its job is done.
INSTANT_LOOP: dict = {
    "feedback": {"handler": "none"},
    "rating_delay": "0h",
    "publicity_delay": "0h",
    "archive_delay": "0h",
}


def flat_requests(rate: str, mix: dict[str, float] | None = None) -> dict:
    """A resident-request source at `rate` per household (e.g. "0.002/h"), the same at every
    hour and on every day, no household multipliers; `mix` defaults to all `service`."""
    return {
        "rate_per_household": rate,
        "multipliers": {},
        "hourly_profile": [1] * 24,
        "weekend_factor": 1,
        "mix": {"service": 1} if mix is None else mix,
    }


def two_grid_requests(name: str) -> dict:
    """A community of two grids of 50 households with no attributes, one grid worker each on
    duty round the clock and never patrolling, flat requests of one `service` category (20
    minutes' work) at 0.01 an hour per household, an instant loop: ten days, no warm-up."""
    return {
        "name": name,
        "run": {"days": 10, "tick": "24h", "warmup": "0h"},
        "world": {
            "households": NO_ATTRIBUTES,
            "streets": [
                {"id": "s", "communities": [{"id": "c", "grids": 2, "households_per_grid": 50}]}
            ],
        },
        "categories": {"service": {"work": "20min", "priority": 1}},
        "grid_workers": {"per_grid": 1, "shift": ROUND_THE_CLOCK, "patrol": {"enabled": False}},
        "sources": {"resident": flat_requests("0.01/h")},
        "loop": INSTANT_LOOP,
    }
