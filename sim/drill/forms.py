"""The drill app's forms: which decisions a role is offered (exactly what the drill lets it
decide), the fields of each, and the decision mapping a filled form gives (as in a decisions
file, checked by the session when taken); and, for the facilitator, a template of each kind of
inject to improvise from."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, get_args

from sim.drill.decisions import ACTION_KEYS
from sim.drill.injects import INJECTS
from sim.emergency.actions import Level, Mode

if TYPE_CHECKING:
    from sim.drill.spec import Drill
    from sim.world import World

#: A field's input: one of `options`, several of them, a whole number, a duration ('30min',
#: '2h', hours as a number) or free text.
Kind = Literal["choice", "choices", "integer", "duration", "text"]
#: What a role may decide besides the plan actions: set a plan off, stand one down.
FIRE, STAND_DOWN = "fire", "stand_down"
#: The words shown for each kind of decision.
TITLES = {
    FIRE: "fire a plan",
    STAND_DOWN: "stand down",
    "set_mode": "declare a response level",
    "mobilise": "mobilise a team or pool",
    "suspend_admin": "suspend forms",
    "extend_shifts": "extend shifts",
    "prioritise": "prioritise a category",
    "pool": "pool grids",
    "split": "split grids",
    "reassign": "reassign workers",
}


@dataclass(frozen=True)
class FormField:
    """One input of a decision's form: its key in the decision's mapping, its label, input and
    options, and whether it must be filled."""

    key: str
    label: str
    kind: Kind
    options: list[str] = field(default_factory=list)
    required: bool = False


def decision_kinds(drill: Drill, role: str) -> list[str]:
    """The kinds of decision `role` may take in `drill`: fire and stand down its plans, stand
    down its own actions, and its plan actions, in the registry's order."""
    allowed = drill.roles[role]
    kinds = [FIRE] if allowed.plans else []
    if allowed.plans or allowed.actions:
        kinds.append(STAND_DOWN)
    return kinds + [key for key in ACTION_KEYS if key in allowed.actions]


def stand_down_options(drill: Drill, role: str, plans: dict, log: list[dict]) -> list[str]:
    """What `role` may stand down now: its plans in force, and the actions taken by hand
    (`log` records of DrillSession.log) of a kind it may take, still in force (`plans`:
    DrillSession.state()["plans"])."""
    allowed = drill.roles[role]
    taken = {
        entry["name"]: next((key for key in entry["spec"] if key in ACTION_KEYS), None)
        for entry in log
        if entry["kind"] == "decision" and entry["outcome"] == "taken" and entry["name"]
    }
    return [
        name
        for name, plan in plans.items()
        if plan["in_force"] and (name in allowed.plans or taken.get(name) in allowed.actions)
    ]


def decision_fields(
    kind: str, drill: Drill, role: str, world: World, stand_down: list[str] | None = None
) -> list[FormField]:
    """The inputs of a decision of `kind` by `role`; `stand_down`: what it may stand down now
    (see `stand_down_options`)."""
    scenario = drill.played
    teams = list(scenario.all_teams())
    when = FormField("delay", "in (duration; empty: now)", "duration")
    name = FormField("name", "name (to stand it down; empty: given)", "text")
    if kind == FIRE:
        return [FormField(FIRE, "plan", "choice", list(drill.roles[role].plans), True)]
    if kind == STAND_DOWN:
        return [FormField(STAND_DOWN, "plan or decision", "choice", stand_down or [], True)]
    if kind == "set_mode":
        modes = [FormField("set_mode", "mode", "choice", list(get_args(Mode)), True)]
        return [*modes, FormField("level", "response level", "choice", list(get_args(Level)))]
    if kind == "mobilise":
        return [
            FormField("mobilise", "team or pool", "choice", list(drill.resources), True),
            FormField("count", "how many (empty: all)", "integer"),
            FormField("communities", "where: communities", "choices", _ids(world.communities)),
            FormField("grids", "where: grids", "choices", _ids(world.grids)),
            FormField("ramp", "arriving over (duration)", "duration"),
            when,
            name,
        ]
    if kind == "suspend_admin":
        return [when, name]
    if kind == "extend_shifts":
        return [
            FormField("extend_shifts", "longer by (duration)", "duration", required=True),
            FormField("teams", "teams", "choices", teams, True),
            when,
            name,
        ]
    if kind == "prioritise":
        return [
            FormField("category", "category", "choice", list(scenario.categories), True),
            FormField("priority", "new priority (1 most urgent)", "integer", required=True),
            when,
            name,
        ]
    if kind in ("pool", "split"):
        return [FormField(kind, "teams", "choices", teams, True), when, name]
    if kind == "reassign":
        return [
            FormField("reassign", "team", "choice", teams, True),
            FormField("count", "how many (empty: all)", "integer"),
            FormField("communities", "from: communities", "choices", _ids(world.communities)),
            FormField("grids", "from: grids", "choices", _ids(world.grids)),
            FormField("to_communities", "to: communities", "choices", _ids(world.communities)),
            FormField("to_grids", "to: grids", "choices", _ids(world.grids)),
            when,
            name,
        ]
    raise ValueError(f"no decision {kind!r}")


def decision_spec(kind: str, values: dict[str, Any]) -> tuple[dict, str | None]:
    """The decision mapping of a filled form of `kind` (empty values left out) and its name
    (None: the session names it)."""
    filled = {key: value for key, value in values.items() if value not in (None, "", [])}
    name = filled.pop("name", None)
    if kind == "suspend_admin":
        filled["suspend_admin"] = True
    elif kind == "prioritise":
        category, priority = filled.pop("category", None), filled.pop("priority", None)
        filled["prioritise"] = {category: priority}
    elif kind in ("mobilise", "reassign"):
        area = {part: filled.pop(part) for part in ("communities", "grids") if part in filled}
        if area:
            filled["area"] = area
    if kind == "reassign":
        parts = ("communities", "grids")
        filled["to"] = {part: filled.pop(f"to_{part}") for part in parts if f"to_{part}" in filled}
    return filled, name


def _ids(units: list[Any]) -> list[str]:
    return [unit.id for unit in units]


# -- injects ------------------------------------------------------------------------------

#: The kinds of inject, in the registry's order.
INJECT_KINDS: tuple[str, ...] = tuple(inject.key for inject in INJECTS)


def inject_template(drill: Drill, kind: str) -> dict:
    """A starting point to improvise an inject of `kind`: the first of that kind in the
    drill's events list without its time, or one on the scenario's first team, department or
    desk, for the facilitator to edit."""
    for inject in drill.injects.values():
        if inject.key == kind:
            return inject.model_dump(mode="json", exclude_defaults=True, exclude={"at"})
    scenario = drill.played
    if kind == "incident":
        incident = next(iter(scenario.incidents.values()), None)
        kind_of = incident.kind if incident is not None else "other"
        return {"incident": {"kind": kind_of, "duration": 4.0, "area": {}, "tasks": []}}
    if kind == "hotline_outage":
        return {"hotline_outage": "hotline", "duration": 1.0}
    if kind == "worker_ill":
        return {"worker_ill": next(iter(scenario.all_teams())), "duration": 8.0}
    if kind == "rumour_surge":
        return {"rumour_surge": 2.0, "duration": 2.0}
    if kind == "department_unreachable":
        return {"department_unreachable": next(iter(scenario.departments), ""), "duration": 2.0}
    raise ValueError(f"no inject {kind!r}")
