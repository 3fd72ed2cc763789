"""Government departments above the grid (community office, street office, 城管, 公安,
district and city bureaux): each instance has a queue and a few staff for grid cases."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import mesa

from sim.agents.staff import Member, Staff, Workplace
from sim.vocabulary import TIERS

if TYPE_CHECKING:
    from sim.config.teams import Department as DepartmentSpec
    from sim.work.station import Station


class Department(mesa.Agent):
    """One department at one unit of its tier (e.g. the street office of 红旗街道): its staff
    (`members`, numbered from `staff_ids`) serve its station."""

    def __init__(
        self,
        model: mesa.Model,
        kind: str,
        spec: DepartmentSpec,
        station: Station,
        members: list[Member],
        workplace: Workplace,
        staff_ids: Iterator[int],
    ) -> None:
        super().__init__(model)
        self.kind = kind
        self.tier = TIERS.index(spec.tier)
        self.station = station
        self.pay = spec.pay
        self.staff = [Staff(workplace, next(staff_ids), member) for member in members]
