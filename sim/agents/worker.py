"""Grid-side staff as Mesa agents: the full-time grid worker (the "1" of "1+6+N"), department
specialists serving several grids (the "6"), part-time members (the "N") and volunteers. They
differ by their team's settings (sim.staffing), not by code: the work loop is sim.agents.staff."""

from __future__ import annotations

import mesa
import numpy as np

from sim.agents.staff import Member, Staff, Workplace


class Worker(mesa.Agent):
    """A member of a grid-side team, working through a `Staff` process numbered `index`."""

    def __init__(
        self,
        model: mesa.Model,
        member: Member,
        workplace: Workplace,
        index: int,
        rng: np.random.Generator,
    ) -> None:
        super().__init__(model)
        self.member = member
        self.pay = member.pay
        self.staff = Staff(workplace, index, member, rng)


class GridWorker(Worker):
    """Full-time grid worker (专职网格员): serves their grid, patrols when idle."""


class Specialist(Worker):
    """Professional member from a functional department (专业网格员), serving several grids."""


class PartTimeMember(Worker):
    """Part-time member (兼职网格员): property staff, party members in service, building heads."""


class Volunteer(Worker):
    """Volunteer (志愿者): may miss shifts and drop out when left idle."""


AGENT_OF_KIND: dict[str, type[Worker]] = {
    "full_time": GridWorker,
    "specialist": Specialist,
    "part_time": PartTimeMember,
    "volunteer": Volunteer,
}
