"""Fiat-Shamir transcripts: every message enters before any challenge depends on it. Two, one per commitment hash
(`new_transcript(params.hash)`), with one interface: absorb (bytes), absorb_ints (u64s), absorb_ext (extension
elements), absorb_digest (a commitment), challenge_ext, challenge_indices, check_pow, copy.

BLAKE2s (`Blake2sTranscript`): a hash chain. Each message is framed (label, length, bytes) so no two different
message sequences collide. Challenges are drawn by hashing the state with a counter; field elements by rejection
sampling (no modular bias); query positions from a power-of-two domain by masking uniform bits (no bias either).

Poseidon2 (`Poseidon2Transcript`, field-native, for proofs checked inside an AIR): a duplex sponge over
`circuits.poseidon2`, rate 8 (lanes 0..7), capacity 4 (lanes 8..11), overwrite mode. Exactly:
- start: state = [0] * 8 + [DOMAIN_TRANSCRIPT (8), 0, 0, 0], then the message ("protocol", b"por-stark-p2/1");
- absorbing an element appends it to a pending block; the 8th pending element overwrites lanes 0..7 with the
  block and the state is permuted;
- a message is the elements [kind, len(label), label..., length, payload...], the label its UTF-8 bytes;
  kinds: 1 bytes (length = bytes; payload the bytes as 8-byte little-endian words, the last zero-padded),
  2 u64 integers (length = count), 3 field elements (length = count; payload the elements), 4 a challenge
  (length 0, no payload). Bytes and integers enter as 64-bit words, each split into two 32-bit limbs (low,
  high): every limb is below p, so no two words share an encoding; field elements enter as themselves;
- a challenge with label L: the message (4, L), then the pending block padded with a 1 and zeros to 8 elements
  overwrites lanes 0..7, the state is permuted, and its lanes 0..7 are the first 8 output elements; each
  further 8 come from permuting the state again. Unused outputs are dropped; the next absorption overwrites the
  rate;
- an extension challenge is the first two outputs (a, b); a query index the low log2(size) bits of one output
  (size <= 2^32). The values 0..p-2 hold every pattern of 32 low bits equally often (p - 1 = 2^64 - 2^32); the
  one value p - 1 (low bits zero) would bias them, so an output equal to p - 1 is a rejected proof: the prover
  grinds past any nonce that leads to one (probability ~queries/2^64);
- proof of work for nonce n (< 2^64): S = the state a challenge labelled "proof-of-work" would leave (on a copy);
  then permute([low32(n), high32(n), 0, 0, 0, 0, 0, 0] || S[8:12]) must have the low `bits` bits of lane 0
  zero. The verifier then absorbs n as the integer message ("pow nonce", [n]), as with BLAKE2s.
"""
from __future__ import annotations

import hashlib
import struct

from circuits.field import Ext, P
from circuits.poseidon2 import WIDTH, permute
from circuits.tree_hash import DOMAIN_TRANSCRIPT, RATE
from verifier.stark.commitment import digest_elements

PROTOCOL_TAG = b"por-stark/1"  # the BLAKE2s transcript's
POSEIDON2_PROTOCOL_TAG = b"por-stark-p2/1"
MAX_QUERY_DOMAIN = 1 << 32  # a query index is at most the 32 low bits of an output element
KIND_BYTES, KIND_INTS, KIND_ELEMENTS, KIND_CHALLENGE = 1, 2, 3, 4
_M32 = (1 << 32) - 1


def _hash(*parts: bytes) -> bytes:
    return hashlib.blake2s(b"".join(parts)).digest()


def _check_query_domain(domain_size: int, limit: int | None = None) -> None:
    if domain_size <= 0 or domain_size & (domain_size - 1) or (limit is not None and domain_size > limit):
        raise ValueError("query domain must be a power of two" + (f" up to {limit}" if limit else ""))


class BiasedQueryError(ValueError):
    """A query's output element was p - 1, the one value whose low bits are not uniform (Poseidon2 only)."""


class Blake2sTranscript:
    hash_name = "blake2s"

    def __init__(self, protocol_tag: bytes = PROTOCOL_TAG):
        self._state = _hash(b"transcript", struct.pack("<I", len(protocol_tag)), protocol_tag)

    def copy(self) -> "Blake2sTranscript":
        other = Blake2sTranscript.__new__(Blake2sTranscript)
        other._state = self._state
        return other

    def absorb(self, label: str, data: bytes) -> None:
        tag = label.encode()
        self._state = _hash(self._state, struct.pack("<I", len(tag)), tag, struct.pack("<Q", len(data)), data)

    def absorb_ints(self, label: str, values) -> None:
        self.absorb(label, b"".join(struct.pack("<Q", int(v)) for v in values))

    def absorb_ext(self, label: str, values: list[Ext]) -> None:
        self.absorb_ints(label, [c for v in values for c in (v.a, v.b)])

    def absorb_digest(self, label: str, digest: bytes) -> None:
        self.absorb(label, digest)

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
        _check_query_domain(domain_size)
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
        digest = _hash(self.pow_prefix() + struct.pack("<Q", nonce))
        return int.from_bytes(digest[:8], "little") & ((1 << bits) - 1) == 0


def u64_limbs(values) -> list[int]:
    """Each 64-bit word as two 32-bit limbs, low first (the Poseidon2 transcript's integers and bytes)."""
    out = []
    for v in values:
        v = int(v)
        if not 0 <= v < 1 << 64:
            raise ValueError(f"transcript integer {v} is not a u64")
        out += [v & _M32, v >> 32]
    return out


def bytes_limbs(data: bytes) -> list[int]:
    padded = bytes(data) + bytes(-len(data) % 8)
    return u64_limbs(struct.unpack(f"<{len(padded) // 8}Q", padded))


class Poseidon2Transcript:
    hash_name = "poseidon2"

    def __init__(self, protocol_tag: bytes = POSEIDON2_PROTOCOL_TAG):
        self._state = [0] * RATE + [DOMAIN_TRANSCRIPT] + [0] * (WIDTH - RATE - 1)
        self._pending: list[int] = []  # absorbed since the last permutation, fewer than RATE
        self.absorb("protocol", protocol_tag)

    def copy(self) -> "Poseidon2Transcript":
        other = Poseidon2Transcript.__new__(Poseidon2Transcript)
        other._state, other._pending = list(self._state), list(self._pending)
        return other

    def _absorb_element(self, element: int) -> None:
        self._pending.append(element)
        if len(self._pending) == RATE:
            self._state = permute(self._pending + self._state[RATE:])
            self._pending = []

    def _message(self, kind: int, label: str, length: int, payload: list[int]) -> None:
        tag = label.encode()
        for element in [kind, len(tag), *bytes_limbs(tag), length, *payload]:
            self._absorb_element(element)

    def absorb(self, label: str, data: bytes) -> None:
        self._message(KIND_BYTES, label, len(data), bytes_limbs(data))

    def absorb_ints(self, label: str, values) -> None:
        values = list(values)
        self._message(KIND_INTS, label, len(values), u64_limbs(values))

    def absorb_elements(self, label: str, elements) -> None:
        elements = [int(x) for x in elements]
        if any(not 0 <= x < P for x in elements):
            raise ValueError(f"{label}: a transcript element is not a canonical field element")
        self._message(KIND_ELEMENTS, label, len(elements), elements)

    def absorb_ext(self, label: str, values: list[Ext]) -> None:
        self.absorb_elements(label, [c for v in values for c in (v.a, v.b)])

    def absorb_digest(self, label: str, digest: bytes) -> None:
        self.absorb_elements(label, digest_elements(digest))

    def _squeeze(self, label: str, count: int) -> list[int]:
        self._message(KIND_CHALLENGE, label, 0, [])
        block = self._pending + [1] + [0] * (RATE - 1 - len(self._pending))  # 10* padding: never empty
        self._state, self._pending = permute(block + self._state[RATE:]), []
        out = list(self._state[:RATE])
        while len(out) < count:
            self._state = permute(self._state)
            out += self._state[:RATE]
        return out[:count]

    def challenge_ext(self, label: str) -> Ext:
        a, b = self._squeeze(label, 2)
        return Ext(a, b)

    def challenge_indices(self, label: str, count: int, domain_size: int) -> list[int]:
        _check_query_domain(domain_size, MAX_QUERY_DOMAIN)
        elements = self._squeeze(label, count)
        if P - 1 in elements:
            raise BiasedQueryError(f"{label}: a query element is p - 1, whose low bits are biased")
        return [x & (domain_size - 1) for x in elements]

    def pow_capacity(self) -> list[int]:
        """S[8:12] of the proof of work (module docstring): the state a "proof-of-work" challenge would leave."""
        trial = self.copy()
        trial._squeeze("proof-of-work", 1)
        return trial._state[RATE:]

    def check_pow(self, nonce: int, bits: int) -> bool:
        """The nonce's permutation has the low `bits` bits of lane 0 zero (the prover's search is
        prover/engine/grinding.py)."""
        if not 0 <= nonce < 1 << 64:
            return False
        lanes = u64_limbs([nonce]) + [0] * (RATE - 2) + self.pow_capacity()
        return permute(lanes)[0] & ((1 << bits) - 1) == 0


Transcript = Blake2sTranscript | Poseidon2Transcript
TRANSCRIPTS = {t.hash_name: t for t in (Blake2sTranscript, Poseidon2Transcript)}


def new_transcript(hash_name: str) -> Transcript:
    """The transcript of a proof committed with `hash_name` (StarkParams.hash)."""
    return TRANSCRIPTS[hash_name]()
