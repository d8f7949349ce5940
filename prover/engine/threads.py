"""Run a nogil numba kernel over ranges of rows on a few Python threads.

The prover's kernels are serial `nogil=True` numba functions; parallelism comes from calling them on disjoint
ranges from a small thread pool. numba's `parallel=True` does the same at run time but costs seconds of compilation
per kernel (its parfor passes), which a fresh install pays before anything shows.
"""
from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor, wait

import numba as nb
import numpy as np

PIECES_PER_THREAD = 16
_pool: ThreadPoolExecutor | None = None
_pool_pid = 0  # the process that made _pool: a forked child makes its own (its copy has no worker threads)


def workers() -> int:
    """Threads to split work across: numba's thread count (NUMBA_NUM_THREADS, or set_num_threads)."""
    try:
        return max(1, nb.get_num_threads())
    except Exception:  # pragma: no cover - numba without a threading layer
        return max(1, os.cpu_count() or 1)


def _executor() -> ThreadPoolExecutor:
    global _pool, _pool_pid
    if _pool is None or _pool_pid != os.getpid():
        _pool = ThreadPoolExecutor(max_workers=max(1, os.cpu_count() or 1), thread_name_prefix="por-engine")
        _pool_pid = os.getpid()
    return _pool


def split(n: int, parts: int, align: int = 1) -> list[tuple[int, int]]:
    """[lo, hi) ranges covering range(n) in at most `parts` pieces, each boundary a multiple of `align`."""
    units = (n + align - 1) // align
    parts = max(1, min(parts, units))
    bounds = [min(n, (units * k // parts) * align) for k in range(parts + 1)]
    return [(bounds[k], bounds[k + 1]) for k in range(parts) if bounds[k] < bounds[k + 1]]


def run_ranges(kernel, n: int, *args, min_per_thread: int = 1, align: int = 1) -> None:
    """kernel(*args, lo, hi) for ranges covering range(n), on up to workers() threads at once (the calling
    thread among them). The kernel must release the GIL (nogil=True) for this to run in parallel.

    The work is cut into up to PIECES_PER_THREAD ranges per thread, each thread taking the next when it is done
    with one: a thread slowed by anything (this VM's neighbours, a memory fault) no longer holds the other up at
    the end of every call, as one range per thread did. A 2^16-leaf proof waited 2.0 s at those ends with one
    range per thread, 1.8 s with 4, 0.4-0.5 s with 16 or 64 (the NTT's rows are the coarsest pieces)."""
    pieces = min(workers() * PIECES_PER_THREAD, max(1, n // max(1, min_per_thread)))
    ranges = split(n, pieces, align)
    if len(ranges) <= 1:
        if n:
            kernel(*args, 0, n)
        return
    pending = iter(ranges)  # shared by the threads: a list iterator's next() is atomic under the GIL

    def drain() -> None:
        for lo, hi in pending:
            kernel(*args, lo, hi)

    futures = [_executor().submit(drain) for _ in range(min(workers(), len(ranges)) - 1)]
    try:
        drain()
    except BaseException:
        for _ in pending:  # the pieces left are dropped: the other threads stop after the one they are on
            pass
        wait(futures)  # and nothing runs on the caller's arrays once the error reaches it
        raise
    for future in futures:
        future.result()


def zeros(shape, dtype=np.uint64) -> np.ndarray:
    """np.zeros whose pages are first written on every thread (numpy fills without the GIL): a first write to
    fresh memory costs about half as much per GB on two threads as on one on this project's VM
    (scripts/bench_page_faults.py), and np.zeros leaves that first write to whatever touches the array next."""
    out = np.empty(shape, dtype=dtype)
    flat = out.reshape(-1)

    def fill(lo: int, hi: int) -> None:
        flat[lo:hi] = 0

    run_ranges(fill, flat.size, min_per_thread=1 << 16)
    return out
