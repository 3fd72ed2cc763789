"""Turnover KPIs (summary.json `turnover`): per team with attrition, its leavers and hires,
turnover a year, mean head count, hours its posts stood vacant and how much of its grids' time
they had no member of their own, covered by a neighbour or not; per volunteer pool, its size
over time and who answered calls. Over the whole run, from time 0 (the warm-up is for cases)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.config.teams import HOURS_PER_YEAR

if TYPE_CHECKING:
    from sim.agents.attrition import Attrition
    from sim.agents.volunteer_pool import VolunteerPool


def turnover_kpis(
    attrition: dict[str, Attrition], pools: dict[str, VolunteerPool], horizon: float
) -> dict:
    """The turnover block: one entry per team with attrition or a pool."""
    out = {name: attrition_kpis(book, horizon) for name, book in attrition.items()}
    out.update({name: pool_kpis(pool, horizon) for name, pool in pools.items()})
    return out


def attrition_kpis(book: Attrition, horizon: float) -> dict:
    """Leavers and hires in the run; turnover a year (leavers / mean head count / years); mean
    head count and the filled share of posts; hours the posts stood vacant; the share of the
    team's grid-hours with no member of its own in post (no holder of a post serving the grid),
    and the share of those hours in which a holder in the same community covered it."""
    posts = len(book.staff)
    grids = sorted({s.unit for staff in book.staff for s in staff.member.stations})
    column = {g: i for i, g in enumerate(grids)}
    grids_of = [[column[s.unit] for s in staff.member.stations] for staff in book.staff]
    community_grids: dict[int, set[int]] = {}
    for post, c in enumerate(book.community):
        community_grids.setdefault(c, set()).update(grids_of[post])
    own = np.zeros(len(grids), dtype=np.int64)  # holders serving each grid
    holders = dict.fromkeys(community_grids, 0)  # holders in each community
    for post in np.flatnonzero(book.filled_at_start):
        own[grids_of[post]] += 1
        holders[book.community[post]] += 1

    def orphans(c: int) -> tuple[int, int]:
        """Grids of community c with no holder of their own; of those, covered."""
        n = sum(1 for g in community_grids[c] if own[g] == 0)
        return n, n if holders[c] and book.spec.cover else 0

    without, covered = (sum(x) for x in zip(*map(orphans, community_grids), strict=True))
    head = int(book.filled_at_start.sum())
    areas = np.zeros(3)  # ∫ head count, grids without own holder, of those covered
    last, leavers = 0.0, 0
    for time, post, change in book.events:
        areas += np.array([head, without, covered]) * (time - last)
        last = time
        c = book.community[post]
        before = orphans(c)
        own[grids_of[post]] += change
        holders[c] += change
        head += change
        after = orphans(c)
        without += after[0] - before[0]
        covered += after[1] - before[1]
        leavers += change < 0
    areas += np.array([head, without, covered]) * (horizon - last)
    mean_head = areas[0] / horizon if horizon else 0.0
    years = horizon / HOURS_PER_YEAR
    return {
        "posts": posts,
        "leavers": leavers,
        "hires": len(book.events) - leavers,
        "turnover_per_year": leavers / mean_head / years if mean_head and years else None,
        "mean_head_count": float(mean_head),
        "filled_share": float(mean_head / posts) if posts else None,
        "vacant_h": float(posts * horizon - areas[0]),
        "vacant_at_end": int(posts - book.filled.sum()),
        "grid_hours_without_own_share": float(areas[1] / (len(grids) * horizon))
        if grids and horizon
        else None,
        "covered_share": float(areas[2] / areas[1]) if areas[1] else None,
    }


def pool_kpis(pool: VolunteerPool, horizon: float) -> dict:
    """Volunteers in the pool over time (all communities together: time-average, least and
    most; per community: time-average, and the share of time a community's pool held 0, 1, 2 …
    volunteers), how many joined, were turned away (the pool full), left, and answered a
    call."""
    n = len(pool.communities)
    index = {c: i for i, c in enumerate(pool.communities)}
    sizes = [pool.at_start[c] for c in pool.communities]
    since = [0.0] * n  # when each community's size last changed
    time_at = [0.0] * (max(sizes, default=0) + 1)  # hours communities spent at each size
    total = least = most = sum(sizes)
    area, last = 0.0, 0.0
    for time, community, change in pool.events:
        area += total * (time - last)
        last = time
        i = index[community]
        time_at[sizes[i]] += time - since[i]
        since[i] = time
        sizes[i] += change
        if sizes[i] >= len(time_at):
            time_at.append(0.0)
        total += change
        least, most = min(least, total), max(most, total)
    area += total * (horizon - last)
    for i, size in enumerate(sizes):
        time_at[size] += horizon - since[i]
    mean = area / horizon if horizon else 0.0
    return {
        "communities": n,
        "size": {"mean": mean, "min": least, "max": most},
        "mean_per_community": mean / n if n else None,
        "size_share_per_community": [t / (n * horizon) for t in time_at] if n and horizon else [],
        "joined": pool.joined,
        "turned_away": pool.turned_away,
        "left": pool.left,
        "calls": pool.calls,
        "answered": pool.answered,
    }
