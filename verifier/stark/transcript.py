"""Fiat-Shamir transcript: a hash chain that every message enters before any challenge depends on it.

Each absorbed message is framed (label, length, bytes) so no two different message sequences collide.
Challenges are drawn by hashing the state with a counter; field elements by rejection sampling (no modular
bias); query positions from a power-of-two domain by masking uniform bits (no bias either).
"""
from __future__ import annotations

import struct

from circuits.field import Ext, P
from verifier.stark.commitment import hash_bytes

PROTOCOL_TAG = b"por-stark/1"


def _hash(*parts: bytes) -> bytes:
    return hash_bytes(b"".join(parts))


class Transcript:
    def __init__(self, protocol_tag: bytes = PROTOCOL_TAG):
        self._state = _hash(b"transcript", struct.pack("<I", len(protocol_tag)), protocol_tag)

    def absorb(self, label: str, data: bytes) -> None:
        tag = label.encode()
        self._state = _hash(self._state, struct.pack("<I", len(tag)), tag, struct.pack("<Q", len(data)), data)

    def absorb_ints(self, label: str, values) -> None:
        self.absorb(label, b"".join(struct.pack("<Q", int(v)) for v in values))

    def absorb_ext(self, label: str, values: list[Ext]) -> None:
        self.absorb_ints(label, [c for v in values for c in (v.a, v.b)])

    def _squeeze_words(self, label: str):
        """An endless stream of uniform 64-bit words; the state moves on after each challenge."""
        counter = 0
        seed = _hash(self._state, b"squeeze", label.encode())
        while True:
            block = _hash(seed, struct.pack("<Q", counter))
            counter += 1
            yield from struct.unpack("<4Q", block)

    def _finish(self, label: str) -> None:
        self.absorb("squeezed", label.encode())

    def challenge_ext(self, label: str) -> Ext:
        words = self._squeeze_words(label)
        coords = []
        for word in words:
            if word < P:  # rejection sampling keeps every field element equally likely
                coords.append(word)
                if len(coords) == 2:
                    break
        self._finish(label)
        return Ext(coords[0], coords[1])

    def challenge_indices(self, label: str, count: int, domain_size: int) -> list[int]:
        if domain_size <= 0 or domain_size & (domain_size - 1):
            raise ValueError("query domain must be a power of two")
        words = self._squeeze_words(label)
        indices = [next(words) & (domain_size - 1) for _ in range(count)]
        self._finish(label)
        return indices

    def pow_prefix(self) -> bytes:
        """What the proof-of-work hashes before the nonce: the state, then a label."""
        return self._state + b"proof-of-work"

    def check_pow(self, nonce: int, bits: int) -> bool:
        """Grinding: the nonce must make the low `bits` bits of H(state, nonce) zero (the prover's search is
        prover/engine/grinding.py)."""
        if not 0 <= nonce < 1 << 64:
            return False
        digest = hash_bytes(self.pow_prefix() + struct.pack("<Q", nonce))
        return int.from_bytes(digest[:8], "little") & ((1 << bits) - 1) == 0
