"""Polynomials committed through their low-degree extension, without holding the whole extension.

The LDE domain (a coset of size blowup*n) is the union of `blowup` cosets of the trace domain: point j lies in
coset j mod blowup, at position j div blowup, and the next trace row of a point is the next position in the same
coset. So the prover can commit, evaluate constraints and answer queries one coset at a time, keeping only the
coefficients (a streaming proof parks them in a temporary file, `coefficient_store`, and reads them back a block
at a time: a 2^21-row, 204-column trace then holds one 3.2 GiB coset at a time, not 27 GiB of LDE). When the
cosets will be read again (the trace's, by the constraint quotient and the query openings) and the whole LDE fits
the memory budget, they are kept rather than recomputed: at 2^16 leaves x 22 assets that saves eight coset NTTs
and the openings' evaluations from coefficients (about a sixth of the proof) for 6.8 GB more.
"""
from __future__ import annotations

import os
from typing import Iterator

import numpy as np

from circuits.field import GENERATOR, Ext, P, root_of_unity
from prover.engine import ntt, polynomials
from prover.engine.coefficient_store import CoefficientArray, CoefficientFile
from prover.engine.merkle_tree import MerkleTree
from prover.engine.row_hashing import hash_rows
from verifier.stark.commitment import DIGEST_BYTES, LEAF_PREFIX

# A proof keeps its trace's LDEs (main and LogUp columns) if together they take at most this many bytes; None: half
# the memory the system has available when the proof starts (so one proof on a 24 GB machine keeps the 7.7 GB of a
# 2^16-leaf round, and a 2^18-leaf one, 31 GB, streams them all). POR_KEEP_LDE_BYTES in the environment sets it
# (0: always recompute, the least memory); local Dask workers get their share (prover.exchange.distributed).
KEEP_LDE_BYTES: int | None = int(os.environ["POR_KEEP_LDE_BYTES"]) if "POR_KEEP_LDE_BYTES" in os.environ else None


def available_memory() -> int:
    """Bytes the system can still hand out without swapping (psutil: MemAvailable on Linux)."""
    import psutil

    return psutil.virtual_memory().available


def lde_budget() -> int:
    """The bytes of LDE a proof may keep now (KEEP_LDE_BYTES above)."""
    return KEEP_LDE_BYTES if KEEP_LDE_BYTES is not None else available_memory() // 2


def may_keep(nbytes: int) -> bool:
    """Whether LDEs of `nbytes` in all fit the budget."""
    return nbytes <= lde_budget()


def coset_shift(k: int, n: int, blowup: int) -> int:
    """The offset of the k-th coset of the trace domain inside the LDE domain: GENERATOR * w_{blowup n}^k."""
    return GENERATOR * pow(root_of_unity(n * blowup), k, P) % P


class CommittedPolynomials:
    def __init__(self, coefficients: CoefficientArray | CoefficientFile, blowup: int, keep: bool = False):
        """Commit to the LDE of each polynomial in `coefficients` (a store, in memory or in a file, that its
        owner closes when the proof is done); `keep`: hold on to its cosets for later passes and openings instead
        of recomputing them (worth it only when they are read again)."""
        self.coefficients = coefficients
        self.width, self.n = coefficients.width, coefficients.n
        self.blowup = blowup
        self._cache = [] if keep else None
        leaves = np.empty((self.n * blowup, DIGEST_BYTES), dtype=np.uint8)
        for k, values in self.cosets():
            leaves[k::blowup] = hash_rows(LEAF_PREFIX, values.T)
        # The leaf digests are kept only when the rows are not: then an opening evaluates just the queried rows
        # (at 2^21 trace rows x 204 columns, 7-8 s less than also evaluating their siblings to rehash them) for
        # 0.25 GB more per 2^24-point LDE; with the cosets kept, rehashing a sibling row costs nothing.
        self.tree = MerkleTree(leaves=leaves, keep_leaves=not keep)

    @property
    def root(self) -> bytes:
        return self.tree.root

    def cosets(self) -> Iterator[tuple[int, np.ndarray]]:
        """(k, values) for every coset k in turn, values (width, n) the polynomials at its points in order.

        Unless cosets are kept, one array is reused: each coset is computed into the previous one's, so a caller
        must be done with a coset before it asks for the next (one coset alive, not two: 0.8 GB less at 2^16
        leaves)."""
        if self._kept:
            yield from enumerate(self._cache)
            return
        if self._cache is not None:
            self._cache.clear()
        values = None
        for k in range(self.blowup):
            values = self._on_coset(coset_shift(k, self.n, self.blowup),
                                    None if self._cache is not None else values)
            if self._cache is not None:
                self._cache.append(values)
            yield k, values

    @property
    def _kept(self) -> bool:
        """Whether every coset is held (after the first pass, when keeping)."""
        return self._cache is not None and len(self._cache) == self.blowup

    def trace_values(self) -> np.ndarray:
        """(width, n): the polynomials on the trace domain, the columns they interpolate."""
        return self._on_coset(1)

    def _on_coset(self, shift: int, out: np.ndarray | None = None) -> np.ndarray:
        """The polynomials on shift * <w_n>, transformed a block of coefficient rows at a time (into `out`)."""
        out = np.empty((self.width, self.n), dtype=np.uint64) if out is None else out
        for lo, block in self.coefficients.blocks():
            ntt.coset_ntt(block, shift, reversed_input=True, out=out[lo:lo + block.shape[0]])
        return out

    def evaluate_at(self, points: list[Ext]) -> list[list[Ext]]:
        """Every polynomial at each extension point (one pass over the coefficients for all of them)."""
        return polynomials.evaluate_at(self.coefficients.blocks(), self.n, points)

    def combine(self, weights: list[list[Ext]]) -> list[np.ndarray]:
        """For each list of weights, the (2, n) coefficients of sum_i weights[i] * polynomial_i."""
        return polynomials.combine(self.coefficients.blocks(), self.n, weights)

    def open(self, indices) -> tuple[np.ndarray, list[bytes]]:
        """The LDE rows at the sorted, distinct `indices` and their Merkle siblings. Unless the cosets are kept,
        the rows are evaluated afresh from the coefficients (and the tree has the sibling leaves' digests)."""
        indices = sorted(set(int(i) for i in indices))
        if self._cache is None:
            return self._rows(indices), self.tree.siblings(indices)
        others = sorted({j ^ 1 for j in indices} - set(indices))
        rows = self._rows(indices + others)
        digests = hash_rows(LEAF_PREFIX, np.ascontiguousarray(rows[len(indices):])) if others else []
        return rows[:len(indices)], self.tree.siblings(indices, {j: d.tobytes() for j, d in zip(others, digests)})

    def _rows(self, indices: list[int]) -> np.ndarray:
        """LDE rows (len(indices), width): point j is position j div blowup of coset j mod blowup."""
        if self._kept:
            return np.array([self._cache[j % self.blowup][:, j // self.blowup] for j in indices],
                            dtype=np.uint64).reshape(len(indices), self.width)
        w = root_of_unity(self.n * self.blowup)
        return polynomials.evaluate_at_points(self.coefficients.blocks(), self.n,
                                              [GENERATOR * pow(w, j, P) % P for j in indices]).T
