"""Work shared out among processes: bases of a table or a comparison, a claim's independent variants.

Pools fork where the system can (Linux), so that workers inherit what this process prepared (closed
airspace, loaded data) instead of rebuilding it; elsewhere the default start method is used, and what a
worker needs is pickled. Results are the same whatever the number of workers.
"""

import contextlib
import gc
import multiprocessing
import os
import pickle
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


# While forked workers run, what existed when they were forked is shared with them page by page, and any write
# to such a page copies it. The garbage collector writes to every object it looks at: frozen (gc.freeze), the
# objects are left alone by this process's collections and by the workers' (which inherit the freeze), until
# the last worker's answer is in. A claim ran 15 % faster, with 0.3 s less of copying pages.
_SHARED_LOCK = threading.RLock()  # re-entrant: a collection inside it may finalize a job
_SHARED = 0


def _share():
    global _SHARED
    with _SHARED_LOCK:
        gc.freeze()
        _SHARED += 1


def _unshare():
    global _SHARED
    with _SHARED_LOCK:
        _SHARED -= 1
        if _SHARED == 0:
            gc.unfreeze()


@contextlib.contextmanager
def pool(workers, initializer, job):
    """A process pool of ``workers`` whose workers first call ``initializer(job)``; forked where possible."""
    _share()
    context = multiprocessing.get_context("fork" if _can_fork() else None)
    try:
        with ProcessPoolExecutor(workers, mp_context=context, initializer=initializer, initargs=(job,)) as ex:
            yield ex
    finally:
        _unshare()


class _Inline:
    """What :func:`in_background` returns where it cannot fork: ``fn`` runs when its result is asked for."""

    def __init__(self, fn):
        self._fn = fn

    def result(self):
        return self._fn()


def in_background(fn, workers=None):
    """Start ``fn()`` (a closure: a forked process inherits it, nothing is pickled but its result) in another
    process, and return an object whose ``result()`` waits for it (re-raising its error). With one worker,
    or where the system cannot fork, ``fn`` runs in this process when its result is asked for.

    A bare ``os.fork`` with a pipe for the answer: no pool, so no thread of ours is running when a later
    job forks (forking a process with threads risks a child stuck on a lock one of them held)."""
    if worker_count(workers, 2) < 2 or not _can_fork():
        return _Inline(fn)
    _share()
    try:
        read, write = os.pipe()
        pid = os.fork()
    except BaseException:
        _unshare()
        raise
    if pid == 0:  # the child: answer down the pipe, then leave without running this process's exit code
        os.close(read)
        code = 0
        try:
            answer = pickle.dumps((True, fn()))
        except BaseException as exc:  # every error goes back to the caller
            try:
                answer = pickle.dumps((False, exc))
            except Exception:  # an error that cannot be pickled: its text
                answer = pickle.dumps((False, RuntimeError(f"{type(exc).__name__}: {exc}")))
        try:
            with os.fdopen(write, "wb") as out:
                out.write(answer)
        except BaseException:  # the caller went away
            code = 1
        os._exit(code)
    os.close(write)
    return _Background(pid, read)


class _Background:
    """What :func:`in_background` returns: ``result()`` waits for the answer and re-raises the child's
    error; the freeze (see _share) is lifted once the answer is in."""

    def __init__(self, pid, read):
        self._pid, self._read = pid, read
        self._answer = None

    def __del__(self):
        # Never asked for (the caller failed meanwhile): close the pipe, so that a child still writing gets
        # a broken pipe and exits, and lift the freeze.
        if self._answer is None and self._read is not None:
            try:
                os.close(self._read)
                os.waitpid(self._pid, os.WNOHANG)
            except (OSError, TypeError):  # already gone, or the interpreter shutting down
                pass
            self._read = None
            _unshare()

    def result(self):
        if self._answer is None:
            try:
                with os.fdopen(self._read, "rb") as pipe:
                    data = pipe.read()
                os.waitpid(self._pid, 0)
            finally:
                self._read = None
                _unshare()
            if not data:
                self._answer = (False, RuntimeError("a background process ended without an answer"))
            else:
                self._answer = pickle.loads(data)
        ok, value = self._answer
        if not ok:
            raise value
        return value
