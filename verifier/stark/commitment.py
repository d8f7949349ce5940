"""The vector commitment: Merkle trees over matrix rows with a fast byte hash. This module is the seam: the hash,
its digest size and collision resistance, the leaf/node domain separation and the opening check all live here,
so a new commitment hash is a change to this module alone (the prover hashes through `prover.engine.row_hashing`,
which uses a parallel kernel for BLAKE2s and this module's `hash_bytes` for anything else).

Leaves and inner nodes are domain-separated (a 0x00 or 0x01 prefix), so a leaf can never pass for a node.
Trees have a fixed depth, log2(rows). A batched opening of several leaves sends each needed sibling once:
level by level, for every known node (in increasing index order) whose sibling is not known, the sibling.
The verifier consumes exactly as many siblings as the openings need; any other count is a rejection.
"""
from __future__ import annotations

import hashlib

HASH_NAME = "blake2s"
DIGEST_BYTES = 32
COLLISION_BITS = 128  # half the digest: the birthday bound
LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"


def hash_bytes(data: bytes) -> bytes:
    return hashlib.blake2s(data).digest()


def hash_row(row_bytes: bytes) -> bytes:
    return hash_bytes(LEAF_PREFIX + row_bytes)


def hash_children(left: bytes, right: bytes) -> bytes:
    return hash_bytes(NODE_PREFIX + left + right)


def row_bytes(row: list[int]) -> bytes:
    """A row of field elements as committed: each element 8 bytes little-endian."""
    return b"".join(v.to_bytes(8, "little") for v in row)


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
            parents[index >> 1] = hash_children(left, right)
        known = parents
    if used != len(siblings):
        raise MerkleError("too many Merkle siblings")
    return known[0]


def check_rows(rows: dict[int, list[int]], siblings: list[bytes], depth: int, root: bytes) -> None:
    """The opened rows (index -> row) and their batched siblings reach `root`; MerkleError otherwise."""
    digests = {i: hash_row(row_bytes(row)) for i, row in rows.items()}
    if root_from_openings(digests, siblings, depth) != root:
        raise MerkleError("Merkle opening does not match the commitment")
