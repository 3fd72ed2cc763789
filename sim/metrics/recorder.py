"""Run-time counters of one model: per time-series unit, closed-loop cases (residents' requests
and patrol finds) opened and closed, including the exact area under the backlog curve, so the
time-average backlog is measured independently of the case log; open cases and tasks by category;
the closed cases' records; and one state per member of staff."""

from __future__ import annotations

import struct
from array import array

import numpy as np

from sim.agents.staff import OFF
from sim.memory import give_back
from sim.work.case import JOB_FIELDS, JOB_TYPES, RECORD_FIELDS, RECORD_TYPES, Case, Job
from sim.work.sources import SOURCE_NAMES

#: A source's code in the case records: its place in the registry.
SOURCE_CODE = {name: code for code, name in enumerate(SOURCE_NAMES)}


class Columns:
    """Rows of numbers appended one at a time, kept as typed columns. A row goes to `rows`, a
    flat array of float64 (`width` numbers a row, quick to extend); once it holds `chunk` rows
    (`full` numbers), `flush` moves them into one numpy array per field of the field's type
    (`types`; a chunk whose values of a field do not all fit its type exactly keeps float64).
    A row is packed into bytes in one call (extending an array from a tuple converts and
    resizes number by number, three times slower)."""

    def __init__(
        self, fields: tuple[str, ...], types: tuple[str, ...], chunk: int = 1 << 16
    ) -> None:
        self.fields = fields
        self.types = [np.dtype(t) for t in types]
        self.width = len(fields)
        self.rows = array("d")
        self.full = chunk * self.width
        self._pack = struct.Struct(f"{self.width}d").pack
        self.parts: list[list[np.ndarray]] = [[] for _ in fields]
        self._index = {name: i for i, name in enumerate(fields)}
        self._released: set[int] = set()

    def append(self, row: tuple[float, ...]) -> None:
        """Add one row (`width` numbers, in the order of `fields`)."""
        rows = self.rows
        rows.frombytes(self._pack(*row))
        if len(rows) >= self.full:
            self.flush()

    def flush(self) -> None:
        """Move the rows appended so far into the typed columns."""
        if not self.rows:
            return
        table = np.frombuffer(self.rows, dtype=float).reshape(-1, self.width)
        for j, dtype in enumerate(self.types):
            values = table[:, j]
            typed = None
            if dtype.kind != "f":
                with np.errstate(invalid="ignore", over="ignore"):
                    typed = values.astype(dtype)
                if not np.array_equal(typed, values):
                    typed = None
            self.parts[j].append(values.copy() if typed is None else typed)
        del table
        self.rows = array("d")

    def column(self, name: str, release: bool = False) -> np.ndarray:
        """Every value of field `name` so far, in the order appended (a new array, of the
        field's type or float64). `release`: the field's typed columns are let go (the rows
        are moved, not copied, into a table that outlives them) and their memory handed back
        to the system; asking for it again is an error."""
        j = self._field(name)
        values = np.concatenate(self._pieces(j))
        if release:
            self._release(j)
        return values

    def place(self, name: str, out: np.ndarray, rows: np.ndarray, release: bool = False) -> None:
        """Write every value of field `name` so far, in the order appended, into `out` at
        `rows` (one row of `out` per value; converted to `out`'s type as `astype` would), piece
        by piece: the field is never copied whole. `release`: as `column`'s."""
        j = self._field(name)
        start = 0
        for piece in self._pieces(j):
            out[rows[start : start + len(piece)]] = piece
            start += len(piece)
        if release:
            self._release(j)

    def _field(self, name: str) -> int:
        j = self._index[name]
        if j in self._released:
            raise RuntimeError(f"field {name!r} was released")
        return j

    def _pieces(self, j: int) -> list[np.ndarray]:
        """Field j's typed columns, then its values in the rows not yet flushed."""
        pending = np.frombuffer(self.rows, dtype=float).reshape(-1, self.width)[:, j]
        return [*self.parts[j], pending]

    def _release(self, j: int) -> None:
        self.parts[j] = []
        self._released.add(j)
        give_back()

    def __len__(self) -> int:
        return sum(len(part) for part in self.parts[0]) + len(self.rows) // self.width

    def nbytes(self) -> int:
        """Bytes held: the typed columns and the rows not yet flushed."""
        typed = sum(part.nbytes for parts in self.parts for part in parts)
        return typed + self.rows.buffer_info()[1] * self.rows.itemsize


class Metrics:
    """Run-time counters of one model."""

    def __init__(
        self,
        unit_of_grid: np.ndarray,
        n_units: int,
        closed_loop: list[bool],
        n_staff: int,
        record_jobs: bool = True,
    ) -> None:
        """`closed_loop[c]`: whether cases of category c belong to the closed loop (the
        backlog, arrivals and completions count those only); `record_jobs`: keep a row per
        execution of every job (the jobs table)."""
        n_categories = len(closed_loop)
        self.closed_loop = closed_loop
        self.record_jobs = record_jobs
        self.jobs = Columns(JOB_FIELDS, JOB_TYPES)  # executions of jobs (Job.record)
        self.unit_of_grid = unit_of_grid.tolist()
        self.records = Columns(RECORD_FIELDS, RECORD_TYPES)  # closed cases (Case.record)
        self.open: dict[int, Case] = {}
        #: Hours each duty post was staffed, by case id: at the post (travel to it not
        #: included), by every holder (a post handed back and taken again counts both).
        self.post_hours: dict[int, float] = {}
        #: Per member of staff: OFF, IDLE or BUSY (bytes: written at every switch, cheaply).
        self.staff_state = bytearray([OFF]) * n_staff
        self.arrivals = [0] * n_units
        self.completions = [0] * n_units
        self.backlog = [0] * n_units
        self.area = [0.0] * n_units
        self.last = [0.0] * n_units
        self.by_category = [[0] * n_categories for _ in range(n_units)]
        self.rows: list[dict[str, np.ndarray]] = []
        self._previous = np.zeros((3, n_units))

    def opened(self, case: Case) -> None:
        """Count a new case or task."""
        unit = self.unit_of_grid[case.grid]
        if self.closed_loop[case.category]:
            now = case.created
            self.area[unit] += self.backlog[unit] * (now - self.last[unit])
            self.last[unit] = now
            self.backlog[unit] += 1
            self.arrivals[unit] += 1
        self.by_category[unit][case.category] += 1
        self.open[case.id] = case

    def released(self, grid: int, category: int) -> None:
        """Count a task outside the closed loop released but not yet opened (its case is
        created as it is taken: `opened_released`)."""
        if self.closed_loop[category]:
            raise ValueError("a case of the closed loop is opened as it arrives")
        self.by_category[self.unit_of_grid[grid]][category] += 1

    def opened_released(self, case: Case) -> None:
        """File the case of a task counted at its release (`released`) as open."""
        self.open[case.id] = case

    def closed(self, case: Case) -> None:
        """Count a closed case or task."""
        unit = self.unit_of_grid[case.grid]
        if self.closed_loop[case.category]:
            now = case.steps[-1]
            self.area[unit] += self.backlog[unit] * (now - self.last[unit])
            self.last[unit] = now
            self.backlog[unit] -= 1
            self.completions[unit] += 1
        self.by_category[unit][case.category] -= 1
        self.records.append(case.record(SOURCE_CODE))
        del self.open[case.id]
        case.stages.clear()  # break case ↔ job references so memory is freed at once

    def post_opened(self, case_id: int) -> None:
        """A duty post opened, staffed for no hours yet."""
        self.post_hours[case_id] = 0.0

    def post_staffed(self, case_id: int, hours: float) -> None:
        """Someone was at duty post `case_id` for `hours`."""
        self.post_hours[case_id] += hours

    def job_ended(self, job: Job, staff: int, finished: float, outcome: str) -> None:
        """Record one execution of a job by member of staff `staff`, ending at `finished`."""
        if self.record_jobs:
            self.jobs.append(job.record(staff, finished, outcome))

    def backlog_now(self) -> int:
        """Closed-loop cases open now, over all units."""
        return sum(self.backlog)

    def mean_wait_of_unstarted(self, now: float) -> float:
        """Mean hours that open closed-loop cases nobody has started yet have waited (0 if
        none)."""
        closed_loop = self.closed_loop
        waits = [
            now - case.created
            for case in self.open.values()
            if closed_loop[case.category] and case.steps[0] != case.steps[0]
        ]
        return sum(waits) / len(waits) if waits else 0.0

    def snapshot(
        self, now: float, tick: float, staff_unit: np.ndarray, n_staff_units: int, mode: str
    ) -> None:
        """Record the tick ending at `now`: per unit, closed-loop arrivals, completions, backlog
        at the end and time-average backlog, open cases and tasks by category; per staff unit,
        staff busy/idle/off."""
        for unit, last in enumerate(self.last):
            self.area[unit] += self.backlog[unit] * (now - last)
            self.last[unit] = now
        totals = np.array([self.arrivals, self.completions, self.area], dtype=float)
        flows = totals - self._previous
        self._previous = totals
        cases = np.column_stack(
            [
                flows[0],
                flows[1],
                self.backlog,
                flows[2] / tick,
                np.array(self.by_category, dtype=float),
            ]
        )
        states = np.frombuffer(self.staff_state, dtype=np.int8)
        staff = np.bincount(staff_unit * 3 + states, minlength=3 * n_staff_units)
        self.rows.append((now, mode, cases, staff.reshape(-1, 3)))
