"""Proof-of-work grinding (SPEC §2): the first nonce whose hash with the transcript state has its low bits zero.

The verifier checks one nonce with hashlib (`Transcript.check_pow`); the prover tries about 2^bits of them, a
second or two from Python at 20 bits, so here the messages of NONCES_PER_PASS nonces in increasing order are laid
out as the columns of a matrix and hashed by the row-hashing kernel (BLAKE2s across SIMD lanes, on every core),
pass after pass: the result is the smallest valid nonce, as a plain loop would find, and grinding compiles no
kernel of its own.
"""
from __future__ import annotations

import numpy as np

from prover.engine import threads
from prover.engine.blake2s_batch import _hash_column_rows
from verifier.stark import commitment
from verifier.stark.transcript import Transcript

NONCES_PER_PASS = 1 << 16


class _Messages:
    """prefix || nonce for NONCES_PER_PASS consecutive nonces: the prefix's first byte (the kernel's one-byte
    prefix), then the rest and the nonce as a (words, NONCES_PER_PASS) matrix of little-endian 64-bit words."""

    def __init__(self, prefix: bytes):
        self.first = np.uint8(prefix[0])
        self.length = len(prefix) - 1 + 8  # bytes after the first
        rest = np.zeros(-(-self.length // 8) * 8, dtype=np.uint8)
        rest[:len(prefix) - 1] = np.frombuffer(prefix[1:], dtype=np.uint8)
        template = rest.view("<u8")
        self.columns = np.empty((template.size, NONCES_PER_PASS), dtype=np.uint64)
        self.columns[:] = template[:, None]
        self.template = template
        self.word, shift = divmod(len(prefix) - 1, 8)  # the nonce's 8 bytes start at byte `shift` of this word
        self.shift = np.uint64(8 * shift)

    def fill(self, base: int) -> None:
        """Put nonces base .. base + NONCES_PER_PASS - 1 into the columns."""
        nonces = np.arange(base, base + NONCES_PER_PASS, dtype=np.uint64)
        q = self.word
        self.columns[q] = self.template[q] | (nonces << self.shift)
        if self.shift:
            self.columns[q + 1] = self.template[q + 1] | (nonces >> (np.uint64(64) - self.shift))


def grind(transcript: Transcript, bits: int) -> int:
    """The smallest nonce with `transcript.check_pow(nonce, bits)`."""
    if commitment.HASH_NAME != "blake2s":  # another hash: the scheme's own function, one nonce at a time
        nonce = 0
        while not transcript.check_pow(nonce, bits):
            nonce += 1
        return nonce
    messages = _Messages(transcript.pow_prefix())
    digests = np.empty((NONCES_PER_PASS, 32), dtype=np.uint8)
    mask = np.uint64((1 << bits) - 1)
    base = 0
    while base < 1 << 63:
        messages.fill(base)
        threads.run_ranges(_hash_column_rows, NONCES_PER_PASS, messages.first, messages.columns, messages.length,
                           digests, min_per_thread=1 << 12)
        low = np.ascontiguousarray(digests[:, :8]).view("<u8")[:, 0]  # each digest's first 8 bytes, little-endian
        found = np.flatnonzero(low & mask == 0)
        if found.size:
            nonce = base + int(found[0])
            assert transcript.check_pow(nonce, bits), "row-hashing kernel disagrees with the transcript's hash"
            return nonce
        base += NONCES_PER_PASS
    raise RuntimeError("no proof-of-work nonce below 2^63")
