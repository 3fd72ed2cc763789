"""The performance score (星级评定, 百分制; docs/sources.md A47): how a 100-point score per member
of grid-side staff is weighed from their record, and the score bands of the stars."""

from __future__ import annotations

import itertools
from typing import Literal

from pydantic import field_validator

from sim.config.base import StrictModel, sourced

#: What the score is made of, each a share between 0 and 1 (sim.metrics.performance):
#: `on_time` — of the closed-loop cases the member handled, the share reported back by the
#: deadline; `productivity` — standard hours of work done per hour on duty, against the
#: team's median (capped at 1); `revisits` — of the revisits the member made last, the share
#: that reached the household; `field` — field share of the hours on duty against the team's
#: `min_field_share` (capped at 1).
ScorePart = Literal["on_time", "productivity", "revisits", "field"]


class Performance(StrictModel):
    """A 100-point score per member from their record since they took their post, and 1 to 5
    stars by bands of the score. A part that does not apply to a member (no cases, no
    revisits, no field target) is left out and the other weights scaled up."""

    weights: dict[ScorePart, float] = sourced(
        lambda: {"on_time": 40.0, "productivity": 30.0, "revisits": 15.0, "field": 15.0},
        "assumption: the article names the 100-point score, not its parts (docs/sources.md A47)",
        "Weight of each part of the score.",
    )
    stars: list[float] = sourced(
        lambda: [60.0, 70.0, 80.0, 90.0],
        "assumption",
        "Lowest score for 2, 3, 4 and 5 stars (below the first: 1 star).",
    )

    @field_validator("weights")
    @classmethod
    def _weights(cls, value: dict[str, float]) -> dict[str, float]:
        if any(weight < 0 for weight in value.values()) or not any(value.values()):
            raise ValueError("weights must be ≥ 0 and not all 0")
        return value

    @field_validator("stars")
    @classmethod
    def _bands(cls, value: list[float]) -> list[float]:
        if len(value) != 4 or any(b <= a for a, b in itertools.pairwise(value)):
            raise ValueError("give four increasing scores: the lowest for 2, 3, 4 and 5 stars")
        if value[0] < 0 or value[-1] > 100:
            raise ValueError("star bands must lie between 0 and 100")
        return value
