"""The first run compiles the prover's numba kernels (30-40 s of compilation on one core) and caches them on disk
(numba's `cache=True`, in each module's __pycache__ or NUMBA_CACHE_DIR); later runs load them in well under a
second.

`announce_if_cold()` prints one line before that first compilation, so a newcomer sees why nothing else shows,
and starts one background process that compiles the kernels a proof reaches after the NTT (`python -m
prover.engine.kernel_cache --late`): numba compiles on one core and holds the GIL, so a second process is the
only way to use the second core, and numba's on-disk cache is shared. The prover then loads those kernels from
the cache; if it reaches one first, or the background process fails, it compiles the kernel itself as it would
anyway. It is called from above, before the kernels load: by `por` before a command that proves, and by
`prover.engine.prover.prove` for library callers; nothing this module imports at its top loads a kernel, and no
kernel module imports it. `python -m prover.exchange.warm` compiles every kernel ahead of time, e.g. right after
`pip install`.
"""
from __future__ import annotations

import atexit
import os
import subprocess
import sys
from pathlib import Path

_announced = False
_background: subprocess.Popen | None = None  # the background compilation this process started, if any
_ROOT = Path(__file__).resolve().parents[2]  # the directory holding the `prover` package
# Set for every process started after a background compilation was: they must not start another (the background
# process itself, a proof's Dask workers).
_BACKGROUND = "POR_BACKGROUND_COMPILE"


def _is_cached(kernel: str) -> bool:
    """Whether numba's cache holds an index for `kernel` of this package (e.g. "ntt._transform_rows"), compiled by
    an earlier run; found by numba's own cache locators for the kernel's source file, without importing it."""
    module = kernel.split(".")[0]
    source = str(Path(__file__).with_name(f"{module}.py"))
    try:
        from numba.core.caching import CacheImpl

        for locator_class in CacheImpl._locator_classes:
            locator = locator_class.from_function(_is_cached, source)
            if locator is not None:
                return any(Path(locator.get_cache_path()).glob(f"{kernel}-*.nbi"))
    except Exception:  # pragma: no cover - numba internals changed: say nothing rather than fail
        pass
    return True


def announce_if_cold(kernel: str = "ntt._transform_rows") -> None:
    """If `kernel` (one every proof uses) is not cached yet: print a one-line notice on stderr and start compiling
    the late kernels in the background. Once per process."""
    global _announced
    if _announced or os.environ.get(_BACKGROUND):
        return
    _announced = True
    if not _is_cached(kernel):
        print("compiling the prover's kernels (once; later runs load them from the cache)...", file=sys.stderr,
              flush=True)
        _start_background_compile()


def _start_background_compile() -> None:
    """One process running `compile_late_kernels`, stopped when this one exits; none on a single core."""
    global _background
    if (os.cpu_count() or 1) < 2:
        return
    os.environ[_BACKGROUND] = "1"
    try:
        _background = subprocess.Popen([sys.executable, "-m", "prover.engine.kernel_cache", "--late"], cwd=_ROOT,
                                       stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                       stderr=subprocess.DEVNULL)
    except OSError:
        return
    atexit.register(_stop, _background)


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        process.wait()


def late_kernels() -> list[tuple]:
    """(kernel, argument types) for the kernels a proof reaches after the NTT, the constraint VM (the slowest to
    compile) first, then in the order the proof reaches them: exactly the types of the prover's calls, so that it
    loads these from the cache rather than compiling them again."""
    import numba as nb

    from prover.engine import aux_trace, blake2s_batch, constraint_vm, field_arrays, polynomials, quotient

    i, u = nb.int64, nb.uint64
    ints, base, cols = nb.int64[:, ::1], nb.uint64[::1], nb.uint64[:, ::1]
    return [
        (constraint_vm._run, (ints, base, cols, cols, cols, cols, nb.uint64[:, :, ::1], i, i, i, i, nb.boolean, i, i)),
        (field_arrays._ext_mul_base_arr, (cols, base, cols, i, i)),
        (field_arrays._add_scalar_arr, (base, u, base, i, i)),
        (field_arrays._add_arr, (base, base, base, i, i)),
        (field_arrays._mul_arr, (base, base, base, i, i)),
        (field_arrays._mul_scalar_arr, (base, u, base, i, i)),
        (field_arrays._batch_inverse, (base, base, i)),
        (aux_trace._prefix_sum, (cols, cols)),
        (quotient._exclusion, (base, base, base, i, i)),
        (polynomials._ext_powers, (u, u, i, cols)),
        (polynomials._evaluate_ext, (cols, cols, cols, i, i)),
        (polynomials._combine_rows, (cols, cols, cols, i, i)),
        (field_arrays._ext_mul_arr, (cols, cols, cols, i, i)),
        (polynomials._evaluate_base, (cols, cols, cols, i, i)),
    ]


def compile_late_kernels() -> None:
    """Compile (or load) `late_kernels()` into the cache, stopping early if the process that started this one
    is gone."""
    parent = os.getppid()
    for kernel, types in late_kernels():
        if os.getppid() != parent:
            return
        kernel.compile(types)


if __name__ == "__main__":
    if sys.argv[1:] != ["--late"]:
        sys.exit("usage: python -m prover.engine.kernel_cache --late (python -m prover.exchange.warm compiles all)")
    compile_late_kernels()
