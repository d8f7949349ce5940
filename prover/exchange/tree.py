"""The solvency tree over whole arrays: the batch versions of `circuits.tree_hash`'s sponge, leaves and nodes."""
import numpy as np

from circuits.field import P
from circuits.tree_hash import DIGEST_ELEMENTS, DOMAIN_LEAF, DOMAIN_NODE
from prover.engine.poseidon2_batch import sponge_rows


def sponge_batch(domain: int, messages: np.ndarray) -> np.ndarray:
    """The sponge on every row of an (N, L) uint64 array of canonical elements: (N, 4) digests (the engine's
    row sponge, which STARK commitments hash with too, after checking the messages)."""
    messages = np.asarray(messages, dtype=np.uint64)
    if messages.ndim != 2 or messages.shape[1] == 0:
        raise ValueError(f"messages must have shape (N, L), L >= 1, got {messages.shape}")
    if (messages >= np.uint64(P)).any():
        raise ValueError("messages must hold canonical field elements (< p)")
    return sponge_rows(domain, messages)


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
