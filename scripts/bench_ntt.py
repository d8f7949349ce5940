"""Time the NTT and the low-degree extension at prover scale, with numpy's complex FFT of the same size for scale.

    python scripts/bench_ntt.py [--log-n 20] [--width 16] [--blowup 8] [--repeats 3]
"""
import argparse
import resource
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from circuits import field  # noqa: E402
from prover.engine import (
    lde,  # noqa: E402
    ntt,  # noqa: E402
)


def best_time(fn, repeats: int) -> float:
    fn()  # warm-up: numba compilation (or cache load) and twiddle tables
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--log-n", type=int, default=20)
    parser.add_argument("--width", type=int, default=16)
    parser.add_argument("--blowup", type=int, default=8)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    n, width, blowup = 1 << args.log_n, args.width, args.blowup

    rng = np.random.default_rng(0)
    column = rng.integers(0, field.P, size=n, dtype=np.uint64)
    columns = rng.integers(0, field.P, size=(width, n), dtype=np.uint64)
    cases = [  # name, our transform, np.fft of the same shape
        (f"ntt 2^{args.log_n}", lambda: ntt.ntt(column), lambda: np.fft.fft(column.astype(np.float64))),
        (f"ntt ({width}, 2^{args.log_n})", lambda: ntt.ntt(columns), lambda: np.fft.fft(columns.astype(np.float64))),
        (
            f"lde ({width}, 2^{args.log_n}) x{blowup}",
            lambda: lde.low_degree_extend(columns, blowup),
            lambda: np.fft.fft(columns.astype(np.float64), n=n * blowup),
        ),
    ]
    # ours first, so that each peak RSS is ours (np.fft's complex128 output is twice the size of ours)
    ours = [(best_time(fn, args.repeats), peak_rss_mib()) for _, fn, _ in cases]
    for (name, _, baseline), (seconds, peak) in zip(cases, ours):
        fft = best_time(baseline, args.repeats)
        ratio = seconds / fft
        print(f"{name:<24} {seconds:7.3f} s   np.fft {fft:7.3f} s   ratio {ratio:5.2f}   peak RSS {peak:6.0f} MiB")
    # the in-place bit reversal every committed block goes through (tiles of 16 x 16), per row
    reversal = best_time(lambda: ntt.bit_reverse_rows(columns), args.repeats)
    print(f"bit_reverse_rows ({width}, 2^{args.log_n}) {reversal:7.3f} s   {reversal / width * 1e3:.2f} ms a row")


if __name__ == "__main__":
    main()
