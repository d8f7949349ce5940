"""The one timing rule the micro-benchmarks share: the best of a few runs (the machine is noisy, and the best run
is the one least disturbed by it)."""
import time


def best_of(fn, repeats: int = 3) -> float:
    """Seconds of the fastest of `repeats` calls of `fn()`."""
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - started)
    return best
