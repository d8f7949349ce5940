"""Proof-of-work grinding (SPEC §2): the first nonce whose hash with the transcript state has its low bits zero.

The verifier checks one nonce (`check_pow` of the proof's transcript); the prover tries about 2^bits of them, a
second or two from Python at 20 bits with BLAKE2s (minutes with the pure-Python Poseidon2), so here the
NONCES_PER_PASS nonces of a pass, in increasing order, are hashed by a batch kernel on every core: for BLAKE2s
their messages are laid out as the columns of a matrix for the row-hashing lane kernel, for Poseidon2 they are
the states [nonce limbs, 0.., pow capacity] of one permutation each (`verifier.stark.transcript`). Pass after
pass, the result is the smallest valid nonce, as a plain loop would find, and grinding compiles no kernel of its
own. `grind_queries` also skips a nonce whose query indices the Poseidon2 transcript would reject.
"""
from __future__ import annotations

import numpy as np

from circuits.poseidon2 import WIDTH
from circuits.tree_hash import RATE
from prover.engine import threads
from prover.engine.blake2s_batch import _hash_column_rows
from prover.engine.poseidon2_batch import permute_batch
from verifier.stark.transcript import BiasedQueryError, Poseidon2Transcript, Transcript

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


def _blake2s_pass(transcript: Transcript):
    """For nonces base .. base + NONCES_PER_PASS - 1: the low 64 bits of each one's proof-of-work hash."""
    messages = _Messages(transcript.pow_prefix())
    digests = np.empty((NONCES_PER_PASS, 32), dtype=np.uint8)

    def low_words(base: int) -> np.ndarray:
        messages.fill(base)
        threads.run_ranges(_hash_column_rows, NONCES_PER_PASS, messages.first, messages.columns, messages.length,
                           digests, min_per_thread=1 << 12)
        return np.ascontiguousarray(digests[:, :8]).view("<u8")[:, 0]  # each digest's first 8 bytes, LE

    return low_words


def _poseidon2_pass(transcript: Poseidon2Transcript):
    """For nonces base .. base + NONCES_PER_PASS - 1: lane 0 of each one's proof-of-work permutation."""
    states = np.zeros((NONCES_PER_PASS, WIDTH), dtype=np.uint64)
    states[:, RATE:] = np.array(transcript.pow_capacity(), dtype=np.uint64)

    def low_words(base: int) -> np.ndarray:
        nonces = np.arange(base, base + NONCES_PER_PASS, dtype=np.uint64)
        states[:, 0], states[:, 1] = nonces & np.uint64(0xFFFF_FFFF), nonces >> np.uint64(32)
        return permute_batch(states)[:, 0]

    return low_words


def grind(transcript: Transcript, bits: int, start: int = 0) -> int:
    """The smallest nonce from `start` on with `transcript.check_pow(nonce, bits)`."""
    low_words = _poseidon2_pass(transcript) if transcript.hash_name == "poseidon2" else _blake2s_pass(transcript)
    mask = np.uint64((1 << bits) - 1)
    base = start
    while base < 1 << 63:
        found = np.flatnonzero(low_words(base) & mask == 0)
        if found.size:
            nonce = base + int(found[0])
            assert transcript.check_pow(nonce, bits), "the batch kernel disagrees with the transcript's hash"
            return nonce
        base += NONCES_PER_PASS
    raise RuntimeError("no proof-of-work nonce below 2^63")


def _rejected(transcript: Transcript, nonce: int, count: int, domain_size: int) -> bool:
    """Whether the queries drawn after `nonce` would be rejected (tried on a copy of the transcript)."""
    trial = transcript.copy()
    trial.absorb_ints("pow nonce", [nonce])
    try:
        trial.challenge_indices("queries", count, domain_size)
    except BiasedQueryError:
        return True
    return False


def grind_queries(transcript: Transcript, bits: int, count: int, domain_size: int) -> tuple[int, list[int]]:
    """(nonce, query indices): the smallest nonce that passes the proof of work and whose queries the transcript
    accepts (Poseidon2 rejects an output of p - 1, about once in 2^64 / count nonces); the transcript absorbs it
    and draws the queries, as the verifier does."""
    nonce = grind(transcript, bits)
    while _rejected(transcript, nonce, count, domain_size):
        nonce = grind(transcript, bits, nonce + 1)
    transcript.absorb_ints("pow nonce", [nonce])
    return nonce, transcript.challenge_indices("queries", count, domain_size)
