"""Merkle trees over matrix rows (the prover's side of `verifier.merkle`)."""
from __future__ import annotations

import numpy as np

from verifier.merkle import DIGEST_SIZE, hash_leaf, hash_node


class MerkleTree:
    """Commits to the rows of a (rows, width) uint64 matrix; rows is a power of two."""

    def __init__(self, rows: np.ndarray):
        rows = np.ascontiguousarray(rows, dtype="<u8")
        n = rows.shape[0]
        if n == 0 or n & (n - 1):
            raise ValueError("a Merkle tree needs a power-of-two number of rows")
        self.rows = rows
        self.depth = n.bit_length() - 1
        raw = rows.tobytes()
        stride = rows.shape[1] * 8
        level = [hash_leaf(raw[i * stride:(i + 1) * stride]) for i in range(n)]
        self.levels = [level]
        while len(level) > 1:
            level = [hash_node(level[i], level[i + 1]) for i in range(0, len(level), 2)]
            self.levels.append(level)

    @property
    def root(self) -> bytes:
        return self.levels[-1][0]

    def open(self, indices) -> tuple[np.ndarray, list[bytes]]:
        """The rows at the sorted, distinct `indices` and the batched siblings that authenticate them."""
        indices = sorted(set(int(i) for i in indices))
        siblings = []
        known = set(indices)
        for level in self.levels[:-1]:
            for index in sorted(known):
                if index ^ 1 not in known:
                    siblings.append(level[index ^ 1])
            known = {index >> 1 for index in known}
        return self.rows[indices], siblings


assert DIGEST_SIZE == 32
