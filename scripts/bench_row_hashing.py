"""Row hashing for Merkle commitments: the numba BLAKE2s lane kernel vs a plain loop over hashlib.blake2s, per width.

    python scripts/bench_row_hashing.py [--log-rows 15] [--widths 2,8,16,64,128,216,400]

Rows are hashed as the prover commits them: a transposed (rows, width) view of a (width, rows) uint64 LDE.
Digests are compared for equality; times are the best of 3; ratios are hashlib's time over numba's (above 1:
numba is faster). Once hashlib was faster above 4 KB rows and row hashing chose per width; since the lane kernel
(2^15 rows, 2 cores: 2.7x at 800 columns, 13x at 2) `prover.engine.row_hashing` always uses numba.
"""
from __future__ import annotations

import argparse
import hashlib

import numpy as np

from prover.engine import blake2s_batch, threads
from prover.engine.merkle_tree import MerkleTree
from timing import best_of


def _hashlib_range(prefix: bytes, rows: np.ndarray, out: np.ndarray, lo: int, hi: int) -> None:
    for i in range(lo, hi):
        out[i] = np.frombuffer(hashlib.blake2s(prefix + rows[i].tobytes()).digest(), np.uint8)


def hashlib_rows(prefix: bytes, rows: np.ndarray) -> np.ndarray:
    out = np.empty((rows.shape[0], 32), dtype=np.uint8)
    _hashlib_range(prefix, rows, out, 0, rows.shape[0])
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--log-rows", type=int, default=15)
    parser.add_argument("--widths", default="2,8,16,64,128,216,400")
    parser.add_argument("--tree-log-leaves", type=int, default=22,
                        help="also time a Merkle tree over this many leaf digests (2^22: a 2^16-leaf round's LDE)")
    args = parser.parse_args()
    n = 1 << args.log_rows
    rng = np.random.default_rng(0)
    blake2s_batch.hash_rows(b"\x00", np.zeros((4, 4), dtype=np.uint64))  # load the kernel from the cache
    print(f"2^{args.log_rows} rows, {threads.workers()} threads for numba; hashlib runs on one")
    print(f"{'columns':>8} {'bytes':>6} {'numba s':>9} {'hashlib s':>10} {'hashlib/numba':>14} "
          f"{'hashlib threads s':>18} {'ratio':>6}")
    for width in (int(w) for w in args.widths.split(",")):
        lde = rng.integers(0, 2**63, size=(width, n), dtype=np.uint64)
        rows = lde.T
        reference = [hashlib.blake2s(b"\x00" + rows[i].tobytes()).digest() for i in range(64)]
        assert [d.tobytes() for d in blake2s_batch.hash_rows(b"\x00", rows[:64])] == reference
        assert [d.tobytes() for d in hashlib_rows(b"\x00", rows[:64])] == reference
        numba_s = best_of(lambda: blake2s_batch.hash_rows(b"\x00", rows))
        hashlib_s = best_of(lambda: hashlib_rows(b"\x00", rows))
        # hashlib releases the GIL for 2048 bytes or more: then it can use the threads too
        threaded_s = best_of(lambda: threads.run_ranges(_hashlib_range, n, b"\x00", rows,
                                                         np.empty((n, 32), dtype=np.uint8), min_per_thread=4096))
        print(f"{width:>8} {8 * width:>6} {numba_s:>9.3f} {hashlib_s:>10.3f} {hashlib_s / numba_s:>14.2f} "
              f"{threaded_s:>18.3f} {threaded_s / numba_s:>6.2f}")
    leaves = rng.integers(0, 256, (1 << args.tree_log_leaves, 32), dtype=np.uint8)
    tree_s = best_of(lambda: MerkleTree(leaves=leaves))
    print(f"Merkle tree over 2^{args.tree_log_leaves} leaf digests (nodes hashed level by level): {tree_s:.3f} s")


if __name__ == "__main__":
    main()
