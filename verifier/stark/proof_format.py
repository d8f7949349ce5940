"""The compact binary proof format, versions 1, 2 and 3: strict, bounds-checked, canonical.

Layout (little-endian; every vector is a u32 count then its items):
    magic "PORSTARK" | u16 version
    params: u8 log_blowup, u16 num_queries, u8 grinding_bits, u8 fri_log_arity, u8 fri_log_final_degree,
            u8 zero_knowledge, then in versions 2 and 3: u8 hash (0 = blake2s in version 3 only, 1 = poseidon2)
    u8 log2(trace_length) | in version 3 only: u16 preprocessed_width (>= 1)
    digest main_root | u8 has_aux, [digest aux_root] | digest quotient_root
    vec<ext> ood_trace (every trace column at z, then at z*g) | vec<ext> ood_quotient (every quotient column at z)
    vec<digest> fri_roots | vec<ext> fri_final_coefficients | u64 pow_nonce
    vec<opening> openings, one per committed tree in commitment order; opening = vec<row>, vec<digest> siblings,
            row = vec<felt>
Version 1 is a BLAKE2s proof (every proof made before the hash was a parameter), version 2 any other hash: a
BLAKE2s proof is always written as version 1, so a version 2 naming BLAKE2s is rejected (one proof, one
encoding). Version 3 is a proof of an AIR with preprocessed columns (any hash): its first opening is the fixed
columns' tree, whose root is not in the proof (the verifier takes it from the AIR); proofs without such columns
keep version 1 or 2, byte for byte. A digest is 32 bytes; a Poseidon2 digest's four 8-byte elements must be canonical.
A field element is a u64 below p (anything else is rejected: one value, one encoding), an extension element
two of them. Nothing may follow the last opening. Parsing never trusts a count: each is bounded before use.
"""
from __future__ import annotations

import struct
from dataclasses import dataclass, field

from circuits.field import Ext, P
from verifier.stark.commitment import BLAKE2S, DIGEST_BYTES, scheme_for
from verifier.stark.params import ParamsError, StarkParams

MAGIC = b"PORSTARK"
VERSION = 1  # BLAKE2s
VERSION_WITH_HASH = 2
VERSION_PREPROCESSED = 3
HASH_IDS = {"poseidon2": 1}  # version 2's hash byte
HASH_IDS_PREPROCESSED = {BLAKE2S.name: 0, **HASH_IDS}  # version 3's
DIGEST = DIGEST_BYTES
MAX_ITEMS = 1 << 22  # no vector in a sane proof comes near this


class ProofFormatError(ValueError):
    pass


@dataclass
class Opening:
    rows: list[list[int]]
    siblings: list[bytes]


@dataclass
class StarkProof:
    params: StarkParams
    log_trace_length: int
    main_root: bytes
    aux_root: bytes | None
    quotient_root: bytes
    ood_trace: list[Ext]
    ood_quotient: list[Ext]
    fri_roots: list[bytes]
    fri_final: list[Ext]
    pow_nonce: int
    openings: list[Opening] = field(default_factory=list)
    preprocessed_width: int = 0  # > 0: openings[0] is the fixed columns' tree (version 3)


class _Writer:
    def __init__(self):
        self.parts: list[bytes] = []

    def u8(self, v):
        self.parts.append(struct.pack("<B", v))

    def u16(self, v):
        self.parts.append(struct.pack("<H", v))

    def u32(self, v):
        self.parts.append(struct.pack("<I", v))

    def u64(self, v):
        self.parts.append(struct.pack("<Q", v))

    def digest(self, d: bytes):
        assert len(d) == DIGEST
        self.parts.append(d)

    def ext(self, e: Ext):
        self.u64(e.a)
        self.u64(e.b)

    def vec(self, items, write_item):
        self.u32(len(items))
        for item in items:
            write_item(item)


class _Reader:
    """Reads with bounds checks; records the byte span of every field for tamper tests."""

    def __init__(self, data: bytes):
        self.data = memoryview(data)
        self.pos = 0
        self.spans: list[tuple[str, int, int]] = []
        self.scheme = BLAKE2S  # until the parameters say otherwise

    def take(self, n: int, what: str) -> bytes:
        if n < 0 or self.pos + n > len(self.data):
            raise ProofFormatError(f"proof truncated while reading {what} at byte {self.pos}")
        chunk = bytes(self.data[self.pos:self.pos + n])
        self.spans.append((what, self.pos, self.pos + n))
        self.pos += n
        return chunk

    def u8(self, what):
        return self.take(1, what)[0]

    def u16(self, what):
        return struct.unpack("<H", self.take(2, what))[0]

    def u32(self, what):
        return struct.unpack("<I", self.take(4, what))[0]

    def u64(self, what):
        return struct.unpack("<Q", self.take(8, what))[0]

    def felt(self, what):
        v = self.u64(what)
        if v >= P:
            raise ProofFormatError(f"{what}: non-canonical field element at byte {self.pos - 8}")
        return v

    def ext(self, what):
        return Ext(self.felt(what), self.felt(what))

    def digest(self, what):
        d = self.take(DIGEST, what)
        try:
            self.scheme.check_digest(d)
        except ValueError as e:
            raise ProofFormatError(f"{what}: {e} at byte {self.pos - DIGEST}") from None
        return d

    def flag(self, what):
        v = self.u8(what)
        if v > 1:
            raise ProofFormatError(f"{what}: expected 0 or 1, got {v}")
        return bool(v)

    def vec(self, what, read_item, item_size: int):
        count = self.u32(f"{what} count")
        # A count is only believed if that many items could still fit in the bytes that are left.
        if count > MAX_ITEMS or count * item_size > len(self.data) - self.pos:
            raise ProofFormatError(f"{what}: count {count} exceeds the proof's size")
        return [read_item(what) for _ in range(count)]


def serialize(proof: StarkProof) -> bytes:
    w = _Writer()
    w.parts.append(MAGIC)
    p = proof.params
    preprocessed = proof.preprocessed_width > 0
    w.u16(VERSION_PREPROCESSED if preprocessed else VERSION if p.hash == BLAKE2S.name else VERSION_WITH_HASH)
    w.u8(p.log_blowup)
    w.u16(p.num_queries)
    w.u8(p.grinding_bits)
    w.u8(p.fri_log_arity)
    w.u8(p.fri_log_final_degree)
    w.u8(int(p.zero_knowledge))
    if preprocessed:
        w.u8(HASH_IDS_PREPROCESSED[p.hash])
    elif p.hash != BLAKE2S.name:
        w.u8(HASH_IDS[p.hash])
    w.u8(proof.log_trace_length)
    if preprocessed:
        w.u16(proof.preprocessed_width)
    w.digest(proof.main_root)
    w.u8(proof.aux_root is not None)
    if proof.aux_root is not None:
        w.digest(proof.aux_root)
    w.digest(proof.quotient_root)
    w.vec(proof.ood_trace, w.ext)
    w.vec(proof.ood_quotient, w.ext)
    w.vec(proof.fri_roots, w.digest)
    w.vec(proof.fri_final, w.ext)
    w.u64(proof.pow_nonce)

    def write_opening(o: Opening):
        w.vec(o.rows, lambda row: w.vec(row, w.u64))
        w.vec(o.siblings, w.digest)

    w.vec(proof.openings, write_opening)
    return b"".join(w.parts)


def _read_hash(r: _Reader, ids: dict[str, int]) -> str:
    hash_id = r.u8("params.hash")
    names = [name for name, i in ids.items() if i == hash_id]
    if not names:
        raise ProofFormatError(f"params.hash: unknown hash {hash_id}")
    return names[0]


def parse(data: bytes, spans: list | None = None) -> StarkProof:
    """Parse a proof; ProofFormatError on any deviation. If `spans` is a list, field spans are appended to it."""
    r = _Reader(data)
    try:
        if r.take(len(MAGIC), "magic") != MAGIC:
            raise ProofFormatError("not a proof file (bad magic)")
        version = r.u16("version")
        if version not in (VERSION, VERSION_WITH_HASH, VERSION_PREPROCESSED):
            raise ProofFormatError(f"unsupported proof version {version}")
        try:
            params = StarkParams(
                name="(from proof)",
                log_blowup=r.u8("params.log_blowup"),
                num_queries=r.u16("params.num_queries"),
                grinding_bits=r.u8("params.grinding_bits"),
                fri_log_arity=r.u8("params.fri_log_arity"),
                fri_log_final_degree=r.u8("params.fri_log_final_degree"),
                zero_knowledge=r.flag("params.zero_knowledge"),
                hash=(_read_hash(r, HASH_IDS) if version == VERSION_WITH_HASH
                      else _read_hash(r, HASH_IDS_PREPROCESSED) if version == VERSION_PREPROCESSED else BLAKE2S.name),
            )
        except ParamsError as e:
            raise ProofFormatError(str(e)) from None
        r.scheme = scheme_for(params.hash)
        log_n = r.u8("log_trace_length")
        if not 2 <= log_n <= 32:
            raise ProofFormatError(f"trace length 2^{log_n} out of range")
        preprocessed_width = 0
        if version == VERSION_PREPROCESSED:
            preprocessed_width = r.u16("preprocessed_width")
            if preprocessed_width == 0:
                raise ProofFormatError("preprocessed_width: a version 3 proof has preprocessed columns")
        main_root = r.digest("main_root")
        aux_root = r.digest("aux_root") if r.flag("has_aux") else None
        quotient_root = r.digest("quotient_root")
        ood_trace = r.vec("ood_trace", r.ext, 16)
        ood_quotient = r.vec("ood_quotient", r.ext, 16)
        fri_roots = r.vec("fri_roots", r.digest, DIGEST)
        fri_final = r.vec("fri_final", r.ext, 16)
        pow_nonce = r.u64("pow_nonce")

        def read_opening(what):
            rows = r.vec(f"{what}.rows", lambda w: r.vec(f"{w}.row", r.felt, 8), 4)
            siblings = r.vec(f"{what}.siblings", r.digest, DIGEST)
            return Opening(rows, siblings)

        openings = r.vec("openings", read_opening, 8)
        if r.pos != len(r.data):
            raise ProofFormatError(f"{len(r.data) - r.pos} unexpected bytes after the proof")
    finally:
        if spans is not None:
            spans.extend(r.spans)
    return StarkProof(params, log_n, main_root, aux_root, quotient_root, ood_trace, ood_quotient, fri_roots,
                      fri_final, pow_nonce, openings, preprocessed_width)
