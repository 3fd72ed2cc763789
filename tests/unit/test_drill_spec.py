"""Drill files and decisions files: what they say is checked against the scenario before anything
runs, each problem at its field path (and, from a file, its line): unknown grids, teams,
departments, desks, categories, plans, actions, resources and injects; times outside the drill;
decisions a role may not take."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.config.loader import ScenarioError
from sim.drill import load_drill, load_script

from drill_parts import drill

ROOT = Path(__file__).resolve().parents[2]


def problems_of(changes: dict, scenario_changes: dict | None = None) -> list[tuple[str, str]]:
    with pytest.raises(ScenarioError) as error:
        drill(changes, scenario_changes)
    return [(problem.path, problem.message) for problem in error.value.problems]


@pytest.mark.parametrize(
    ("changes", "path", "words"),
    [
        ({"injects": {"ill": {"grid": "nowhere"}}}, "injects.ill.grid", "no grid 'nowhere'"),
        ({"injects": {"ill": {"worker_ill": "nobody"}}}, "injects.ill.worker_ill", "no team"),
        (
            {"injects": {"office_down": {"department_unreachable": "police"}}},
            "injects.office_down.department_unreachable",
            "no department 'police'",
        ),
        (
            {"injects": {"office_down": {"unit": "elsewhere"}}},
            "injects.office_down.unit",
            "no street 'elsewhere'",
        ),
        (
            {"injects": {"line_down": {"hotline_outage": "property"}}},
            "injects.line_down.hotline_outage",
            "no property desk",
        ),
        (
            {"injects": {"leak": {"incident": {"area": {"grids": ["c-g01", "x"]}}}}},
            "injects.leak.incident.area.grids.1",
            "no grid 'x'",
        ),
        (
            {
                "injects": {
                    "leak": {
                        "incident": {"tasks": [{"category": "urgent", "every_household": "1h"}]}
                    }
                }
            },
            "injects.leak.incident.tasks.0.category",
            "not 'incident'",
        ),
        (
            {"injects": {"leak": {"incident": {"demand": {"patrol": 2.0}}}}},
            "injects.leak.incident.demand.patrol",
            "residents' requests",
        ),
        (
            {"injects": {"leak": {"incident": {"onset": "20h"}}}},
            "injects.leak.incident",
            "no onset",
        ),
        ({"injects": {"leak": {"at": "50h"}}}, "injects.leak.at", "not within the drill"),
        ({"injects": {"leak": {"at": "5h"}}}, "injects.leak.at", "not within the drill"),
        (
            {"injects": {"leak": {"expects": {"plan": "none"}}}},
            "injects.leak.expects",
            "one of plan",
        ),
        ({"injects": {"ill": {"duration": None}}}, "injects.ill", "needs a duration"),
        ({"injects": {"rumour": {"rumour_surge": 0.5}}}, "injects.rumour.rumour_surge", "greater"),
        ({"injects": {"rumour": {"volcano": 1}}}, "injects.rumour.volcano", "unknown key"),
        (
            {"objectives": {"checked": {"measure": {"done": "nothing"}}}},
            "objectives.checked.measure.done",
            "no category",
        ),
        (
            {"objectives": {"checked": {"measure": {"grids": ["x"]}}}},
            "objectives.checked.measure.grids.0",
            "no grid",
        ),
        (
            {"objectives": {"backlog": {"by": "49h"}}},
            "objectives.backlog.by",
            "not within the drill",
        ),
        (
            {"objectives": {"other": {"measure": {"fastest": 1}, "by": "30h"}}},
            "objectives.other.measure",
            "give exactly one",
        ),
        (
            {"roles": {"street": {"plans": ["nothing"]}}},
            "roles.street.plans.0",
            "no plan 'nothing'",
        ),
        ({"roles": {"street": {"actions": ["teleport"]}}}, "roles.street.actions.0", "teleport"),
        ({"roles": {"idle": {}}}, "roles.idle", "decides nothing"),
        ({"resources": {"grid_worker": {}}}, "resources.grid_worker", "not on standby"),
        ({"resources": {"ghosts": {}}}, "resources.ghosts", "no team 'ghosts'"),
        ({"clock": {"start": "48h"}}, "clock.start", "not before the horizon"),
        ({"clock": {"start": "day two"}}, "clock.start", "day 2 21:05"),
    ],
)
def test_drill_problems_name_their_field(changes: dict, path: str, words: str) -> None:
    found = problems_of(changes)
    assert any(p == path and words in message for p, message in found), found


def test_an_outage_needs_channels() -> None:
    found = problems_of({}, {"channels": None})
    assert ("injects.line_down.hotline_outage", "the scenario has no residents' channels") in found


def test_times_as_day_and_clock() -> None:
    played = drill({"clock": {"start": "day 0 10:00", "horizon": "day 2 00:00"}})
    assert (played.start, played.horizon) == (10.0, 48.0)


def test_without_a_horizon_the_drill_ends_with_its_scenario() -> None:
    """A clock without a horizon plays to the end of the scenario's run (3 days), and the
    drill is checked against that end."""
    played = drill({"clock": {"horizon": None}})
    assert (played.start, played.horizon) == (10.0, 72.0)
    late = {"clock": {"horizon": None}, "injects": {"ill": {"at": "72h"}}}
    assert ("injects.ill.at", "72 h: not within the drill [10, 72) h") in problems_of(late)


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_files_extend_resolve_and_report_lines(tmp_path: Path) -> None:
    """A drill file names its scenario relative to itself, extends another drill file, takes
    --set overrides, and reports problems as file:line: path: message."""
    scenarios = tmp_path / "scenarios"
    scenarios.mkdir()
    (tmp_path / "drills").mkdir()
    gas = (ROOT / "scenarios" / "gas_leak_channels.yaml").read_text(encoding="utf-8")
    write(
        scenarios / "gas.yaml",
        gas.replace(
            "extends: gas_leak_evening.yaml",
            f"extends: {ROOT / 'scenarios' / 'gas_leak_evening.yaml'}",
        ),
    )
    base = write(
        tmp_path / "drills" / "base.yaml",
        "name: base\nscenario: ../scenarios/gas.yaml\nclock: {start: 68h, horizon: 72h}\n"
        "roles:\n  street:\n    plans: [gas_response]\n",
    )
    child = write(
        tmp_path / "drills" / "child.yaml",
        "extends: base.yaml\nname: child\ninjects:\n  ill:\n    worker_ill: property_staff\n"
        "    grid: beijiaohua-g99\n    duration: 2h\n",
    )
    assert load_drill(base).played.name == "gas-leak-channels"
    assert (
        load_drill(base, ["clock.horizon=null"]).horizon == 24.0 * load_drill(base).played.run.days
    )
    assert load_drill(base, ["clock.horizon=70h"]).horizon == 70.0
    with pytest.raises(ScenarioError) as error:
        load_drill(child)
    assert str(error.value) == f"{child}:6: injects.ill.grid: no grid 'beijiaohua-g99'"


SCRIPT_HEAD = "decisions:\n"


@pytest.mark.parametrize(
    ("entries", "line", "path", "words"),
    [
        (
            "  - {at: 20h, role: mayor, decision: {fire: call}}\n",
            2,
            "decisions.0.role",
            "no role 'mayor'",
        ),
        (
            "  - {at: 20h, role: secretary, decision: {fire: call}}\n",
            2,
            "decisions.0.decision.fire",
            "may not decide plan 'call'",
        ),
        (
            "  - {at: 20h, role: street, decision: {fire: nothing}}\n",
            2,
            "decisions.0.decision.fire",
            "no plan",
        ),
        (
            "  - {at: 20h, role: street, decision: {pool: [grid_worker]}}\n",
            2,
            "decisions.0.decision.pool",
            "may not decide action 'pool'",
        ),
        (
            "  - {at: 20h, role: secretary, decision: {mobilise: ghosts}}\n",
            2,
            "decisions.0.decision.mobilise",
            "no team 'ghosts'",
        ),
        (
            "  - {at: 20h, role: secretary, decision: {mobilise: cadres, area: {grids: [x]}}}\n",
            2,
            "decisions.0.decision.area.grids.0",
            "no grid 'x'",
        ),
        (
            "  - {at: 20h, role: street, decision: {teleport: 1}}\n",
            2,
            "decisions.0.decision",
            "give exactly one",
        ),
        (
            "  - {at: 48h, role: street, decision: {fire: call}}\n",
            2,
            "decisions.0.at",
            "never taken",
        ),
        (
            "  - {at: 20h, role: street, decision: {stand_down: mine}}\n",
            2,
            "decisions.0.decision.stand_down",
            "no plan or earlier decision",
        ),
        ("  - {at: 20h, inject: volcano}\n", 2, "decisions.0.inject", "no inject 'volcano'"),
        (
            "  - {at: 20h, inject: {worker_ill: cadres, grid: x, duration: 1h}}\n",
            2,
            "decisions.0.inject.grid",
            "no grid 'x'",
        ),
        (
            "  - {at: 20h, role: street, decision: {fire: call}}\n  - {at: 19h, inject: ill}\n",
            3,
            "decisions.1.at",
            "before the entry above",
        ),
    ],
)
def test_decisions_file_problems(
    tmp_path: Path, entries: str, line: int, path: str, words: str
) -> None:
    file = write(tmp_path / "decisions.yaml", SCRIPT_HEAD + entries)
    with pytest.raises(ScenarioError) as error:
        load_script(file, drill())
    found = [(p.line, p.path, p.message) for p in error.value.problems]
    assert any(at == line and p == path and words in m for at, p, m in found), found


def test_a_decision_stands_down_an_earlier_one_by_name(tmp_path: Path) -> None:
    text = (
        "  - {at: 20h, role: street, decision: {extend_shifts: 2h, teams: [grid_worker]}}\n"
        "  - {at: 21h, role: street, decision: {set_mode: emergency}, name: level}\n"
        "  - {at: 22h, role: street, decision: {stand_down: street/extend_shifts/1}}\n"
        "  - {at: 23h, role: street, decision: {stand_down: level}}\n"
    )
    script = load_script(write(tmp_path / "d.yaml", SCRIPT_HEAD + text), drill())
    assert len(script.decisions) == 4
