"""Running the runs of an experiment: in this process (serial), in worker processes (default;
spawned interpreters, safe from notebooks), or on a Dask cluster (a LocalCluster, or an
existing scheduler's address; for SLURM/PBS start the cluster with dask-jobqueue).
Results stream to the store as runs finish; a run that raises is recorded with its traceback and
the sweep goes on; runs lost with a crashed worker are run again.

The worker processes are started once and kept for the later sweeps of the same thread (with
as many workers): starting one costs a couple of seconds of imports, which a notebook's second
sweep no longer pays. `close_pool()` ends them (say, after changing the code they imported)."""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from contextlib import nullcontext
from typing import Any

from sim.sweep.spec import RunSpec
from sim.sweep.store import Store

#: How often runs lost with a crashed worker are tried again.
RETRIES = 2

#: Settings of the LocalCluster a sweep starts. Its dashboard is off, so nothing reads the
#: workers' statistical profiler (a stack sample every 10 ms), and frequent system, memory and
#: event-loop readings only wake processes that compete with the runs for the cores: with
#: Dask's defaults a sweep on two cores was 12 % slower than worker processes, with these 3–7 %
#: (experiments/bench/sweep_speed.py). A run whose worker dies is tried again on another one,
#: RETRIES times as with worker processes.
LOCAL_CLUSTER_CONFIG: dict[str, Any] = {
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "1s",
    "distributed.admin.system-monitor.interval": "5s",
    "distributed.worker.memory.monitor-interval": "1s",
    "distributed.scheduler.allowed-failures": RETRIES,
}


#: How often a worker without a parent-death signal (not Linux) checks that its parent lives.
PARENT_POLL_S = 1.0
_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def die_with_parent(parent: int) -> None:
    """Initializer of a worker process started by process `parent`: end the worker when its
    parent dies, even by SIGKILL, so that none is left running runs nobody records. On Linux
    the kernel sends the worker SIGKILL when its parent dies (prctl PR_SET_PDEATHSIG); elsewhere
    a daemon thread checks every PARENT_POLL_S seconds whether the worker has another parent."""
    if not (sys.platform.startswith("linux") and _set_parent_death_signal(signal.SIGKILL)):
        threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()
    if os.getppid() != parent:  # the parent died before the watch was set
        os._exit(1)


def _set_parent_death_signal(signum: int) -> bool:
    """Ask Linux to send `signum` to this process when its parent dies; whether it took."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(_PR_SET_PDEATHSIG, signum, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _watch_parent(parent: int) -> None:
    """End this process once its parent `parent` is gone (it is then re-parented)."""
    while os.getppid() == parent:
        time.sleep(PARENT_POLL_S)
    os._exit(1)


def worker_pool(workers: int) -> ProcessPoolExecutor:
    """A pool of `workers` fresh processes (spawned: safe from notebooks and threads) that die
    with this one. Linux ties the watch to the thread that starts the workers (the one that
    submits the first runs): use the pool from one thread, which outlives it (`with`)."""
    context = multiprocessing.get_context("spawn")
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=context,
        initializer=die_with_parent,
        initargs=(os.getpid(),),
    )


#: The worker pools kept for later sweeps: thread that started one → (workers, pool). Linux ties
#: a worker's parent-death signal to the thread that started it, so a pool serves that thread.
_kept: dict[int, tuple[int, ProcessPoolExecutor]] = {}


def kept_pool(workers: int) -> ProcessPoolExecutor:
    """The pool of `workers` processes kept for this thread's sweeps, started if there is none
    (this thread's pool of another size is closed first)."""
    kept = _kept.get(threading.get_ident())
    if kept is not None and kept[0] == workers:
        return kept[1]
    close_pool()
    pool = worker_pool(workers)
    _kept[threading.get_ident()] = (workers, pool)
    return pool


def close_pool(stop: bool = False) -> None:
    """End the worker processes kept for this thread's sweeps, if any: when idle (waiting for
    them to exit), or at once with `stop` (their runs dropped)."""
    kept = _kept.pop(threading.get_ident(), None)
    if kept is None:
        return
    if stop:
        _stop_workers(kept[1])
    else:
        kept[1].shutdown()


def execute(spec: RunSpec, folder: str) -> dict[str, Any]:
    """Run one scenario and write its run folder; never raises (a failure is an outcome)."""
    from sim.runner import run
    from sim.scenario import load_scenario

    start = time.perf_counter()
    try:
        result = run(load_scenario(spec.scenario, spec.overrides), seed=spec.seed, days=spec.days)
        result.write(folder)
        return {
            "status": "ok",
            "summary": result.summary,
            "wall_s": round(time.perf_counter() - start, 3),
        }
    except Exception:  # recorded with its traceback; the sweep goes on
        return {
            "status": "failed",
            "error": traceback.format_exc(),
            "wall_s": round(time.perf_counter() - start, 3),
        }


def run_all(
    specs: list[RunSpec],
    store: Store,
    executor: str = "processes",
    workers: int = 2,
    on_done: Callable[[RunSpec, dict], None] | None = None,
    scheduler: str | None = None,
) -> None:
    """Run every spec not done yet, recording each outcome as it arrives."""
    pending = [spec for spec in specs if spec.run_id not in store.done()]

    def finished(spec: RunSpec, outcome: dict) -> None:
        store.record(spec, outcome)
        if on_done is not None:
            on_done(spec, outcome)

    if executor == "serial":
        for spec in pending:
            finished(spec, execute(spec, str(store.run_folder(spec))))
        return
    if executor == "dask":
        _run_dask(pending, store, finished, workers, scheduler)
        return
    for _ in range(RETRIES + 1):
        if not pending:
            return
        lost = []
        try:
            futures = _submit_all(pending, store, workers)
            for future in as_completed(futures):
                spec = futures.pop(future)  # its result is not kept once recorded
                try:
                    finished(spec, future.result())
                except BrokenProcessPool:  # the worker died: run it again
                    lost.append(spec)
        except BaseException:  # Ctrl-C, or a record that cannot be written (a full disk):
            close_pool(stop=True)  # stop now, drop the queued runs, keep the recorded
            raise
        if lost:  # a broken pool takes no more runs: the next try starts a new one
            close_pool()
        pending = lost
    for spec in pending:
        finished(spec, {"status": "failed", "error": "worker process died on every try"})


def _submit_all(pending: list[RunSpec], store: Store, workers: int) -> dict:
    """Hand every run to the kept pool (replaced if it broke since the last sweep); returns
    future → run."""

    def submit(pool: ProcessPoolExecutor) -> dict:
        return {pool.submit(execute, s, str(store.run_folder(s))): s for s in pending}

    try:
        return submit(kept_pool(workers))
    except BrokenProcessPool:  # broken when idle (its thread ended): it takes nothing
        close_pool()
        return submit(kept_pool(workers))


def _stop_workers(pool: ProcessPoolExecutor) -> None:
    """Cancel the queued runs and end the worker processes at once (runs they were executing
    are not recorded, so a rerun does them again; their run folders are written atomically)."""
    terminate = getattr(pool, "terminate_workers", None)  # Python ≥ 3.14
    if terminate is not None:
        terminate()
    else:  # before 3.14 the pool has no public way; its shutdown forgets the processes
        for process in list((getattr(pool, "_processes", None) or {}).values()):
            process.terminate()
    pool.shutdown(wait=False, cancel_futures=True)


def _run_dask(
    pending: list[RunSpec],
    store: Store,
    finished: Callable[[RunSpec, dict], None],
    workers: int,
    scheduler: str | None,
) -> None:
    """On Dask: a LocalCluster of `workers` single-threaded processes, or the scheduler at
    `scheduler`. Every task names its run (so none is merged with another). A run lost with its
    worker is run again by the scheduler up to its `allowed-failures` times (RETRIES on the
    LocalCluster; an existing scheduler's own setting, 3 by default), then recorded as failed
    (KilledWorker); `retries` covers a task that raises outside `execute`."""
    import dask
    from distributed import Client, LocalCluster
    from distributed import as_completed as dask_completed

    cluster: LocalCluster | nullcontext[None] = nullcontext()
    if scheduler is None:
        with dask.config.set(LOCAL_CLUSTER_CONFIG):
            cluster = LocalCluster(
                n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
            )
    with cluster, Client(scheduler or cluster) as client:  # the cluster closes even on error
        futures = {
            client.submit(
                execute,
                spec,
                str(store.run_folder(spec)),
                key=f"run-{spec.run_id}",
                pure=False,
                retries=RETRIES,
            ): spec
            for spec in pending
        }
        for future in dask_completed(futures):
            spec = futures.pop(future)  # released: the cluster need not keep its result
            try:
                outcome = future.result()
            except Exception as error:  # lost beyond its retries
                outcome = {"status": "failed", "error": f"{type(error).__name__}: {error}"}
            finished(spec, outcome)
