"""The vector commitment: Merkle trees over matrix rows, under one of two hashes. This module is the seam: each
`CommitmentScheme` holds a hash's name, digest size, collision resistance and its leaf and node functions, and
the proof's parameters (`StarkParams.hash`) choose one (`scheme_for`); the prover hashes the same leaves and
nodes with numba kernels (`prover.engine.row_hashing`), tested against these functions.

BLAKE2s (the default): a leaf is blake2s(0x00 || row), each element 8 bytes little-endian; a node is
blake2s(0x01 || left || right).

Poseidon2 (for proofs verified inside another proof: `circuits.poseidon2`, width 12, and the sponge of
`circuits.tree_hash`, rate 8 lanes 0..7, capacity 4 lanes 8..11, overwrite mode):
    leaf(row)          = sponge(DOMAIN_COMMIT_LEAF, row): capacity starts [6, len(row), 0, 0], rate zeros; each
                         chunk of 8 elements (the last zero-padded) overwrites lanes 0..7, then a permutation;
                         the digest is lanes 0..3 (ceil(len/8) permutations)
    node(left, right)  = sponge(DOMAIN_COMMIT_NODE, left || right): permute(left || right || [7, 8, 0, 0]),
                         lanes 0..3 (one permutation)
The tags (distinct from each other and from the solvency tree's) and the length in the capacity separate leaves
from nodes and rows of different widths. A digest is its 4 canonical elements, 8 bytes little-endian each (32
bytes, the same size as BLAKE2s's); a digest with an element >= p is not a digest (`check_digest`).

Both give 128 bits of collision resistance: the birthday bound of a 256-bit digest (for Poseidon2, also the
capacity of 4 elements, ~256 bits).

Trees have a fixed depth, log2(rows). A batched opening of several leaves sends each needed sibling once:
level by level, for every known node (in increasing index order) whose sibling is not known, the sibling.
The verifier consumes exactly as many siblings as the openings need; any other count is a rejection.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Callable

from circuits.field import P
from circuits.tree_hash import DIGEST_ELEMENTS, DOMAIN_COMMIT_LEAF, DOMAIN_COMMIT_NODE, sponge

DIGEST_BYTES = 32  # every scheme's digest size (the proof format's digests)
LEAF_PREFIX = b"\x00"  # BLAKE2s's leaf and node prefixes
NODE_PREFIX = b"\x01"


def row_bytes(row: list[int]) -> bytes:
    """A row of field elements as BLAKE2s commits it: each element 8 bytes little-endian."""
    return b"".join(v.to_bytes(8, "little") for v in row)


def digest_elements(digest: bytes) -> list[int]:
    """A 32-byte digest as 4 little-endian 64-bit words (for Poseidon2, its field elements)."""
    return [int.from_bytes(digest[i:i + 8], "little") for i in range(0, DIGEST_BYTES, 8)]


def elements_digest(elements) -> bytes:
    return b"".join(int(x).to_bytes(8, "little") for x in elements)


def _blake2s(data: bytes) -> bytes:
    return hashlib.blake2s(data).digest()


def _any_digest(digest: bytes) -> None:
    """BLAKE2s: every 32 bytes are a digest."""


def _canonical_digest(digest: bytes) -> None:
    if any(x >= P for x in digest_elements(digest)):
        raise ValueError("digest element is not a canonical field element (>= p)")


@dataclass(frozen=True)
class CommitmentScheme:
    name: str
    digest_bytes: int
    collision_bits: int
    hash_row: Callable[[list[int]], bytes]  # a leaf: the digest of a row of field elements
    hash_children: Callable[[bytes, bytes], bytes]  # a node: the digest of its two children
    check_digest: Callable[[bytes], None]  # ValueError unless the bytes are one of the hash's digests


BLAKE2S = CommitmentScheme(
    name="blake2s", digest_bytes=DIGEST_BYTES, collision_bits=128,
    hash_row=lambda row: _blake2s(LEAF_PREFIX + row_bytes(row)),
    hash_children=lambda left, right: _blake2s(NODE_PREFIX + left + right),
    check_digest=_any_digest)

POSEIDON2 = CommitmentScheme(
    name="poseidon2", digest_bytes=8 * DIGEST_ELEMENTS, collision_bits=128,
    hash_row=lambda row: elements_digest(sponge(DOMAIN_COMMIT_LEAF, list(row))),
    hash_children=lambda left, right: elements_digest(
        sponge(DOMAIN_COMMIT_NODE, digest_elements(left) + digest_elements(right))),
    check_digest=_canonical_digest)

SCHEMES = {s.name: s for s in (BLAKE2S, POSEIDON2)}
HASHES = tuple(SCHEMES)


def scheme_for(name: str) -> CommitmentScheme:
    if name not in SCHEMES:
        raise ValueError(f"unknown commitment hash {name!r} (choose {', '.join(HASHES)})")
    return SCHEMES[name]


class MerkleError(ValueError):
    pass


def root_from_openings(scheme: CommitmentScheme, leaf_digests: dict[int, bytes], siblings: list[bytes],
                       depth: int) -> bytes:
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
            parents[index >> 1] = scheme.hash_children(left, right)
        known = parents
    if used != len(siblings):
        raise MerkleError("too many Merkle siblings")
    return known[0]


def check_rows(scheme: CommitmentScheme, rows: dict[int, list[int]], siblings: list[bytes], depth: int,
               root: bytes) -> None:
    """The opened rows (index -> row) and their batched siblings reach `root`; MerkleError otherwise."""
    digests = {i: scheme.hash_row(row) for i, row in rows.items()}
    if root_from_openings(scheme, digests, siblings, depth) != root:
        raise MerkleError("Merkle opening does not match the commitment")
