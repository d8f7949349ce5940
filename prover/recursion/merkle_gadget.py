"""The Poseidon2 commitment (`verifier.stark.commitment`) checked on wires: a row's leaf digest and a full
authentication path to the root, one Merkle step per level.

The circuit has a fixed shape, so every opened row gets its own full path (one sibling per level) where the
proof batches siblings across rows; `full_paths` expands a batched opening for the witness generator. Merkle
steps hash under the circuit's framing, which must be the commitment's node framing (`COMMIT_FRAMING`): a
circuit built for the solvency tree's nodes cannot be mistaken for one checking STARK commitments.
"""
from __future__ import annotations

from circuits.recursion.chips import node_framing
from circuits.tree_hash import DIGEST_ELEMENTS, DOMAIN_COMMIT_LEAF, DOMAIN_COMMIT_NODE, RATE, initial_state
from prover.recursion.circuit import Circuit, Wire
from verifier.stark.commitment import CommitmentScheme, MerkleError

COMMIT_FRAMING = node_framing(DOMAIN_COMMIT_NODE)


def row_digest(circuit: Circuit, row: list[Wire]) -> list[Wire]:
    """The leaf sponge of `row` (capacity [6, len(row), 0, 0], the last chunk zero-padded with constants):
    ceil(len(row) / 8) permutations."""
    state = [circuit.constant(x) for x in initial_state(DOMAIN_COMMIT_LEAF, len(row))]
    zero = circuit.constant(0)
    for start in range(0, len(row), RATE):
        chunk = list(row[start:start + RATE])
        state = circuit.permute(chunk + [zero] * (RATE - len(chunk)) + state[RATE:])
    return state[:DIGEST_ELEMENTS]


def opening_root(circuit: Circuit, leaf: list[Wire], index_bits: list[Wire], siblings: list[list[Wire]]) -> list[Wire]:
    """The root from a leaf digest through one sibling per level (leaf level up), `index_bits` (little-endian,
    already boolean: the bits of a query index) choosing each order."""
    if tuple(circuit.framing) != COMMIT_FRAMING:
        raise ValueError("commitment paths need a circuit framed for the commitment's nodes (COMMIT_FRAMING)")
    if len(index_bits) != len(siblings):
        raise ValueError(f"a path of {len(siblings)} siblings needs as many index bits, not {len(index_bits)}")
    node = list(leaf)
    for bit, sibling in zip(index_bits, siblings):
        node = circuit.merkle_step(node, sibling, bit)
    return node


def check_opening(circuit: Circuit, row: list[Wire], index_bits: list[Wire], siblings: list[list[Wire]],
                  root: list[Wire]) -> None:
    """Assert that `row` is the leaf at the index's position under `root`."""
    for computed, expected in zip(opening_root(circuit, row_digest(circuit, row), index_bits, siblings), root):
        circuit.assert_equal(computed, expected)


def full_paths(scheme: CommitmentScheme, leaf_digests: dict[int, bytes], siblings: list[bytes],
               depth: int) -> tuple[dict[int, list[bytes]], bytes]:
    """Each opened leaf's full sibling list (leaf level up) from a batched opening, and the root: the walk of
    `verifier.stark.commitment.root_from_openings`, remembering every level's nodes. MerkleError as there."""
    if not leaf_digests or any(not 0 <= i < 1 << depth for i in leaf_digests):
        raise MerkleError("no leaves opened, or a leaf index out of range")
    known, supply, levels = dict(leaf_digests), iter(siblings), []
    for _ in range(depth):
        level = dict(known)
        for index in sorted(known):  # siblings arrive in increasing order of the known node that needs one
            if index ^ 1 not in known:
                level[index ^ 1] = next(supply, None)
                if level[index ^ 1] is None:
                    raise MerkleError("too few Merkle siblings")
        levels.append(level)
        known = {i >> 1: scheme.hash_children(level[i], level[i ^ 1]) for i in level if i % 2 == 0}
    if next(supply, None) is not None:
        raise MerkleError("too many Merkle siblings")
    paths = {i: [levels[h][(i >> h) ^ 1] for h in range(depth)] for i in leaf_digests}
    return paths, known[0]

