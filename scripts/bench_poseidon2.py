"""Throughput of the Poseidon2 kernel and of the tree hashes.

Measured on the 2-core development machine (numba kernels cached, best of 3; other jobs running, so +-20%):
    PYTHONPATH=. python scripts/bench_poseidon2.py
    permute_batch: 2^18 permutations: 0.481 s, 545k permutations/s
    leaf_digests: 2^16 leaves x 22 assets: 0.468 s   (4 permutations per leaf)
    tree_levels: 2^16 leaves: 0.114 s             (2^16 - 1 permutations)
"""
import argparse

import numpy as np

from circuits.field import P
from prover.engine.poseidon2_batch import permute_batch
from prover.exchange.tree import leaf_digests, tree_levels
from timing import best_of


def warm_best_of(repeats: int, fn, *args) -> float:
    fn(*args)  # compile or load the cached kernels
    return best_of(lambda: fn(*args), repeats)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--log-perms", type=int, default=18)
    parser.add_argument("--log-leaves", type=int, default=16)
    parser.add_argument("--assets", type=int, default=22)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    rng = np.random.default_rng(0)

    states = rng.integers(0, P, size=(1 << args.log_perms, 12), dtype=np.uint64)
    t = warm_best_of(args.repeats, permute_batch, states)
    print(f"permute_batch: 2^{args.log_perms} permutations: {t:.3f} s, {len(states) / t / 1e3:.0f}k permutations/s")

    n = 1 << args.log_leaves
    idc = rng.integers(0, P, size=(n, 4), dtype=np.uint64)
    balances = rng.integers(0, 1 << 63, size=(n, args.assets), dtype=np.uint64)
    t = warm_best_of(args.repeats, leaf_digests, idc, balances)
    print(f"leaf_digests: 2^{args.log_leaves} leaves x {args.assets} assets: {t:.3f} s")

    leaves = leaf_digests(idc, balances)
    t = warm_best_of(args.repeats, tree_levels, leaves)
    print(f"tree_levels: 2^{args.log_leaves} leaves: {t:.3f} s")


if __name__ == "__main__":
    main()
