"""Proof-of-work grinding (SPEC §2): the first nonce whose hash with the transcript state has its low bits zero.

The verifier checks one nonce with hashlib (`Transcript.check_pow`); the prover tries about 2^bits of them, a
second or two from Python at 20 bits, so here BLAKE2s runs in numba on every core, LANES nonces side by side, over blocks of nonces in
increasing order (the result is the smallest valid nonce, as a plain loop would find).
"""
from __future__ import annotations

import numba as nb
import numpy as np

from prover.engine import threads
from prover.engine.blake2s_batch import LANES, _compress_lanes, _start_lanes
from verifier.stark import commitment
from verifier.stark.transcript import Transcript

NONCES_PER_PASS = 1 << 16


@nb.njit(nogil=True, cache=True)
def _try_nonces(words, length, offset, mask, base, hits, lo, hi):
    """hits[i] = 1 if nonce base + i passes, LANES nonces at a time across SIMD lanes. `words` holds the message
    (zero-padded to whole 64-byte blocks) as little-endian 32-bit words, with zeros where the nonce goes: the
    8 bytes at `offset`, little-endian; the hash covers the first `length` bytes."""
    blocks = words.size // 16
    h = np.empty((8, LANES), dtype=np.uint64)
    v = np.empty((16, LANES), dtype=np.uint64)
    m = np.empty((16, LANES), dtype=np.uint64)
    for start in range(lo, hi, LANES):
        _start_lanes(h)
        for b in range(blocks):
            for w in range(16):
                first = 64 * b + 4 * w  # byte position of this word
                for lane in range(LANES):
                    word = words[16 * b + w]
                    for k in range(4):
                        j = first + k - offset
                        if 0 <= j < 8:
                            byte = (np.uint64(base + start + lane) >> np.uint64(8 * j)) & np.uint64(0xFF)
                            word |= byte << np.uint64(8 * k)
                    m[w, lane] = word
            _compress_lanes(h, v, m, np.uint64(min(64 * (b + 1), length)), b == blocks - 1)
        for lane in range(min(LANES, hi - start)):
            low = h[0, lane] | (h[1, lane] << np.uint64(32))  # the digest's first 8 bytes, little-endian
            hits[start + lane] = 1 if low & mask == 0 else 0


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
    words = message.view("<u4").astype(np.uint64)
    mask = np.uint64((1 << bits) - 1)
    hits = np.empty(NONCES_PER_PASS, dtype=np.uint8)
    base = 0
    while True:
        threads.run_ranges(_try_nonces, NONCES_PER_PASS, words, length, len(prefix), mask, base, hits,
                           min_per_thread=1 << 12)
        found = np.flatnonzero(hits)
        if found.size:
            nonce = base + int(found[0])
            assert transcript.check_pow(nonce, bits), "grinding kernel disagrees with the transcript's hash"
            return nonce
        base += NONCES_PER_PASS
        if base >= 1 << 63:
            raise RuntimeError("no proof-of-work nonce below 2^63")


