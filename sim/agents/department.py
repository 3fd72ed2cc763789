"""Government departments above the grid (community office, street office, 城管, 公安,
district and city bureaux): each instance has a queue and a few staff for grid cases."""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa

from sim.agents.staff import Member, Staff
from sim.config.schema import SKILLS, TIERS
from sim.config.schema import Department as DepartmentSpec
from sim.staffing import shift_times

if TYPE_CHECKING:
    from sim.model import GridModel


class Department(mesa.Agent):
    """One department at one unit of its tier (e.g. the street office of 红旗街道)."""

    def __init__(
        self, model: GridModel, kind: str, spec: DepartmentSpec, unit: int, unit_id: str
    ) -> None:
        super().__init__(model)
        self.kind = kind
        self.tier = TIERS.index(spec.tier)
        self.unit_id = unit_id
        n_categories = len(model.plans)
        self.station = model.new_station(f"{kind}@{unit_id}", unit)
        self.pay = spec.pay
        shifts = shift_times(model.calendar, model.horizon, [spec.shift])
        self.staff = [
            Staff(
                model,
                model.next_staff_index(),
                Member(
                    role=kind,
                    kind="department",
                    name=f"{kind}@{unit_id}-s{i + 1}",
                    unit=unit,
                    unit_id=self.station.name,
                    stations=[self.station],
                    shifts=shifts,
                    takes=[True] * n_categories,
                    rates=dict.fromkeys(SKILLS, 1.0),
                    category_rates=[1.0] * n_categories,
                    resolves=[0.0] * n_categories,
                    pay=spec.pay,
                ),
            )
            for i in range(spec.staff)
        ]
