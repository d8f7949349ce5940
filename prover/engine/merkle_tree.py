"""Merkle trees over matrix rows (the prover's side of `verifier.stark.commitment`)."""
from __future__ import annotations

import numpy as np

from prover.engine.row_hashing import hash_leaves, hash_nodes
from verifier.stark.commitment import BLAKE2S, CommitmentScheme

KEPT_FROM = 8  # lowest kept level above the leaves: a sibling below it costs at most 2^8 - 1 hashes


class MerkleTree:
    """Commits to the rows of a (rows, width) uint64 matrix; rows is a power of two.

    The matrix is kept by reference, not copied: a transposed view of a (width, rows) LDE commits without a
    second copy of it. Every level is one (nodes, 32) byte array, hashed in parallel: the same digests as the
    commitment scheme's hash_row and hash_children (`verifier.stark.commitment`). Only the leaves and the levels
    from KEPT_FROM up are kept: the levels between hold 7/8 as many digests as the leaves (0.44 GB for a 2^24-leaf
    LDE at 2^18 leaves), and an opening rehashes the at most 2^KEPT_FROM leaves under each sibling it needs there."""

    def __init__(self, rows: np.ndarray | None = None, *, leaves: np.ndarray | None = None,
                 scheme: CommitmentScheme = BLAKE2S):
        """Commit to the rows of a matrix, or to leaf digests already computed (whose rows live elsewhere)."""
        if (rows is None) == (leaves is None):
            raise ValueError("a Merkle tree commits to rows or to leaf digests")
        if rows is not None:
            rows = np.asarray(rows, dtype="<u8")
            leaves = hash_leaves(scheme, rows)
        n = leaves.shape[0]
        if n == 0 or n & (n - 1):
            raise ValueError("a Merkle tree needs a power-of-two number of rows")
        self.rows = rows
        self.scheme = scheme
        self.depth = n.bit_length() - 1
        level = leaves
        self.levels = {0: leaves}  # height -> digests, for the heights kept
        for height in range(1, self.depth + 1):
            level = hash_nodes(self.scheme, level)
            if height >= KEPT_FROM or height == self.depth:
                self.levels[height] = level

    @property
    def root(self) -> bytes:
        return self.levels[self.depth][0].tobytes()

    def node(self, height: int, index: int) -> bytes:
        """The digest of node `index` at `height`, rehashed from the leaves under it if its level is not kept."""
        if height in self.levels:
            return self.levels[height][index].tobytes()
        level = self.levels[0][index << height:(index + 1) << height]
        for _ in range(height):
            level = hash_nodes(self.scheme, level)
        return level[0].tobytes()

    def siblings(self, indices) -> list[bytes]:
        """The batched siblings that authenticate the leaves at `indices` (see `verifier.stark.commitment`)."""
        out = []
        known = set(int(i) for i in indices)
        for height in range(self.depth):
            for index in sorted(known):
                if index ^ 1 not in known:
                    out.append(self.node(height, index ^ 1))
            known = {index >> 1 for index in known}
        return out

    def open(self, indices) -> tuple[np.ndarray, list[bytes]]:
        """The rows at the sorted, distinct `indices` and the batched siblings that authenticate them."""
        indices = sorted(set(int(i) for i in indices))
        return self.rows[indices], self.siblings(indices)
