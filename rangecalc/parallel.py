"""Work shared out among processes: bases of a table or a comparison, a claim's independent variants.

Pools fork where the system can (Linux), so that workers inherit what this process prepared (closed
airspace, loaded data) instead of rebuilding it; elsewhere the default start method is used, and what a
worker needs is pickled. Results are the same whatever the number of workers.
"""

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor, as_completed

from .errors import UsageError

__all__ = ["as_completed", "in_background", "pool", "worker_count"]


def worker_count(workers, tasks):
    """``workers`` (None: one per core this process may use) checked, and capped at ``tasks``."""
    if workers is None:
        workers = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    if not isinstance(workers, int) or isinstance(workers, bool) or workers < 1:
        raise UsageError(f"workers must be a whole number of processes, 1 or more, got {workers!r}")
    return max(min(workers, tasks), 1)


def _can_fork():
    return "fork" in multiprocessing.get_all_start_methods()


def pool(workers, initializer, job):
    """A process pool of ``workers`` whose workers first call ``initializer(job)``; forked where possible."""
    context = multiprocessing.get_context("fork" if _can_fork() else None)
    return ProcessPoolExecutor(workers, mp_context=context, initializer=initializer, initargs=(job,))


_BACKGROUND = None


def _set_background(fn):
    global _BACKGROUND
    _BACKGROUND = fn


def _run_background():
    return _BACKGROUND()


class _Inline:
    """What :func:`in_background` returns where it cannot fork: ``fn`` runs when its result is asked for."""

    def __init__(self, fn):
        self._fn = fn

    def result(self):
        return self._fn()


def in_background(fn, workers=None):
    """Start ``fn()`` (a closure: a forked worker inherits it, nothing is pickled but its result) in another
    process, and return an object whose ``result()`` waits for it (re-raising its error). With one worker,
    or where the system cannot fork, ``fn`` runs in this process when its result is asked for."""
    if worker_count(workers, 2) < 2 or not _can_fork():
        return _Inline(fn)
    executor = pool(1, _set_background, fn)
    future = executor.submit(_run_background)
    executor.shutdown(wait=False)  # the worker exits once it has answered
    return future
