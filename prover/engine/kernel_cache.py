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


def _is_cached_beside(dispatcher, kernel: str) -> bool:
    """Whether numba's cache directory for `dispatcher`'s module holds an index for `kernel` of the same package
    directory (e.g. "ntt._transform_rows"), compiled by an earlier run."""
    try:
        return any(Path(dispatcher._cache._cache_path).glob(f"{kernel}-*.nbi"))
    except Exception:  # pragma: no cover - numba internals changed: say nothing rather than fail
        return True


def announce_if_cold(dispatcher, kernel: str = "ntt._transform_rows") -> None:
    """Print a one-line notice on stderr if `kernel` (one every proof uses, from the package directory of
    `dispatcher`, which is defined already) is not cached yet."""
    global _announced
    if _announced:
        return
    _announced = True
    if not _is_cached_beside(dispatcher, kernel):
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
