"""Proof-of-work grinding (SPEC §2): the first nonce whose hash with the transcript state has its low bits zero.

The verifier checks one nonce with hashlib (`Transcript.check_pow`); the prover tries about 2^bits of them, a
second or two from Python at 20 bits, so here BLAKE2s runs in numba on every core, over blocks of nonces in
increasing order (the result is the smallest valid nonce, as a plain loop would find).
"""
from __future__ import annotations


import numba as nb
import numpy as np

from prover.engine import threads
from prover.engine.blake2s_batch import _IV, _M32, _PARAM_BLOCK, _compress
from verifier.stark import commitment
from verifier.stark.transcript import Transcript

NONCES_PER_PASS = 1 << 16


@nb.njit(nogil=True, cache=True)
def _try_nonces(message, length, offset, mask, base, hits, lo, hi):
    """hits[i] = 1 if nonce base + i, written little-endian at message[offset:offset + 8], passes; the message
    (zero-padded to whole 64-byte blocks) is hashed over its first `length` bytes."""
    blocks = message.size // 64
    own = message.copy()
    h = np.empty(8, dtype=np.uint64)
    m = np.empty(16, dtype=np.uint64)
    for i in range(lo, hi):
        nonce = np.uint64(base + i)
        for k in range(8):
            own[offset + k] = np.uint8((nonce >> np.uint64(8 * k)) & np.uint64(0xFF))
        for k in range(8):
            h[k] = _IV[k]
        h[0] ^= _PARAM_BLOCK
        for b in range(blocks):
            for w in range(16):
                p = 64 * b + 4 * w
                m[w] = (np.uint64(own[p]) | (np.uint64(own[p + 1]) << np.uint64(8))
                        | (np.uint64(own[p + 2]) << np.uint64(16)) | (np.uint64(own[p + 3]) << np.uint64(24)))
            _compress(h, m, np.uint64(min(64 * (b + 1), length)), b == blocks - 1)
        low = h[0] | (h[1] << np.uint64(32))  # the digest's first 8 bytes, little-endian
        hits[i] = 1 if low & mask == 0 else 0


def grind(transcript: Transcript, bits: int) -> int:
    """The smallest nonce with `transcript.check_pow(nonce, bits)`."""
    prefix = transcript.pow_prefix()
    if commitment.HASH_NAME != "blake2s":  # another hash: the scheme's own function, one nonce at a time
        nonce = 0
        while not transcript.check_pow(nonce, bits):
            nonce += 1
        return nonce
    length = len(prefix) + 8
    message = np.zeros(-(-length // 64) * 64, dtype=np.uint8)
    message[:len(prefix)] = np.frombuffer(prefix, dtype=np.uint8)
    mask = np.uint64((1 << bits) - 1)
    hits = np.empty(NONCES_PER_PASS, dtype=np.uint8)
    base = 0
    while True:
        threads.run_ranges(_try_nonces, NONCES_PER_PASS, message, length, len(prefix), mask, base, hits,
                           min_per_thread=1 << 12)
        found = np.flatnonzero(hits)
        if found.size:
            nonce = base + int(found[0])
            assert transcript.check_pow(nonce, bits), "grinding kernel disagrees with the transcript's hash"
            return nonce
        base += NONCES_PER_PASS
        if base >= 1 << 63:
            raise RuntimeError("no proof-of-work nonce below 2^63")


