"""The process's memory and the system: freed memory given back, and the model's memory moved
into huge pages.

glibc's malloc keeps the blocks a process frees for its own later use and raises the size from
which it maps a block on its own each time such a block is freed, so the run records a city's run
lets go as it builds its tables (a gigabyte of them) would stay resident and count in its peak.
`malloc_trim` hands the free pages back. Asking malloc to map every large block on its own
instead (`mallopt`) does as much but made every run's tables and KPIs 14 % slower.

A city's model holds gigabytes of small objects (staff, stations, open cases, queues), and every
job touches a few scattered among them. In pages of 4 KiB, the processor's address cache covers a
few megabytes of that, so at a city's size most touches first walk the page tables: a job of the
whole city cost 63 µs against 38 µs for a tenth of it. Python's allocator maps its memory in
blocks of 1 MiB that the kernel's transparent huge pages (2 MiB) do not take up by themselves
where they are only given on request, as is usual. `HugePages` asks the kernel to move the
model's memory into huge pages (`madvise(MADV_COLLAPSE)`, Linux 6.1 and later) as it grows;
elsewhere it does nothing. It changes no result."""

from __future__ import annotations

import ctypes
import errno
import gc
import os
from functools import cache

try:
    import resource  # Unix only: where it is missing, so are huge pages (HugePages.able)
except ImportError:
    resource = None


@cache
def _libc() -> ctypes.CDLL | None:
    """The process's C library (errno kept for `ctypes.get_errno`), or None where it cannot be
    opened by name."""
    try:
        return ctypes.CDLL(None, use_errno=True)
    except (OSError, TypeError):
        return None


@cache
def _trim():
    """glibc's `malloc_trim`, or None where malloc is not glibc's."""
    return getattr(_libc(), "malloc_trim", None)


def give_back() -> None:
    """Hand the free pages of malloc's heap back to the system (nothing where malloc is not
    glibc's)."""
    trim = _trim()
    if trim is not None:
        trim(0)


def release_free_lists() -> None:
    """Empty the interpreter's free lists (tuples, lists, dicts and floats kept for reuse). Once
    a city's open cases are let go, the few thousand blocks they keep are scattered over hundreds
    of the allocator's 1 MiB arenas, each of which stays mapped while one block of it is in use
    (some 430 MiB of a city's peak). Python empties them only in a full collection, which would
    scan every object of the model (7 s at a city's size); with those set aside (`gc.freeze`)
    it scans none, and they are put back at once. A run makes no reference cycles, so there is
    nothing else to collect. Nothing is done where something else has set objects aside (they
    would be put back too)."""
    if gc.get_freeze_count():
        return
    gc.freeze()
    try:
        gc.collect()
    finally:
        gc.unfreeze()


#: `madvise` advice: move a range into transparent huge pages now (Linux 6.1 and later).
MADV_COLLAPSE = 25
#: The size of a transparent huge page on x86-64 and arm64 (bytes).
HUGE_PAGE = 1 << 21
#: Resident memory (bytes) from which moving into huge pages pays for its own cost: below it
#: the model's memory is close to what the address cache covers anyway.
HUGE_PAGES_FROM = 512 << 20


@cache
def _madvise():
    """libc's `madvise`, or None where there is none."""
    madvise = getattr(_libc(), "madvise", None)
    if madvise is None:
        return None
    madvise.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
    return madvise


def anonymous_ranges(maps: str) -> list[tuple[int, int]]:
    """The whole huge pages (start, end), in bytes, of each private writable mapping of
    `maps` (the text of /proc/<pid>/maps) that no file backs: where the process's objects
    live."""
    ranges = []
    for line in maps.splitlines():
        fields = line.split()
        if len(fields) < 5 or fields[1] != "rw-p" or (len(fields) > 5 and fields[5] != "[heap]"):
            continue
        start, end = (int(address, 16) for address in fields[0].split("-"))
        start = -(-start // HUGE_PAGE) * HUGE_PAGE
        end = end // HUGE_PAGE * HUGE_PAGE
        if end > start:
            ranges.append((start, end))
    return ranges


def peak_resident_bytes() -> int:
    """The most memory the process has held resident so far (bytes; one system call, where
    reading /proc takes a hundred times as long; 0 where it cannot be known)."""
    if resource is None:
        return 0
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux


def resident_bytes() -> int:
    """The process's resident memory now (bytes; 0 where /proc is not there)."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return 0


class HugePages:
    """Moves the process's memory into huge pages as it grows: `settle()` collapses every
    anonymous range not settled before, once the process holds `start` bytes (default
    `HUGE_PAGES_FROM`). Where the system cannot (not Linux, a kernel before 6.1, huge pages
    turned off) the first attempt says so and it stops trying."""

    def __init__(self, start: int | None = None) -> None:
        self.start = HUGE_PAGES_FROM if start is None else start
        self.able = _madvise() is not None and os.path.exists("/proc/self/maps")
        self.settled: set[tuple[int, int]] = set()

    def settle(self) -> None:
        """Collapse the anonymous ranges not settled yet into huge pages (a range the kernel
        cannot collapse now, for want of free huge pages, is tried again next time)."""
        if not self.able or peak_resident_bytes() < self.start or resident_bytes() < self.start:
            return  # never held `start` bytes yet, so not now either: /proc is not read
        with open("/proc/self/maps") as maps:
            ranges = anonymous_ranges(maps.read())
        madvise = _madvise()
        for start, end in ranges:
            if (start, end) in self.settled:
                continue
            if madvise(start, end - start, MADV_COLLAPSE) == 0:
                self.settled.add((start, end))
            elif ctypes.get_errno() == errno.EINVAL:
                if not self.settled:  # the system cannot: stop trying
                    self.able = False
                    return
                self.settled.add((start, end))  # this range cannot be: leave it
