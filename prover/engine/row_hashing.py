"""The commitment hash (verifier.stark.commitment) over many rows at once: for BLAKE2s, the numba kernels of
`blake2s_batch` on several threads (an LDE coset's rows across SIMD lanes: 2.7x to 13x a loop over hashlib from
800 down to 2 columns, `scripts/bench_row_hashing.py`); the scheme's own `hash_bytes` row by row for any other
hash, so changing the hash cannot desynchronize the prover from the verifier. Digests are the same either way."""
from __future__ import annotations

import numpy as np

from prover.engine import blake2s_batch
from verifier.stark import commitment


def hash_rows(prefix: bytes, rows: np.ndarray) -> np.ndarray:
    """(n, DIGEST_BYTES) uint8: row i's digest is hash_bytes(prefix + rows[i].tobytes())."""
    if commitment.HASH_NAME == "blake2s":
        return blake2s_batch.hash_rows(prefix, rows)
    out = np.empty((rows.shape[0], commitment.DIGEST_BYTES), dtype=np.uint8)
    for i in range(rows.shape[0]):
        out[i] = np.frombuffer(commitment.hash_bytes(prefix + np.ascontiguousarray(rows[i]).tobytes()), np.uint8)
    return out
