"""sim.engine: the event loop takes exactly the events plain SimPy takes, in the same order, at
the same times, however far ahead they were scheduled (events due an hour or more ahead wait
in buckets outside the heap) and however the run is cut (`run(until=...)`, `step`, `peek`)."""

from __future__ import annotations

import simpy
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.engine import BUCKET, Environment, FirstOf

#: Delays (hours) that land in the heap, in the next bucket, many buckets ahead, and exactly on
#: bucket edges, with ties.
delays = st.one_of(
    st.sampled_from([0.0, 0.5, BUCKET, 2 * BUCKET, 24.0, 36.5]),
    st.floats(0.0, 200.0, allow_nan=False),
)
#: A process: the delays it waits in turn; some wait for the first of a delay and a signal.
programs = st.lists(st.lists(st.tuples(delays, st.booleans()), max_size=6), max_size=8)


def trace(env: simpy.Environment, program, first_of, stops: list[float]) -> list[tuple]:
    """Run `program` on `env`, cut at each of `stops`, then to the end: (time, process, step)
    at every resumption, and the time after each cut."""
    log: list[tuple] = []
    signals = [env.event() for _ in program]

    def worker(k: int, waits):
        for i, (delay, with_signal) in enumerate(waits):
            if with_signal:
                yield first_of(env, signals[(k + 1) % len(signals)], env.timeout(delay))
            else:
                yield env.timeout(delay)
            log.append((env.now, k, i))
            if not signals[k].triggered:
                signals[k].succeed(k)
            env.timeout(delay / 2).callbacks.append(lambda _, k=k, i=i: log.append(("cb", k, i)))

    for k, waits in enumerate(program):
        env.process(worker(k, waits))
    for stop in stops:
        if stop > env.now:
            env.run(until=stop)
            log.append(("cut", env.now))
    env.run()
    log.append(("end", env.now))
    return log


def plain_first_of(env, a, b):
    return a | b


@settings(max_examples=150, derandomize=True, deadline=None)
@given(program=programs, stops=st.lists(st.floats(0.1, 300.0), max_size=4).map(sorted))
def test_same_events_same_order_as_plain_simpy(program, stops):
    expected = trace(simpy.Environment(), program, plain_first_of, stops)
    assert trace(Environment(), program, FirstOf, stops) == expected


def test_step_and_peek_see_bucketed_events():
    env = Environment()
    seen = []
    for delay in (50.0, 3.0, 0.25, 3.0):
        env.timeout(delay).callbacks.append(lambda _, d=delay: seen.append((env.now, d)))
    assert env.peek() == 0.25  # in the heap
    env.step()
    assert env.peek() == 3.0  # its bucket poured in
    while env.peek() < float("inf"):
        env.step()
    assert seen == [(0.25, 0.25), (3.0, 3.0), (3.0, 3.0), (50.0, 50.0)]


def test_an_event_due_at_a_cut_is_taken_by_the_next_run():
    env = Environment()
    seen = []
    env.timeout(2 * BUCKET).callbacks.append(lambda _: seen.append(env.now))
    env.run(until=2 * BUCKET)  # the stop comes first at equal times, as in SimPy
    assert seen == [] and env.now == 2 * BUCKET
    env.run(until=3 * BUCKET)
    assert seen == [2 * BUCKET]


def test_clear_drops_every_pending_event():
    env = Environment()
    env.timeout(0.5)
    env.timeout(40.0)
    env.clear()
    assert env.peek() == float("inf")
