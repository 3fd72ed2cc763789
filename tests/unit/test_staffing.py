"""From teams to members on the ground (sim/staffing.py): how many members each sizing gives,
which grids each member serves, the 新北区 difficulty rule and its calibration, profiles spread
by share, and roster patterns assigned k mod n.

Members are read from a freshly built `GridModel` (nothing is run) unless the test is about
what members do, in which case a short run's cases table is used.
"""

from __future__ import annotations

import itertools
import math

import mesa
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import sim
from sim.agents.staff import Member
from sim.calendar import Calendar
from sim.config.loader import merge_mappings
from sim.config.teams import DifficultyRule, Shift
from sim.model import GridModel
from sim.staffing import apportion
from sim.vocabulary import WEEKDAYS

from scenario_parts import INSTANT_LOOP, NO_ATTRIBUTES, ROUND_THE_CLOCK, flat_requests

EARLY = {"start": "08:00", "end": "17:00", "days": list(WEEKDAYS)}
LATE = {"start": "11:00", "end": "20:00", "days": list(WEEKDAYS)}
EPS = 1e-9

BASE = {
    "name": "staffing-test",
    "run": {"days": 7, "tick": "24h"},
    "world": {
        "households": NO_ATTRIBUTES,
        "streets": [
            {"id": "s", "communities": [{"id": "c", "grids": 4, "households_per_grid": 100}]}
        ],
    },
    "categories": {"service": {"work": "20min", "priority": 1}},
    "grid_workers": {"per_grid": 1, "shift": ROUND_THE_CLOCK, "patrol": {"enabled": False}},
    "sources": {"resident": flat_requests("0.002/h")},
    "loop": INSTANT_LOOP,
}


def scenario(patch: dict | None = None) -> sim.Scenario:
    return sim.scenario_from_dict(merge_mappings(BASE, patch or {}))


def communities(*spec: tuple[str, int]) -> dict:
    """A world patch: one street with communities (id, number of grids) of 100 households."""
    return {
        "world": {
            "streets": [
                {
                    "id": "s",
                    "communities": [
                        {"id": name, "grids": grids, "households_per_grid": 100}
                        for name, grids in spec
                    ],
                }
            ]
        }
    }


def build(patch: dict | None = None) -> GridModel:
    """A model built (not run) from BASE with `patch`; Mesa's registry entry is dropped."""
    model = GridModel(scenario(patch), seed=1)
    mesa.Agent._ids.pop(model, None)
    return model


def members(model: GridModel, role: str) -> list[Member]:
    return [w.member for w in model.workers if w.member.role == role]


def served(member: Member) -> list[str]:
    """Ids of the grids a member serves, in order."""
    return [station.name for station in member.stations]


def team(size: dict, **extra) -> dict:
    """A patch adding team `t`, round the clock, sized by `size`."""
    return {"teams": {"t": {"kind": "part_time", "shift": ROUND_THE_CLOCK, **size, **extra}}}


# --- sizes --------------------------------------------------------------------------------------


@pytest.mark.parametrize("n", [0, 1, 3])
def test_per_grid_gives_n_members_in_every_grid(n: int) -> None:
    model = build(merge_mappings(communities(("a", 3), ("b", 2)), team({"per_grid": n})))
    grid_ids = [g.id for g in model.world.grids]
    staff = members(model, "t")
    assert len(staff) == n * len(grid_ids)
    assert all(len(served(m)) == 1 for m in staff)
    assert [served(m)[0] for m in staff] == [g for g in grid_ids for _ in range(n)]
    assert all(m.unit_id == served(m)[0] for m in staff)


@pytest.mark.parametrize("c", [1, 2])
def test_per_community_pools_c_members_over_the_community(c: int) -> None:
    model = build(merge_mappings(communities(("a", 3), ("b", 5)), team({"per_community": c})))
    by_community = {
        community.id: [g.id for g in model.world.grids if g.community == community.index]
        for community in model.world.communities
    }
    staff = members(model, "t")
    assert len(staff) == c * len(by_community)
    for grids in by_community.values():
        pooled = [m for m in staff if served(m) == grids]
        assert len(pooled) == c
        assert all(m.unit_id in grids for m in pooled)  # home grid within the community


def test_grids_per_member_takes_neighbouring_grids_and_a_remainder() -> None:
    model = build(merge_mappings(communities(("a", 5), ("b", 4)), team({"grids_per_member": 2})))
    staff = members(model, "t")
    # a: 5 grids → [1,2], [3,4], [5]; b: 4 grids → [1,2], [3,4]; never across communities
    assert [served(m) for m in staff] == [
        ["a-g01", "a-g02"],
        ["a-g03", "a-g04"],
        ["a-g05"],
        ["b-g01", "b-g02"],
        ["b-g03", "b-g04"],
    ]
    assert [m.unit_id for m in staff] == ["a-g01", "a-g03", "a-g05", "b-g01", "b-g03"]


def test_grids_per_member_larger_than_the_community_pools_it() -> None:
    model = build(merge_mappings(communities(("a", 3)), team({"grids_per_member": 7})))
    assert [served(m) for m in members(model, "t")] == [["a-g01", "a-g02", "a-g03"]]


def test_a_team_needs_exactly_one_size() -> None:
    with pytest.raises(sim.ScenarioError, match="give one of per_grid"):
        scenario(team({}))
    with pytest.raises(sim.ScenarioError, match="give only one of"):
        scenario(team({"per_grid": 1, "grids_per_member": 2}))


# --- staffing tables (盐池: 1,894 base grid workers, article #6) --------------------------------


@given(sizes=st.lists(st.integers(1, 500), min_size=1, max_size=30), extra=st.integers(0, 200))
def test_apportion_gives_every_place_one_then_follows_the_sizes(sizes, extra) -> None:
    seats = len(sizes) + extra
    out = apportion(sizes, seats)
    assert sum(out) == seats and min(out) >= 1
    for i, j in itertools.combinations(range(len(sizes)), 2):  # larger never gets fewer
        if sizes[i] > sizes[j]:
            assert out[i] >= out[j]
    # the Huntington–Hill condition: no place's last seat has a lower priority
    # (size / √(n(n−1))) than the seat another place would get next (size / √(n(n+1)))
    next_seat = max(size / math.sqrt(n * (n + 1)) for size, n in zip(sizes, out, strict=True))
    last_seats = [
        size / math.sqrt(n * (n - 1)) for size, n in zip(sizes, out, strict=True) if n > 1
    ]
    assert all(last >= next_seat - 1e-9 for last in last_seats)


def test_apportion_with_fewer_seats_than_places_fills_the_largest() -> None:
    assert apportion([50, 100, 30, 100], 2) == [0, 1, 0, 1]
    assert apportion([10, 20], 0) == [0, 0]


def write_table(folder, rows: list[tuple[str, int]]) -> str:
    path = folder / "members.csv"
    lines = ["unit,members,source", *(f"{unit},{n},test" for unit, n in rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def test_a_table_gives_exactly_its_members_each_on_a_base_grid(tmp_path) -> None:
    """A place's members are spread over its grids by households, one each first; a member
    serves only the base grid; rows for a community and for one grid add up."""
    world = {
        "world": {
            "streets": [
                {
                    "id": "s",
                    "communities": [
                        {"id": "big", "grids": 3, "households_per_grid": 300},
                        {"id": "small", "count": 2, "grids": 2, "households_per_grid": 100},
                    ],
                }
            ]
        }
    }
    table = write_table(tmp_path, [("big", 7), ("small", 5), ("small-002-g01", 1)])
    model = build(merge_mappings(world, team({"table": table})))
    staff = members(model, "t")
    assert len(staff) == 13
    assert all(len(served(m)) == 1 and served(m)[0] == m.unit_id for m in staff)
    per_grid = {}
    for m in staff:
        per_grid[m.unit_id] = per_grid.get(m.unit_id, 0) + 1
    big = [per_grid[f"big-g0{g}"] for g in (1, 2, 3)]
    assert sorted(big) == [2, 2, 3]  # 7 over three equal grids
    small = [per_grid.get(f"small-00{c}-g0{g}", 0) for c in (1, 2) for g in (1, 2)]
    assert sum(small) == 6 and min(small) >= 1  # 5 over four grids, plus one for g01 of -002


def test_table_problems_are_told_with_their_line(tmp_path) -> None:
    table = write_table(tmp_path, [("c", 4), ("nowhere", 2)])
    with pytest.raises(sim.ScenarioError, match=r"members\.csv:3: no place 'nowhere'"):
        scenario(team({"table": table}))
    bad = tmp_path / "bad.csv"
    bad.write_text("unit,members\nc,two\n", encoding="utf-8")
    with pytest.raises(sim.ScenarioError, match=r"bad\.csv:2: members must be a whole number"):
        scenario(team({"table": str(bad)}))
    with pytest.raises(sim.ScenarioError, match="no staffing table"):
        scenario(team({"table": str(tmp_path / "missing.csv")}))


def test_a_table_that_leaves_a_grid_without_members_is_refused(tmp_path) -> None:
    """Grid workers from a table with fewer members than grids: some grid has nobody to take
    its requests, which validation reports (as for any sizing)."""
    table = write_table(tmp_path, [("c", 3)])  # BASE has 4 grids
    patch = {"grid_workers": {"per_grid": None, "table": table}}
    with pytest.raises(sim.ScenarioError, match="could never be handled"):
        scenario(patch)
    enough = write_table(tmp_path, [("c", 4)])
    assert scenario({"grid_workers": {"per_grid": None, "table": enough}}).grid_workers.table


# --- the difficulty rule (新北区, article #4) ---------------------------------------------------

MIXES = {
    "empty": NO_ATTRIBUTES,  # difficulty 0
    "medium": {**NO_ATTRIBUTES, "floating": 0.5, "rental": 0.3},  # ≈ 50 + 30 per 100 households
    "hard": {  # 500
        **NO_ATTRIBUTES,
        "floating": 1.0,
        "rental": 1.0,
        "group_rental": 1.0,
        "shop": 1.0,
    },
}


def rule_world() -> dict:
    return {
        "world": {
            "streets": [
                {
                    "id": "s",
                    "communities": [
                        {"id": name, "grids": 2, "households_per_grid": 100, "households": mix}
                        for name, mix in MIXES.items()
                    ],
                }
            ]
        }
    }


def test_difficulty_rule_gives_ceil_of_score_over_points_clamped() -> None:
    rule = {"points_per_worker": 30, "min": 2, "max": 4}
    model = build(merge_mappings(rule_world(), {"grid_workers": {"per_grid": None, "rule": rule}}))
    staff = members(model, "grid_worker")
    counts = {g.id: sum(served(m) == [g.id] for m in staff) for g in model.world.grids}
    expected = {g.id: min(4, max(2, math.ceil(g.difficulty / 30))) for g in model.world.grids}
    assert counts == expected
    assert sum(counts.values()) == len(staff)
    by_mix = {name: [counts[g] for g in counts if g.startswith(name)] for name in MIXES}
    assert by_mix["empty"] == [2, 2]  # clamped up to min
    assert by_mix["hard"] == [4, 4]  # clamped down to max (500 / 30 → 17)
    medium = [g.difficulty for g in model.world.grids if g.id.startswith("medium")]
    assert by_mix["medium"] == [min(4, max(2, math.ceil(d / 30))) for d in medium]


@pytest.mark.parametrize(
    ("difficulty", "workers"),
    [(0.0, 1), (1.0, 1), (600.0, 1), (600.5, 2), (1200.0, 2), (1350.0, 3), (1e6, 5)],
)
def test_default_rule_arithmetic(difficulty: float, workers: int) -> None:
    assert DifficultyRule().workers(difficulty) == workers


def test_rule_with_min_zero_leaves_easy_grids_to_another_team() -> None:
    zero = {"grid_workers": {"per_grid": None, "rule": {"points_per_worker": 30, "min": 0}}}
    with pytest.raises(sim.ScenarioError, match="nobody present at every grid"):
        scenario(merge_mappings(rule_world(), zero))
    patch = merge_mappings(merge_mappings(rule_world(), zero), team({"per_grid": 1}))
    model = build(patch)
    staff = members(model, "grid_worker")
    assert not any(served(m)[0].startswith("empty") for m in staff)
    assert any(served(m)[0].startswith("hard") for m in staff)


def test_xinbei_calibration_hard_grid_two_workers_ordinary_grid_one() -> None:
    """新北区 (article #4): the hardest grid, 500 households of which 400 group rentals, gets at
    least 2 workers under the default rule and weights; an ordinary 200-household grid 1."""
    world = {
        "world": {
            "households": None,  # the schema's default mix for the ordinary grid
            "streets": [
                {
                    "id": "xinbei",
                    "communities": [
                        {
                            "id": "hard",
                            "grids": 1,
                            "households_per_grid": 500,
                            "households": {"rental": 0.8, "group_rental": 0.8},
                        },
                        {"id": "ordinary", "grids": 1, "households_per_grid": 200},
                    ],
                }
            ],
        }
    }
    data = merge_mappings(BASE, world)
    del data["world"]["households"]
    data["grid_workers"] = {"rule": {}, "shift": ROUND_THE_CLOCK, "patrol": {"enabled": False}}
    built = sim.scenario_from_dict(data)
    assert built.world.difficulty_weights == {
        "floating": 1.0,
        "rental": 1.0,
        "group_rental": 2.0,
        "shop": 1.0,
    }
    model = GridModel(built, seed=4)
    mesa.Agent._ids.pop(model, None)
    hard, ordinary = model.world.grids
    group_rentals = int(model.world.households["group_rental"][hard.start : hard.stop].sum())
    assert 360 <= group_rentals <= 440  # ≈ 400 of 500
    assert 1200 <= hard.difficulty <= 1500  # ≈ 1,350: the "≈1,300" of the rule's source note
    staff = members(model, "grid_worker")
    assert sum(served(m) == [hard.id] for m in staff) >= 2
    assert sum(served(m) == [ordinary.id] for m in staff) == 1


# --- profiles -----------------------------------------------------------------------------------


def profiled(n_grids: int, shares: list[float]) -> list[Member]:
    profiles = [
        {"name": f"p{i}", "share": share, "skills": {"mediation": 1.0 + i}}
        for i, share in enumerate(shares)
    ]
    patch = merge_mappings(communities(("a", n_grids)), team({"per_grid": 1}, profiles=profiles))
    return members(build(patch), "t")


@pytest.mark.parametrize(
    ("n", "shares"),
    [
        (10, [0.3, 0.7]),
        (7, [0.5, 0.5]),
        (9, [0.2, 0.3, 0.5]),
        (12, [0.25, 0.25, 0.25, 0.25]),
        (5, [1.0]),
        (3, [0.1, 0.9]),
    ],
)
def test_profiles_are_assigned_in_proportion_to_shares(n: int, shares: list[float]) -> None:
    staff = profiled(n, shares)
    assert len(staff) == n
    for i, share in enumerate(shares):
        count = sum(m.name.endswith(f"-p{i}") for m in staff)
        assert math.floor(n * share) <= count <= math.ceil(n * share), (i, count, n * share)


def test_a_profile_carries_its_skills_success_and_contact_bonus() -> None:
    profiles = [
        {
            "name": "young",
            "share": 0.5,
            "skills": {"it": 2.0},
            "success": {"mediation": 0.6},
        },
        {"name": "local", "share": 0.5, "skills": {"mediation": 1.5}, "contact_bonus": 0.3},
    ]
    patch = merge_mappings(
        communities(("a", 2)), team({"per_grid": 1}, profiles=profiles, speed=2.0)
    )
    young, local = members(build(patch), "t")
    assert young.name.endswith("-young") and local.name.endswith("-local")
    assert young.rates["it"] == 4.0 and young.rates["mediation"] == 2.0
    assert local.rates["it"] == 2.0 and local.rates["mediation"] == 3.0
    assert young.success == {"mediation": 0.6} and local.success == {}
    assert young.contact_bonus == 0.0 and local.contact_bonus == 0.3


def test_profiles_are_interleaved_over_the_members() -> None:
    """Every prefix of the member list holds each profile in proportion to its share (±1),
    so that e.g. half the grids of a per_grid team get young members, spread out."""
    shares = [0.5, 0.5]
    staff = profiled(10, shares)
    for m in range(1, len(staff) + 1):
        for i, share in enumerate(shares):
            count = sum(s.name.endswith(f"-p{i}") for s in staff[:m])
            assert abs(count - m * share) <= 1, (m, i, [s.name for s in staff])


# --- rosters ------------------------------------------------------------------------------------


def test_roster_pattern_k_mod_n() -> None:
    weekend = {"start": "09:00", "end": "12:00", "days": ["sat", "sun"]}
    roster = [[EARLY], [LATE], [weekend, {"start": "19:00", "end": "21:00", "days": ["tue"]}]]
    model = build(merge_mappings(communities(("a", 7)), team({"per_grid": 1}, roster=roster)))
    calendar = Calendar("mon")
    for k, member in enumerate(members(model, "t")):
        pattern = [Shift.model_validate(block) for block in roster[k % 3]]
        expected = sorted(t for block in pattern for t in calendar.shifts(block, model.horizon))
        assert [(block.start, block.end) for block in member.shifts] == expected, k


def test_round_the_clock_members_have_no_roster() -> None:
    model = build()
    assert all(m.shifts is None for m in members(model, "grid_worker"))


def test_staggered_start_times_show_in_the_jobs_each_member_accepts() -> None:
    """Two workers per grid, patterns early (08–17) and late (11–20): every job a member
    handles starts inside that member's own shift, and the late members take evening jobs."""
    patch = merge_mappings(
        communities(("a", 3)),
        {
            "grid_workers": {
                "per_grid": 2,
                "roster": [[EARLY], [LATE]],
                "starts_early": "0h",  # on duty exactly the roster's hours
                "stays_late": "0h",
            },
            "sources": {"resident": {"rate_per_household": "0.01/h"}},
        },
    )
    res = sim.run(scenario(patch), seed=3, days=7)
    workers = res.workers[res.workers["role"] == "grid_worker"]["staff_id"].tolist()
    cases = res.cases[res.cases["status"] == "closed"]
    assert len(cases) > 100
    hour = cases["accepted_h"] % 24
    for k, staff_id in enumerate(workers):
        mine = hour[cases["handler_id"] == staff_id]
        assert len(mine) > 10, staff_id
        start, end = (8.0, 17.0) if k % 2 == 0 else (11.0, 20.0)
        assert ((mine >= start - EPS) & (mine <= end + EPS)).all(), staff_id
        if k % 2 == 0:
            assert (mine < 11.0).any(), staff_id  # the early worker alone before 11:00
        else:
            assert (mine >= 17.0).any(), staff_id  # the late worker alone after 17:00
    # nobody is on duty 20:00–08:00, so nothing starts then
    assert ((hour >= 8.0 - EPS) & (hour <= 20.0 + EPS)).all()
    assert np.isfinite(cases["accepted_h"]).all()
