"""Merkle commitments over matrix rows with a fast byte hash (BLAKE2s, 32-byte digests).

Leaves and inner nodes are domain-separated (a 0x00 or 0x01 prefix), so a leaf can never pass for a node.
Trees have a fixed depth, log2(rows). A batched opening of several leaves sends each needed sibling once:
level by level, for every known node (in increasing index order) whose sibling is not known, the sibling.
The verifier consumes exactly as many siblings as the openings need; any other count is a rejection.
"""
from __future__ import annotations

import hashlib

DIGEST_SIZE = 32
LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"


def hash_leaf(row_bytes: bytes) -> bytes:
    return hashlib.blake2s(LEAF_PREFIX + row_bytes).digest()


def hash_node(left: bytes, right: bytes) -> bytes:
    return hashlib.blake2s(NODE_PREFIX + left + right).digest()


class MerkleError(ValueError):
    pass


def root_from_openings(leaf_digests: dict[int, bytes], siblings: list[bytes], depth: int) -> bytes:
    """The root implied by the opened leaves and the batched siblings; MerkleError if the siblings don't fit."""
    if not leaf_digests:
        raise MerkleError("no leaves opened")
    known = dict(leaf_digests)
    if any(not 0 <= i < (1 << depth) for i in known):
        raise MerkleError("leaf index out of range")
    supply = iter(siblings)
    used = 0
    for _ in range(depth):
        parents: dict[int, bytes] = {}
        for index in sorted(known):
            if index ^ 1 in known:
                if index & 1:
                    continue  # the pair was handled at its even member
                left, right = known[index], known[index ^ 1]
            else:
                sibling = next(supply, None)
                if sibling is None:
                    raise MerkleError("too few Merkle siblings")
                used += 1
                left, right = (known[index], sibling) if index % 2 == 0 else (sibling, known[index])
            parents[index >> 1] = hash_node(left, right)
        known = parents
    if used != len(siblings):
        raise MerkleError("too many Merkle siblings")
    return known[0]
