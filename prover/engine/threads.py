"""Run a nogil numba kernel over ranges of rows on a few Python threads.

The prover's kernels are serial `nogil=True` numba functions; parallelism comes from calling them on disjoint
ranges from a small thread pool. numba's `parallel=True` does the same at run time but costs seconds of compilation
per kernel (its parfor passes), which a fresh install pays before anything shows.
"""
from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import numba as nb

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
    thread takes the first range). The kernel must release the GIL (nogil=True) for this to run in parallel."""
    parts = min(workers(), max(1, n // max(1, min_per_thread)))
    ranges = split(n, parts, align)
    if len(ranges) <= 1:
        if n:
            kernel(*args, 0, n)
        return
    futures = [_executor().submit(kernel, *args, lo, hi) for lo, hi in ranges[1:]]
    kernel(*args, *ranges[0])
    for future in futures:
        future.result()
