"""Worker processes for the commands that take many files (``cchc ingest``, ``cchc repair DIR --out-dir``).

:func:`run_pool` hands tasks to a pool of processes and yields their results in completion order, with a few
tasks per worker in flight (tasks are produced as they are handed out, so memory stays flat). Where the OS
can ``fork`` (Linux, macOS), `warm` runs once in the parent first and the workers share what it loaded
copy-on-write (``gc.freeze`` keeps the collector from touching, and so copying, those pages); elsewhere each
``spawn``-ed worker runs `warm` itself. Workers leave Ctrl-C to their parent and die with it.
"""

from __future__ import annotations

import gc
import multiprocessing
import queue
import signal
import sys
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

__all__ = ["IN_FLIGHT_PER_WORKER", "run_pool"]

T = TypeVar("T")
R = TypeVar("R")
IN_FLIGHT_PER_WORKER = 2  # tasks handed to each worker ahead, so memory stays flat


def run_pool(tasks: Iterator[T], work: Callable[[T], R], workers: int, *, warm: Callable[..., None],
             warm_args: tuple[Any, ...] = (), failed: Callable[[T, BaseException], R]) -> Iterator[R]:
    """`work(task)` for each task on `workers` processes, the results in completion order; `failed(task,
    exc)` stands for the result of a task whose worker raised (or died). `work`, `warm` and the tasks must be
    picklable (module-level functions, plain data). Leaving the iterator early terminates the pool."""
    forking = "fork" in multiprocessing.get_all_start_methods()
    if forking:
        warm(*warm_args)
        gc.freeze()
        pool = multiprocessing.get_context("fork").Pool(workers, initializer=_worker_start)
    else:
        pool = multiprocessing.get_context("spawn").Pool(workers, initializer=_worker_start,
                                                         initargs=(warm, warm_args))
    results: queue.Queue[R] = queue.Queue()

    def submit(task: T) -> None:
        pool.apply_async(work, (task,), callback=results.put, error_callback=lambda exc: results.put(failed(task, exc)))

    in_flight = 0
    try:
        for task in tasks:
            submit(task)
            in_flight += 1
            if in_flight >= IN_FLIGHT_PER_WORKER * workers:
                break
        while in_flight:
            result = results.get()
            in_flight -= 1
            task = next(tasks, None)
            if task is not None:
                submit(task)
                in_flight += 1
            yield result
        pool.close()
        pool.join()
    finally:
        pool.terminate()
        if forking:
            gc.unfreeze()


def _worker_start(warm: Callable[..., None] | None = None, warm_args: tuple[Any, ...] = ()) -> None:
    """A worker leaves Ctrl-C to its parent (which stops and says so once) and dies with it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with_parent()
    if warm is not None:
        warm(*warm_args)


def _die_with_parent() -> None:
    """Ask Linux to end this process when its parent dies (PR_SET_PDEATHSIG); elsewhere, nothing."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM, 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
