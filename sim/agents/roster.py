"""Shifts shared by many members of staff: one SimPy process per list of shifts brings every
member on it on and off duty, instead of one process per member.

The members of a team share one list of shifts (a team's pattern; a department's office
hours). Each member goes through each shift as on their own — no-shows, a routine early start,
a routine late finish and an emergency plan's extension are theirs — but the moments they share
cost one event for all of them. Members who stay late wait in groups of the same stay; a group
whose stay runs into the next shift goes through the shifts it overran on its own, then falls
back in step."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

import simpy

if TYPE_CHECKING:
    from sim.calendar import Block


class OnRoster(Protocol):
    """What a roster needs of a member of staff (`sim.agents.staff.Staff`)."""

    in_step: bool  # taken through the shifts with the others
    left_at: float | None  # when they left for good, if they did

    def begin_block(self, block: Block) -> None: ...

    def came_early(self, came: float) -> None: ...

    def stay_after(self, block: Block) -> float: ...

    def stayed(self, late: float) -> None: ...

    def end_block(self) -> None: ...


class Roster:
    """The members of staff who share one list of shifts (`blocks`, in time order), and the
    process that takes them through it. Members join before the run starts."""

    __slots__ = ("blocks", "env", "members")

    def __init__(self, env: simpy.Environment, blocks: list[Block]) -> None:
        self.env = env
        self.blocks = blocks
        self.members: list[OnRoster] = []
        env.process(self._through(0, None))

    def join(self, staff: OnRoster) -> None:
        """Take `staff` through the shifts with the others, in the order they joined."""
        staff.in_step = True
        self.members.append(staff)

    def _present(self, group: list[OnRoster] | None) -> list[OnRoster]:
        """Who goes through the shift now: `group`, or (None) every member in step; members
        who left for good drop out."""
        if group is None:
            self.members = [staff for staff in self.members if staff.left_at is None]
            return [staff for staff in self.members if staff.in_step]
        return [staff for staff in group if staff.left_at is None]

    def _through(self, index: int, group: list[OnRoster] | None):
        """Take `group` (None: the members in step) through the shifts from `index`. A group
        back from a late stay goes on only through shifts already due, then falls back in step."""
        env, blocks = self.env, self.blocks
        for number in range(index, len(blocks)):
            block = blocks[number]
            on = block.start - block.early
            if on > env.now:
                if group is not None:
                    for staff in group:
                        staff.in_step = True
                    return
                if not self.members:
                    return
                yield env.timeout(on - env.now)
            present = self._present(group)
            for staff in present:
                staff.begin_block(block)
            if block.start > env.now:  # routinely in before the official start
                came = env.now
                yield env.timeout(block.start - came)
                for staff in present:
                    staff.came_early(came)
            if block.end > env.now:  # (a stay may have run past the whole stretch)
                yield env.timeout(block.end - env.now)
            stays: dict[float, list[OnRoster]] = {}
            going_on: list[OnRoster] = []
            for staff in present:
                late = staff.stay_after(block)
                if late > 0:
                    staff.in_step = False
                    stays.setdefault(late, []).append(staff)
                else:
                    staff.end_block()
                    going_on.append(staff)
            for late, stayed in stays.items():
                env.process(self._stay(late, stayed, number + 1))
            if group is not None:
                group = going_on
                if not group:
                    return

    def _stay(self, late: float, group: list[OnRoster], index: int):
        """`group` stays `late` hours past a shift's end, then goes on from shift `index`."""
        yield self.env.timeout(late)
        for staff in group:
            staff.stayed(late)
        yield from self._through(index, group)


class Rosters:
    """One `Roster` per list of shifts, found by the list itself (members share the list)."""

    __slots__ = ("_by_list",)

    def __init__(self) -> None:
        self._by_list: dict[int, Roster] = {}

    def join(self, env: simpy.Environment, staff: OnRoster, blocks: list[Block]) -> None:
        """Take `staff` through `blocks` with every other member on the same list."""
        roster = self._by_list.get(id(blocks))  # the roster keeps the list, so its id stays
        if roster is None:
            roster = self._by_list[id(blocks)] = Roster(env, blocks)
        roster.join(staff)
