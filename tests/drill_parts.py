"""A small scenario and drill for the drill tests: one street, one community of four grids of 50
households, grid workers and the street office round the clock, residents' requests (routine
and urgent) through the grid worker or the 12345 hotline, an incident category for checks, and
six standby cadres that a timed plan mobilises at 60 h. Read the constants; never change them in
place (`merge_mappings` makes copies)."""

from __future__ import annotations

from typing import Any

import sim
from sim.config.loader import merge_mappings
from sim.drill import Drill, drill_from_dict

from scenario_parts import INSTANT_LOOP, NO_ATTRIBUTES, ROUND_THE_CLOCK, flat_requests

SCENARIO: dict = {
    "name": "drill-test",
    "run": {"days": 3},
    "world": {
        "households": NO_ATTRIBUTES,
        "streets": [
            {"id": "s", "communities": [{"id": "c", "grids": 4, "households_per_grid": 50}]}
        ],
    },
    "categories": {
        "service": {
            "work": "30min",
            "priority": 2,
            "escalation": [{"tier": "street", "departments": ["street_office"], "p": 0.5}],
        },
        "urgent": {"work": "20min", "priority": 1, "deadline": "2h"},
        "check": {
            "kind": "incident",
            "work": "3min",
            "priority": 1,
            "deadline": "2h",
            "loop": False,
        },
    },
    "departments": {
        "street_office": {"tier": "street", "staff": 2, "work": "1h", "shift": ROUND_THE_CLOCK}
    },
    "grid_workers": {"per_grid": 1, "patrol": {"enabled": False}, "shift": ROUND_THE_CLOCK},
    "teams": {
        "cadres": {
            "kind": "part_time",
            "per_community": 6,
            "standby": True,
            "categories": ["check", "service", "urgent"],
            "shift": ROUND_THE_CLOCK,
        }
    },
    "sources": {"resident": flat_requests("0.01/h", {"service": 3, "urgent": 1})},
    "channels": {
        "grid": {"base": 0},
        "hotline": {"base": 0, "agents": 1, "capacity": 2, "background": "6/h"},
    },
    "plans": {"call": {"triggers": [{"at": "60h"}], "actions": [{"mobilise": "cadres"}]}},
    "loop": INSTANT_LOOP,
}

DRILL: dict = {
    "name": "test-drill",
    "scenario": "drill_parts.SCENARIO",
    "seed": 3,
    "clock": {"start": "10h", "horizon": "48h"},
    "objectives": {
        "checked": {"measure": {"done": "check", "at_least": 1.0}, "by": "30h"},
        "urgent_quick": {
            "measure": {"longest_wait": "30min", "categories": ["urgent"]},
            "by": "48h",
        },
        "on_time": {"measure": {"on_time": "urgent", "at_least": 0.9}, "by": "48h"},
        "backlog": {"measure": {"backlog_below": 20}, "by": "40h"},
    },
    "injects": {
        "leak": {
            "at": "20h",
            "incident": {
                "duration": "4h",
                "area": {"grids": ["c-g01"]},
                "tasks": [{"category": "check", "every_household": "2h"}],
            },
            "expects": {"action": "mobilise", "by": "1h"},
        },
        "line_down": {"at": "12h", "hotline_outage": "hotline", "duration": "3h"},
        "ill": {"worker_ill": "grid_worker", "grid": "c-g02", "duration": "8h"},
        "rumour": {"rumour_surge": 4.0, "area": {"grids": ["c-g03"]}, "duration": "6h"},
        "office_down": {"department_unreachable": "street_office", "duration": "5h"},
    },
    "roles": {
        "secretary": {"actions": ["mobilise", "pool", "reassign"]},
        "street": {"plans": ["call"], "actions": ["set_mode", "extend_shifts"]},
    },
    "resources": {"cadres": {"limit": 4}},
}


def scenario(changes: dict | None = None) -> sim.Scenario:
    """The test scenario with `changes` merged over it."""
    return sim.scenario_from_dict(merge_mappings(SCENARIO, changes or {}))


def drill(
    changes: dict | None = None, scenario_changes: dict | None = None, without: tuple = ()
) -> Drill:
    """The test drill with `changes` merged over it and the injects `without` left out, on the
    test scenario with `scenario_changes`."""
    data: dict[str, Any] = merge_mappings(DRILL, changes or {})
    data["injects"] = {k: v for k, v in data["injects"].items() if k not in without}
    return drill_from_dict(data, scenario(scenario_changes))
