"""The full-time grid worker (专职网格员, the "1" of "1+6+N")."""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa

from sim.agents.staff import Staff
from sim.config.schema import SKILLS, GridWorkers

if TYPE_CHECKING:
    from sim.model import GridModel
    from sim.world import Grid


class GridWorker(mesa.Agent):
    """Serves one grid on a shift: takes the most urgent case, patrols when there is none."""

    role = "grid_worker"

    def __init__(self, model: GridModel, grid: Grid, number: int, spec: GridWorkers) -> None:
        super().__init__(model)
        self.grid = grid
        patrol = model.patrol_issues
        self.staff = Staff(
            model,
            index=model.next_staff_index(),
            role=self.role,
            name=f"{grid.id}-w{number}",
            unit=grid.index,
            unit_id=grid.id,
            stations=[model.grid_stations[grid.index]],
            shift=spec.shift,
            rates={skill: spec.speed * spec.skills.get(skill, 1.0) for skill in SKILLS},
            patrol_round=spec.patrol.round if spec.patrol.enabled else None,
            on_patrol=patrol.patrolled if patrol is not None else _ignore,
        )
        self.pay = spec.pay


def _ignore(staff: Staff, hours: float) -> None:
    """Patrol with no hidden issues to find."""
