"""The residents' channels block of summary.json (README, "Residents and channels"): what became
of the needs residents had after the warm-up — unreported, taken to the grid worker, settled at
a desk, forwarded as a work order, given up after a blocked call — which channel they chose
first (all of them, and apart for households in and outside a managed compound), each desk's
calls, blocks, waits, utilisation and Little's law, and the households' ratings and
satisfaction. The headline KPIs still count the cases at the grid from their creation there;
this block tells what happened before.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sim.metrics.kpis import durations
from sim.vocabulary import CHANNELS
from sim.work.channels import (
    AT_DESK,
    CALL_FIELDS,
    CALL_OUTCOMES,
    COMPOUNDS,
    DIRECT,
    FORWARDED,
    GAVE_UP,
    NEED_FIELDS,
    ROUTES,
    SETTLED,
    UNREPORTED,
)

if TYPE_CHECKING:
    from sim.work.channels import Switchboard

#: Relative tolerance of the desks' exact Little identity (floating-point rounding only).
RTOL = 1e-9


def needs_table(switchboard: Switchboard) -> pd.DataFrame:
    """One row per need: when, grid, household and category; the channel tried first and last
    (empty if unreported), how many channels were tried, and its route (ROUTES)."""
    rows = np.frombuffer(switchboard.needs, dtype=float).reshape(-1, len(NEED_FIELDS))
    pending = np.array(switchboard.unfinished_needs(), dtype=float).reshape(-1, len(NEED_FIELDS))
    table = np.concatenate([rows, pending])
    frame = pd.DataFrame(table, columns=list(NEED_FIELDS))
    for name in ("first", "last"):
        frame[name] = pd.Categorical.from_codes(frame[name].astype(int), list(CHANNELS))
    frame["route"] = pd.Categorical.from_codes(frame["route"].astype(int), list(ROUTES))
    return frame.sort_values("need_h", kind="stable").reset_index(drop=True)


def calls_table(switchboard: Switchboard) -> pd.DataFrame:
    """One row per call to a desk: the desk, whether a resident of the area made it, when it
    arrived, was answered and ended, and its outcome (CALL_OUTCOMES)."""
    width = len(CALL_FIELDS)
    parts = [np.empty((0, width))]
    parts += [
        np.frombuffer(desk.calls, dtype=float).reshape(-1, width) for desk in switchboard.desks
    ]
    parts += [
        np.array(desk.unfinished(), dtype=float).reshape(-1, width) for desk in switchboard.desks
    ]
    frame = pd.DataFrame(np.concatenate(parts), columns=list(CALL_FIELDS))
    names = [desk.name for desk in switchboard.desks]
    frame["desk"] = pd.Categorical.from_codes(frame["desk"].astype(int), names)
    frame["resident"] = frame["resident"].astype(bool)
    frame["outcome"] = pd.Categorical.from_codes(frame["outcome"].astype(int), list(CALL_OUTCOMES))
    return frame.sort_values("arrived_h", kind="stable").reset_index(drop=True)


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _overlap(start: pd.Series, end: pd.Series, since: float, until: float) -> float:
    """Σ hours of the intervals [start, end) (NaN end: still going at `until`) within
    [since, until)."""
    end = end.fillna(until).clip(upper=until)
    return float((end - start.clip(lower=since)).clip(lower=0.0).sum())


def channel_kpis(
    switchboard: Switchboard, cases: pd.DataFrame, horizon: float, warmup: float
) -> dict:
    """The channels block (needs and calls from the warm-up on; see the module's docstring)."""
    needs = needs_table(switchboard)
    calls = calls_table(switchboard)
    counted = needs[needs["need_h"] >= warmup]
    route = counted["route"]
    n_needs = len(counted)
    reported = int((route != ROUTES[UNREPORTED]).sum())
    first = counted.loc[route != ROUTES[UNREPORTED], "first"]
    routes = {name: int((route == name).sum()) for name in ROUTES}
    block = {
        "needs": n_needs,
        "reported": reported,
        "unreported": routes["unreported"],
        "unreported_share": _share(routes["unreported"], n_needs),
        "chosen": {
            channel: {
                "needs": int((first == channel).sum()),
                "share": _share(int((first == channel).sum()), reported),
            }
            for channel in CHANNELS
        },
        "chosen_by_compound": _chosen_by_compound(switchboard, counted),
        "routes": {
            name: {"needs": routes[name], "share": _share(routes[name], reported)}
            for name in ROUTES[DIRECT:]
        },
        "gave_up": routes[ROUTES[GAVE_UP]],
        "gave_up_share": _share(routes[ROUTES[GAVE_UP]], reported),
        "settled_at_desk": routes[ROUTES[SETTLED]],
        "forwarded": routes[ROUTES[FORWARDED]],
        "desks": {
            desk.name: _desk_block(
                desk, calls[calls["desk"] == desk.name], counted, horizon, warmup
            )
            for desk in switchboard.desks
        },
        "satisfaction": _satisfaction(switchboard, warmup),
    }
    block["checks"] = _checks(switchboard, needs, calls, cases, horizon)
    return block


def _chosen_by_compound(switchboard: Switchboard, needs: pd.DataFrame) -> dict:
    """For households in a compound with a property company (managed) and outside one
    (unmanaged): their reported needs, and how many and what share of them went first to each
    channel."""
    reported = needs[needs["route"] != ROUTES[UNREPORTED]]
    managed = switchboard.managed[reported["household"].to_numpy(dtype=np.int64)]
    out = {}
    for compound, rows in zip(COMPOUNDS, (managed, ~managed), strict=True):
        first = reported.loc[rows, "first"]
        out[compound] = {
            "reported": len(first),
            "chosen": {
                channel: {
                    "needs": int((first == channel).sum()),
                    "share": _share(int((first == channel).sum()), len(first)),
                }
                for channel in CHANNELS
            },
        }
    return out


def _desk_block(
    desk, calls: pd.DataFrame, needs: pd.DataFrame, horizon: float, warmup: float
) -> dict:
    """One desk's calls that arrived after the warm-up: all of them (background calls
    included) and residents' alone; blocked, answered; waits and times in the desk of the
    calls admitted (Kaplan–Meier counting those still there at the horizon); the share of the
    agents' open hours spent talking; Little's law (L: mean calls in the desk over the window,
    against λW: admitted calls an hour × their mean time in it)."""
    calls = calls[calls["arrived_h"] >= warmup]
    outcome = calls["outcome"]
    blocked = outcome.isin(["full", "closed"])
    admitted = calls[~blocked]
    residents = calls[calls["resident"]]
    resident_blocked = int(residents["outcome"].isin(["full", "closed"]).sum())
    span = horizon - warmup
    talking = _overlap(admitted["started_h"].dropna(), admitted["ended_h"], warmup, horizon)
    agent_hours = desk.spec.agents * desk.open_hours(warmup, horizon)
    answered = admitted[admitted["outcome"] == "answered"]
    mean_time = (
        float((answered["ended_h"] - answered["arrived_h"]).mean()) if len(answered) else None
    )
    at_desk = needs["last"] == desk.name
    return {
        "agents": desk.spec.agents,
        "capacity": desk.spec.capacity,
        "calls": len(calls),
        "resident_calls": len(residents),
        "blocked": int(blocked.sum()),
        "blocked_share": _share(int(blocked.sum()), len(calls)),
        "blocked_full": int((outcome == "full").sum()),
        "blocked_closed": int((outcome == "closed").sum()),
        "resident_blocked": resident_blocked,
        "resident_blocked_share": _share(resident_blocked, len(residents)),
        "answered": len(answered),
        "settled": int((at_desk & (needs["route"] == ROUTES[SETTLED])).sum()),
        "forwarded": int((at_desk & (needs["route"] == ROUTES[FORWARDED])).sum()),
        "wait_h": durations(admitted["arrived_h"], admitted["started_h"], horizon),
        "time_in_desk_h": durations(admitted["arrived_h"], admitted["ended_h"], horizon),
        "utilisation": talking / agent_hours if agent_hours else None,
        "little": {
            "L": _overlap(admitted["arrived_h"], admitted["ended_h"], warmup, horizon) / span
            if span
            else None,
            "lambda": len(admitted) / span if span else None,
            "W": mean_time,
        },
    }


def _satisfaction(switchboard: Switchboard, warmup: float) -> dict:
    """Ratings given after the warm-up (打分评价, in [0, 1]): how many and their mean, overall and
    by channel; households with an agent (those that had a case), and for each channel the
    households that rated it (whenever) and their mean satisfaction with it at the end."""
    ratings = pd.DataFrame(
        np.frombuffer(switchboard.ratings, dtype=float).reshape(-1, 3),
        columns=["t_h", "channel", "rating"],
    )
    ratings = ratings[ratings["t_h"] >= warmup]
    agents = switchboard.households.agents()
    satisfaction = np.array([agent.satisfaction for agent in agents]).reshape(-1, len(CHANNELS))
    rated = np.array([agent.ratings for agent in agents]).reshape(-1, len(CHANNELS)) > 0
    by_channel = {}
    for code, channel in enumerate(CHANNELS):
        given = ratings.loc[ratings["channel"] == code, "rating"]
        users = satisfaction[rated[:, code], code]
        by_channel[channel] = {
            "ratings": len(given),
            "mean_rating": float(given.mean()) if len(given) else None,
            "households": len(users),
            "mean_satisfaction": float(users.mean()) if len(users) else None,
        }
    return {
        "ratings": len(ratings),
        "mean_rating": float(ratings["rating"].mean()) if len(ratings) else None,
        "households": len(agents),
        "by_channel": by_channel,
    }


def _checks(
    switchboard: Switchboard,
    needs: pd.DataFrame,
    calls: pd.DataFrame,
    cases: pd.DataFrame,
    horizon: float,
) -> dict:
    """Invariants, over the whole run: every need has one route and reported = settled +
    forwarded + to the grid + given up + at a desk; residents' grid cases = needs taken to the
    grid, and work orders forwarded = cases opened from a desk + those on their way at the
    horizon; each desk's call-hours counted at run time = Σ over its admitted calls of their
    time in it up to the horizon (Little's law on the sample path, exact)."""
    route = needs["route"]
    reported = int((route != ROUTES[UNREPORTED]).sum())
    parts = sum(
        int((route == ROUTES[r]).sum()) for r in (DIRECT, SETTLED, FORWARDED, GAVE_UP, AT_DESK)
    )
    residents = cases[cases["source"] == "resident"]
    from_desks = int(residents["channel"].isin([d.name for d in switchboard.desks]).sum())
    forwarded = int((route == ROUTES[FORWARDED]).sum())
    little = True
    for desk in switchboard.desks:
        own = calls[(calls["desk"] == desk.name) & ~calls["outcome"].isin(["full", "closed"])]
        from_log = _overlap(own["arrived_h"], own["ended_h"], 0.0, horizon)
        little &= bool(np.isclose(desk.area_until(horizon), from_log, rtol=RTOL, atol=1e-9))
    return {
        "needs": bool(len(needs) == switchboard.needs_drawn and reported == parts),
        "grid_cases": bool(
            int((residents["channel"] == "grid").sum()) == int((route == ROUTES[DIRECT]).sum())
        ),
        "work_orders": bool(forwarded == from_desks + switchboard.in_transit),
        "desk_little": little,
    }
