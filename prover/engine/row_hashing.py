"""The commitment scheme's leaves and nodes (verifier.stark.commitment) over many rows at once, with the prover's
numba kernels on several threads: for BLAKE2s those of `blake2s_batch` (an LDE coset's rows across SIMD lanes:
2.7x to 13x a loop over hashlib from 800 down to 2 columns, `scripts/bench_row_hashing.py`), for Poseidon2 the
sponge of `poseidon2_batch`. Digests are (n, 32) uint8 arrays either way, a Poseidon2 digest's 4 elements as
little-endian words, as the verifier's bytes; `tests/prover/engine/test_poseidon2_rows.py` and
`tests/verifier/test_transcript_merkle.py` check them against the verifier's functions."""
from __future__ import annotations

import numpy as np

from circuits.tree_hash import DOMAIN_COMMIT_LEAF, DOMAIN_COMMIT_NODE
from prover.engine import blake2s_batch, poseidon2_batch
from verifier.stark.commitment import (BLAKE2S, DIGEST_BYTES, LEAF_PREFIX, NODE_PREFIX, POSEIDON2,
                                       CommitmentScheme)


def _as_digests(elements: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(elements, dtype="<u8").view(np.uint8)


def hash_leaves(scheme: CommitmentScheme, rows: np.ndarray) -> np.ndarray:
    """(n, DIGEST_BYTES) uint8: row i's digest is scheme.hash_row(rows[i]), rows (n, w) uint64 in any layout."""
    if scheme is BLAKE2S:
        return blake2s_batch.hash_rows(LEAF_PREFIX, rows)
    if scheme is POSEIDON2:
        return _as_digests(poseidon2_batch.sponge_rows(DOMAIN_COMMIT_LEAF, rows))
    raise ValueError(f"no row-hashing kernel for {scheme.name}")


def hash_nodes(scheme: CommitmentScheme, children: np.ndarray) -> np.ndarray:
    """(m, DIGEST_BYTES) uint8: node i is scheme.hash_children(children[2i], children[2i + 1])."""
    pairs = np.ascontiguousarray(children).reshape(-1, 2 * DIGEST_BYTES)
    if scheme is BLAKE2S:
        return blake2s_batch.hash_rows(NODE_PREFIX, pairs)
    if scheme is POSEIDON2:
        return _as_digests(poseidon2_batch.sponge_rows(DOMAIN_COMMIT_NODE, pairs.view("<u8")))
    raise ValueError(f"no row-hashing kernel for {scheme.name}")
