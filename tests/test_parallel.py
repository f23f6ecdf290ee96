"""Work in other processes: results as in this one, errors re-raised, and the garbage collector's freeze
(which keeps pages shared with forked workers from being copied) lifted once the work is in."""

import gc
import os

import pytest

from rangecalc import parallel
from rangecalc.errors import UsageError


def _pid_and(value):
    return os.getpid(), value


def test_background_work_runs_elsewhere_and_comes_back():
    here = os.getpid()
    jobs = [parallel.in_background(lambda k=k: _pid_and(k * k), workers=2) for k in range(3)]
    answers = [job.result() for job in jobs]
    assert [value for _, value in answers] == [0, 1, 4]
    if parallel._can_fork():
        assert all(pid != here for pid, _ in answers)
        assert gc.get_freeze_count() == 0  # nothing left frozen here once every answer is in


def test_one_worker_runs_inline_when_asked():
    job = parallel.in_background(lambda: _pid_and("x"), workers=1)
    assert job.result() == (os.getpid(), "x")


def test_unpicklable_answers_and_errors_come_back_as_errors():
    job = parallel.in_background(lambda: lambda: None, workers=2)  # a lambda cannot be pickled
    with pytest.raises(Exception):  # noqa: B017  (pickle's own error, whichever it is)
        job.result()


def test_background_errors_are_raised_where_the_result_is_asked_for():
    def fail():
        raise UsageError("no such thing")

    job = parallel.in_background(fail, workers=2)
    with pytest.raises(UsageError, match="no such thing"):
        job.result()
    assert gc.get_freeze_count() == 0


def test_a_pool_freezes_while_it_runs_and_not_after():
    with parallel.pool(2, _pid_and, None) as executor:
        assert list(executor.map(abs, [-1, -2])) == [1, 2]
        assert gc.get_freeze_count() > 0
    assert gc.get_freeze_count() == 0


def test_an_abandoned_job_closes_its_pipe_and_lifts_the_freeze():
    if not parallel._can_fork():
        pytest.skip("no fork here")
    job = parallel.in_background(lambda: "x" * 1_000_000, workers=2)  # more than a pipe holds
    read = job._read
    del job
    gc.collect()
    assert gc.get_freeze_count() == 0
    with pytest.raises(OSError):
        os.fstat(read)  # closed


@pytest.mark.parametrize("workers", [0, -1, 1.5, True, "2"])
def test_worker_counts_must_be_whole_and_positive(workers):
    with pytest.raises(UsageError, match="workers must be a whole number"):
        parallel.worker_count(workers, 4)
