"""A station hands out jobs in (priority, arrival) order within a category, whatever order the
priorities arrive in: the same order as one heap of every waiting job of the category. Tasks
released but not yet opened (`Station.defer`) keep their places: each is opened as it is taken,
or when every task is opened at once (`open_deferred`), as a job queued at its release. A job
withdrawn (`Station.withdraw`: a duty post whose shift ended) leaves the rest in order."""

from heapq import heapify, heappop, heappush
from itertools import count

from hypothesis import given, settings
from hypothesis import strategies as st

from sim.engine import Environment
from sim.work.station import Deferred, Station


class _Case:
    def __init__(self, category: int) -> None:
        self.category = category


class _Job:
    def __init__(self, category: int, priority: int) -> None:
        self.case = _Case(category)
        self.priority = priority


class _Intake:
    """Opens a released task: here, the job made for it at release, checking the release's
    time, priority and case id came back."""

    def __init__(self) -> None:
        self.released: list[tuple[_Job, int, float]] = []

    def open_deferred(self, batch: object, row: int, case_id: int, at: float, priority: int):
        job, expected_id, expected_at = self.released[row]
        assert (case_id, at, priority) == (expected_id, expected_at, job.priority)
        return job


#: A program: submit a job (category, priority), release a task (category, priority) to be
#: opened when taken, take the best job of a category, open every released task, or withdraw
#: the k-th job submitted (if it still waits).
steps = st.lists(
    st.one_of(
        st.tuples(st.just("submit"), st.integers(0, 2), st.integers(1, 4)),
        st.tuples(st.just("defer"), st.integers(0, 2), st.integers(1, 4)),
        st.tuples(st.just("take"), st.integers(0, 2), st.just(0)),
        st.tuples(st.just("open"), st.just(0), st.just(0)),
        st.tuples(st.just("withdraw"), st.integers(0, 40), st.just(0)),
    ),
    max_size=80,
)


@settings(max_examples=300, deadline=None)
@given(steps=steps)
def test_jobs_leave_in_priority_then_arrival_order(steps: list[tuple[str, int, int]]) -> None:
    station = Station("g", 0, 0, Environment(), count(), n_categories=3)
    intake, batch = _Intake(), object()
    reference: list[list] = [[], [], []]
    arrivals = count()
    submitted: list[_Job] = []
    for action, category, priority in steps:
        if action == "submit":
            job = _Job(category, priority)
            station.submit(job)
            submitted.append(job)
            heappush(reference[category], (priority, next(arrivals), job))
        elif action == "withdraw":
            job = submitted[category] if category < len(submitted) else _Job(0, 1)
            queue = reference[job.case.category]
            entry = next((entry for entry in queue if entry[2] is job), None)
            assert station.withdraw(job) == (entry is not None)
            if entry is not None:
                queue.remove(entry)
                heapify(queue)
        elif action == "defer":
            job, row = _Job(category, priority), len(intake.released)
            intake.released.append((job, 1000 + row, 0.0))
            station.defer(category, priority, 0.0, intake, batch, row, 1000 + row)
            heappush(reference[category], (priority, next(arrivals), job))
        elif action == "open":
            station.open_deferred()
            assert not any(entry[2].__class__ is Deferred for q in station.queues for entry in q)
        elif reference[category]:
            priority, arrival, expected = heappop(reference[category])
            head = station.best([c == category for c in range(3)])
            assert head is not None and head[1] == category and head[0][:2] == (priority, arrival)
            assert station.take(category) is expected
        else:
            assert station.best([c == category for c in range(3)]) is None
        heads = [(q[0], c) for c, q in enumerate(station.queues) if q]
        assert (station.head, station.head_category) == min(heads, default=(None, -1))
        runs = sum(entry[2].__class__ is Deferred for queue in station.queues for entry in queue)
        assert station.deferred == runs
        assert len(station) == sum(map(len, reference))
        assert set(station.filled) == {c for c in range(3) if reference[c]}
    station.open_deferred()
    waiting = {id(job) for queue in station.queues for *_, job in queue}
    assert waiting == {id(entry[2]) for queue in reference for entry in queue}


def test_a_release_waits_as_one_entry_per_run_of_arrival_numbers() -> None:
    """Tasks released one after another to a category wait as one entry; a job queued between
    them (another arrival number) starts a new run."""
    order = count()
    station = Station("g", 0, 0, Environment(), order, n_categories=1)
    intake, batch = _Intake(), object()
    for row in range(5):
        intake.released.append((_Job(0, 1), row, 0.0))
        station.defer(0, 1, 0.0, intake, batch, row, row)
    assert len(station.queues[0]) == 1 and len(station) == 5
    next(order)  # a job queued at another station
    intake.released.append((_Job(0, 1), 5, 0.0))
    station.defer(0, 1, 0.0, intake, batch, 5, 5)
    assert len(station.queues[0]) == 2 and len(station) == 6
    taken = [station.take(0) for _ in range(6)]
    assert taken == [job for job, _, _ in intake.released]
    assert not station.filled and not station.waiting
