"""The solvency tree over whole arrays: the batch versions of `circuits.tree_hash`'s sponge, leaves and nodes."""
import numpy as np

from circuits.tree_hash import (
    DIGEST_ELEMENTS,
    DOMAIN_LEAF,
    DOMAIN_NODE,
    RATE,
    initial_state,
)
from prover.engine.poseidon2_batch import permute_batch


def sponge_batch(domain: int, messages: np.ndarray) -> np.ndarray:
    """The sponge on every row of an (N, L) uint64 array of canonical elements: (N, 4) digests."""
    messages = np.asarray(messages, dtype=np.uint64)
    if messages.ndim != 2:
        raise ValueError(f"messages must have shape (N, L), got {messages.shape}")
    rows, length = messages.shape
    state = np.tile(np.array(initial_state(domain, length), dtype=np.uint64), (rows, 1))
    for start in range(0, length, RATE):
        chunk = messages[:, start : start + RATE]
        state[:, :RATE] = 0
        state[:, : chunk.shape[1]] = chunk
        state = permute_batch(state)
    return state[:, :DIGEST_ELEMENTS].copy()


def leaf_digests(idc: np.ndarray, balances: np.ndarray) -> np.ndarray:
    """H_leaf on every row: idc (N, 4), balances (N, A) uint64 -> (N, 4)."""
    return sponge_batch(DOMAIN_LEAF, np.hstack([np.asarray(idc, dtype=np.uint64), np.asarray(balances, dtype=np.uint64)]))


def node_digests(left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """H_node on every row: left (M, 4), right (M, 4) -> (M, 4)."""
    return sponge_batch(DOMAIN_NODE, np.hstack([np.asarray(left, dtype=np.uint64), np.asarray(right, dtype=np.uint64)]))


def tree_levels(leaves: np.ndarray) -> list[np.ndarray]:
    """Every level of the binary tree over (N, 4) leaf digests, N a power of two: leaves first, root (1, 4) last."""
    leaves = np.asarray(leaves, dtype=np.uint64)
    n = leaves.shape[0]
    if leaves.ndim != 2 or leaves.shape[1] != DIGEST_ELEMENTS or n == 0 or n & (n - 1):
        raise ValueError(f"leaves must have shape (N, {DIGEST_ELEMENTS}) with N a power of two, got {leaves.shape}")
    levels = [leaves]
    while levels[-1].shape[0] > 1:
        level = levels[-1]
        levels.append(node_digests(level[0::2], level[1::2]))
    return levels
