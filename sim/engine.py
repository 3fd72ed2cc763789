"""The event loop: SimPy's environment with a tighter inner loop, and the one kind of wait the
staff need (for whichever of two events comes first) without a general condition.

Everything here schedules exactly the events SimPy would, in the same order, at the same times
and priorities, so a run's results are bit-identical to plain SimPy's (the golden master and
`experiments/bench/fingerprint.py` check it); only the bookkeeping per event is lighter:

- `Environment.run(until=t)` processes events in a loop of its own instead of a method call
  and an exception handler per event, and stops at SimPy's stop event without raising;
- `now` is a plain attribute (SimPy's is a property, read a million times a simulated day);
- `timeout` builds its event and schedules it in one call;
- a process keeps its bound resume method instead of making a new one for every wait;
- events due a bucket or more ahead (`BUCKET` hours) wait in a list per bucket and join the
  heap when their bucket begins, so the heap holds only what is near (a city keeps some
  60,000 events pending, most of them days ahead: shifts, closing delays, deadlines); they
  keep the numbers SimPy gave them when they were scheduled, so the order is unchanged;
- `FirstOf(env, a, b)` is `a | b` (SimPy's `Condition` with `any_events`) reduced to what a
  wait needs: triggered once, when the first of the two is processed, with the first's value
  when it is `a`. Like the condition it is triggered (scheduled) when that event is processed,
  and processed after it, so the process resumes at the same point of the event order.
"""

from __future__ import annotations

import math
from heapq import heapify, heappop, heappush
from typing import Any

import simpy
from simpy.core import BoundClass
from simpy.events import NORMAL, PENDING, URGENT, AllOf, AnyOf, Event, Initialize, Process, Timeout

_new_timeout = Timeout.__new__

#: Width of a bucket of far events (hours): an event due at or after the end of the bucket
#: under way waits in its own bucket, outside the heap.
BUCKET = 1.0


class FastProcess(Process):
    """SimPy's process, resuming through one bound method made once."""

    def __init__(self, env: simpy.Environment, generator) -> None:
        if not hasattr(generator, "throw"):
            raise ValueError(f"{generator} is not a generator.")
        self.env = env
        self.callbacks = []
        self._generator = generator
        self._resume = self._resume  # the bound method, kept: one per process, not per wait
        self._target = Initialize(env, self)

    def _resume(self, event: Event) -> None:
        """SimPy's `Process._resume`, with the bound method and generator looked up once."""
        env = self.env
        env._active_proc = self
        generator = self._generator
        while True:
            try:
                if event._ok:
                    event = generator.send(event._value)
                else:
                    event._defused = True
                    exc = type(event._value)(*event._value.args)
                    exc.__cause__ = event._value
                    event = generator.throw(exc)
            except StopIteration as e:
                event = None
                del self._resume  # the kept bound method refers to the process: a cycle
                self._ok = True
                self._value = e.args[0] if len(e.args) else None
                env.schedule(self)
                break
            except BaseException as e:
                event = None
                del self._resume
                self._ok = False
                e.__traceback__ = e.__traceback__.tb_next
                self._value = e
                env.schedule(self)
                break
            try:
                callbacks = event.callbacks
            except AttributeError:
                raise RuntimeError(f'Invalid yield value "{event}"') from None
            if callbacks is not None:
                callbacks.append(self._resume)
                break
        self._target = event
        env._active_proc = None


class FirstOf(Event):
    """Triggered when the first of `a` and `b` is processed (or at once if one already was):
    with `a`'s value if `a` came first, else None; failed if that event failed. What `a | b`
    does for a process that waits on it, without the condition's value and bookkeeping; the
    later event's callback finds it triggered and does nothing. It holds no reference to `a`
    or `b` (only they to it), so no reference cycle outlives the wait."""

    def __init__(self, env: simpy.Environment, a: Event, b: Event) -> None:
        self.env = env
        self.callbacks = []
        for event, hit in ((a, self._hit_a), (b, self._hit_b)):
            if self._value is not PENDING:
                break
            if event.callbacks is None:
                hit(event)
            else:
                event.callbacks.append(hit)

    def _hit_a(self, event: Event) -> None:
        if self._value is PENDING:
            self._trigger(event, event._value)

    def _hit_b(self, event: Event) -> None:
        if self._value is PENDING:
            self._trigger(event, None)

    def _trigger(self, event: Event, value: Any) -> None:
        if event._ok:
            self._ok = True
            self._value = value
        else:
            event._defused = True
            self._ok = False
            self._value = event._value
        self.env.schedule(self)


class Environment(simpy.Environment):
    """SimPy's environment with a faster `run(until=time)`, `now` as an attribute, a
    one-call `timeout` and far events kept out of the heap; same events, same order.

    An event due before `_near_end` goes into the heap (`_queue`); a later one waits in
    `_buckets[k]` (due in [k, k + 1) × BUCKET hours), whose numbers `_bucket_keys` keeps in a
    heap. When the heap runs empty, the nearest bucket is poured into it and `_near_end` moves
    to that bucket's end. Every event in the heap is then due before every event in a bucket,
    so the heap's first is the next of all, as in SimPy."""

    now = 0.0  # an attribute here, kept equal to `_now` (SimPy's is a property)

    process = BoundClass(FastProcess)
    event = BoundClass(Event)
    all_of = BoundClass(AllOf)
    any_of = BoundClass(AnyOf)

    def __init__(self, initial_time: float = 0) -> None:
        super().__init__(initial_time)
        self.now = initial_time
        self._near_end = (math.floor(initial_time / BUCKET) + 1) * BUCKET
        self._buckets: dict[int, list[tuple]] = {}
        self._bucket_keys: list[int] = []

    def _push(self, entry: tuple) -> None:
        """Schedule `entry` (time, priority, number, event): in the heap if it is near."""
        at = entry[0]
        if at < self._near_end:
            heappush(self._queue, entry)
            return
        key = int(at // BUCKET)
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = []
            heappush(self._bucket_keys, key)
        bucket.append(entry)

    def _pour(self) -> bool:
        """Move the nearest bucket into the heap; False if there was none."""
        if not self._bucket_keys:
            return False
        key = heappop(self._bucket_keys)
        self._near_end = (key + 1) * BUCKET
        self._queue.extend(self._buckets.pop(key))
        heapify(self._queue)
        return True

    def _settle(self) -> None:
        """If the heap is empty, pour the nearest bucket into it (if any is left)."""
        if not self._queue:
            self._pour()

    def clear(self) -> None:
        """Drop every pending event (the run is over), and the references between those events
        and the processes waiting on them, so that reference counting frees them at once: a
        process keeps its resume method (`FastProcess`), which refers back to it."""
        for pending in (self._queue, *self._buckets.values()):
            for *_, event in pending:
                for callback in event.callbacks or ():
                    waiting = getattr(callback, "__self__", None)
                    if waiting.__class__ is FastProcess:
                        waiting.__dict__.pop("_resume", None)
                event.callbacks = None
        self._queue.clear()
        self._buckets.clear()
        self._bucket_keys.clear()

    def schedule(self, event: Event, priority: int = NORMAL, delay: float = 0) -> None:
        """SimPy's `schedule`, far events kept in their bucket."""
        self._push((self._now + delay, priority, next(self._eid), event))

    def timeout(self, delay: float = 0, value: Any = None) -> Timeout:
        """SimPy's `Timeout(env, delay, value)`, scheduled in the same call."""
        if delay < 0:
            raise ValueError(f"Negative delay {delay}")
        event = _new_timeout(Timeout)
        event.env = self
        event.callbacks = []
        event._value = value
        event._delay = delay
        event._ok = True
        at = self._now + delay
        if at < self._near_end:
            heappush(self._queue, (at, NORMAL, next(self._eid), event))
        else:
            self._push((at, NORMAL, next(self._eid), event))
        return event

    def peek(self) -> float:
        """The time of the next event (infinity if none)."""
        self._settle()
        return super().peek()

    def step(self) -> None:
        """SimPy's `step`, with `now` set before the event's callbacks run."""
        self._settle()
        if self._queue:
            self.now = self._queue[0][0]
        super().step()

    def run(self, until: Any = None) -> Any:
        """SimPy's `run`; with a time, the same events in the same order without a method
        call per event (SimPy's stop event is scheduled as SimPy does and ends the loop)."""
        if until is None or isinstance(until, Event):
            try:
                return super().run(until)
            finally:
                self.now = self._now
        at = until if isinstance(until, int) else float(until)
        if at <= self._now:
            raise ValueError(f"until ({at}) must be greater than the current simulation time")
        stop = Event(self)
        stop._ok = True
        stop._value = None
        self.schedule(stop, URGENT, at - self._now)
        queue = self._queue
        while queue or self._pour():
            now, _, _, event = heappop(queue)
            self._now = self.now = now
            if event is stop:
                stop.callbacks = None
                return None
            callbacks, event.callbacks = event.callbacks, None
            for callback in callbacks:
                callback(event)
            if not event._ok and not hasattr(event, "_defused"):
                exc = type(event._value)(*event._value.args)
                exc.__cause__ = event._value
                raise exc
        raise RuntimeError(f'No scheduled events left but "until" event was not triggered: {stop}')
