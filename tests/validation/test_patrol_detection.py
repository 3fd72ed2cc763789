"""Patrol discovery against residents' reports (scenarios/theory/patrol_race.yaml).

c workers patrol one grid all the time (handling takes no time), so the grid accumulates c
patrol hours an hour and an issue needing Exp(mean E) patrol hours is found after Exp(mean E/c)
hours; a resident reports it after Exp(mean R). Patrol finds it first with probability
(c/E) / (c/E + 1/R), whatever the issue's onset (the winner of a race of exponentials is
independent of when it ends, so the horizon censors nothing). The share of issues found by patrol
per replication must lie within 3 standard errors of it over 20 replications.

This checks that discovery happens the moment the patrol hours reach an issue's threshold, and
that patrol hours add up across the grid's workers: found at the end of 30-minute patrol rounds
instead, the share at c = 1, E = R = 3 h falls to 0.46, about 10 SE below 1/2.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import sim

CASES = [  # c, E (h), R (h)
    (1, 3.0, 3.0),
    (3, 2.0, 1.0),
    (2, 6.0, 2.0),
]


def patrol_share(result: sim.Result, _cases) -> dict[str, float]:
    """Share of the issues found by patrol rather than reported by a resident."""
    found = result.summary["found_by"]
    return {"patrol": found.get("patrol", 0) / (found.get("patrol", 0) + found["resident"])}


@pytest.mark.parametrize("c, exposure, report", CASES, ids=lambda v: f"{v}")
def test_patrol_finds_first_at_the_rate_of_the_race(
    c: int, exposure: float, report: float, replicate, helpers, scenarios: Path
) -> None:
    overrides = [
        f"grid_workers.per_grid={c}",
        f"grid_workers.patrol.exposure={exposure!r}h",
        f"grid_workers.patrol.resident_report_delay.mean={report!r}h",
    ]
    scenario = sim.load_scenario(scenarios / "theory" / "patrol_race.yaml", overrides=overrides)
    key = f"patrol-race-{c}-{exposure}-{report}"
    reps = replicate(scenario, patrol_share, key=key, reps=20, cooldown=None)
    expected = (c / exposure) / (c / exposure + 1.0 / report)
    assert helpers.disagreement(key, reps, "patrol", expected) is None
