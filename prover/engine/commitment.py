"""Polynomials committed through their low-degree extension, without holding the whole extension.

The LDE domain (a coset of size blowup*n) is the union of `blowup` cosets of the trace domain: point j lies in
coset j mod blowup, at position j div blowup, and the next trace row of a point is the next position in the same
coset. So the prover can commit, evaluate constraints and answer queries one coset at a time, keeping only the
coefficients: a 2^19-row, 200-column trace then needs ~1 GB at a time instead of ~7 GB for its LDE. When the
whole LDE is small, the cosets are kept rather than recomputed.
"""
from __future__ import annotations

from typing import Iterator

import numpy as np

from circuits.field import GENERATOR, P, root_of_unity
from prover.engine import ntt
from prover.engine.merkle_tree import MerkleTree
from prover.engine.polynomials import evaluate_at_points
from prover.engine.row_hashing import hash_rows
from verifier.stark.commitment import DIGEST_BYTES, LEAF_PREFIX

KEEP_LDE_BYTES = 1 << 30  # below this, cosets are cached after the first pass instead of recomputed


def coset_shift(k: int, n: int, blowup: int) -> int:
    """The offset of the k-th coset of the trace domain inside the LDE domain: GENERATOR * w_{blowup n}^k."""
    return GENERATOR * pow(root_of_unity(n * blowup), k, P) % P


class CommittedPolynomials:
    def __init__(self, coeffs: np.ndarray, blowup: int):
        self.coeffs = np.ascontiguousarray(coeffs, dtype=np.uint64)
        self.width, self.n = self.coeffs.shape
        self.blowup = blowup
        self._cache = [] if self.width * self.n * blowup * 8 <= KEEP_LDE_BYTES else None
        leaves = np.empty((self.n * blowup, DIGEST_BYTES), dtype=np.uint8)
        for k, values in self.cosets():
            leaves[k::blowup] = hash_rows(LEAF_PREFIX, values.T)
        self.tree = MerkleTree(leaves=leaves)

    @property
    def root(self) -> bytes:
        return self.tree.root

    def cosets(self) -> Iterator[tuple[int, np.ndarray]]:
        """(k, values) for every coset k in turn, values (width, n) the polynomials at its points in order.

        While they are computed the coefficients sit in bit-reversed order (permuted in place, and back when the
        iteration ends: nothing may read them meanwhile), so the blowup transforms share one permutation instead
        of gathering it each."""
        if self._cache is not None and len(self._cache) == self.blowup:
            yield from enumerate(self._cache)
            return
        if self._cache is not None:
            self._cache.clear()
        ntt.bit_reverse_rows(self.coeffs)
        try:
            for k in range(self.blowup):
                values = ntt.coset_ntt(self.coeffs, coset_shift(k, self.n, self.blowup), reversed_input=True)
                if self._cache is not None:
                    self._cache.append(values)
                yield k, values
        finally:
            ntt.bit_reverse_rows(self.coeffs)

    def open(self, indices) -> tuple[np.ndarray, list[bytes]]:
        """The LDE rows at the sorted, distinct `indices` (evaluated afresh) and their Merkle siblings."""
        indices = sorted(set(int(i) for i in indices))
        w = root_of_unity(self.n * self.blowup)
        rows = evaluate_at_points(self.coeffs, [GENERATOR * pow(w, j, P) % P for j in indices]).T
        return rows, self.tree.siblings(indices)
