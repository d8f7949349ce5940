"""Polynomials committed through their low-degree extension, without holding the whole extension.

The LDE domain (a coset of size blowup*n) is the union of `blowup` cosets of the trace domain: point j lies in
coset j mod blowup, at position j div blowup, and the next trace row of a point is the next position in the same
coset. So the prover commits, evaluates constraints and answers queries one coset at a time, from the
coefficients (in memory, or parked in a temporary file by a proof too large for memory, `coefficient_store`, and
read back a block at a time), into one coset-sized array that every pass reuses.

The LDE itself is never kept. Keeping it was measured slower on this project's machine (2^16 leaves x 22 assets,
`scripts/bench_air.py`): the first write to 7.7 GB of fresh memory cost more (about 1.5 s per GB on two threads
of this VM, `scripts/bench_page_faults.py`) than the second pass of eight coset transforms and the openings'
evaluations it saved, for three times the memory.
"""
from __future__ import annotations

import os
from collections.abc import Iterator

import numpy as np

from circuits.field import GENERATOR, Ext, P, root_of_unity
from prover.engine import ntt, polynomials
from prover.engine.coefficient_store import CoefficientArray, CoefficientFile
from prover.engine.merkle_tree import MerkleTree
from prover.engine.row_hashing import hash_leaves
from verifier.stark.commitment import BLAKE2S, DIGEST_BYTES, CommitmentScheme

# A proof holds its trace's coefficients in memory if four times their size (the trace, its coefficients, the
# coset being evaluated, and room for the passes' other arrays) fits this many bytes, and streams them from
# temporary files otherwise; None: half the memory the system has available when the proof starts (so on a 24 GB
# machine a 2^16-leaf round, 0.9 GB of coefficients, holds them, and a 2^18-leaf one, 3.6 GB, streams them).
# POR_MEMORY_BYTES in the environment sets it (0: always stream, the least memory); local Dask workers get their
# share (prover.exchange.distributed).
MEMORY_BYTES: int | None = int(os.environ["POR_MEMORY_BYTES"]) if "POR_MEMORY_BYTES" in os.environ else None


def available_memory() -> int:
    """Bytes the system can still hand out without swapping (psutil: MemAvailable on Linux)."""
    import psutil

    return psutil.virtual_memory().available


def memory_budget() -> int:
    """The bytes a proof may hold now (MEMORY_BYTES above)."""
    return MEMORY_BYTES if MEMORY_BYTES is not None else available_memory() // 2


def in_memory(coefficient_bytes: int) -> bool:
    """Whether a trace whose coefficients take `coefficient_bytes` keeps them in memory (see MEMORY_BYTES)."""
    return 4 * coefficient_bytes <= memory_budget()


def coset_shift(k: int, n: int, blowup: int) -> int:
    """The offset of the k-th coset of the trace domain inside the LDE domain: GENERATOR * w_{blowup n}^k."""
    return GENERATOR * pow(root_of_unity(n * blowup), k, P) % P


class CommittedPolynomials:
    def __init__(self, coefficients: CoefficientArray | CoefficientFile, blowup: int,
                 scheme: CommitmentScheme = BLAKE2S, fixed: int = 0):
        """Commit to the LDE of each polynomial in `coefficients` (a store, in memory or in a file, that its
        owner closes when the proof is done) with the commitment `scheme` (the proof's parameters'). With
        `fixed` = k > 0 the first k polynomials (the AIR's preprocessed columns) get a tree of their own,
        `fixed_tree`, and `tree` holds the others: one pass over the cosets hashes both."""
        self.coefficients = coefficients
        self.width, self.n = coefficients.width, coefficients.n
        self.blowup = blowup
        self._values = None  # the coset array every pass reuses: memory written once (fresh pages cost here)
        self._held = None  # the coset it holds (the last one computed), which the next pass starts with
        self._parts = [(0, fixed), (fixed, self.width)] if fixed else [(0, self.width)]
        leaves = [np.empty((self.n * blowup, DIGEST_BYTES), dtype=np.uint8) for _ in self._parts]
        for k, values in self.cosets():
            for (lo, hi), out in zip(self._parts, leaves):
                out[k::blowup] = hash_leaves(scheme, values[lo:hi].T)
        self.trees = [MerkleTree(leaves=part, scheme=scheme) for part in leaves]
        self.tree = self.trees[-1]
        self.fixed_tree = self.trees[0] if fixed else None

    @property
    def root(self) -> bytes:
        return self.tree.root

    def pass_order(self) -> list[int]:
        """The cosets in the order a pass visits them: the one the array still holds from the pass before first
        (it needs no transform: one coset in eight of the constraint quotient's pass)."""
        others = [k for k in range(self.blowup) if k != self._held]
        return others if self._held is None else [self._held, *others]

    def cosets(self, order: list[int] | None = None) -> Iterator[tuple[int, np.ndarray]]:
        """(k, values) for every coset k, in `order` (default `pass_order()`; passes over several commitments
        use one order), values (width, n) the polynomials at its points in order.

        One array holds them all, each coset computed into the previous one's: a caller must be done with a
        coset before it asks for the next, and with the pass before it calls `cosets` or `trace_values` again."""
        for k in self.pass_order() if order is None else order:
            if k != self._held:
                self._on_coset(coset_shift(k, self.n, self.blowup))
                self._held = k
            yield k, self._values

    def trace_values(self) -> np.ndarray:
        """(width, n): the polynomials on the trace domain, the columns they interpolate (in the array `cosets`
        reuses: a caller that keeps them past its next pass copies them)."""
        return self._on_coset(1)

    def _on_coset(self, shift: int) -> np.ndarray:
        """The polynomials on shift * <w_n>, transformed a block of coefficient rows at a time."""
        self._held = None
        if self._values is None:
            self._values = np.empty((self.width, self.n), dtype=np.uint64)
        for lo, block in self.coefficients.blocks():
            ntt.coset_ntt(block, shift, reversed_input=True, out=self._values[lo:lo + block.shape[0]])
        return self._values

    def release(self) -> None:
        """Drop the coset array (the passes are done; the openings evaluate their rows from the coefficients)."""
        self._values, self._held = None, None

    def evaluate_at(self, points: list[Ext]) -> list[list[Ext]]:
        """Every polynomial at each extension point (one pass over the coefficients for all of them)."""
        return polynomials.evaluate_at(self.coefficients.blocks(), self.n, points)

    def combine(self, weights: list[list[Ext]]) -> list[np.ndarray]:
        """For each list of weights, the (2, n) coefficients of sum_i weights[i] * polynomial_i."""
        return polynomials.combine(self.coefficients.blocks(), self.n, weights)

    def point_powers(self, indices) -> np.ndarray:
        """The powers of the LDE points at the sorted, distinct `indices` (point j is GENERATOR * w^j, w of order
        blowup * n) that `open` evaluates rows with: the same for every commitment of a proof, so built once."""
        w = root_of_unity(self.n * self.blowup)
        return polynomials.point_powers([GENERATOR * pow(w, j, P) % P for j in indices], self.n)

    def open(self, indices, powers: np.ndarray) -> list[tuple[np.ndarray, list[bytes]]]:
        """Per tree (the fixed one first), the LDE rows at the sorted, distinct `indices`, evaluated from the
        coefficients with `powers` (`point_powers(indices)`), and their Merkle siblings."""
        rows = polynomials.evaluate_at_points(self.coefficients.blocks(), powers, len(indices)).T
        return [(rows[:, lo:hi], tree.siblings(indices)) for (lo, hi), tree in zip(self._parts, self.trees)]
