"""The first run compiles the prover's numba kernels (about 15 s on 2 cores) and caches them on disk (numba's
`cache=True`, in each module's __pycache__ or NUMBA_CACHE_DIR); later runs load them in well under a second.

`announce_if_cold()` prints one line before that first compilation, so a newcomer sees why nothing else shows;
`python -m prover.engine.kernel_cache` (or `scripts/warm_kernels.py`) compiles every kernel ahead of time, e.g.
right after `pip install`.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

_announced = False


def _is_cached(dispatcher) -> bool:
    """Whether numba's on-disk cache holds an index for this kernel (from any earlier run)."""
    try:
        return Path(dispatcher._cache._cache_file._index_path).exists()  # .../<module>.<function>-<line>.pyXY.nbi
    except Exception:  # pragma: no cover - numba internals changed: say nothing rather than fail
        return True


def announce_if_cold(dispatcher) -> None:
    """Print a one-line notice on stderr if `dispatcher` (a kernel compiled early on) is not cached yet."""
    global _announced
    if _announced:
        return
    _announced = True
    if not _is_cached(dispatcher):
        print("compiling the prover's kernels (once; later runs load them from the cache)...", file=sys.stderr,
              flush=True)


def warm() -> float:
    """Compile (or load) every prover kernel by proving and verifying a tiny statement; returns the seconds taken."""
    started = time.perf_counter()
    import tempfile

    from prover.exchange.demo import run_demo

    with tempfile.TemporaryDirectory() as tmp:
        run_demo(8, Path(tmp) / "warm", "test", progress=False, echo=lambda line: None)
    return time.perf_counter() - started


if __name__ == "__main__":
    print(f"prover kernels ready ({warm():.1f} s)", file=sys.stderr)
