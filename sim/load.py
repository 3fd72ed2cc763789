"""Offered load: the work a scenario asks of its staff, in hours a week, against the hours they
are on duty, worked out from the scenario before anything is simulated.

When the work offered is more than the hours on duty, open work grows for as long as the run
lasts: every waiting time then depends on the horizon, and no KPI describes a steady state. This
module says so before a run (`gridsim validate --load`, `gridsim run`), with the work kinds the
shortfall falls on.

Demand is counted in hours of a standard worker (work content, travel, retries, rework after a
bounce-back, the feedback call or check), from the expected arrivals of a calm week: residents'
requests (with `channels`, only those that reach the grid: reported, and taken to the grid
worker or forwarded from a desk, as households with no experience yet would), patrol finds
(every hidden issue is found or reported), forms, revisits (with the expected number of
attempts), monitoring warnings, and the needs that recur after closure. Incidents are reported
apart, as the extra hours they bring while they last. Capacity is the hours each team is on duty
in a week, routine early starts and late finishes included, less the meetings that find them
on duty and less no-shows, times the share of
its posts held in the long run where members leave (attrition: vacancies, and new members'
learning, at the base hazard) or come and go (a volunteer pool: its mean size); standby teams
count only when mobilised (a pool: the volunteers who would answer a call).
The grid side's utilisation is the least that any spread of the work over the teams allowed to
take it could achieve (a linear programme), with each team's speed on each category: a lower
bound, since it ignores which grids each member serves; the busiest grid is reported beside it.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

import numpy as np
from scipy.optimize import linprog

from sim.config.categories import Category
from sim.config.teams import Shift, Team
from sim.emergency.incidents import affected_grids
from sim.rng import Streams
from sim.scenario import Scenario
from sim.staffing import team_posts
from sim.vocabulary import WEEKDAYS
from sim.work.channels import ExpectedRoutes, expected_routes
from sim.work.intake import REVIEW_SHARE
from sim.work.self_governance import share_reaching_grid
from sim.work.sources import SOURCES
from sim.work.sources.recurrence import Recurrence
from sim.work.sources.resident import ResidentRequests, ResidentRequestsSpec, household_weights
from sim.world import World

HOURS_PER_WEEK = 168.0
DAY = 24.0


@dataclass
class OfferedLoad:
    """Hours of work a week against hours on duty (see the module's docstring)."""

    demand: dict[str, float]  # grid-side hours a week by kind of work
    arrivals: dict[str, float]  # cases or tasks a week by kind of work
    by_category: dict[str, float]  # grid-side hours a week by category
    capacity: dict[str, float]  # on-duty hours a week less meetings, by team (not standby)
    utilisation: float  # least achievable share of the grid side's hours (inf: nobody)
    shortfall: float  # grid-side hours a week beyond what the staff can do
    unserved: list[str]  # least urgent categories the shortfall falls on
    busiest_grid: tuple[str, float]  # (grid id, its staff's utilisation)
    grids_over: int  # grids whose own staff are offered more than their hours
    departments: dict[str, dict[str, float]]  # kind → demand, capacity, utilisation
    standby: dict[str, float] = field(default_factory=dict)  # team → hours a week when called
    incidents: dict[str, dict[str, float]] = field(default_factory=dict)
    channels: dict[str, object] = field(default_factory=dict)  # residents' needs a week, by route

    def as_dict(self) -> dict:
        """The summary.json form (hours a week unless named otherwise)."""
        grid, rho = self.busiest_grid
        return {
            "arrivals_per_week": self.arrivals,
            "demand_h_per_week": self.demand,
            "demand_by_category_h_per_week": self.by_category,
            "capacity_h_per_week": self.capacity,
            "utilisation": _finite(self.utilisation),
            "shortfall_h_per_week": self.shortfall,
            "unserved": self.unserved,
            "busiest_grid": {"grid": grid, "utilisation": _finite(rho)},
            "grids_over_capacity": self.grids_over,
            "departments": {
                kind: {key: _finite(value) for key, value in row.items()}
                for kind, row in self.departments.items()
            },
            "standby_capacity_h_per_week": self.standby,
            "incidents": self.incidents,
            "channels_per_week": self.channels,
        }

    def hours_per_item(self, kinds: tuple[str, ...]) -> float | None:
        """Grid-side hours a case or task of these kinds takes on average (None if none)."""
        count = sum(self.arrivals.get(kind, 0.0) for kind in kinds)
        return sum(self.demand.get(kind, 0.0) for kind in kinds) / count if count else None

    def warnings(self) -> list[str]:
        """One line per overload: what is offered against what can be done, and what goes
        undone. Empty when every group of staff can keep up."""
        out = []
        if self.utilisation >= 1.0:
            total = sum(self.demand.values())
            out.append(
                f"grid-side staff are offered {_share(self.utilisation)} of their on-duty hours "
                f"({total:,.0f} h of work a week): {self.shortfall:,.0f} h a week cannot be done"
                + (f", falling on {', '.join(self.unserved)}" if self.unserved else "")
                + "; open work grows through the run and every KPI depends on the horizon"
            )
        elif self.grids_over:
            grid, rho = self.busiest_grid
            out.append(
                f"{self.grids_over} grid(s) are offered more work than their own staff's hours "
                f"(busiest {grid}: {_share(rho)}); open work grows there"
            )
        for kind, row in self.departments.items():
            if row["utilisation"] >= 1.0:
                out.append(
                    f"department {kind} is offered {_share(row['utilisation'])} of its hours "
                    f"({row['demand']:,.0f} h a week against {row['capacity']:,.0f}); cases "
                    "escalated to it pile up"
                )
        return out


def _finite(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None


def _share(value: float) -> str:
    return "all" if not math.isfinite(value) else f"{100 * value:.0f} %"


def offered_load(scenario: Scenario, world: World) -> OfferedLoad:
    """The offered load of a scenario on its world (built with any seed: household attributes
    and grid sizes change the answer only by their sampling noise)."""
    names = list(scenario.categories)
    arrivals = weekly_arrivals(scenario, world, names)  # grid × category
    arrivals *= share_reaching_grid(world, names)  # less what residents' groups settle
    at_work, travel = np.array([_grid_hours(scenario, name) for name in names]).reshape(-1, 2).T
    hours = at_work + world.travel_factors()[:, None] * travel  # grid × category
    by_grid_category = arrivals * hours
    by_category = by_grid_category.sum(axis=0)
    demand: dict[str, float] = {}
    count: dict[str, float] = {}
    for name, value, n in zip(names, by_category, arrivals.sum(axis=0), strict=True):
        kind = scenario.categories[name].kind
        demand[kind] = demand.get(kind, 0.0) + float(value)
        count[kind] = count.get(kind, 0.0) + float(n)

    teams = {n: t for n, t in scenario.all_teams().items() if not t.standby}
    capacity = {n: _team_hours(world, t) for n, t in teams.items()}
    rho = _least_utilisation(scenario, teams, capacity, names, by_category)
    shortfall = float(by_category.sum()) * (1.0 - 1.0 / rho) if rho > 1.0 else 0.0
    per_grid = _grid_utilisation(world, teams, by_grid_category.sum(axis=1))
    busiest = int(np.argmax(per_grid)) if len(per_grid) else 0
    return OfferedLoad(
        demand={kind: value for kind, value in demand.items() if value > 0},
        arrivals={kind: value for kind, value in count.items() if value > 0},
        by_category={n: float(v) for n, v in zip(names, by_category, strict=True) if v > 0},
        capacity=capacity,
        utilisation=rho,
        shortfall=shortfall,
        unserved=_unserved(scenario, names, by_category, shortfall),
        busiest_grid=(world.grids[busiest].id, float(per_grid[busiest]) if len(per_grid) else 0),
        grids_over=int((per_grid >= 1.0).sum()),
        departments=_departments(scenario, world, names, arrivals.sum(axis=0)),
        standby={n: _team_hours(world, t) for n, t in scenario.all_teams().items() if t.standby},
        incidents=_incidents(scenario, world, hours, names, arrivals),
        channels=asdict(routes) if (routes := channel_routes(scenario, world)) else {},
    )


# --- arrivals ---------------------------------------------------------------------------------


def weekly_arrivals(scenario: Scenario, world: World, names: list[str]) -> np.ndarray:
    """Expected arrivals in a calm week, per grid (rows) and category (columns, in `names`
    order), from every source: of residents' needs, those that reach the grid; each recurring
    category's arrivals times 1 / (1 − p), its recurrences included."""
    out = np.zeros((len(world.grids), len(names)))
    column = {name: i for i, name in enumerate(names)}
    for source in SOURCES:
        spec = source.configured(scenario)
        if spec is not None:
            arrivals = source.weekly_arrivals(spec, world)
            routes = channel_routes(scenario, world) if source is ResidentRequests else None
            share = 1.0 if routes is None else _grid_shares(routes, spec, world)
            for name, per_grid in arrivals.items():
                out[:, column[name]] += per_grid * share
    for name, factor in Recurrence.multipliers(Recurrence.configured(scenario) or {}).items():
        out[:, column[name]] *= factor
    return out


def channel_routes(scenario: Scenario, world: World) -> ExpectedRoutes | None:
    """Where residents' needs go in a calm week (sim.work.channels.expected_routes), with the
    grid worker reachable when a team present at every grid is on duty; None without channels
    or resident requests."""
    resident = ResidentRequests.configured(scenario)
    if scenario.channels is None or resident is None:
        return None
    needs = sum(
        per_grid.sum() for per_grid in ResidentRequests.weekly_arrivals(resident, world).values()
    )
    teams = [
        team
        for team in scenario.all_teams().values()
        if not team.standby and team.covers_every_grid is not False
    ]
    weights = household_weights(world, resident.multipliers)
    managed = float(weights[world.households["managed"]].sum() / weights.sum())
    return expected_routes(
        scenario.channels,
        resident.hourly_profile,
        resident.weekend_factor,
        teams,
        float(needs),
        managed,
    )


def _grid_shares(
    routes: ExpectedRoutes, resident: ResidentRequestsSpec, world: World
) -> np.ndarray:
    """Per grid, the share of its residents' needs that reach the grid: each kind of household's
    share (in a managed compound or not), weighted by the requests they make there."""
    weights = household_weights(world, resident.multipliers)
    managed = world.per_grid(weights * world.households["managed"])
    everyone = world.per_grid(weights)
    in_managed = np.divide(managed, everyone, out=np.ones_like(everyone), where=everyone > 0)
    return in_managed * routes.grid_share_of("managed") + (1.0 - in_managed) * routes.grid_share_of(
        "unmanaged"
    )


# --- hours per arrival ------------------------------------------------------------------------


def _grid_hours(scenario: Scenario, name: str) -> tuple[float, float]:
    """Grid-side hours of a standard worker per arrival of category `name`, as (hours at the
    work, hours of travel): its work and travel (a revisit's for each expected attempt; where it
    tries online first, the online attempt and, for the share it does not settle, the visit at
    the door), a second go where first attempts fail, rework after a bounce-back from the first
    tier up, and the feedback call or check."""
    category = scenario.categories[name]
    work, travel = category.work.mean, category.travel.mean
    if category.kind == "revisit":
        attempts = _attempts(scenario, name)
        return work * attempts, travel * attempts
    online = category.online_first
    door = 1.0 if online is None else 1.0 - online.success  # share visited at the door
    first = work if online is None else online.work.mean  # the first attempt at settling
    hours, trips = door * work + (first if online else 0.0), door * travel
    if category.kind in ("request", "patrol", "warning"):
        hours += first * _failed_first_attempts(scenario.grid_workers, category)
    if category.escalation:
        step = category.escalation[0]
        hours += door * step.p * step.bounce_back * work
    feedback = scenario.loop.feedback
    if category.loop and feedback.handler == "grid":
        check = category.feedback
        hours += check.work.mean if check else feedback.work.mean
        trips += check.travel.mean if check else 0.0
    return hours, trips


def _failed_first_attempts(team: Team, category: Category) -> float:
    """Share of first attempts at settling that fail and are done again (profiles' success)."""
    return sum(p.share * (1.0 - p.success.get(category.skill, 1.0)) for p in team.profiles)


def _attempts(scenario: Scenario, name: str) -> float:
    """Expected attempts of a revisit: (1 − (1 − p)^m) / p for reach probability p and at most
    m attempts; at home, p is the share of households at home over the grid workers' hours."""
    revisits = scenario.sources.revisits
    if revisits is None:
        return 1.0
    if name == revisits.home_category:
        weights = _hour_weights(scenario.grid_workers)
        p = float(np.dot(weights, revisits.at_home))
    else:
        p = revisits.phone_reach
    m = revisits.max_attempts
    return (1.0 - (1.0 - p) ** m) / p if p > 0 else float(m)


def _hour_weights(team: Team) -> np.ndarray:
    """Share of a team's on-duty time in each hour of the day (24 values, summing to 1)."""
    weights = np.zeros(24)
    for pattern in team.patterns:
        for shift in pattern:
            if shift.round_the_clock:
                weights += 1.0
                continue
            start = shift.start - team.starts_early
            end = shift.start + shift.length + team.stays_late
            pauses = [(shift.start + a, shift.start + b) for a, b in shift.pauses]
            for hour in range(math.floor(start), math.ceil(end)):
                on = min(end, hour + 1) - max(start, hour)
                on -= sum(max(0.0, min(b, hour + 1) - max(a, hour)) for a, b in pauses)
                weights[hour % 24] += max(on, 0.0) * len(set(shift.days))
    return weights / weights.sum() if weights.sum() else weights


# --- capacity ---------------------------------------------------------------------------------


def _shift_week(shift: Shift, early: float, late: float) -> float:
    """Hours on duty a week in one shift of a pattern, routine overtime included."""
    if shift.round_the_clock:
        return HOURS_PER_WEEK
    return len(set(shift.days)) * (shift.hours + early + late)


def _pattern_week(team: Team, pattern: list[Shift]) -> float:
    """Hours a week for work in one shift pattern: on duty, less the team's meetings."""
    if len(pattern) == 1 and pattern[0].round_the_clock:
        on_duty = HOURS_PER_WEEK
    else:
        on_duty = sum(_shift_week(s, team.starts_early, team.stays_late) for s in pattern)
    return on_duty - _meeting_week(team, pattern)


def _duty_week(team: Team, pattern: list[Shift]) -> list[tuple[float, float]]:
    """The stretches on duty of a pattern in hours of the week (0 = Monday 00:00), routine
    early starts and late finishes included (a stretch may begin before 0 or end after 168)."""
    if len(pattern) == 1 and pattern[0].round_the_clock:
        return [(0.0, HOURS_PER_WEEK)]
    out = []
    for shift in pattern:
        stretches = shift.stretches
        for day in set(shift.days):
            start = WEEKDAYS.index(day) * DAY + shift.start
            for k, (begin, end) in enumerate(stretches):
                early = team.starts_early if k == 0 else 0.0
                late = team.stays_late if k == len(stretches) - 1 else 0.0
                out.append((start + begin - early, start + end + late))
    return out


def _meeting_week(team: Team, pattern: list[Shift]) -> float:
    """Hours a week a member working `pattern` spends in meetings: each meeting that starts
    while they are on duty, until it ends or they go off duty (joining late after a job in
    hand is not counted: an upper bound)."""
    duty = _duty_week(team, pattern)
    hours = 0.0
    for meeting in team.meetings:
        for day in set(meeting.days):
            start = WEEKDAYS.index(day) * DAY + meeting.start
            for begin, end in duty:
                for t in (start - HOURS_PER_WEEK, start, start + HOURS_PER_WEEK):
                    if begin <= t < end:
                        hours += min(t + meeting.length, end) - t
    return hours


def _member_weeks(world: World, team: Team) -> list[tuple[list, float]]:
    """(grids served, on-duty hours a week less meetings and no-shows, as held in the long
    run) of every member of a team."""
    held = (1.0 - team.no_show) * team.staffed_share
    weeks = [_pattern_week(team, pattern) * held for pattern in team.patterns]
    return [(grids, weeks[k % len(weeks)]) for k, grids in enumerate(team_posts(world, team))]


def _team_hours(world: World, team: Team) -> float:
    """On-duty hours a week of all of a team's members."""
    return float(sum(hours for _, hours in _member_weeks(world, team)))


def _least_utilisation(
    scenario: Scenario,
    teams: dict[str, Team],
    capacity: dict[str, float],
    names: list[str],
    demand: np.ndarray,
) -> float:
    """The least ρ such that the work of every category can be spread over the teams allowed to
    take it with no team above ρ of its hours (each team at its own speed on each category):
    min ρ s.t. Σ_t x_ct = D_c, Σ_c x_ct · time_tc ≤ ρ · H_t, x ≥ 0. Infinite when some work
    has nobody on duty allowed to take it."""
    needed = [c for c in range(len(names)) if demand[c] > 0]
    staffed = [t for t in teams if capacity[t] > 0]
    pairs = [
        (c, t)
        for c in needed
        for t in staffed
        if teams[t].categories is None or names[c] in teams[t].categories
    ]
    if not needed:
        return 0.0
    if {c for c, _ in pairs} != set(needed):
        return math.inf
    n = len(pairs)
    cost = np.zeros(n + 1)
    cost[-1] = 1.0  # minimise ρ, the last variable
    equal = np.zeros((len(needed), n + 1))
    upper = np.zeros((len(staffed), n + 1))
    for k, (c, t) in enumerate(pairs):
        equal[needed.index(c), k] = 1.0
        upper[staffed.index(t), k] = _time_per_hour(
            teams[t], scenario.categories[names[c]], names[c]
        )
    upper[:, -1] = [-capacity[t] for t in staffed]
    result = linprog(
        cost,
        A_ub=upper,
        b_ub=np.zeros(len(staffed)),
        A_eq=equal,
        b_eq=demand[needed],
        bounds=[(0, None)] * (n + 1),
        method="highs",
    )
    return float(result.x[-1]) if result.status == 0 else math.inf


def _time_per_hour(team: Team, category: Category, name: str) -> float:
    """Hours a team's member takes for one standard hour of the category's work, on average
    over the team's profiles."""
    profiles = team.profiles or [None]
    shares = [p.share for p in team.profiles] or [1.0]
    time = 0.0
    for share, profile in zip(shares, profiles, strict=True):
        rate = team.speed * team.skills.get(category.skill, 1.0)
        if profile is not None:
            rate *= profile.skills.get(category.skill, 1.0)
        time += share / rate
    return time / team.category_speed.get(name, 1.0)


def _grid_utilisation(world: World, teams: dict[str, Team], demand: np.ndarray) -> np.ndarray:
    """Per grid: its work against the hours of the members serving it (a member serving k
    grids gives each 1/k of its hours)."""
    hours = np.zeros(len(world.grids))
    for team in teams.values():
        for grids, week in _member_weeks(world, team):
            for grid in grids:
                hours[grid.index] += week / len(grids)
    with np.errstate(divide="ignore", invalid="ignore"):
        rho = np.where(hours > 0, demand / np.where(hours > 0, hours, 1.0), np.inf)
    return np.where(demand > 0, rho, 0.0)


def _unserved(
    scenario: Scenario, names: list[str], demand: np.ndarray, shortfall: float
) -> list[str]:
    """The least urgent categories (highest priority number) whose work adds up to the
    shortfall: what staff working by priority would leave undone."""
    if shortfall <= 0:
        return []
    order = sorted(
        (c for c in range(len(names)) if demand[c] > 0),
        key=lambda c: -scenario.categories[names[c]].priority,
    )
    out, covered = [], 0.0
    for c in order:
        out.append(names[c])
        covered += demand[c]
        if covered >= shortfall:
            break
    return out


# --- departments and incidents ----------------------------------------------------------------


def _departments(
    scenario: Scenario, world: World, names: list[str], arrivals: np.ndarray
) -> dict[str, dict[str, float]]:
    """Per department kind: hours a week of the cases escalated to it (with reviews and rework
    after bounce-backs, and the feedback calls it makes) against its staff's hours."""
    demand = dict.fromkeys(scenario.departments, 0.0)
    feedback = scenario.loop.feedback
    for name, a in zip(names, arrivals, strict=True):
        category = scenario.categories[name]
        online = category.online_first  # an online attempt that settles it sends nothing up
        reach, below = 1.0 if online is None else 1.0 - online.success, []
        for step in category.escalation:
            reach *= step.p
            works = {d: (step.work or scenario.departments[d].work).mean for d in step.departments}
            for department, work in works.items():
                demand[department] += a * reach * work * (1.0 + step.bounce_back * REVIEW_SHARE)
            for department, work in below:
                demand[department] += a * reach * step.bounce_back * work
            below = list(works.items())
        if category.loop and feedback.handler in demand:
            check = category.feedback
            hours = check.work.mean + check.travel.mean if check else feedback.work.mean
            demand[feedback.handler] += a * hours
    units = {
        "community": len(world.communities),
        "street": len(world.streets),
        "district": 1,
        "city": 1,
    }
    out = {}
    for kind, spec in scenario.departments.items():
        capacity = units[spec.tier] * spec.staff * _shift_week(spec.shift, 0.0, 0.0)
        out[kind] = {
            "demand": demand[kind],
            "capacity": capacity,
            "utilisation": demand[kind] / capacity if capacity else math.inf,
        }
    return out


def _incidents(
    scenario: Scenario,
    world: World,
    hours: np.ndarray,
    names: list[str],
    arrivals: np.ndarray,
) -> dict[str, dict[str, float]]:
    """Per incident: the grid-side hours of work it adds while it lasts (its tasks, and the
    surge on existing sources in its area), in all and per week; `hours` per grid and
    category."""
    column = {name: i for i, name in enumerate(names)}
    grid_of = world.households["grid"]
    source_of = {
        source.name: [category for category, _ in source.categories(scenario)] for source in SOURCES
    }
    out = {}
    for name, incident in scenario.incidents.items():
        area = affected_grids(incident.area, world)
        level = incident.level_over(incident.onset, incident.onset + incident.duration)
        weeks = incident.duration / HOURS_PER_WEEK
        extra = 0.0
        for task in incident.tasks:
            eligible = world.per_grid(world.in_group(task.households) & area[grid_of])
            work = float(eligible @ hours[:, column[task.category]])  # once per household
            if task.every_household is not None:
                extra += work
            elif task.posts_per_community is not None:
                communities = {world.grids[g].community for g in np.flatnonzero(area)}
                extra += len(communities) * task.posts_per_community * incident.duration
            else:
                rate = task.rate_per_household * level
                extra += rate * incident.duration * work
        for source, multiplier in incident.demand.items():
            columns = [column[c] for c in source_of[source]]
            calm = (arrivals[area][:, columns] * hours[area][:, columns]).sum()
            extra += (multiplier - 1.0) * level * calm * weeks
        out[name] = {
            "hours": float(extra),
            "days": incident.duration / DAY,
            "h_per_week": float(extra / weeks) if weeks else 0.0,
        }
    return out


def scenario_load(scenario: Scenario, seed: int = 0) -> OfferedLoad:
    """The offered load of a scenario on the world a run with `seed` would build."""
    streams = Streams(seed)
    world = World(scenario.world, streams.get("households"), streams.get("grid_sizes"))
    return offered_load(scenario, world)
