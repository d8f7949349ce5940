"""The solvency tree's algebraic hashes (SPEC §1): H_leaf, H_node and H_id over Poseidon2, domain-separated.

One sponge over the width-12 permutation: rate 8 (lanes 0..7), capacity 4 (lanes 8..11), overwrite mode.
The capacity starts as [domain tag, message length, 0, 0] and the rate as zeros; each chunk of 8 message
elements (the last one zero-padded) overwrites lanes 0..7, then the state is permuted. The digest is lanes 0..3.
Binding the length in the capacity makes zero padding unambiguous; the tag separates the three hashes.

Scalar functions (pure Python) serve the verifier; the array versions (numba permutation) build whole trees.
"""
import re

import numpy as np

from circuits.field import P
from circuits.poseidon2 import WIDTH, permute, permute_batch

RATE = 8
DIGEST_SIZE = 4
DOMAIN_LEAF = 1
DOMAIN_NODE = 2
DOMAIN_ID = 3

Digest = tuple[int, int, int, int]

_ID_BYTES_PER_ELEMENT = 7  # 2^56 < p: any 7 bytes are a canonical field element


def _initial_state(domain: int, length: int) -> list[int]:
    if length == 0:
        raise ValueError("the sponge does not hash an empty message")
    return [0] * RATE + [domain, length] + [0] * (WIDTH - RATE - 2)


def sponge(domain: int, message: list[int]) -> Digest:
    state = _initial_state(domain, len(message))
    for start in range(0, len(message), RATE):
        chunk = list(message[start : start + RATE])
        state = permute(chunk + [0] * (RATE - len(chunk)) + state[RATE:])
    return tuple(state[:DIGEST_SIZE])


def sponge_batch(domain: int, messages: np.ndarray) -> np.ndarray:
    """The sponge on every row of an (N, L) uint64 array of canonical elements: (N, 4) digests."""
    messages = np.asarray(messages, dtype=np.uint64)
    if messages.ndim != 2:
        raise ValueError(f"messages must have shape (N, L), got {messages.shape}")
    rows, length = messages.shape
    state = np.tile(np.array(_initial_state(domain, length), dtype=np.uint64), (rows, 1))
    for start in range(0, length, RATE):
        chunk = messages[:, start : start + RATE]
        state[:, :RATE] = 0
        state[:, : chunk.shape[1]] = chunk
        state = permute_batch(state)
    return state[:, :DIGEST_SIZE].copy()


# ---------------------------------------------------------------------------------------------------------------
# Scalar hashes (the verifier's)


def _check_digest(d) -> None:
    if len(d) != DIGEST_SIZE or any(not 0 <= x < P for x in d):
        raise ValueError(f"a digest is {DIGEST_SIZE} canonical field elements")


def hash_leaf(idc: Digest, balances: list[int]) -> Digest:
    """H_leaf(idc, b): message idc || balances, ceil((4 + A) / 8) permutations."""
    _check_digest(idc)
    return sponge(DOMAIN_LEAF, list(idc) + list(balances))


def hash_node(left: Digest, right: Digest) -> Digest:
    """H_node(left, right): message left || right, exactly one permutation."""
    _check_digest(left)
    _check_digest(right)
    return sponge(DOMAIN_NODE, list(left) + list(right))


def hash_id(user_id: str, nonce: bytes) -> Digest:
    """H_id: the salted user-id commitment idc over len(uid) || uid (UTF-8) || len(nonce) || nonce, lengths as
    4 bytes little-endian (both lengths bound, so no two (id, nonce) pairs share an encoding)."""
    uid = user_id.encode("utf-8")
    if len(uid) >= 1 << 32:
        raise ValueError("user id too long")
    nonce = bytes(nonce)
    data = len(uid).to_bytes(4, "little") + uid + len(nonce).to_bytes(4, "little") + nonce
    elements = [
        int.from_bytes(data[i : i + _ID_BYTES_PER_ELEMENT], "little") for i in range(0, len(data), _ID_BYTES_PER_ELEMENT)
    ]
    return sponge(DOMAIN_ID, elements)


def merkle_root_from_path(leaf_digest: Digest, index: int, siblings: list[Digest]) -> Digest:
    """The root reached from a leaf at `index` through its siblings, listed from the leaf level up."""
    if not 0 <= index < 1 << len(siblings):
        raise ValueError(f"leaf index {index} out of range for a path of {len(siblings)} siblings")
    node = tuple(leaf_digest)
    for sibling in siblings:
        node = hash_node(sibling, node) if index & 1 else hash_node(node, sibling)
        index >>= 1
    return node


def digest_to_hex(d: Digest) -> str:
    """64 lowercase hex chars: each element as 8 bytes little-endian."""
    _check_digest(d)
    return b"".join(x.to_bytes(8, "little") for x in d).hex()


_HEX_DIGEST = re.compile(r"[0-9a-fA-F]{64}")


def digest_from_hex(s: str) -> Digest:
    if not isinstance(s, str) or not _HEX_DIGEST.fullmatch(s):
        raise ValueError("a digest is 64 hex characters")
    raw = bytes.fromhex(s)
    d = tuple(int.from_bytes(raw[i : i + 8], "little") for i in range(0, 32, 8))
    if any(x >= P for x in d):
        raise ValueError("digest element is not a canonical field element (>= p)")
    return d


# ---------------------------------------------------------------------------------------------------------------
# Whole-tree versions (the prover's)


def hash_leaves(idc: np.ndarray, balances: np.ndarray) -> np.ndarray:
    """H_leaf on every row: idc (N, 4), balances (N, A) uint64 -> (N, 4)."""
    return sponge_batch(DOMAIN_LEAF, np.hstack([np.asarray(idc, dtype=np.uint64), np.asarray(balances, dtype=np.uint64)]))


def hash_nodes(left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """H_node on every row: left (M, 4), right (M, 4) -> (M, 4)."""
    return sponge_batch(DOMAIN_NODE, np.hstack([np.asarray(left, dtype=np.uint64), np.asarray(right, dtype=np.uint64)]))


def merkle_levels(leaves: np.ndarray) -> list[np.ndarray]:
    """Every level of the binary tree over (N, 4) leaf digests, N a power of two: leaves first, root (1, 4) last."""
    leaves = np.asarray(leaves, dtype=np.uint64)
    n = leaves.shape[0]
    if leaves.ndim != 2 or leaves.shape[1] != DIGEST_SIZE or n == 0 or n & (n - 1):
        raise ValueError(f"leaves must have shape (N, {DIGEST_SIZE}) with N a power of two, got {leaves.shape}")
    levels = [leaves]
    while levels[-1].shape[0] > 1:
        level = levels[-1]
        levels.append(hash_nodes(level[0::2], level[1::2]))
    return levels
