"""Proof size without proving: a proof of the right shape is assembled from placeholders and serialized with
`verifier.stark.proof_format.serialize`, so the size follows the format exactly; only the opened rows and the
batched Merkle siblings depend on where the queries land, and those are averaged over simulated query sets.

Security is `Protocol(...).security`, conjectured and proven, unchanged.
"""
from __future__ import annotations

import random
from dataclasses import dataclass

from circuits.field import Ext
from verifier.stark.commitment import DIGEST_BYTES
from verifier.stark.proof_format import Opening, StarkProof, serialize
from verifier.stark.protocol import Protocol

DEFAULT_TRIALS = 8
_DIGEST = bytes(DIGEST_BYTES)


def batched_siblings(positions, depth: int) -> int:
    """How many siblings a batched opening of the leaves at `positions` sends, by the rule of
    `verifier.stark.commitment` (level by level, one per known node whose sibling is not known)."""
    known = set(positions)
    count = 0
    for _ in range(depth):
        count += sum(1 for i in known if i ^ 1 not in known)
        known = {i >> 1 for i in known}
    return count


def opening_counts(protocol: Protocol, indices: list[int]) -> list[tuple[int, int]]:
    """(opened rows, siblings) of every committed tree, in proof order, for the query positions `indices`
    (the trees and their leaf positions as `verifier.stark.verify._check_openings` reads them)."""
    depth = protocol.lde_size.bit_length() - 1
    trace_trees = 2 if protocol.aux_width else 1
    counts = [(len(set(indices)), batched_siblings(indices, depth))] * (trace_trees + 1)  # trace(s), quotient
    positions = indices
    for size in protocol.fri_layers:
        leaves = size >> protocol.params.fri_log_arity
        positions = [j % leaves for j in positions]
        counts.append((len(set(positions)), batched_siblings(positions, leaves.bit_length() - 1)))
    return counts


def proof_size(protocol: Protocol, counts: list[tuple[int, int]]) -> int:
    """The exact byte size of a proof of this protocol whose openings have these (rows, siblings) counts."""
    widths = [protocol.main_width] + ([2 * protocol.aux_width] if protocol.aux_width else [])
    widths += [protocol.quotient_width] + [2 << protocol.params.fri_log_arity] * len(protocol.fri_layers)
    openings = [Opening([[0] * width] * rows, [_DIGEST] * siblings)
                for width, (rows, siblings) in zip(widths, counts, strict=True)]
    proof = StarkProof(protocol.params, protocol.trace_length.bit_length() - 1, _DIGEST,
                       _DIGEST if protocol.aux_width else None, _DIGEST, [Ext(0)] * (2 * protocol.trace_width),
                       [Ext(0)] * (2 * protocol.quotient_chunks), [_DIGEST] * len(protocol.fri_layers),
                       [Ext(0)] * protocol.fri_final_degree, 0, openings)
    return len(serialize(proof))


@dataclass(frozen=True)
class SizeEstimate:
    mean: float  # bytes, over the simulated query sets
    low: int
    high: int
    trials: int


def expected_size(protocol: Protocol, trials: int = DEFAULT_TRIALS, seed: int = 0) -> SizeEstimate:
    """The proof size averaged over `trials` uniformly random query sets (the verifier samples its queries
    uniformly from the LDE domain, with repetition, so duplicates and shared Merkle paths vary per proof)."""
    rng = random.Random(seed)
    q, domain = protocol.params.num_queries, protocol.lde_size
    sizes = [proof_size(protocol, opening_counts(protocol, [rng.randrange(domain) for _ in range(q)]))
             for _ in range(trials)]
    return SizeEstimate(sum(sizes) / trials, min(sizes), max(sizes), trials)
