"""The commitment hash (verifier.stark.commitment) over many rows at once: for BLAKE2s, the numba kernel on
several threads for narrow rows and hashlib's C implementation row by row for wide ones (whichever measured
faster, `scripts/bench_row_hashing.py`); the scheme's own `hash_bytes` row by row for any other hash, so changing
the hash cannot desynchronize the prover from the verifier. Digests are the same either way."""
from __future__ import annotations

import hashlib

import numpy as np

from prover.engine import blake2s_batch, threads
from verifier.stark import commitment

# Rows at least this long (bytes) go to hashlib, on several threads (it releases the GIL while it hashes 2048
# bytes or more); shorter rows to the numba kernel. scripts/bench_row_hashing.py, 2^15 rows on 2 cores, hashlib's
# time over numba's: 16 columns 4.3, 216 columns (1728 bytes) 1.9, 400 columns (3200 bytes) 1.05 against threaded
# hashlib, 800 columns (6400 bytes) 0.67.
HASHLIB_MIN_BYTES = 4096
_CHUNK = 1 << 12  # rows gathered at a time for the hashlib loop (a transposed view is never copied whole)


def _hashlib_rows(prefix: bytes, rows: np.ndarray, out: np.ndarray, start: int = 0, stop: int | None = None) -> None:
    stop = rows.shape[0] if stop is None else stop
    for lo in range(start, stop, _CHUNK):
        chunk = np.ascontiguousarray(rows[lo:min(stop, lo + _CHUNK)])
        data = memoryview(chunk).cast("B")
        width = chunk.shape[1] * chunk.itemsize
        for i in range(chunk.shape[0]):
            h = hashlib.blake2s(prefix)
            h.update(data[i * width:(i + 1) * width])
            out[lo + i] = np.frombuffer(h.digest(), np.uint8)


def hash_rows(prefix: bytes, rows: np.ndarray) -> np.ndarray:
    """(n, DIGEST_BYTES) uint8: row i's digest is hash_bytes(prefix + rows[i].tobytes())."""
    if commitment.HASH_NAME == "blake2s":
        if rows.ndim == 2 and rows.shape[1] * rows.itemsize >= HASHLIB_MIN_BYTES:
            out = np.empty((rows.shape[0], 32), dtype=np.uint8)
            threads.run_ranges(_hashlib_rows, rows.shape[0], prefix, rows, out, min_per_thread=_CHUNK)
            return out
        return blake2s_batch.hash_rows(prefix, rows)
    out = np.empty((rows.shape[0], commitment.DIGEST_BYTES), dtype=np.uint8)
    for i in range(rows.shape[0]):
        out[i] = np.frombuffer(commitment.hash_bytes(prefix + np.ascontiguousarray(rows[i]).tobytes()), np.uint8)
    return out
