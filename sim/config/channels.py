"""Where residents take their needs (article #3, A65: "不如找物业或打市民热线方便"): the grid
worker, the city's 12345 hotline or the property company (物业), chosen by a multinomial logit;
whether they report at all; and how each household's experience (its satisfaction with each
channel) changes both. Absent from a scenario, every resident request goes to the grid worker."""

from __future__ import annotations

from pydantic import Field, model_validator

from sim.config.base import StrictModel, sourced
from sim.config.distributions import Distribution
from sim.config.teams import Shift
from sim.config.units import Duration, Probability, Rate
from sim.vocabulary import DESKS, WEEKDAYS


def round_the_clock() -> Shift:
    """Open every hour of every day."""
    return Shift(start=0.0, end=0.0, days=list(WEEKDAYS))


class GridChannel(StrictModel):
    """Going to the grid worker directly (the path of every request without channels)."""

    enabled: bool = True
    base: float = sourced(0.0, "assumption: the reference channel", "Utility of the channel.")
    unreachable: float = sourced(
        -1.5,
        "docs/sources.md A65: residents cannot find community staff whose hours are theirs; "
        "the size is an assumption",
        "Added to the utility when no member serving the grid is on duty at that moment.",
    )


class Desk(StrictModel):
    """A desk residents call (12345, the property company's service line): `agents` answering
    at once, room for `capacity` calls in all (waiting and in service), open on `hours`. A call
    that finds it full or closed is blocked (M/M/c/K with balking when talk is exponential,
    docs/sources.md Q3). A call answered is settled there with probability `settle`, else
    forwarded to the grid as a work order (工单) after `forward_delay`. `background` calls from
    outside the modelled area keep its agents busy too."""

    enabled: bool = True
    base: float = sourced(-0.5, "assumption", "Utility of the channel.")
    closed: float = sourced(
        -3.0,
        "assumption: most residents know when a desk is closed",
        "Added to the utility while the desk is closed (callers who still try are blocked).",
    )
    agents: int = sourced(2, "assumption (see scenarios/channels.yaml)", "Agents answering.", ge=0)
    capacity: int = sourced(
        4, "assumption", "Calls the desk holds at once, waiting and in service (K).", ge=1
    )
    hours: Shift = sourced(round_the_clock, "assumption", "When the desk is open.")
    talk: Distribution = sourced(
        lambda: {"dist": "exponential", "mean": 150 / 3600},
        "docs/sources.md P4: Changzhou 12345, mean talk 150 s",
        "Talk time of a call.",
    )
    settle: Probability = sourced(
        0.585,
        "docs/sources.md P3: Beijing 12345, 58.5 % of contacts are inquiries, 41.5 % requests",
        "Share of answered calls settled at the desk (the rest become work orders).",
    )
    forward_delay: Distribution = sourced(
        lambda: {"dist": "exponential", "mean": 2.0},
        "assumption",
        "From the end of the call until the work order reaches the grid (派单).",
    )
    background: Rate = sourced(
        0.0, "assumption", "Calls an hour from outside the modelled area (Poisson)."
    )

    @property
    def offered(self) -> bool:
        """Whether residents can choose this desk at all (enabled, with agents)."""
        return self.enabled and self.agents > 0

    @model_validator(mode="after")
    def _room_for_agents(self) -> Desk:
        if self.capacity < self.agents:
            raise ValueError("capacity (calls held at once) must be at least the agents")
        return self


class Reporting(StrictModel):
    """Whether a need is reported at all: P(report) = logistic(logit(base) + weight·(S − S0)),
    S the household's mean satisfaction over the channels offered to it, S0 the initial one."""

    base: Probability = sourced(
        0.9,
        "assumption; residents under-report (docs/sources.md P21)",
        "P(a need is reported) for a household at the initial satisfaction.",
    )
    weight: float = sourced(
        2.0, "assumption", "Change in the log-odds of reporting per unit of satisfaction."
    )


class Satisfaction(StrictModel):
    """A household's satisfaction with each channel, in [0, 1]: its ratings (打分评价)
    smoothed exponentially, S ← S + smoothing·(rating − S), from `initial`. A rating is
    (1 if the result came back by the deadline, else `late`) / (1 + hours / patience), hours
    from the need to the result (结果反馈) or to the end of a call settled at a desk; `blocked`
    when a desk was full or closed."""

    initial: Probability = sourced(0.7, "assumption", "Satisfaction before any experience (S0).")
    smoothing: Probability = sourced(0.3, "assumption", "Weight of the newest rating.")
    patience: Duration = sourced(48.0, "assumption", "Hours after which a rating is halved.", gt=0)
    late: Probability = sourced(0.5, "assumption", "Factor of a rating given after the deadline.")
    blocked: Probability = sourced(0.0, "assumption", "Rating of a desk that blocked the call.")
    weight: float = sourced(
        2.0, "assumption", "Utility of a channel per unit of satisfaction above S0."
    )


class Channels(StrictModel):
    """Channels residents take their needs to: the grid worker (`grid`), the 12345 hotline and
    the property company (物业); a blocked caller tries the next channel with probability
    `persist`, else gives up."""

    grid: GridChannel = Field(default_factory=GridChannel)
    hotline: Desk | None = None
    property: Desk | None = None
    persist: Probability = sourced(
        0.5,
        "assumption; the gas-leak caller of docs/sources.md A74 tried one busy line after another",
        "P(a blocked caller tries the next channel they prefer).",
    )
    reporting: Reporting = Field(default_factory=Reporting)
    satisfaction: Satisfaction = Field(default_factory=Satisfaction)

    def desks(self) -> dict[str, Desk]:
        """The desks residents can choose, by name."""
        found = {name: getattr(self, name) for name in DESKS}
        return {name: desk for name, desk in found.items() if desk is not None and desk.offered}

    @model_validator(mode="after")
    def _somewhere_to_go(self) -> Channels:
        if not self.grid.enabled and not self.desks():
            raise ValueError("no channel is open: enable the grid or give a desk agents")
        return self


class Recurrence(StrictModel):
    """A need that comes back after its case closed (article #5, A69: after the e-bike shed,
    the 15 grid workers watch for new private wiring): with probability `p`, a new case of the
    same category, household and grid, `after` the closure."""

    p: Probability = Field(description="P(the need recurs after its case closed).")
    after: Distribution = Field(description="From the closure to the recurrence.")

    @model_validator(mode="after")
    def _not_certain(self) -> Recurrence:
        if self.p >= 1:
            raise ValueError("p must be below 1 (a need that always recurs never ends)")
        return self
