"""The drill app's forms: a role is offered exactly the decisions the drill allows it, every form
filled gives a decision the session takes, and every inject template can be fired."""

from __future__ import annotations

import pytest

from sim.drill import DrillRefusal, DrillSession
from sim.drill.decisions import ACTION_KEYS
from sim.drill.forms import (
    FIRE,
    INJECT_KINDS,
    STAND_DOWN,
    decision_fields,
    decision_kinds,
    decision_spec,
    inject_template,
    stand_down_options,
)

from drill_parts import drill

EVERYTHING = {"roles": {"chief": {"plans": ["call"], "actions": list(ACTION_KEYS)}}}


def test_each_role_is_offered_exactly_what_the_drill_allows_it():
    played = drill()
    assert decision_kinds(played, "secretary") == [STAND_DOWN, "mobilise", "pool", "reassign"]
    assert decision_kinds(played, "street") == [FIRE, STAND_DOWN, "set_mode", "extend_shifts"]
    assert decision_kinds(drill(EVERYTHING), "chief") == [FIRE, STAND_DOWN, *ACTION_KEYS]


def filled(kind: str, fields) -> dict:
    """A form of `kind` with its required inputs filled: the first option, 1, one hour."""
    values = {}
    for field in fields:
        if not field.required:
            continue
        values[field.key] = {
            "choice": field.options[0] if field.options else None,
            "choices": field.options[:1],
            "integer": 1,
            "duration": "1h",
            "text": "x",
        }[field.kind]
    return values


def test_every_form_filled_gives_a_decision_the_session_takes():
    played = drill(EVERYTHING)
    session = DrillSession(played)
    world = session.model.world
    kinds = decision_kinds(played, "chief")
    for kind in [*kinds[2:], FIRE]:  # the plan last: it calls every cadre
        fields = decision_fields(kind, played, "chief", world)
        spec, name = decision_spec(kind, filled(kind, fields))
        if kind == "mobilise":
            spec["count"] = 1  # the cadres, one of them
        if kind == "reassign":
            assert spec["to"] == {}  # where to is not required: an empty form is refused
            spec["to"] = {"grids": ["c-g02"]}
        entry = session.decide("chief", spec, name)
        assert entry.outcome == "taken", (kind, spec)
    state = session.state()
    assert stand_down_options(played, "chief", state["plans"], []) == ["call"]  # no log: plans
    log = [entry.record() for entry in session.log]
    options = stand_down_options(played, "chief", state["plans"], log)
    assert "call" in options and len(options) == len(ACTION_KEYS) + 1
    fields = decision_fields(STAND_DOWN, played, "chief", world, options)
    for option in fields[0].options:
        spec, _ = decision_spec(STAND_DOWN, {STAND_DOWN: option})
        assert session.decide("chief", spec).outcome == "taken"
    state = session.state()
    assert stand_down_options(played, "chief", state["plans"], log) == []


def test_a_role_may_stand_down_only_actions_of_kinds_it_may_take():
    played = drill()
    session = DrillSession(played)
    session.decide("secretary", {"mobilise": "cadres", "count": 1}, name="one")
    session.decide("street", {"set_mode": "alert"}, name="alert")
    state = session.state()
    log = [entry.record() for entry in session.log]
    assert stand_down_options(played, "secretary", state["plans"], log) == ["one"]
    assert stand_down_options(played, "street", state["plans"], log) == ["alert"]


def test_a_form_gives_the_mapping_of_a_decisions_file():
    assert decision_spec(
        "mobilise",
        {
            "mobilise": "cadres",
            "count": None,
            "grids": ["c-g01"],
            "communities": [],
            "ramp": "",
            "name": "first",
        },
    ) == (
        {"mobilise": "cadres", "area": {"grids": ["c-g01"]}},
        "first",
    )
    assert decision_spec("prioritise", {"category": "urgent", "priority": 1, "delay": "1h"}) == (
        {"prioritise": {"urgent": 1}, "delay": "1h"},
        None,
    )
    assert decision_spec("suspend_admin", {"delay": None}) == ({"suspend_admin": True}, None)
    assert decision_spec("set_mode", {"set_mode": "emergency", "level": "IV"})[0] == {
        "set_mode": "emergency",
        "level": "IV",
    }


def test_a_reassign_form_gives_where_from_and_where_to():
    values = {"reassign": "grid_worker", "count": 2, "grids": ["c-g01"], "to_communities": ["c"]}
    assert decision_spec("reassign", values) == (
        {
            "reassign": "grid_worker",
            "count": 2,
            "area": {"grids": ["c-g01"]},
            "to": {"communities": ["c"]},
        },
        None,
    )


def test_a_form_left_empty_is_refused_with_the_field_that_is_missing():
    session = DrillSession(drill())
    spec, _ = decision_spec("extend_shifts", {"extend_shifts": "2h", "teams": []})
    with pytest.raises(DrillRefusal, match="teams"):
        session.decide("street", spec)


@pytest.mark.parametrize("listed", [True, False])
def test_every_inject_template_can_be_fired(listed):
    played = (
        drill() if listed else drill(without=("leak", "line_down", "ill", "rumour", "office_down"))
    )
    session = DrillSession(played)
    for kind in INJECT_KINDS:
        template = inject_template(played, kind)
        assert kind in template and "at" not in template
        entry = session.inject(template, f"improvised-{kind}")
        assert entry.outcome == "fired", (kind, entry.detail)
