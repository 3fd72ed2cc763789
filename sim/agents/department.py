"""Government departments above the grid (community office, street office, 城管, 公安,
district and city bureaux): each instance has a queue and a few staff for grid cases."""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa

from sim.agents.staff import Staff
from sim.config.schema import SKILLS, TIERS
from sim.config.schema import Department as DepartmentSpec
from sim.work.station import Station

if TYPE_CHECKING:
    from sim.model import GridModel


class Department(mesa.Agent):
    """One department at one unit of its tier (e.g. the street office of 红旗街道)."""

    role = "department"

    def __init__(
        self, model: GridModel, kind: str, spec: DepartmentSpec, unit: int, unit_id: str
    ) -> None:
        super().__init__(model)
        self.kind = kind
        self.tier = TIERS.index(spec.tier)
        self.unit_id = unit_id
        self.station = Station(f"{kind}@{unit_id}", unit, model.arrival_order)
        self.pay = spec.pay
        self.staff = [
            Staff(
                model,
                index=model.next_staff_index(),
                role=kind,
                name=f"{kind}@{unit_id}-s{i + 1}",
                unit=unit,
                unit_id=self.station.name,
                stations=[self.station],
                shift=spec.shift,
                rates=dict.fromkeys(SKILLS, 1.0),
            )
            for i in range(spec.staff)
        ]
