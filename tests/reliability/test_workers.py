"""Worker processes die with their parent: the pool's initializer sets the kernel's
parent-death signal on Linux, or else starts a thread polling the parent's id, so a sweep (or
a drill's replays) killed with SIGKILL leaves no worker running runs nobody records
(tests/reliability/test_kills.py kills whole sweeps)."""

from __future__ import annotations

import subprocess
import sys
import time

import psutil
import pytest


def alive(process: psutil.Process) -> bool:
    """Whether `process` still runs (a zombie has ended)."""
    try:
        return process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


#: A worker as the pool starts one, watching its parent (the process that starts it); with
#: "poll", as where Linux's parent-death signal is not to be had.
WORKER = """
import os, sys, time
from sim.sweep import executors
if sys.argv[1] == "poll":  # no parent-death signal
    executors._set_parent_death_signal = lambda signum: False
executors.die_with_parent(os.getppid())
print("watching", flush=True)
time.sleep(60)
"""
#: Its parent: starts it, says its pid, and waits to be killed.
PARENT = """
import subprocess, sys, time
worker = subprocess.Popen([sys.executable, "-c", sys.argv[1], sys.argv[2]], stdout=subprocess.PIPE)
assert worker.stdout.readline() == b"watching\\n"
print(worker.pid, flush=True)
time.sleep(60)
"""


@pytest.mark.parametrize("watch", ["signal", "poll"])
def test_a_worker_dies_with_its_parent(watch: str):
    """The pool's initializer: the kernel's parent-death signal on Linux, else a thread
    polling the parent's id (PARENT_POLL_S); the worker ends within seconds of its parent."""
    if watch == "signal" and not sys.platform.startswith("linux"):
        pytest.skip("Linux only")
    parent = subprocess.Popen(
        [sys.executable, "-c", PARENT, WORKER, watch], stdout=subprocess.PIPE, text=True
    )
    worker = psutil.Process(int(parent.stdout.readline()))
    parent.kill()
    parent.wait()
    deadline = time.monotonic() + 5
    while alive(worker) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not alive(worker)


def test_a_worker_whose_parent_died_before_it_started_ends_at_once():
    code = "import os; from sim.sweep.executors import die_with_parent; die_with_parent(1)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=60)
    assert done.returncode == 1, done.stderr
