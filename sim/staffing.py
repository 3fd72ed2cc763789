"""From teams in the scenario to members on the ground: how many members each team has in each
grid or community (per grid, by difficulty rule, pooled per community, one per k neighbouring
grids, or the places of a volunteer pool), which grids each serves, which shift pattern and
profile each gets, and what they may take. Deterministic: staffing draws no random numbers, so
staffing arms share every case."""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass, field
from itertools import groupby
from typing import TYPE_CHECKING

from sim.agents.staff import Member
from sim.calendar import Block, meeting_times, shift_times
from sim.config.staff_table import read_staff_table
from sim.config.teams import Profile, Team
from sim.vocabulary import SKILLS

if TYPE_CHECKING:
    from sim.calendar import Calendar
    from sim.config.teams import Department as DepartmentSpec
    from sim.work.intake import CaseType
    from sim.work.station import Station
    from sim.world import Grid, World


@dataclass(frozen=True)
class Posting:
    """Where and when teams work in one run: the world, the calendar, the horizon (hours), the
    compiled categories and each grid's station."""

    world: World
    calendar: Calendar
    horizon: float
    case_types: list[CaseType]
    grid_stations: list[Station]


def team_members(posting: Posting, name: str, team: Team) -> list[Member]:
    """Every member of team `name`, in grid order. What members share (the rosters of each
    shift pattern, the categories they take, the meetings) is built once per team and shared,
    read only."""
    posts = team_posts(posting.world, team)
    profiles = _profiles(team.profiles, len(posts))
    patterns = team.patterns
    common = _TeamParts.of(posting, team)
    rosters = [
        shift_times(posting.calendar, posting.horizon, p, team.starts_early, team.stays_late)
        for p in patterns
    ]
    members = []
    for number, (grids, profile) in enumerate(zip(posts, profiles, strict=True)):
        shared = team.size[0] in ("per_community", "pool")
        home = grids[number % len(grids)] if shared else grids[0]
        roster = rosters[number % len(patterns)]
        members.append(_member(posting, name, team, common, number, home, grids, roster, profile))
    return members


def department_members(
    posting: Posting, kind: str, spec: DepartmentSpec, station: Station
) -> list[Member]:
    """The staff of department `kind` at one unit of its tier, all serving its station on
    the department's office hours, taking every category at a standard pace."""
    n_categories = len(posting.case_types)
    shifts = shift_times(posting.calendar, posting.horizon, [spec.shift])
    takes = [True] * n_categories
    return [
        Member(
            role=kind,
            kind="department",
            name=f"{station.name}-s{i + 1}",
            unit=station.unit,
            unit_id=station.name,
            stations=[station],
            shifts=shifts,
            takes=takes,
            field_takes=takes,
            rates=dict.fromkeys(SKILLS, 1.0),
            category_rates=[1.0] * n_categories,
            resolves=[0.0] * n_categories,
            pay=spec.pay,
        )
        for i in range(spec.staff)
    ]


def team_posts(world: World, team: Team) -> list[list[Grid]]:
    """The grids each member of a team serves, one list per member (a pool: one per place in
    each community's pool, serving the community's grids)."""
    how, value = team.size
    grids = world.grids
    if how == "per_grid":
        return [[grid] for grid in grids for _ in range(value)]
    if how == "table":
        counts = _table_counts(world, value)
        return [[grid] for grid in grids for _ in range(counts[grid.index])]
    if how == "rule":
        return [[grid] for grid in grids for _ in range(value.workers(grid.difficulty))]
    communities = [list(group) for _, group in groupby(grids, key=lambda g: g.community)]
    if how == "per_community":
        return [community for community in communities for _ in range(value)]
    if how == "pool":
        return [community for community in communities for _ in range(value.slots)]
    return [
        community[i : i + value]
        for community in communities
        for i in range(0, len(community), value)
    ]


def _table_counts(world: World, path: str) -> list[int]:
    """Members per grid from a staffing table: each place's members apportioned over its grids
    by households (Huntington–Hill: one each first while there are enough, then each next
    member to the grid with the most households per member, as seats are apportioned)."""
    index = {grid.id: grid.index for grid in world.grids}
    counts = [0] * len(index)
    for row in read_staff_table(path):
        grids = [world.grids[index[g]] for g in world.spec.grids_of(row.unit)]
        seats = apportion([g.households for g in grids], row.members)
        for grid, n in zip(grids, seats, strict=True):
            counts[grid.index] += n
    return counts


def apportion(sizes: list[int], seats: int) -> list[int]:
    """Seats per place in proportion to `sizes`, every place one before any gets a second
    (Huntington–Hill; with fewer seats than places, the largest places get one each)."""
    if not sizes:
        return []
    order = sorted(range(len(sizes)), key=lambda i: (-sizes[i], i))
    out = [0] * len(sizes)
    for i in order[:seats]:
        out[i] = 1
    heap = [(-sizes[i] / math.sqrt(2.0), i) for i in order]
    heapq.heapify(heap)
    for _ in range(max(0, seats - len(sizes))):
        _, i = heapq.heappop(heap)
        out[i] += 1
        heapq.heappush(heap, (-sizes[i] / math.sqrt(out[i] * (out[i] + 1)), i))
    return out


def _profiles(profiles: list[Profile], n: int) -> list[Profile | None]:
    """Profiles spread over n members in proportion to their shares and interleaved: member i
    takes the profile furthest behind its share of the first i + 1 members."""
    if not profiles:
        return [None] * n
    counts = [0] * len(profiles)
    out = []
    for i in range(n):
        behind = [p.share * (i + 1) - count for p, count in zip(profiles, counts, strict=True)]
        k = max(range(len(profiles)), key=behind.__getitem__)
        counts[k] += 1
        out.append(profiles[k])
    return out


@dataclass(frozen=True)
class _TeamParts:
    """What every member of a team has alike, built once per team: per category, whether it
    is taken (and below the field share, taken if not deferrable), the team's speed on it and
    the share settled at the grid; the meetings."""

    takes: list[bool]
    field_takes: list[bool]
    category_rates: list[float]
    resolves: list[float]
    meetings: list[tuple[float, float]]
    profiles: dict[str | None, tuple[dict[str, float], dict[str, float]]] = field(
        default_factory=dict
    )

    def of_profile(
        self, team: Team, profile: Profile | None
    ) -> tuple[dict[str, float], dict[str, float]]:
        """The work-rate multiplier per skill and P(first attempt works) per skill of the
        team's members with `profile`, built once and shared by them (read only)."""
        key = None if profile is None else profile.name
        if key not in self.profiles:
            skills = {skill: team.speed * team.skills.get(skill, 1.0) for skill in SKILLS}
            success: dict[str, float] = {}
            if profile is not None:
                skills = {s: rate * profile.skills.get(s, 1.0) for s, rate in skills.items()}
                success = dict(profile.success)
            self.profiles[key] = (skills, success)
        return self.profiles[key]

    @classmethod
    def of(cls, posting: Posting, team: Team) -> _TeamParts:
        case_types = posting.case_types
        allowed = None if team.categories is None else set(team.categories)
        takes = [allowed is None or c.name in allowed for c in case_types]
        deferrable = frozenset(c.index for c in case_types if c.kind == "admin")
        return cls(
            takes=takes,
            field_takes=[ok and i not in deferrable for i, ok in enumerate(takes)],
            category_rates=[team.category_speed.get(c.name, 1.0) for c in case_types],
            resolves=[team.resolves.get(c.name, 0.0) for c in case_types],
            meetings=meeting_times(posting.calendar, posting.horizon, team.meetings),
        )


def _member(
    posting: Posting,
    name: str,
    team: Team,
    common: _TeamParts,
    number: int,
    home: Grid,
    grids: list[Grid],
    roster: list[Block] | None,
    profile: Profile | None,
) -> Member:
    skills, success = common.of_profile(team, profile)
    patrol = getattr(team, "patrol", None)
    label = f"-{profile.name}" if profile is not None else ""
    return Member(
        role=name,
        kind=team.kind,
        name=f"{home.id}-{name}{number + 1}{label}",
        unit=home.index,
        unit_id=home.id,
        stations=[posting.grid_stations[g.index] for g in grids],
        shifts=roster,
        takes=common.takes,
        field_takes=common.field_takes,
        rates=skills,
        category_rates=common.category_rates,
        resolves=common.resolves,
        success=success,
        contact_bonus=profile.contact_bonus if profile is not None else 0.0,
        patrols=patrol is not None and patrol.enabled,
        min_field_share=team.min_field_share,
        overtime_limit=team.overtime_limit,
        no_show=team.no_show,
        meetings=common.meetings,
        standby=team.standby,
        dropout_after=team.dropout.after_idle if team.dropout else None,
        dropout_p=team.dropout.p if team.dropout else 0.0,
        fatigue_after=team.fatigue.after if team.fatigue else None,
        fatigue_slowdown=team.fatigue.slowdown if team.fatigue else 0.0,
        fatigue_error=team.fatigue.error if team.fatigue else 0.0,
        pay=team.pay,
    )
