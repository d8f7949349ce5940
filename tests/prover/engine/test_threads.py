"""The engine's thread pool: every index covered exactly once, in pieces the threads share, errors surfaced."""
import threading
import time

import numpy as np
import pytest

from prover.engine import threads


def test_split_covers_the_range_in_aligned_pieces():
    assert threads.split(10, 3) == [(0, 3), (3, 6), (6, 10)]
    assert threads.split(100, 4, align=16) == [(0, 16), (16, 48), (48, 80), (80, 100)]
    assert threads.split(5, 8) == [(0, 1), (1, 2), (2, 3), (3, 4), (4, 5)]


@pytest.mark.parametrize("n, min_per_thread, align", [(1, 1, 1), (1000, 1, 1), (1000, 64, 16), (7, 100, 1)])
def test_every_index_is_covered_once(n, min_per_thread, align):
    seen = np.zeros(n, dtype=np.int64)
    ranges, lock = [], threading.Lock()

    def kernel(out, lo, hi):
        with lock:
            ranges.append((lo, hi))
        out[lo:hi] += 1

    threads.run_ranges(kernel, n, seen, min_per_thread=min_per_thread, align=align)
    assert (seen == 1).all()
    assert all(lo % align == 0 for lo, _ in ranges)
    assert len(ranges) <= max(1, min(threads.workers() * threads.PIECES_PER_THREAD, n // min_per_thread))


def test_the_threads_share_the_pieces():
    """A thread held up on one piece does not hold its share of the rest: the others take it."""
    if threads.workers() < 2:
        pytest.skip("one worker thread")
    slow = threading.Event()
    taken: dict[str, int] = {}

    def kernel(lo, hi):
        name = threading.current_thread().name
        taken[name] = taken.get(name, 0) + 1
        if lo == 0:
            slow.wait(0.5)  # the first piece stalls its thread while the others drain the rest

    threads.run_ranges(kernel, 64)
    assert sum(taken.values()) == min(64, threads.workers() * threads.PIECES_PER_THREAD)
    assert min(taken.values()) == 1  # the stalled thread did one piece; the rest went elsewhere


def test_after_an_error_nothing_runs_on_the_callers_arrays():
    """The first piece fails: run_ranges raises only once no other thread is still running pieces."""
    if threads.workers() < 2:
        pytest.skip("one worker thread")
    done = []

    def kernel(lo, hi):
        if lo == 0:
            time.sleep(0.02)  # the other thread is well into the rest by now
            raise ValueError("first piece")
        time.sleep(0.005)
        done.append(lo)

    with pytest.raises(ValueError, match="first piece"):
        threads.run_ranges(kernel, 64)
    finished = len(done)
    time.sleep(0.1)
    assert len(done) == finished < threads.workers() * threads.PIECES_PER_THREAD - 1


def test_an_error_in_any_piece_is_raised():
    def kernel(lo, hi):
        if lo <= 40 < hi:
            raise ValueError("piece with 40")

    with pytest.raises(ValueError, match="piece with 40"):
        threads.run_ranges(kernel, 64)


@pytest.mark.parametrize("shape", [(0,), (3, 5), (7, 1 << 17)])
def test_zeros_are_zeros(shape):
    out = threads.zeros(shape)
    assert out.shape == shape and out.dtype == np.uint64 and out.flags.c_contiguous and not out.any()
