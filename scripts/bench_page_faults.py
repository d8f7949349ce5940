"""What a first write to fresh memory costs on this machine, against memory freed moments before.

    python scripts/bench_page_faults.py [--arrays 8] [--mib 855]

Allocates `arrays` arrays of `mib` MiB one after another and times the first write to each, by one thread and by
two (numpy's fill, then a two-thread memset); then frees them and writes as much again at once, when the kernel
still holds the freed pages. On a VM that backs memory lazily and takes back what processes free (free page
reporting, e.g. Firecracker) the first kind costs several times the second: why a proof does not keep its LDE
(gigabytes written once) and first writes its large arrays on every thread. Each fresh run waits `--settle`
seconds first, or it would reuse what the run before it freed.
"""
import argparse
import ctypes
import threading
import time

import numpy as np

_LIBC = ctypes.CDLL(None)
_LIBC.memset.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_size_t]


def two_thread_fill(array: np.ndarray) -> None:
    """memset in two halves on two threads (ctypes releases the GIL)."""
    half = array.nbytes // 2
    workers = [threading.Thread(target=_LIBC.memset, args=(array.ctypes.data + k * half, 1, half)) for k in (0, 1)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()


def timed_fresh(count: int, words: int, fill) -> list[float]:
    """Seconds per GB of the first write to each of `count` fresh arrays (all held until the end)."""
    held, rates = [], []
    for _ in range(count):
        array = np.empty(words, dtype=np.uint64)
        started = time.perf_counter()
        fill(array)
        rates.append((time.perf_counter() - started) / (array.nbytes / 1e9))
        held.append(array)
    return rates


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--arrays", type=int, default=8)
    parser.add_argument("--mib", type=int, default=855, help="size of each array (855 MiB: a 2^16-leaf LDE coset)")
    parser.add_argument("--settle", type=float, default=15.0,
                        help="seconds to wait before each fresh run, for the host to take back what the last freed")
    args = parser.parse_args()
    words = args.mib * 2**20 // 8
    for name, fill in (("one thread", lambda a: a.fill(1)), ("two threads", two_thread_fill)):
        time.sleep(args.settle)
        rates = timed_fresh(args.arrays, words, fill)
        print(f"fresh, {name:11}  s/GB per array: {' '.join(f'{r:.2f}' for r in rates)}")
        freed = np.empty(words, dtype=np.uint64)  # right after the arrays above were freed
        started = time.perf_counter()
        fill(freed)
        print(f"just freed, {name:11}  {(time.perf_counter() - started) / (freed.nbytes / 1e9):.2f} s/GB")
        del freed


if __name__ == "__main__":
    main()
