"""The first hours of an incident (article #2, #4; docs/sources.md A73): from onset the
responder detects it (察觉), assesses it (研判), then reports it (报告) and gives first response on
the spot (先期处置) side by side; the report goes up grid → community → street → district → city,
hop by hop, and each plan waiting for it (`{incident: …, reported_to: TIER}`) fires when it
reaches that tier.

Each step's time is drawn at a standard worker's pace and divided by the responder's work rate
for the step's skill; it is wrong with a probability that the responder's success at the skill
raises, and a wrong step is put right once after a redo delay. Drills held beforehand multiply
every delay and error probability by their factors.

The whole course is drawn when the run starts, from streams of its own (`response/<incident>/
<step>`), a fixed number of draws per step (the delay, whether it is wrong, the redo): two arms
with the same seed see the same first hours, and more drills can only shorten them. Every
milestone goes to the event log under the incident's name."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sim.vocabulary import TIERS

if TYPE_CHECKING:
    import simpy

    from sim.agents.staff import Member
    from sim.config.incidents import Incident, Step
    from sim.rng import Streams

#: The event each step logs when it is done.
DONE = {
    "detect": "detected",
    "assess": "assessed",
    "report": "reported",
    "first_response": "first_response_done",
}
#: The end of a step's detail when the step was wrong and redone.
REDONE = "redone"
#: The event logged when the report reaches a tier (its detail: the tier).
REACHED = "report_reached"
#: The event logged at onset (its detail: who responds).
ONSET = "onset"


@dataclass(frozen=True)
class Milestone:
    """One moment of the first hours: `at` hours from the start of the run, the event logged,
    its detail, and the tier the report reaches (None for the steps)."""

    at: float
    event: str
    detail: str
    tier: str | None = None


def responder(members: list[Member], grid: int) -> Member:
    """Who responds: the member posted at `grid` (the first grid of the area), or, when none
    is, the team's first member."""
    return next((m for m in members if m.unit == grid), members[0])


def step_time(
    step: Step, member: Member, rng: np.random.Generator, delays: float, errors: float
) -> tuple[float, bool]:
    """(hours the step takes, whether it was wrong): drawn at a standard worker's pace, divided
    by `member`'s rate for the skill, times the drills' `delays`; wrong with probability
    (1 − (1 − error)·success)·`errors`, and then redone once."""
    rate = member.rates[step.skill]
    wrong_p = (1.0 - (1.0 - step.error) * member.success.get(step.skill, 1.0)) * errors
    first = float(step.delay.sample(rng, 1)[0])
    wrong = bool(rng.random() < wrong_p)
    redo = float((step.redo or step.delay).sample(rng, 1)[0])
    return (first + redo * wrong) * delays / rate, wrong


def first_hours(name: str, incident: Incident, member: Member, streams: Streams) -> list[Milestone]:
    """The milestones of incident `name`'s first hours, in time order: detect from onset,
    assess after it, then report and first response both from the assessment, and the report
    reaching each tier after its hop."""
    response = incident.response
    delays, errors = incident.drilled("delay"), incident.drilled("error")
    out = [Milestone(incident.onset, ONSET, f"responder {member.name}")]

    def do(step_name: str, start: float) -> float:
        step = getattr(response, step_name)
        rng = streams.get(f"response/{name}/{step_name}")
        hours, wrong = step_time(step, member, rng, delays, errors)
        detail = f"{step.skill} ×{member.rates[step.skill]:g}" + (f", {REDONE}" if wrong else "")
        out.append(Milestone(start + hours, DONE[step_name], detail))
        return start + hours

    assessed = do("assess", do("detect", incident.onset))
    at = do("report", assessed)
    if response.first_response is not None:
        do("first_response", assessed)
    rng = streams.get(f"response/{name}/hops")
    for tier in TIERS[1:]:
        at += float(getattr(response.hops, tier).sample(rng, 1)[0]) * delays
        out.append(Milestone(at, REACHED, tier, tier))
    return sorted(out, key=lambda m: m.at)


def start_responses(
    incidents: dict[str, Incident],
    members: dict[str, list[Member]],
    first_grids: dict[str, int],
    streams: Streams,
    env: simpy.Environment,
    log: Callable[[str, str, str], None],
    on_report: Callable[[str, str], None],
) -> None:
    """Draw the first hours of every incident that has a response and schedule them: each
    milestone is logged at its time, and `on_report(incident, tier)` is called when the report
    reaches a tier."""
    for name, incident in incidents.items():
        if incident.response is None:
            continue
        member = responder(members[incident.response.team], first_grids[name])
        for milestone in first_hours(name, incident, member, streams):
            env.timeout(milestone.at - env.now).callbacks.append(
                lambda _, m=milestone, name=name: _reach(name, m, log, on_report)
            )


def _reach(
    name: str,
    milestone: Milestone,
    log: Callable[[str, str, str], None],
    on_report: Callable[[str, str], None],
) -> None:
    log(name, milestone.event, milestone.detail)
    if milestone.tier is not None:
        on_report(name, milestone.tier)
