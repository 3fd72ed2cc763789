"""Strengths and areas for improvement of a played drill (the evaluation, 评估, of an exercise:
docs/sources.md P90, P91), as plain sentences written from its numbers: each objective met or
missed, with its value against its threshold and deadline, what the plan alone would have done
on the same seed and how often each arm meets it on other seeds; each inject's expected decision
against the time it was taken; every decision refused."""

from __future__ import annotations

from dataclasses import dataclass

from sim.drill.labels import clock_text, duration_text, named, value_text
from sim.drill.objectives import MET, MISSED, BacklogBelow, Done, LongestWait, Measure, OnTime
from sim.drill.spec import Drill
from sim.drill.whatif import Share
from sim.sweep.compare import PairedDifference

#: An objective met in the drill but in fewer of the replays than this share is not counted a
#: strength (a convention of the report: met more often than not; docs/sources.md §5).
ROBUST_SHARE = 0.5


@dataclass(frozen=True)
class Finding:
    """One finding: what it is about (an objective, an inject, a decision), a short outcome,
    the sentence, and whether it is a strength."""

    subject: str
    outcome: str
    text: str
    strength: bool


def standard(measure: Measure) -> str:
    """What an objective's measure asks, in words."""
    if isinstance(measure, Done):
        where = f" in {', '.join(measure.grids)}" if measure.grids else ""
        return f"{100 * measure.at_least:.0f} % of the {measure.done} tasks{where} done"
    if isinstance(measure, LongestWait):
        which = f"{' or '.join(measure.categories)} " if measure.categories else ""
        return f"no {which}case waiting over {duration_text(measure.longest_wait)} to be started"
    if isinstance(measure, OnTime):
        due = f"within {duration_text(measure.within)}" if measure.within else "by their deadlines"
        return f"{100 * measure.at_least:.0f} % of the {measure.on_time} tasks done {due}"
    if isinstance(measure, BacklogBelow):
        return f"fewer than {measure.backlog_below} closed-loop cases open"
    raise TypeError(f"no words for the measure {type(measure).__name__}")


def threshold(measure: Measure) -> tuple[float, str]:
    """An objective's threshold and its unit (share, h or cases)."""
    if isinstance(measure, Done | OnTime):
        return measure.at_least, "share"
    if isinstance(measure, LongestWait):
        return measure.longest_wait, "h"
    if isinstance(measure, BacklogBelow):
        return float(measure.backlog_below), "cases"
    raise TypeError(f"no threshold for the measure {type(measure).__name__}")


def achieved(measure: Measure, value: float | None) -> str:
    """An objective's value, in words."""
    if value is None:
        return "nothing to measure"
    if isinstance(measure, Done):
        return f"{value_text(value, 'share')} done"
    if isinstance(measure, LongestWait):
        return f"the longest wait {duration_text(value)}"
    if isinstance(measure, OnTime):
        return f"{value_text(value, 'share')} on time"
    return value_text(value, "cases") + " open"


def _when(status: str, objective: dict) -> str:
    if status == MET:
        met_at, by = objective["met_at_h"], objective["by_h"]
        early = f", {duration_text(by - met_at)} before the deadline" if by - met_at > 1e-9 else ""
        return f"met at {clock_text(met_at)}{early}"
    missed_at, by = objective["missed_at_h"], objective["by_h"]
    if missed_at is not None and by - missed_at > 1e-9:
        early = duration_text(by - missed_at)
        return f"missed at {clock_text(missed_at)}, {early} before the deadline"
    return f"missed at the deadline {clock_text(by)}"


def _against_plan(measure: Measure, team: dict, plan: dict) -> str:
    told = f"With the plan alone: {achieved(measure, plan['value'])}, {plan['status']}."
    if team["status"] == MET and plan["status"] == MISSED:
        return f"{told} The team's decisions made the difference."
    if team["status"] == MISSED and plan["status"] == MET:
        return f"{told} The plan alone would have met it: the decisions cost it."
    ours, theirs = achieved(measure, team["value"]), achieved(measure, plan["value"])
    if ours == theirs:
        return f"{told} The decisions changed nothing here."
    return f"{told} The outcome is the same; the decisions moved it from {theirs} to {ours}."


def _share_text(share: Share) -> str:
    low, high = share.interval
    return (
        f"{share.met} of {share.n} ({100 * share.share:.0f} %, 95 % CI "
        f"{100 * low:.0f}–{100 * high:.0f} %)"
    )


def objective_findings(
    drill: Drill,
    played: dict[str, dict],
    plan: dict[str, dict] | None = None,
    shares: dict[str, dict[str, Share]] | None = None,
    differences: dict[str, PairedDifference] | None = None,
) -> list[Finding]:
    """A finding per objective from its reading as played (`objectives.json`), with the plan
    alone's on the same seed (`plan`), how often each arm met it on other seeds (`shares`: by
    arm, then objective) and its mean value there in each arm (`differences`). Met (and,
    with replays, met in at least ROBUST_SHARE of them): a strength; otherwise an area for
    improvement."""
    findings = []
    for name, objective in played.items():
        measure = drill.objectives[name].measure
        status = objective["status"]
        text = (
            f"{_when(status, objective)}: {achieved(measure, objective['value'])}, against "
            f"{standard(measure)} (deadline {clock_text(objective['by_h'])})."
        )
        if plan is not None:
            text += " " + _against_plan(measure, objective, plan[name])
        strong = status == MET
        if shares:
            team, alone = shares["team"][name], shares["plan alone"][name]
            text += (
                f" Replayed on {team.n} other seeds, the team's decisions meet it in "
                f"{_share_text(team)}, the plan alone in {_share_text(alone)}."
            )
            strong = strong and team.share >= ROBUST_SHARE
        if differences and name in differences:
            paired = differences[name]
            text += (
                f" On average over those seeds: {achieved(measure, paired.mean_b)} with the "
                f"team's decisions, {achieved(measure, paired.mean_a)} with the plan alone."
            )
        subject = named(name, drill.objectives[name].label_zh)
        findings.append(Finding(subject, status, text, strong))
    return findings


def _expected(drill: Drill, inject: str, expects: str) -> str:
    listed = drill.injects.get(inject)
    if listed is not None and listed.expects is not None and listed.expects.plan is not None:
        return f"firing the plan {expects}"
    return f"a {expects} decision"


def expectation_findings(drill: Drill, expectations: list[dict]) -> list[Finding]:
    """A finding per inject that expected a decision (`expectations.json`): taken in time, a
    strength; late, not taken or not due by the end, an area for improvement."""
    findings = []
    for expectation in expectations:
        name, outcome = expectation["inject"], expectation["outcome"]
        fired, due, taken = expectation["fired_h"], expectation["due_h"], expectation["taken_h"]
        listed = drill.injects.get(name)
        subject = named(name, listed.label_zh if listed is not None else "")
        asked = (
            f"fired at {clock_text(fired)}, it asked for "
            f"{_expected(drill, name, expectation['expects'])} within "
            f"{duration_text(due - fired)}, by {clock_text(due)}"
        )
        if outcome == "in time":
            spare = f", {duration_text(due - taken)} to spare" if due - taken > 1e-9 else ""
            after = duration_text(taken - fired) if taken > fired else "at once"
            text = f"{asked}; taken at {clock_text(taken)} ({after}){spare}."
        elif outcome == "late":
            text = f"{asked}; taken at {clock_text(taken)}, {duration_text(taken - due)} late."
        elif outcome == "not taken":
            text = f"{asked}; not taken."
        else:
            text = f"{asked}, after the drill ended; not taken before the end."
        findings.append(Finding(subject, outcome, text, outcome == "in time"))
    return findings


def refusal_findings(log: list[dict]) -> list[Finding]:
    """An area for improvement per decision refused (the drill log)."""
    return [
        Finding(
            entry["role"],
            "refused",
            f"at {clock_text(entry['sim_h'])}, {entry['what']}: refused ({entry['detail']}).",
            False,
        )
        for entry in log
        if entry["kind"] == "decision" and entry["outcome"] == "refused"
    ]
