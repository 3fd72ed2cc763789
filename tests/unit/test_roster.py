"""Members who share a list of shifts are taken through it by one process, each as on their own.

The reference is one member alone, written out plainly: on duty from `early` hours before each
stretch's start (or from the end of the last stay, if that is later), off after the stretch's
end plus its routine `late` hours plus, after a shift's last stretch, the emergency plan's
extension. Hours before the official start and after its end are overtime; the official hours
from the moment on duty are scheduled. Stays long enough to run into, or past, the next stretch
are part of what is drawn.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from sim.agents.staff import Member, Staff, Workplace
from sim.calendar import Block
from sim.engine import Environment


class CountingEnvironment(Environment):
    """The engine's environment, counting the timeouts asked of it."""

    def __init__(self) -> None:
        super().__init__()
        self.timeouts = 0

    def timeout(self, delay: float = 0, value=None):
        self.timeouts += 1
        return super().timeout(delay, value)


def alone(blocks: list[Block], extension: float) -> tuple[float, float]:
    """(scheduled, overtime) hours of one member alone on `blocks`, with nothing to do."""
    now = scheduled = overtime = 0.0
    for block in blocks:
        now = max(now, block.start - block.early)
        scheduled += max(0.0, block.end - max(block.start, now))
        overtime += max(0.0, block.start - now)
        now = max(now, block.end)
        late = block.late + (extension if block.last else 0.0)
        overtime += late
        now += late
    return scheduled, overtime


@st.composite
def shifts(draw) -> list[Block]:
    """Shifts one after another, each of one stretch or two (a break between them), with
    routine early and late hours; the gaps between shifts from half an hour to 16 hours."""
    blocks = []
    start = draw(st.sampled_from([0.0, 6.0, 20.0]))
    for _ in range(draw(st.integers(1, 4))):
        length = draw(st.sampled_from([2.0, 4.0, 8.0, 12.0]))
        early = draw(st.sampled_from([0.0, 0.5, 1.0]))
        late = draw(st.sampled_from([0.0, 0.5, 3.0]))
        if draw(st.booleans()):  # a break splits the shift
            blocks.append(Block(start, start + length / 2, early=early, last=False))
            start += length / 2 + draw(st.sampled_from([0.5, 1.0]))
            blocks.append(Block(start, start + length / 2, late=late, first=False))
        else:
            blocks.append(Block(start, start + length, early=early, late=late))
        start = blocks[-1].end + draw(st.sampled_from([0.5, 4.0, 12.0, 16.0]))
    return blocks


def staff_on(env: Environment, blocks: list[Block], extensions: list[float]) -> list[Staff]:
    """Members with nothing to do, all on `blocks`, kept on `extensions` hours past each shift."""
    workplace = Workplace(env, None, bytearray(len(extensions)), lambda *_: None, 1e9)
    members = []
    for index, extension in enumerate(extensions):
        member = Member(
            role="team",
            kind="full_time",
            name=f"m{index}",
            unit=0,
            unit_id="g",
            stations=[],
            shifts=blocks,
            takes=[],
            field_takes=[],
            rates={},
            category_rates=[],
            resolves=[],
        )
        staff = Staff(workplace, index, member)
        staff.extension = extension
        members.append(staff)
    return members


@settings(max_examples=150, deadline=None)
@given(
    blocks=shifts(),
    extensions=st.lists(st.sampled_from([0.0, 1.5, 7.0, 30.0]), min_size=1, max_size=5),
)
def test_each_member_on_a_shared_roster_works_the_hours_they_would_alone(blocks, extensions):
    env = Environment()
    members = staff_on(env, blocks, extensions)
    horizon = blocks[-1].end + 3.0 + 30.0 * len(blocks) + 1.0  # after every stay has ended
    env.run(until=horizon)
    for staff, extension in zip(members, extensions, strict=True):
        staff.flush()
        scheduled, overtime = alone(blocks, extension)
        assert abs(staff.scheduled - scheduled) < 1e-9
        assert abs(staff.overtime - overtime) < 1e-9
        assert abs(staff.hours["off"] - (horizon - scheduled - overtime)) < 1e-9
        assert not staff.on_duty


def test_the_roster_costs_the_same_events_for_one_member_or_many():
    blocks = [Block(24.0 * day + 8.0, 24.0 * day + 16.0, early=0.5) for day in range(7)]
    timeouts = []
    for n in (1, 50):
        env = CountingEnvironment()
        staff_on(env, blocks, [0.0] * n)
        env.run(until=24.0 * 7)
        timeouts.append(env.timeouts)
    assert timeouts[0] == timeouts[1] == 3 * len(blocks)
