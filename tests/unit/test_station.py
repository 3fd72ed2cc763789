"""A station hands out jobs in (priority, arrival) order within a category, whatever order the
priorities arrive in: the same order as one heap of every waiting job of the category."""

from heapq import heappop, heappush
from itertools import count

from hypothesis import given, settings
from hypothesis import strategies as st

from sim.engine import Environment
from sim.work.station import Station


class _Case:
    def __init__(self, category: int) -> None:
        self.category = category


class _Job:
    def __init__(self, category: int, priority: int) -> None:
        self.case = _Case(category)
        self.priority = priority


#: A program: submit a job (category, priority), or take the best job of a category.
steps = st.lists(
    st.one_of(
        st.tuples(st.just("submit"), st.integers(0, 2), st.integers(1, 4)),
        st.tuples(st.just("take"), st.integers(0, 2), st.just(0)),
    ),
    max_size=80,
)


@settings(max_examples=300, deadline=None)
@given(steps=steps)
def test_jobs_leave_in_priority_then_arrival_order(steps: list[tuple[str, int, int]]) -> None:
    station = Station("g", 0, 0, Environment(), count(), n_categories=3)
    reference: list[list] = [[], [], []]
    arrivals = count()
    for action, category, priority in steps:
        if action == "submit":
            job = _Job(category, priority)
            station.submit(job)
            heappush(reference[category], (priority, next(arrivals), job))
        elif reference[category]:
            expected = heappop(reference[category])[2]
            head = station.best([c == category for c in range(3)])
            assert head is not None and head[1] == category and head[0][2] is expected
            assert station.take(category) is expected
        else:
            assert station.best([c == category for c in range(3)]) is None
        assert len(station) == sum(map(len, reference))
        assert set(station.filled) == {c for c in range(3) if reference[c]}
    waiting = {id(job) for queue in station.queues for *_, job in queue}
    assert waiting == {id(entry[2]) for queue in reference for entry in queue}
