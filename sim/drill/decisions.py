"""What the players of a drill may decide: set an emergency plan off, stand a plan (or an earlier
decision) down, or take one of the plans' own actions by hand (sim.emergency.actions: the same
objects plans use, from the same registry). In a file each is a mapping whose key names its kind:
`{fire: gas_response}`, `{stand_down: gas_response}`, `{mobilise: property_staff, count: 4,
area: {grids: [beijiaohua-g03]}}`, `{set_mode: emergency, level: III}`.

Who may decide what is the drill's roles; which standby teams and pools the players may mobilise,
and how many of their members, its resources (sim.drill.spec)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Literal

from pydantic import Field

from sim.config.base import StrictModel, one_of
from sim.emergency.actions import ACTIONS, Mobilise

if TYPE_CHECKING:
    from sim.scenario import Scenario

Problems = list[tuple[str, str]]


class FirePlan(StrictModel):
    """Set one of the scenario's emergency plans off now."""

    key: ClassVar[str] = "fire"
    fire: str = Field(description="The plan set off.")


class StandDown(StrictModel):
    """Stand down a plan in force, or an action taken by an earlier decision (by its name)."""

    key: ClassVar[str] = "stand_down"
    stand_down: str = Field(description="A plan, or the name of an earlier decision.")


#: Every kind of decision: the two about plans, then every plan action.
DECISIONS: tuple[type[StrictModel], ...] = (FirePlan, StandDown, *ACTIONS)
#: Keys of the plan actions a role may be allowed to take by hand.
ACTION_KEYS: tuple[str, ...] = tuple(action.key for action in ACTIONS)

AnyDecision = one_of(DECISIONS)


class Role(StrictModel):
    """A player's role (社区书记, 网格长, 街道 …): the plans it may set off and stand down, and the
    plan actions (by key) it may take by hand."""

    label_zh: str = ""
    plans: list[str] = Field(default_factory=list, description="Plans it may fire / stand down.")
    actions: list[Literal[ACTION_KEYS]] = Field(  # type: ignore[valid-type]
        default_factory=list, description="Plan actions (by key) it may take by hand."
    )


class Resource(StrictModel):
    """A standby team or volunteer pool the players may mobilise by hand, and how many of its
    members at most over the drill (a pool's call counts every place of the pool)."""

    label_zh: str = ""
    limit: int | None = Field(
        None, ge=0, description="Most members mobilised by hand over the drill; absent: all."
    )


def describe(decision: Any) -> str:
    """A decision in words, for logs: its fields as `key: value`."""
    return (
        ", ".join(
            f"{key}: {value}"
            for key, value in decision.model_dump(mode="json", exclude_defaults=True).items()
        )
        or decision.key
    )


def decision_problems(
    decision: Any,
    role_name: str,
    roles: dict[str, Role],
    resources: dict[str, Resource],
    scenario: Scenario,
    where: str,
    taken: dict[str, str] | None = None,
) -> Problems:
    """Why `role_name` may not take `decision` in this drill, whatever the state of the run, as
    (field path, message) pairs (`where`: the decision's path; its role at the sibling `role`);
    `taken`: the action key of each earlier decision, by name (to stand it down, a role must
    be allowed that action)."""
    role_path = f"{where.rpartition('.')[0]}.role".lstrip(".")
    role = roles.get(role_name)
    if role is None:
        return [(role_path, f"no role {role_name!r} (roles: {', '.join(roles)})")]
    if isinstance(decision, FirePlan):
        if decision.fire not in scenario.plans:
            return [(f"{where}.fire", f"no plan {decision.fire!r}")]
        if decision.fire not in role.plans:
            return [(f"{where}.fire", _not_allowed(role_name, f"plan {decision.fire!r}"))]
        return []
    if isinstance(decision, StandDown):
        name = decision.stand_down
        if name in scenario.plans:
            if name not in role.plans:
                return [(f"{where}.stand_down", _not_allowed(role_name, f"plan {name!r}"))]
            return []
        key = (taken or {}).get(name)
        if key is None:
            return [(f"{where}.stand_down", f"no plan or earlier decision {name!r}")]
        if key not in role.actions:
            return [(f"{where}.stand_down", _not_allowed(role_name, f"action {key!r}"))]
        return []
    if decision.key not in role.actions:
        return [(f"{where}.{decision.key}", _not_allowed(role_name, f"action {decision.key!r}"))]
    problems = decision.problems(scenario, where)
    if isinstance(decision, Mobilise) and not problems and decision.mobilise not in resources:
        problems.append(
            (
                f"{where}.mobilise",
                f"{decision.mobilise!r} is not a resource of this drill "
                f"(resources: {', '.join(resources) or 'none'})",
            )
        )
    return problems


def _not_allowed(role: str, what: str) -> str:
    return f"role {role!r} may not decide {what}"
