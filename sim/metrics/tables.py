"""The tables of a run (README, "The run folder"): cases, jobs, time series and workers, built
from the model's counters after the run."""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sim.agents.staff import BUSY, IDLE, OFF, Staff
from sim.memory import give_back
from sim.metrics.recorder import SOURCE_CODE
from sim.vocabulary import ACTIVITIES, CHANNELS, CLOSED_LOOP_KINDS, TASK_KINDS, TIERS
from sim.work.case import (
    IN_HAND,
    JOB_FIELDS,
    JOB_OUTCOMES,
    LOOP_STEPS,
    PURPOSES,
    RECORD_FIELDS,
    STATUSES,
    WAITING,
)
from sim.work.self_governance import outcome_column
from sim.work.sources import SOURCE_NAMES
from sim.work.sources.admin import sender_column
from sim.work.station import Deferred
from sim.world import BANDS

if TYPE_CHECKING:
    from sim.model import GridModel


def _rows(records: Iterable[tuple[float, ...]], n: int, width: int) -> np.ndarray:
    """`n` rows of `width` numbers as a float64 array, filled as they come (never a list of
    them: each row would hold `width` boxed floats)."""
    return np.fromiter(records, dtype=np.dtype((float, width)), count=n).reshape(n, width)


def rows_in_order(order: np.ndarray) -> np.ndarray:
    """The inverse of a sorting permutation: item i's row in the sorted table, for `order`
    listing the items row by row."""
    rows = np.empty(len(order), np.intp)
    rows[order] = np.arange(len(order))
    return rows


def cases_table(model: GridModel, release: bool = False) -> pd.DataFrame:
    """One row per case or task, in creation order. `channel`: the channel a resident's request
    came through (grid, hotline, property; empty for other work); `reopens`: the case whose
    need came back as this one (empty for none); `sender`: the upper department that sent a
    top-down task; `resident_group`: what a residents' group did with a request it could take.
    `release`: the run records are let go as their columns move into the table (the model's
    last use). Each column is built once and handed to the table as it is (no copy)."""
    metrics, world, case_types = model.metrics, model.world, model.case_types
    records = metrics.records
    n_unopened, unopened = model.stations.unopened()  # tasks released, not yet opened: open too
    still_open = _rows(
        (case.record(SOURCE_CODE) for case in itertools.chain(metrics.open.values(), unopened)),
        len(metrics.open) + n_unopened,
        len(RECORD_FIELDS),
    )
    n_closed = len(records)
    ids = np.concatenate([records.column("case_id", release), still_open[:, 0]])
    rows = rows_in_order(np.argsort(ids, kind="stable"))  # each case's row: by case id

    def column(name: str, dtype: type) -> np.ndarray:
        """One field, closed cases then open ones, each put at its row: the field is written
        once, never copied whole."""
        out = np.empty(len(rows), dtype)
        records.place(name, out, rows[:n_closed], release)
        out[rows[n_closed:]] = still_open[:, RECORD_FIELDS.index(name)]
        return out

    def coded(codes: np.ndarray, labels: list[str]) -> pd.Categorical:
        return pd.Categorical.from_codes(codes, categories=labels)

    code = np.int32  # of every categorical column, as read (pandas narrows them further)
    grids, category = column("grid", code), column("category", code)
    community = np.array([g.community for g in world.grids], dtype=code)[grids]
    street = np.array([g.street for g in world.grids], dtype=code)[grids]
    band = np.array([BANDS.index(b) for b in world.difficulty_bands()], dtype=code)[grids]
    kinds = sorted({c.kind for c in case_types})
    staff = sorted((s for s, _ in model.staff_records()), key=lambda s: s.index)
    handler = column("handler", code)
    roles = sorted({s.role for s in staff})
    role_code = np.array([roles.index(s.role) for s in staff] + [-1], dtype=code)
    source = column("source", code)
    source_seq = column("source_seq", np.int64)
    case_ids = np.empty(len(rows), np.int64)
    case_ids[rows] = ids
    data = {
        "case_id": case_ids,
        "source": coded(source, list(SOURCE_NAMES)),
        "found_by": coded(column("found_by", code), list(SOURCE_NAMES)),
        "source_seq": source_seq,
        "category": coded(category, [c.name for c in case_types]),
        "kind": coded(np.array([kinds.index(c.kind) for c in case_types], code)[category], kinds),
        "grid": coded(grids, world.unit_ids("grid")),
        "community": coded(community, world.unit_ids("community")),
        "street": coded(street, world.unit_ids("street")),
        "difficulty_band": coded(band, BANDS),
        "household": column("household", np.int64),
        "priority": column("priority", np.int8),
        "created_h": column("created_h", float),
        "deadline_h": column("deadline_h", float),
        "work_h": column("work_h", float),
    }
    del grids, community, street, band
    for step in LOOP_STEPS:
        data[f"{step}_h"] = column(f"{step}_h", float)
    data["closed_h"] = data["archived_h"].copy()  # its own: the table does not track sharing
    data["tier_reached"] = coded(column("tier_reached", code), list(TIERS))
    data["handler_kind"] = coded(role_code[handler], roles)
    data["handler_id"] = coded(handler, [s.name for s in staff])
    del handler
    data["status"] = coded(column("status", code), list(STATUSES))
    data["attempts"] = column("attempts", np.int16)
    is_admin = source == SOURCE_CODE["admin"]
    data["sender"] = sender_column(model.sources.get("admin"), is_admin, source_seq)
    data["resident_group"] = outcome_column(model.residents, case_ids)
    data["channel"] = coded(column("channel", code), list(CHANNELS))
    reopens = column("reopens", np.int64)
    data["reopens"] = pd.array(reopens, dtype="Int64", copy=False)
    data["reopens"][reopens < 0] = pd.NA
    data["first_response_h"] = data["accepted_h"] - data["created_h"]
    data["time_to_close_h"] = data["closed_h"] - data["created_h"]
    data["staffed_h"] = staffed_column(model, staff, case_ids)
    return pd.DataFrame(data, copy=False)


def staffed_column(model: GridModel, staff: list[Staff], case_ids: np.ndarray) -> np.ndarray:
    """Per case (`case_ids`, ascending), the hours someone was at a duty post up to now (0 if
    nobody came; a member at it now counts from their arrival); NaN for every other case."""
    post_hours = dict(model.metrics.post_hours)
    now = model.env.now
    for member in staff:
        job = member.job_in_hand
        if job is not None and job.case.post:
            post_hours[job.case.id] += max(0.0, now - job.started - job.travel)
    staffed = np.full(len(case_ids), np.nan)
    ids = np.fromiter(post_hours, dtype=np.int64, count=len(post_hours))
    staffed[np.searchsorted(case_ids, ids)] = np.fromiter(
        post_hours.values(), dtype=float, count=len(post_hours)
    )
    return staffed


def jobs_table(model: GridModel, release: bool = False) -> pd.DataFrame:
    """One row per execution of a job: the grid tier's work, a department's work
    or review, rework after a bounce-back, the feedback call; its station and tier, when it was
    queued, started and finished, by whom, and how it ended (done, to be done again, handed back;
    at the horizon, still waiting or in hand). A job done twice has two rows. Empty when the
    scenario's `output.jobs` is false. `release`: as `cases_table`'s."""
    jobs = model.metrics.jobs
    waiting, in_hand, n_unopened, unopened = [], [], 0, iter(())
    if model.scenario.output.jobs:
        waiting = [
            job
            for station in model.stations.all
            for queue in station.queues
            for *_, job in queue
            if job.__class__ is not Deferred
        ]
        in_hand = [s for s, _ in model.staff_records() if s.job_in_hand is not None]
        n_unopened, unopened = model.stations.unopened()  # their jobs wait too
    rows = itertools.chain(
        (job.record(-1, np.nan, WAITING) for job in waiting),
        (case.stages[0][0].record(-1, np.nan, WAITING) for case in unopened),
        (s.job_in_hand.record(s.index, np.nan, IN_HAND) for s in in_hand),
    )
    unfinished = _rows(rows, len(waiting) + n_unopened + len(in_hand), len(JOB_FIELDS))

    n_ended = len(jobs)
    keys = {  # the sort keys, once
        name: np.concatenate([jobs.column(name, release), unfinished[:, JOB_FIELDS.index(name)]])
        for name in ("queued_h", "case_id")
    }
    rows = rows_in_order(np.lexsort((keys["queued_h"], keys["case_id"])))

    def column(name: str, dtype: type) -> np.ndarray:
        """One field, each execution put at its row (by case, then by when it was queued)."""
        out = np.empty(len(rows), dtype)
        if name in keys:
            out[rows] = keys.pop(name)
        else:
            jobs.place(name, out, rows[:n_ended], release)
            out[rows[n_ended:]] = unfinished[:, JOB_FIELDS.index(name)]
        return out

    staff = sorted((s for s, _ in model.staff_records()), key=lambda s: s.index)
    frame = pd.DataFrame(
        {
            "case_id": column("case_id", np.int64),
            "category": pd.Categorical.from_codes(
                column("category", np.int64), [p.name for p in model.case_types]
            ),
            "station": pd.Categorical.from_codes(
                column("station", np.int64), [s.name for s in model.stations.all]
            ),
            "tier": pd.Categorical.from_codes(column("tier", np.int64), list(TIERS)),
            "purpose": pd.Categorical.from_codes(column("purpose", np.int64), list(PURPOSES)),
            "queued_h": column("queued_h", float),
            "started_h": column("started_h", float),
            "finished_h": column("finished_h", float),
            "staff_id": pd.Categorical.from_codes(
                column("staff", np.int64), [s.name for s in staff]
            ),
            "outcome": pd.Categorical.from_codes(column("outcome", np.int64), list(JOB_OUTCOMES)),
        },
        copy=False,
    )
    frame["wait_h"] = frame["started_h"] - frame["queued_h"]
    frame["duration_h"] = frame["finished_h"] - frame["started_h"]
    return frame


def timeseries_table(model: GridModel, release: bool = False) -> pd.DataFrame:
    """One row per tick and unit. Closed-loop cases (residents' requests and patrol finds, what
    the headline KPIs count): arrivals, completions, `backlog` at the tick's end (summed over the
    units at the last tick it is `backlog_end`), its time average `backlog_mean`, and
    `backlog_<category>` per closed-loop category; tasks: `open_<kind>` at the tick's end for
    each task kind the scenario has (incident, admin, revisit, warning); staff busy/idle/off;
    mode. Department units carry staff counts only (their case columns are NaN). Built a
    column at a time; `release`: the ticks' counters are let go once read (the model's last
    use)."""
    rows = model.metrics.rows
    units = model.timeseries_units
    if not rows:
        return pd.DataFrame()
    n_ticks, n_units = len(rows), len(units)
    n_case_units = rows[0][2].shape[0]

    def per_unit(values: list[np.ndarray]) -> np.ndarray:
        """One value per tick and case unit (ticks × case units) as a column of every unit,
        NaN for the units without cases."""
        column = np.full((n_ticks, n_units), np.nan)
        column[:, :n_case_units] = values
        return column.reshape(-1)

    def case_column(columns: list[int]) -> np.ndarray:
        """The sum of the counters' `columns` (of the ticks' case arrays), as a column."""
        return per_unit([row[2][:, columns].sum(axis=1) for row in rows])

    data = {
        "t_h": np.repeat([row[0] for row in rows], n_units),
        "unit": pd.Categorical.from_codes(np.tile(np.arange(n_units), n_ticks), units),
        "mode": pd.Categorical(np.repeat([row[1] for row in rows], n_units)),
    }
    for i, key in enumerate(("arrivals", "completions", "backlog", "backlog_mean")):
        data[key] = case_column([i])
    for case_type in model.case_types:
        if case_type.kind in CLOSED_LOOP_KINDS:
            data[f"backlog_{case_type.name}"] = case_column([4 + case_type.index])
    for kind in TASK_KINDS:
        columns = [4 + c.index for c in model.case_types if c.kind == kind]
        if columns:
            data[f"open_{kind}"] = case_column(columns)
    for key, state in (("busy", BUSY), ("idle", IDLE), ("off", OFF)):
        data[key] = np.concatenate([row[3][:, state] for row in rows])
    if release:
        rows.clear()
        give_back()
    return pd.DataFrame(data, copy=False)


def workers_table(model: GridModel) -> pd.DataFrame:
    """One row per member of staff — with attrition or a volunteer pool, per post, which
    several people may hold in turn: hours by activity, overtime, scheduled hours, when the
    member left for good (NaN: did not), cost (while the post is held); then, in runs with
    turnover, the post's leavers, hires, hours vacant and since when its holder at the end has
    held it (NaN: vacant at the end). Built a column at a time (a city has 100,000 members)."""
    turnover = bool(model.attrition or model.pools)
    bands = model.world.difficulty_bands()
    records = list(model.staff_records())
    staff_list = [staff for staff, _ in records]

    def column(value, dtype=None) -> np.ndarray | list:
        values = [value(staff) for staff in staff_list]
        return values if dtype is None else np.array(values, dtype=dtype)

    data = {
        "staff_id": column(lambda s: s.name),
        "role": column(lambda s: s.role),
        "kind": column(lambda s: s.kind),
        "unit": column(lambda s: s.unit_id),
        "difficulty_band": pd.Categorical(
            column(lambda s: bands[s.unit] if s.kind != "department" else None), BANDS
        ),
    }
    for activity in ACTIVITIES:
        data[f"{activity}_h"] = column(lambda s, a=activity: s.hours[a], float)
    data["field_h"] = data["visits_h"] + data["patrol_h"]
    data["overtime_h"] = column(lambda s: s.overtime, float)
    data["scheduled_h"] = column(lambda s: s.scheduled, float)
    data["shifts_missed"] = column(lambda s: s.shifts_missed, np.int64)
    data["errors"] = column(lambda s: s.errors, np.int64)
    data["left_h"] = column(lambda s: np.nan if s.left_at is None else s.left_at, float)
    data["jobs_done"] = column(lambda s: s.jobs_done, np.int64)
    data["cost_yuan"] = np.array(  # standby: paid when called
        [
            pay.cost(s.scheduled if s.member.standby else model.horizon - s.vacant_h, s.overtime)
            for s, pay in records
        ],
        dtype=float,
    )
    if turnover:
        data["leavers"] = column(lambda s: s.leavers, np.int64)
        data["hires"] = column(lambda s: s.hires, np.int64)
        data["vacant_h"] = column(lambda s: s.vacant_h, float)
        data["holder_since_h"] = column(lambda s: np.nan if s.vacant else s.hired_at, float)
    return pd.DataFrame(data)
