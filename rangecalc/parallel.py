"""Work shared out among processes: bases of a table or a comparison, a claim's independent variants.

Pools fork where the system can (Linux), so that workers inherit what this process prepared (closed
airspace, loaded data) instead of rebuilding it; elsewhere the default start method is used, and what a
worker needs is pickled. Results are the same whatever the number of workers.
"""

import contextlib
import gc
import multiprocessing
import os
import threading
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


def _executor(workers, initializer, job):
    context = multiprocessing.get_context("fork" if _can_fork() else None)
    return ProcessPoolExecutor(workers, mp_context=context, initializer=initializer, initargs=(job,))


# While forked workers run, what existed when they were forked is shared with them page by page, and any write
# to such a page copies it. The garbage collector writes to every object it looks at: frozen (gc.freeze), the
# objects are left alone by this process's collections and by the workers' (which inherit the freeze), until
# the last worker's answer is in. A claim ran 15 % faster, with 0.3 s less of copying pages.
_SHARED_LOCK = threading.Lock()
_SHARED = 0


def _share():
    global _SHARED
    with _SHARED_LOCK:
        gc.freeze()
        _SHARED += 1


def _unshare(*_):
    global _SHARED
    with _SHARED_LOCK:
        _SHARED -= 1
        if _SHARED == 0:
            gc.unfreeze()


@contextlib.contextmanager
def pool(workers, initializer, job):
    """A process pool of ``workers`` whose workers first call ``initializer(job)``; forked where possible."""
    _share()
    try:
        with _executor(workers, initializer, job) as executor:
            yield executor
    finally:
        _unshare()


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
    _share()
    try:
        executor = _executor(1, _set_background, fn)
        future = executor.submit(_run_background)
    except BaseException:
        _unshare()
        raise
    executor.shutdown(wait=False)  # the worker exits once it has answered
    return _Background(future)


class _Background:
    """What :func:`in_background` returns: ``result()`` waits for the answer; the freeze is lifted once the
    answer is in (asked for or not)."""

    def __init__(self, future):
        self._future = future
        self._released = False
        future.add_done_callback(self._release)

    def _release(self, *_):
        with _SHARED_LOCK:
            if self._released:
                return
            self._released = True
        _unshare()

    def result(self):
        try:
            return self._future.result()
        finally:
            self._release()
