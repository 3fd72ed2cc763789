"""The running model as plain numbers, for a drill's objectives and its players' screens: every
case so far (closed and open) as arrays, the KPIs of the moment and the grids for a map. Nothing
here changes the model: it reads the run-time counters, the open cases and the staff's states."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sim.work.case import STATUSES

if TYPE_CHECKING:
    from sim.config.incidents import Incident
    from sim.model import GridModel

#: How far back the recent cases of `first_response_h` go (hours).
RECENT_H = 24.0
_CLOSED = STATUSES.index("closed")


@dataclass(frozen=True)
class CaseView:
    """Every case and task of the run so far, one row each: when it was created, first started
    (事项受理; NaN: not yet), closed with its work done (NaN: open, or closed without it, such as
    a revisit that found nobody) and due; its category index, grid index, priority at creation,
    whether it belongs to the closed loop and whether it is open."""

    created: np.ndarray
    accepted: np.ndarray
    done: np.ndarray
    due: np.ndarray
    category: np.ndarray
    grid: np.ndarray
    priority: np.ndarray
    closed_loop: np.ndarray
    open: np.ndarray

    @classmethod
    def of(cls, model: GridModel) -> CaseView:
        """The cases of `model` now (tasks released but not yet opened are opened first)."""
        model.stations.open_deferred()
        metrics = model.metrics
        records = metrics.records
        cases = list(metrics.open.values())
        n_closed, n_open = len(records), len(cases)

        def column(name: str, attribute: str) -> np.ndarray:
            now_open = np.fromiter((getattr(c, attribute) for c in cases), float, n_open)
            return np.concatenate([records.column(name).astype(float), now_open])

        category = column("category", "category").astype(np.int64)
        done = np.where(records.column("status") == _CLOSED, records.column("archived_h"), np.nan)
        return cls(
            created=column("created_h", "created"),
            accepted=np.concatenate([records.column("accepted_h"), [c.steps[0] for c in cases]]),
            done=np.concatenate([done, np.full(n_open, np.nan)]),
            due=column("deadline_h", "deadline"),
            category=category,
            grid=column("grid", "grid").astype(np.int64),
            priority=column("priority", "priority"),
            closed_loop=np.asarray(metrics.closed_loop, dtype=bool)[category],
            open=np.concatenate([np.zeros(n_closed, dtype=bool), np.ones(n_open, dtype=bool)]),
        )


def screening_categories(incidents: list[Incident]) -> list[str]:
    """Categories of the incidents' screening tasks (every household once), in order."""
    found = [
        task.category
        for incident in incidents
        for task in incident.tasks
        if task.every_household is not None
    ]
    return list(dict.fromkeys(found))


def moment(model: GridModel, view: CaseView, screening: list[str]) -> dict:
    """The KPIs now, as plain numbers (see the README's drill section): the closed-loop backlog,
    open tasks, the oldest open closed-loop case, the first response of recent cases, screening
    coverage, staff on duty by role and overtime so far."""
    now = model.env.now
    loop_open = view.open & view.closed_loop
    recent = view.closed_loop & (view.created > now - RECENT_H)
    started = recent & ~np.isnan(view.accepted)
    on_duty: dict[str, dict[str, int]] = defaultdict(lambda: {"on_duty": 0, "members": 0})
    overtime = 0.0
    for staff, _ in model.staff_records():
        on_duty[staff.role]["members"] += 1
        on_duty[staff.role]["on_duty"] += int(staff.on_duty)
        overtime += staff.overtime
    return {
        "backlog": int(model.metrics.backlog_now()),
        "open_tasks": int((view.open & ~view.closed_loop).sum()),
        "oldest_open_h": _float(np.max(now - view.created[loop_open])) if loop_open.any() else None,
        "first_response_h": _mean(view.accepted[started] - view.created[started]),
        "recent_cases": int(recent.sum()),
        "recent_waiting": int((recent & np.isnan(view.accepted)).sum()),
        "screening": _screening(model, view, screening),
        "staff_on_duty": dict(on_duty),
        "overtime_h": round(overtime, 6),
    }


def grids(model: GridModel, view: CaseView, screening: list[str], struck: np.ndarray) -> list[dict]:
    """One row per grid, for a map: its id, community and street, households, open closed-loop
    cases, open tasks, share of its screening tasks done (None: none yet), and whether an
    incident in force strikes it (`struck`, a mask)."""
    world = model.world
    n = len(world.grids)
    loop_open = np.bincount(view.grid[view.open & view.closed_loop], minlength=n)
    tasks_open = np.bincount(view.grid[view.open & ~view.closed_loop], minlength=n)
    screen = _in(model, view, screening)
    created = np.bincount(view.grid[screen], minlength=n)
    done = np.bincount(view.grid[screen & ~np.isnan(view.done)], minlength=n)
    return [
        {
            "grid": grid.id,
            "community": world.communities[grid.community].id,
            "street": world.streets[grid.street].id,
            "households": int(grid.households),
            "open_cases": int(loop_open[g]),
            "open_tasks": int(tasks_open[g]),
            "screened_share": float(done[g] / created[g]) if created[g] else None,
            "incident": bool(struck[g]),
        }
        for g, grid in enumerate(world.grids)
    ]


def _screening(model: GridModel, view: CaseView, screening: list[str]) -> dict:
    """Screening tasks so far (one per household of an incident's area), done, and the share."""
    screen = _in(model, view, screening)
    created, done = int(screen.sum()), int((screen & ~np.isnan(view.done)).sum())
    return {
        "tasks": created,
        "done": done,
        "share": done / created if created else None,
    }


def _in(model: GridModel, view: CaseView, categories: list[str]) -> np.ndarray:
    """Rows whose category is one of `categories` (names)."""
    index = [c.index for c in model.case_types if c.name in categories]
    return np.isin(view.category, index)


def _mean(values: np.ndarray) -> float | None:
    return _float(values.mean()) if len(values) else None


def _float(value: float) -> float:
    return round(float(value), 6)
