"""What the work is: the categories of cases and tasks, the steps by which a case goes up the
tiers, and the closed loop (八步闭环) after handling."""

from __future__ import annotations

from pydantic import Field, model_validator

from sim.config.base import StrictModel, sourced
from sim.config.channels import Recurrence
from sim.config.distributions import Distribution, Fixed
from sim.config.units import Duration, Probability
from sim.vocabulary import CLOSED_LOOP_KINDS, TIERS, CategoryKind, Skill, UpperTier

#: No time at all (a fixed zero duration).
ZERO = Fixed(dist="fixed", value=0.0)


class EscalationStep(StrictModel):
    """One tier above the grid that a case may need (事项上报): reached with probability `p`
    given the previous step was reached. All listed departments work on it in parallel."""

    tier: UpperTier
    departments: list[str] = Field(min_length=1, description="Department ids, all required.")
    p: Probability = Field(description="P(case needs this tier | it reached the tier below).")
    work: Distribution | None = Field(
        None, description="Work content per department; default: the department's own."
    )
    bounce_back: Probability = sourced(
        0.0,
        "assumption; buck-passing (推诿) happens (docs/sources.md A72), how often is not given",
        "P(bounced back once).",
    )


class Verification(StrictModel):
    """How a category's result is reported back (结果反馈) when it differs from the loop's
    call: e.g. a check at the home (入户核实) or on site, with the walk there."""

    work: Distribution = Field(description="Work content of the check (standard worker).")
    travel: Distribution = Field(ZERO, description="Travel to the household or the site.")
    skill: Skill = "field"


class OnlineFirst(StrictModel):
    """A first attempt online, in the residents' WeChat group, before going to the door: a
    dispute "先是在群里协调,随后又上门调解" (article #2, docs/sources.md A55). The grid worker's
    first job is the online attempt (no travel); when it fails, the visit at the door (the
    category's work and travel) follows, and only then may the case go up the tiers."""

    work: Distribution = Field(description="Work content of the online attempt (standard worker).")
    success: Probability = Field(description="P(the online attempt settles the case).")


class Category(StrictModel):
    """A kind of case or task, with its work content, priority, deadline and escalation."""

    label_zh: str = ""
    kind: CategoryKind = Field(
        "request",
        description="request (residents' requests), patrol (issues patrols find), admin "
        "(top-down forms), revisit, warning (monitoring), incident (an incident's tasks).",
    )
    skill: Skill = "general"
    work: Distribution = Field(description="Work content at the grid tier (standard worker).")
    travel: Distribution = Field(ZERO, description="Travel time added to the grid-tier job.")
    priority: int = Field(2, ge=1, le=9, description="1 is most urgent.")
    deadline: Duration = Field(72.0, gt=0, description="Time allowed from creation to closure.")
    escalation: list[EscalationStep] = Field(default_factory=list)
    loop: bool = Field(True, description="Goes through the eight-step closed loop (八步闭环).")
    feedback: Verification | None = Field(
        None, description="Its 结果反馈 when not loop.feedback's call: a check at the home."
    )
    online_first: OnlineFirst | None = Field(
        None, description="Try online first (WeChat group), then at the door if that fails."
    )
    recurrence: Recurrence | None = Field(
        None, description="The need may come back after closure: a new case (closed loop only)."
    )

    @model_validator(mode="after")
    def _tiers_ascend(self) -> Category:
        order = [TIERS.index(step.tier) for step in self.escalation]
        if order != sorted(set(order)):
            raise ValueError("escalation tiers must be distinct and ascend community→city")
        if self.recurrence is not None and self.kind not in CLOSED_LOOP_KINDS:
            raise ValueError("only residents' requests and patrol finds may recur")
        return self


class Feedback(StrictModel):
    """Who does 结果反馈: the grid worker (`grid`), a department id, or nobody (`none`)."""

    handler: str = sourced(
        "grid", "docs/sources.md A70: 结果反馈, the grid worker reports back to the resident", ""
    )
    work: Distribution = sourced(lambda: {"dist": "fixed", "value": 0.1}, "assumption: 6 min", "")
    priority: int = Field(2, ge=1, le=9)


class Loop(StrictModel):
    """The eight-step closed loop (八步闭环, article #5): the steps after handling."""

    feedback: Feedback = Field(default_factory=Feedback)
    rating_delay: Distribution = sourced(
        lambda: {"dist": "exponential", "mean": 12.0}, "assumption", "Until the resident rates."
    )
    publicity_delay: Distribution = sourced(
        lambda: {"dist": "fixed", "value": 0.0}, "assumption", "Until the result is public."
    )
    archive_delay: Distribution = sourced(
        lambda: {"dist": "fixed", "value": 0.0}, "assumption", "Until the case is archived."
    )
