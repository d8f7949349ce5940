"""The recursion-friendly configuration (hash=poseidon2): Poseidon2 commitments and the field-native transcript,
their separation and sampling, proofs bound to their hash, and BLAKE2s proofs unchanged bit for bit."""
import functools
import hashlib
import struct

import pytest
from toy_airs import BusAir, FibonacciAir, fibonacci_output

import numpy as np
from circuits.field import P, Ext
from circuits.tree_hash import DOMAIN_COMMIT_LEAF, DOMAIN_COMMIT_NODE, sponge
from prover.engine.grinding import grind, grind_queries
from prover.engine.prover import prove
from verifier.stark.commitment import BLAKE2S, POSEIDON2, MerkleError, check_rows, digest_elements, scheme_for
from verifier.stark.params import ParamsError, StarkParams, load_preset, with_hash
from verifier.stark.proof_format import ProofFormatError, parse
from verifier.stark.transcript import (BiasedQueryError, Blake2sTranscript, Poseidon2Transcript, bytes_limbs,
                                       new_transcript, u64_limbs)
from verifier.stark.verify import VerificationError
from verifier.stark.verify import verify as stark_verify

verify = functools.partial(stark_verify, min_security=0)
TEST = load_preset("test")
P2 = with_hash(TEST, "poseidon2")


# -------------------------------------------------------------------------------------------------- params

def test_params_name_their_hash_and_default_to_blake2s():
    assert TEST.hash == "blake2s" and P2.hash == "poseidon2" and P2.name == "test+poseidon2"
    assert with_hash(P2, "poseidon2") is P2 and with_hash(P2, "blake2s").hash == "blake2s"
    assert with_hash(load_preset("standard"), "poseidon2").num_queries == load_preset("standard").num_queries
    old = {k: v for k, v in TEST.to_json().items() if k != "hash"}  # a public.json from before the field
    assert StarkParams.from_json(old) == TEST
    assert StarkParams.from_json(P2.to_json()) == P2
    for bad in ("sha256", "", 1, None):
        with pytest.raises(ParamsError, match="hash"):
            StarkParams.from_json({**P2.to_json(), "hash": bad})
    with pytest.raises(ParamsError):
        with_hash(TEST, "md5")


def test_the_scheme_and_its_security_follow_the_params():
    from verifier.stark.protocol import Protocol

    air = FibonacciAir(100, fibonacci_output(100), P2.zk_rows)
    protocol = Protocol(air, P2)
    assert protocol.commitment is POSEIDON2 and scheme_for("blake2s") is BLAKE2S
    assert protocol.security.conjectured["commitment hash"] == POSEIDON2.collision_bits == 128
    assert isinstance(protocol.new_transcript(), Poseidon2Transcript)
    assert isinstance(Protocol(air, TEST).new_transcript(), Blake2sTranscript)


# -------------------------------------------------------------------------------------------------- commitment

def test_poseidon2_leaf_and_node_definitions():
    """The documented definitions, exactly: leaf = sponge(6, row), node = permute(l || r || [7, 8, 0, 0])[:4]."""
    from circuits.poseidon2 import permute

    row = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5]
    leaf = POSEIDON2.hash_row(row)
    assert digest_elements(leaf) == list(sponge(DOMAIN_COMMIT_LEAF, row)) and len(leaf) == 32
    assert digest_elements(leaf) == permute([5, 3, 5, 0, 0, 0, 0, 0] + permute(row[:8] + [6, 11, 0, 0])[8:])[:4]
    left, right = POSEIDON2.hash_row([1]), POSEIDON2.hash_row([2])
    node = POSEIDON2.hash_children(left, right)
    assert digest_elements(node) == permute(digest_elements(left) + digest_elements(right) + [7, 8, 0, 0])[:4]
    assert DOMAIN_COMMIT_NODE == 7


def test_poseidon2_leaves_and_nodes_are_separated():
    left, right = POSEIDON2.hash_row([1, 2]), POSEIDON2.hash_row([3, 4])
    children = digest_elements(left) + digest_elements(right)
    assert POSEIDON2.hash_row(children) != POSEIDON2.hash_children(left, right)  # same 8 elements, other tag
    assert POSEIDON2.hash_row([1, 2, 3]) != POSEIDON2.hash_row([1, 2, 3, 0])  # the width is bound: no padding games
    assert POSEIDON2.hash_row([0] * 8) != POSEIDON2.hash_row([0] * 9)
    assert POSEIDON2.hash_row([1, 2]) != BLAKE2S.hash_row([1, 2])


def test_non_canonical_poseidon2_digests_are_refused():
    good = POSEIDON2.hash_row([7])
    POSEIDON2.check_digest(good)
    for lane in range(4):
        bad = good[:8 * lane] + P.to_bytes(8, "little") + good[8 * lane + 8:]
        with pytest.raises(ValueError, match="canonical"):
            POSEIDON2.check_digest(bad)
        BLAKE2S.check_digest(bad)  # any 32 bytes are a BLAKE2s digest


def test_poseidon2_merkle_openings():
    from prover.engine.merkle_tree import MerkleTree

    rng = np.random.default_rng(11)
    rows = rng.integers(0, P, (32, 5), dtype=np.uint64)
    tree = MerkleTree(rows, scheme=POSEIDON2)
    level = [POSEIDON2.hash_row(r.tolist()) for r in rows]
    while len(level) > 1:
        level = [POSEIDON2.hash_children(level[i], level[i + 1]) for i in range(0, len(level), 2)]
    assert tree.root == level[0] != MerkleTree(rows).root
    indices = [3, 4, 17, 30]
    opened, siblings = tree.open(indices)
    openings = {i: r.tolist() for i, r in zip(indices, opened)}
    check_rows(POSEIDON2, openings, siblings, 5, tree.root)
    with pytest.raises(MerkleError):
        check_rows(BLAKE2S, openings, siblings, 5, tree.root)
    with pytest.raises(MerkleError):
        check_rows(POSEIDON2, {**openings, 4: [v + 1 for v in openings[4]]}, siblings, 5, tree.root)
    with pytest.raises(MerkleError):
        check_rows(POSEIDON2, openings, siblings[:-1], 5, tree.root)


# -------------------------------------------------------------------------------------------------- transcript

def _p2_challenges(messages):
    t = Poseidon2Transcript()
    for kind, label, data in messages:
        getattr(t, kind)(label, data)
    return t.challenge_ext("c"), tuple(t.challenge_indices("q", 4, 1 << 20))


def test_poseidon2_transcript_binds_every_message_and_is_deterministic():
    messages = [("absorb", "params", b"\x01\x02"), ("absorb", "air", b"toy"), ("absorb_ints", "shape", [8, 2**64 - 1]),
                ("absorb_digest", "root", POSEIDON2.hash_row([1])), ("absorb_ext", "ood", [Ext(1, 2), Ext(3, 4)])]
    base = _p2_challenges(messages)
    assert _p2_challenges(messages) == base
    variants = [messages[1:] + messages[:1],
                [("absorb", "params", b"\x01"), ("absorb", "\x02air", b"toy")] + messages[2:]]
    for i, (kind, label, data) in enumerate(messages):
        variants.append(messages[:i] + [(kind, label + "!", data)] + messages[i + 1:])
        variants.append(messages[:i] + messages[i + 1:])
    variants.append(messages[:1] + [("absorb", "air", b"toy\x00")] + messages[2:])  # zero padding is bound
    variants.append(messages[:2] + [("absorb_ints", "shape", [8, 2**64 - 2])] + messages[3:])
    variants.append(messages[:2] + [("absorb_elements", "shape", u64_limbs([8, 2**64 - 1]))] + messages[3:])  # kinds
    outcomes = [_p2_challenges(v) for v in variants]
    assert all(o[0] != base[0] and o[1] != base[1] for o in outcomes)
    assert len(set(outcomes)) == len(outcomes)
    t = Poseidon2Transcript()
    assert len({t.challenge_ext("same") for _ in range(10)}) == 10  # the state moves on after each challenge
    assert Poseidon2Transcript().challenge_ext("c") != Poseidon2Transcript(b"other tag").challenge_ext("c")


def test_poseidon2_transcript_encodings():
    assert u64_limbs([2**64 - 1, P, 5]) == [2**32 - 1, 2**32 - 1, 1, 2**32 - 1, 5, 0]  # no reduction mod p
    assert bytes_limbs(b"\x01\x02") == [0x0201, 0] and bytes_limbs(b"") == []
    with pytest.raises(ValueError):
        u64_limbs([1 << 64])
    with pytest.raises(ValueError):
        Poseidon2Transcript().absorb_elements("x", [P])
    with pytest.raises(ValueError, match="canonical"):
        Poseidon2Transcript().absorb_digest("root", b"\xff" * 32)
    assert isinstance(new_transcript("poseidon2"), Poseidon2Transcript)


def test_query_indices_are_unbiased_and_p_minus_1_is_rejected(monkeypatch):
    # 0 .. p-2 hold every pattern of the 32 low bits equally often; only p - 1 (low bits zero) is left over
    assert (P - 1) % (1 << 32) == 0 and (P - 1) & 0xFFFF_FFFF == 0
    counts = np.bincount(Poseidon2Transcript().challenge_indices("q", 8000, 8), minlength=8)
    assert counts.min() > 850 and counts.max() < 1150
    t = Poseidon2Transcript()
    assert all(0 <= i < 1 << 32 for i in t.challenge_indices("q", 100, 1 << 32))
    for bad in (0, 3, 1 << 33):
        with pytest.raises(ValueError):
            Poseidon2Transcript().challenge_indices("q", 1, bad)
    original = Poseidon2Transcript._squeeze
    monkeypatch.setattr(Poseidon2Transcript, "_squeeze", lambda self, label, count: [5, P - 1, 7][:count])
    assert Poseidon2Transcript().challenge_indices("q", 1, 8) == [5]
    with pytest.raises(BiasedQueryError):
        Poseidon2Transcript().challenge_indices("q", 2, 8)
    monkeypatch.setattr(Poseidon2Transcript, "_squeeze", original)


def test_the_prover_grinds_past_a_nonce_whose_queries_are_rejected(monkeypatch):
    original = Poseidon2Transcript._squeeze
    hits = []

    def squeeze(self, label, count):
        out = original(self, label, count)
        if label == "queries" and not hits:  # the first nonce's queries meet p - 1
            hits.append(1)
            return [P - 1] + out[1:]
        return out

    t = Poseidon2Transcript()
    monkeypatch.setattr(Poseidon2Transcript, "_squeeze", squeeze)
    nonce, indices = grind_queries(t.copy(), 0, 4, 64)
    monkeypatch.setattr(Poseidon2Transcript, "_squeeze", original)
    assert nonce == 1 and hits
    expected = t.copy()
    expected.absorb_ints("pow nonce", [1])
    assert indices == expected.challenge_indices("queries", 4, 64)


def test_poseidon2_grinding_finds_the_first_valid_nonce():
    t = Poseidon2Transcript()
    t.absorb("x", b"state")
    nonce = grind(t, 7)
    assert t.check_pow(nonce, 7) and not any(t.check_pow(n, 7) for n in range(nonce))
    assert not t.check_pow(-1, 0) and not t.check_pow(1 << 64, 0) and t.check_pow(123, 0)
    other = Poseidon2Transcript()
    other.absorb("x", b"other")
    passing = [n for n in range(400) if t.check_pow(n, 4)]
    assert 0 < len(passing) < 60 and passing != [n for n in range(400) if other.check_pow(n, 4)]  # bound to state


# -------------------------------------------------------------------------------------------------- proofs

@pytest.fixture(scope="module")
def p2_proof():
    rng = np.random.default_rng(5)
    sent = rng.integers(0, 1000, 40)
    air = BusAir(40, int(sent.sum()), P2.zk_rows)
    proof = prove(air, air.build_main_trace((sent, rng.permutation(sent))), P2)
    return air, proof


def test_a_poseidon2_proof_verifies_and_names_its_hash(p2_proof):
    air, proof = p2_proof
    assert verify(air, proof, P2).params.hash == "poseidon2"
    assert struct.unpack("<H", proof[8:10]) == (2,) and parse(proof).params.hash == "poseidon2"


def test_every_sampled_byte_of_a_poseidon2_proof_is_checked(p2_proof):
    air, proof = p2_proof
    spans = []
    parse(proof, spans)
    positions = sorted({s for _, s, _ in spans} | {e - 1 for _, _, e in spans})
    positions += list(np.random.default_rng(2).integers(0, len(proof), 150))
    for position in positions:
        tampered = proof[:position] + bytes([proof[position] ^ 0x01]) + proof[position + 1:]
        with pytest.raises(VerificationError):
            verify(air, tampered, P2)


def _with_version(proof: bytes, version: int, hash_byte: int | None) -> bytes:
    """The proof re-headed: version, then its params with or without a hash byte."""
    head, params_end = proof[:8], 10 + 7
    rest = proof[params_end + (1 if proof[8:10] == b"\x02\x00" else 0):]
    extra = b"" if hash_byte is None else bytes([hash_byte])
    return head + struct.pack("<H", version) + proof[10:params_end] + extra + rest


def test_a_proof_is_bound_to_its_hash(p2_proof):
    air, proof = p2_proof
    with pytest.raises(VerificationError, match="hash"):
        verify(air, proof, TEST)  # published as blake2s, proven with poseidon2
    as_blake2s = _with_version(proof, 1, None)
    assert parse(as_blake2s).params.hash == "blake2s"
    with pytest.raises(VerificationError):
        verify(air, as_blake2s, TEST)
    with pytest.raises(VerificationError):
        verify(air, as_blake2s)
    for hash_byte in (0, 2, 255):  # version 2 naming blake2s (one proof, one encoding), or no known hash
        with pytest.raises(VerificationError, match="hash"):
            verify(air, _with_version(proof, 2, hash_byte))
    rng = np.random.default_rng(5)
    sent = rng.integers(0, 1000, 40)
    blake = prove(air, air.build_main_trace((sent, rng.permutation(sent))), TEST)
    with pytest.raises(VerificationError, match="hash"):
        verify(air, blake, P2)
    with pytest.raises(VerificationError):
        verify(air, _with_version(blake, 2, 1), P2)  # its BLAKE2s commitments checked as Poseidon2's


def test_a_non_canonical_root_is_a_malformed_proof(p2_proof):
    air, proof = p2_proof
    spans = []
    parse(proof, spans)
    start = next(s for what, s, _ in spans if what == "main_root")
    bad = proof[:start] + b"\xff" * 8 + proof[start + 8:]
    with pytest.raises(ProofFormatError, match="canonical"):
        parse(bad)
    with pytest.raises(VerificationError, match="malformed"):
        verify(air, bad, P2)


def test_a_proof_whose_queries_meet_p_minus_1_is_rejected(p2_proof, monkeypatch):
    air, proof = p2_proof
    original = Poseidon2Transcript._squeeze

    def squeeze(self, label, count):
        out = original(self, label, count)
        return [P - 1] + out[1:] if label == "queries" else out

    monkeypatch.setattr(Poseidon2Transcript, "_squeeze", squeeze)
    with pytest.raises(VerificationError, match="p - 1"):
        verify(air, proof, P2)


# Recorded from the BLAKE2s prover before the hash became a parameter (commit 9d85a7c): deterministic proofs
# (no zero knowledge) and challenges, which must stay identical byte for byte.
BLAKE2S_GOLDEN = {
    "fib": "ce6f89458df5b01e9beff99a613205e7db1782bc55606e86735c92f1d4162828",
    "fib-grind": "a196ac83a612f21b57f23619e07c3fbda21b1f380a49debd0807bcd90229873d",
}


@pytest.mark.parametrize("name,grinding", [("fib", 0), ("fib-grind", 8)])
def test_blake2s_proofs_are_unchanged_bit_for_bit(name, grinding):
    params = StarkParams(f"no-zk-{grinding}", 3, 8, grinding, 2, 3, False)
    air = FibonacciAir(100, fibonacci_output(100), 0)
    proof = prove(air, air.build_main_trace(), params)
    assert proof[8:10] == b"\x01\x00"
    assert hashlib.sha256(proof).hexdigest() == BLAKE2S_GOLDEN[name]
    verify(air, proof, params, allow_no_zero_knowledge=True)


def test_blake2s_challenges_are_unchanged():
    t = Blake2sTranscript()
    t.absorb("x", b"abc")
    t.absorb_ints("i", [1, 2**64 - 1])
    assert str(t.challenge_ext("c")) == BLAKE2S_GOLDEN_EXT
    assert t.challenge_indices("q", 4, 1 << 20) == BLAKE2S_GOLDEN_INDICES


BLAKE2S_GOLDEN_EXT = "Ext(17357387049709613616, 3758798162333574165)"
BLAKE2S_GOLDEN_INDICES = [567191, 108774, 961444, 169613]
