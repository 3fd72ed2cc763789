"""Cases and the jobs they are made of.

A case is created with everything random about it already drawn (work content at each tier,
escalation path, closing delays), so two staffing arms with the same seed handle the same cases.
Its itinerary is a list of stages; a stage is one job, or several jobs worked in parallel when
several departments must act together (the e-bike shed case).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from sim.vocabulary import CHANNELS

if TYPE_CHECKING:
    from sim.agents.staff import Staff

#: The eight-step closed loop (八步闭环, article #5): English column names and Chinese labels.
LOOP_STEPS: tuple[str, ...] = (
    "accepted",
    "dispatched",
    "tracked",
    "implemented",
    "feedback",
    "rated",
    "published",
    "archived",
)
ACCEPTED, DISPATCHED, TRACKED, IMPLEMENTED, FEEDBACK, RATED, PUBLISHED, ARCHIVED = range(8)

#: What a job is for: handling the case at its tier, a department's review before bouncing it
#: back (推诿), the tier below doing it again, the feedback call (结果反馈).
HANDLE, REVIEW, REWORK, FEEDBACK_CALL = "handle", "review", "rework", "feedback"
PURPOSES: tuple[str, ...] = (HANDLE, REVIEW, REWORK, FEEDBACK_CALL)
#: How one execution of a job ended: done; done but to be done again (a tired mistake, or a
#: first attempt at settling that failed); handed back unfinished (overtime limit); and, for the
#: jobs table at the horizon, still waiting in the queue or still in hand.
DONE, AGAIN, HANDED_BACK, WAITING, IN_HAND = "done", "again", "handed_back", "waiting", "in_hand"
JOB_OUTCOMES: tuple[str, ...] = (DONE, AGAIN, HANDED_BACK, WAITING, IN_HAND)

#: How a case or task stands: open; closed (done); unreached (a revisit that found nobody, given
#: up); lapsed (a duty post nobody was at when its shift ended: never taken, or handed back
#: and not taken again).
OPEN, CLOSED, UNREACHED, LAPSED = "open", "closed", "unreached", "lapsed"
STATUSES: tuple[str, ...] = (OPEN, CLOSED, UNREACHED, LAPSED)
_STATUS_CODE = {name: code for code, name in enumerate(STATUSES)}
_PURPOSE_CODE = {name: code for code, name in enumerate(PURPOSES)}
_OUTCOME_CODE = {name: code for code, name in enumerate(JOB_OUTCOMES)}
_CHANNEL_CODE = {name: code for code, name in enumerate(CHANNELS)}


class Job:
    """One piece of work for one station: `work` hours for a standard worker, plus `travel`."""

    __slots__ = (
        "case",
        "priority",
        "purpose",
        "queued",
        "skill",
        "started",
        "station",
        "tier",
        "travel",
        "work",
    )

    def __init__(
        self,
        case: Case,
        station,
        work: float,
        travel: float,
        purpose: str,
        tier: int,
        priority: int,
        skill: str,
    ) -> None:
        self.case = case
        self.station = station
        self.work = work
        self.travel = travel
        self.purpose = purpose
        self.tier = tier
        self.priority = priority
        self.skill = skill
        self.queued = math.nan  # when last submitted to its station
        self.started = math.nan  # when a member of staff last took it

    def record(self, staff: int, finished: float, outcome: str) -> tuple[float, ...]:
        """One execution of the job as a row of numbers (JOB_FIELDS; codes for the purpose and
        the outcome; staff -1 for nobody)."""
        return (
            self.case.id,
            self.case.category,
            self.station.index,
            _PURPOSE_CODE[self.purpose],
            self.tier,
            self.queued,
            self.started,
            finished,
            staff,
            _OUTCOME_CODE[outcome],
        )


class Case:
    """A case or task from creation to closure, with a timestamp per loop step (hours)."""

    __slots__ = (
        "activity",
        "attempts",
        "category",
        "channel",
        "created",
        "deadline",
        "delays",
        "feedback_stage",
        "found_by",
        "grid",
        "handler",
        "hardness",
        "household",
        "id",
        "pending",
        "post",
        "priority",
        "reopens",
        "resolve_stage",
        "source",
        "source_seq",
        "stage",
        "stages",
        "status",
        "steps",
        "tier_reached",
        "work",
    )

    def __init__(
        self,
        case_id: int,
        source: str,
        source_seq: int,
        category: int,
        grid: int,
        household: int,
        created: float,
        deadline: float,
        priority: int,
        activity: str,
    ) -> None:
        self.id = case_id
        self.source = source
        self.found_by = source
        self.source_seq = source_seq
        self.category = category
        self.grid = grid
        self.household = household
        self.created = created
        self.deadline = deadline
        self.priority = priority
        self.activity = activity
        self.steps = [math.nan] * 8
        self.stages: list[list[Job]] = []
        self.stage = 0
        self.pending = 0
        self.resolve_stage = 0
        self.delays = (0.0, 0.0, 0.0)
        self.tier_reached = 0
        self.handler: Staff | None = None
        self.status = OPEN
        self.attempts = 0
        self.work = 0.0  # grid-tier work content drawn at creation (hours, standard worker)
        self.hardness = 0.0  # uniform draw: how hard to settle (skills and specialists vs it)
        self.feedback_stage = False  # the last stage is the feedback call
        self.channel: str | None = None  # how a resident's request reached the grid (CHANNELS)
        self.reopens = -1  # id of the closed case whose need came back as this one (-1: none)
        self.post = False  # a duty post: staffed until its deadline, lapsing if nobody comes

    def settle_at_grid(self) -> None:
        """Drop the stages above the grid (keep the feedback call): resolved at the grid."""
        feedback = self.stages[-1:] if self.feedback_stage else []
        self.stages[1:] = feedback
        self.resolve_stage = 0

    def record(self, source_code: dict[str, int]) -> tuple[float, ...]:
        """The case as a row of numbers (RECORD_FIELDS; source and found_by by `source_code`,
        status, handler and channel as codes, −1 for none), holding no references to other
        objects."""
        return (
            self.id,
            source_code[self.source],
            source_code[self.found_by],
            self.source_seq,
            self.category,
            self.grid,
            self.household,
            self.priority,
            self.created,
            self.deadline,
            self.work,
            *self.steps,
            self.tier_reached,
            self.handler.index if self.handler else -1,
            _STATUS_CODE[self.status],
            self.attempts,
            _CHANNEL_CODE[self.channel] if self.channel else -1,
            self.reopens,
        )


#: Column names of `Case.record()`.
RECORD_FIELDS: tuple[str, ...] = (
    "case_id",
    "source",
    "found_by",
    "source_seq",
    "category",
    "grid",
    "household",
    "priority",
    "created_h",
    "deadline_h",
    "work_h",
    *(f"{step}_h" for step in LOOP_STEPS),
    "tier_reached",
    "handler",
    "status",
    "attempts",
    "channel",
    "reopens",
)

#: How each field of `Case.record()` is kept once a run has closed many cases (numpy dtypes):
#: codes and counts as small integers, times and work as float64 (a value that does not fit its
#: type keeps float64; see `sim.metrics.recorder.Columns`).
RECORD_TYPES: tuple[str, ...] = (
    "i8",  # case_id
    "i1",  # source
    "i1",  # found_by
    "i8",  # source_seq
    "i4",  # category
    "i4",  # grid
    "i4",  # household
    "i4",  # priority
    "f8",  # created_h
    "f8",  # deadline_h
    "f8",  # work_h
    *("f8" for _ in LOOP_STEPS),
    "i1",  # tier_reached
    "i4",  # handler
    "i1",  # status
    "i4",  # attempts
    "i1",  # channel
    "i8",  # reopens
)

#: Column names of `Job.record()`.
JOB_FIELDS: tuple[str, ...] = (
    "case_id",
    "category",
    "station",
    "purpose",
    "tier",
    "queued_h",
    "started_h",
    "finished_h",
    "staff",
    "outcome",
)

#: How each field of `Job.record()` is kept (as RECORD_TYPES).
JOB_TYPES: tuple[str, ...] = ("i8", "i4", "i4", "i1", "i1", "f8", "f8", "f8", "i4", "i1")
