"""Moving the model's memory into huge pages (`sim.memory.HugePages`): which ranges are asked
for, that a system which cannot stops being asked, and that a run's results do not change."""

import ctypes
import errno
import gc
import os
import weakref

import pandas as pd
import pytest

import sim
from sim import memory
from sim.memory import HUGE_PAGE, HugePages, anonymous_ranges, release_free_lists

MAPS = """\
55d0a0000000-55d0a0400000 rw-p 00000000 00:00 0                          [heap]
7f0000100000-7f0000a00000 rw-p 00000000 00:00 0
7f0000a00000-7f0000b00000 rw-p 00000000 00:00 0
7f0001000000-7f0001400000 rw-p 00001000 08:01 1234                       /usr/lib/libpython3.11.so
7f0002000000-7f0002400000 r-xp 00000000 00:00 0
7ffc00000000-7ffc00400000 rw-p 00000000 00:00 0                          [stack]
"""


def test_only_whole_huge_pages_of_anonymous_writable_memory_are_asked_for() -> None:
    assert anonymous_ranges(MAPS) == [
        (0x55D0A0000000, 0x55D0A0400000),  # the heap: two huge pages
        (0x7F0000200000, 0x7F0000A00000),  # rounded in to whole huge pages
    ]  # a mapping smaller than a huge page, files, code and the stack are left alone
    for start, end in anonymous_ranges(MAPS):
        assert start % HUGE_PAGE == 0 and end % HUGE_PAGE == 0


@pytest.mark.skipif(not os.path.exists("/proc/self/maps"), reason="needs Linux's /proc")
def test_a_system_that_cannot_is_asked_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []

    def unsupported(start: int, length: int, advice: int) -> int:
        calls.append((start, length, advice))
        ctypes.set_errno(errno.EINVAL)
        return -1

    monkeypatch.setattr(memory, "_madvise", lambda: unsupported)
    huge_pages = HugePages(start=0)
    huge_pages.able = True
    huge_pages.settle()
    huge_pages.settle()
    assert len(calls) == 1
    assert not huge_pages.able


def test_memory_settled_in_huge_pages_changes_no_result(monkeypatch: pytest.MonkeyPatch) -> None:
    scenario = sim.load_scenario("scenarios/baseline.yaml")
    apart = sim.run(scenario, seed=3, days=3)
    monkeypatch.setattr(memory, "HUGE_PAGES_FROM", 0)  # settle at every day's end
    settled = sim.run(scenario, seed=3, days=3)
    pd.testing.assert_frame_equal(apart.cases, settled.cases)
    pd.testing.assert_frame_equal(apart.jobs, settled.jobs)
    assert apart.summary == settled.summary


def test_emptying_the_free_lists_collects_nothing_and_sets_nothing_aside() -> None:
    """`release_free_lists` runs a full collection with every object set aside: garbage in a
    reference cycle is left for the next collection, and every object is put back."""

    class Node:
        pass

    node = Node()
    node.self = node
    ref = weakref.ref(node)
    del node
    release_free_lists()
    assert gc.get_freeze_count() == 0
    assert ref() is not None
    gc.collect()
    assert ref() is None


def test_objects_set_aside_by_others_stay_aside() -> None:
    """Where something else has frozen objects (`gc.freeze`), emptying the free lists would put
    them back too: it does nothing."""
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        release_free_lists()
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()
