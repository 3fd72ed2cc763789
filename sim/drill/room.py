"""A drill played together: one `DrillSession` that the facilitator's and the players' screens
share, its clock running in a thread of its own (simulated hours per wall-clock second), and
every screen told when something changed.

    room = DrillRoom(DrillSession(drill), out=Path("runs/drill-gas"))
    room.run_clock()                     # the clock's thread; it waits for `start`
    room.start()                         # the facilitator starts the clock
    room.decide("社区书记", {"mobilise": "street_cadres", "count": 4})   # an Outcome
    room.view()                          # what a screen shows, plain JSON
    room.finish()                        # to the horizon; writes the drill folder, then
                                         # (given `report`) its after-action report

The room only calls the session's `advance`, `decide`, `inject` and `finish`, one at a time
(a lock), so a play in the room is a play of the session: its log, replayed from
`session.script()`, gives the same run."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sim.drill.injects import Inject
from sim.drill.session import DrillRefusal, DrillSession
from sim.drill.spec import Drill

#: Writes the after-action report of a drill folder (the folder, the drill played); returns
#: the report's path.
Reporter = Callable[[Path, Drill], Path]

#: Wall-clock seconds between two steps of the running clock.
TICK_S = 0.1


@dataclass(frozen=True)
class Outcome:
    """What became of a request from a screen: done or not, and what to show."""

    ok: bool
    message: str


class DrillRoom:
    """The shared play of a drill (see the module's docstring); `out` is where `finish`
    writes the drill folder, `report` what then writes its after-action report (in a thread
    of its own: the screens go on meanwhile)."""

    def __init__(
        self,
        session: DrillSession,
        out: Path,
        report: Reporter | None = None,
        tick: float = TICK_S,
    ) -> None:
        self.session = session
        self.out = out
        self.report = report
        self.report_status: str | None = None
        self.report_path: Path | None = None
        self.speed = session.drill.clock.speed
        self.running = False
        self.saved: Path | None = None
        self.error: str | None = None
        self.version = 0
        self._tick = tick
        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._view: dict | None = None

    # -- the clock ------------------------------------------------------------------------

    def run_clock(self) -> None:
        """Start the clock's thread (once); it advances the drill while the clock runs."""
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name="drill-clock", daemon=True)
                self._thread.start()

    def close(self) -> None:
        """Stop the clock's thread."""
        self._stopping.set()
        if self._thread is not None:
            self._thread.join()

    def _loop(self) -> None:
        last = time.monotonic()
        while not self._stopping.wait(self._tick):
            now = time.monotonic()
            self.elapse(now - last)
            last = now

    def elapse(self, wall_s: float) -> None:
        """If the clock runs, advance the drill by `wall_s` wall-clock seconds at its speed;
        the clock stops at the horizon, or if the run fails (the error is shown)."""
        with self._lock:
            if not self.running:
                return
            session = self.session
            try:
                session.advance(session.now + self.speed * wall_s)
            except Exception as error:  # shown on every screen rather than lost in a thread
                self.error = f"the run stopped: {type(error).__name__}: {error}"
                self.running = False
            if session.now >= session.horizon:
                self.running = False
            self._touch()

    def start(self) -> Outcome:
        """Run the clock."""
        with self._lock:
            if self.session.finished or self.session.now >= self.session.horizon:
                return Outcome(False, "the drill reached its horizon: finish it")
            if self.error is not None:
                return Outcome(False, self.error)
            self.running = True
            self._touch()
            return Outcome(True, "clock running")

    def pause(self) -> Outcome:
        """Stop the clock."""
        with self._lock:
            self.running = False
            self._touch()
            return Outcome(True, "clock paused")

    def set_speed(self, speed: float) -> Outcome:
        """Simulated hours per wall-clock second."""
        if not speed > 0:
            return Outcome(False, f"speed {speed:g}: give simulated hours per second, above 0")
        with self._lock:
            self.speed = float(speed)
            self._touch()
            return Outcome(True, f"speed {speed:g} h/s")

    # -- decisions, injects, the end ------------------------------------------------------

    def decide(self, role: str, decision: dict, name: str | None = None) -> Outcome:
        """Take a decision now (see DrillSession.decide); refused: why, and the drill goes
        on."""
        with self._lock:
            try:
                entry = self.session.decide(role, decision, name)
            except DrillRefusal as refusal:
                return Outcome(False, f"refused: {refusal}")
            finally:
                self._touch()
            return Outcome(True, f"taken at {entry.sim_h:.2f} h: {entry.what}")

    def inject(self, inject: str | dict | Inject, name: str | None = None) -> Outcome:
        """Fire an inject now (see DrillSession.inject)."""
        with self._lock:
            try:
                entry = self.session.inject(inject, name)
            except DrillRefusal as refusal:
                return Outcome(False, f"refused: {refusal}")
            finally:
                self._touch()
            return Outcome(True, f"{entry.name} fired at {entry.sim_h:.2f} h: {entry.detail}")

    def finish(self) -> Outcome:
        """Stop the clock, run to the horizon and write the drill folder at `out`."""
        with self._lock:
            self.running = False
            if self.saved is not None:
                return Outcome(True, "the drill is over: its folder is written")
            try:
                self.session.finish(self.out)
            except (FileExistsError, OSError) as error:
                return Outcome(False, f"not written: {error}")
            finally:
                self._touch()
            self.saved = self.out
            if self.report is not None:
                self.report_status = "being written"
                threading.Thread(target=self._write_report, name="drill-report").start()
            return Outcome(True, f"finished at {self.session.now:.2f} h")

    def _write_report(self) -> None:
        assert self.report is not None and self.saved is not None
        path = None
        try:
            path = self.report(self.saved, self.session.drill)
            status = f"written: {path}"
        except Exception as error:  # shown on every screen rather than lost in a thread
            status = f"not written: {type(error).__name__}: {error}"
        with self._lock:
            self.report_status, self.report_path = status, path
            self._touch()

    # -- what the screens show ------------------------------------------------------------

    def view(self) -> dict[str, Any]:
        """`DrillSession.state()` with the room's clock (`running`, `speed`), the `log` (plain
        records), where the folder was `saved`, the after-action `report`'s status and the
        clock's `error`; computed once per change (`version`)."""
        with self._lock:
            if self._view is None or self._view["version"] != self.version:
                self._view = {
                    **self.session.state(),
                    "speed": self.speed,
                    "running": self.running,
                    "log": [entry.record() for entry in self.session.log],
                    "saved": None if self.saved is None else str(self.saved),
                    "report": self.report_status,
                    "report_path": None if self.report_path is None else str(self.report_path),
                    "error": self.error,
                    "version": self.version,
                }
            return self._view

    def wait(self, version: int, timeout: float) -> int:
        """Wait until the room changes from `version` (at most `timeout` seconds); returns the
        version now."""
        with self._changed:
            self._changed.wait_for(lambda: self.version != version, timeout)
            return self.version

    def _touch(self) -> None:
        self.version += 1
        self._changed.notify_all()
