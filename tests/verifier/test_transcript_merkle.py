"""Fiat-Shamir transcript and Merkle commitments: binding, unbiased sampling, batched openings, domain separation,
and the prover's parallel BLAKE2s agreeing with hashlib."""
import hashlib

import numpy as np
import pytest

from circuits.field import P
from prover.engine import row_hashing
from prover.engine.blake2s_batch import hash_rows
from prover.engine.merkle_tree import MerkleTree
from verifier.stark.commitment import BLAKE2S, LEAF_PREFIX, MerkleError
from verifier.stark.commitment import root_from_openings as scheme_root
from verifier.stark.transcript import Blake2sTranscript as Transcript

hash_children = BLAKE2S.hash_children


def hash_row(data: bytes) -> bytes:
    """A BLAKE2s leaf of raw bytes (a row's bytes, or anything else a forger would try)."""
    return hashlib.blake2s(LEAF_PREFIX + data).digest()


def root_from_openings(digests, siblings, depth):
    return scheme_root(BLAKE2S, digests, siblings, depth)


def _challenges(messages) -> tuple:
    t = Transcript()
    for label, data in messages:
        t.absorb(label, data)
    return t.challenge_ext("c"), t.challenge_indices("q", 4, 1 << 20)


def test_every_absorbed_item_changes_the_challenges():
    messages = [("params", b"\x01\x02"), ("air", b"toy"), ("public", b"\x00" * 16), ("root", bytes(range(32)))]
    base = _challenges(messages)
    variants = []
    for i, (label, data) in enumerate(messages):
        variants.append(messages[:i] + [(label + "!", data)] + messages[i + 1:])
        variants.append(messages[:i] + [(label, data + b"\x00")] + messages[i + 1:])
        variants.append(messages[:i] + [(label, bytes([data[0] ^ 1]) + data[1:])] + messages[i + 1:])
        variants.append(messages[:i] + messages[i + 1:])
    variants.append(messages[1:] + messages[:1])
    variants.append([("params", b"\x01"), ("\x02air", b"toy")] + messages[2:])  # framing: no re-splitting
    outcomes = [_challenges(v) for v in variants]
    assert all(o[0] != base[0] and o[1] != base[1] for o in outcomes)
    assert len({o[0] for o in outcomes}) == len(outcomes)
    assert _challenges(messages) == base  # and it is deterministic


def test_successive_challenges_differ_and_are_canonical():
    t = Transcript()
    values = [t.challenge_ext("same label") for _ in range(20)]
    assert len(set(values)) == 20
    assert all(0 <= v.a < P and 0 <= v.b < P for v in values)


def test_query_indices_in_range_and_masked():
    t = Transcript()
    for log_size in (1, 5, 23):
        indices = t.challenge_indices("queries", 500, 1 << log_size)
        assert all(0 <= i < 1 << log_size for i in indices)
        assert len(set(indices)) == min(500, 1 << log_size) or log_size == 23
    counts = np.bincount(Transcript().challenge_indices("q", 8000, 8), minlength=8)
    assert counts.min() > 850 and counts.max() < 1150  # uniform (power-of-two masking has no bias)
    for bad in (0, 3, 6, -8):
        with pytest.raises(ValueError):
            Transcript().challenge_indices("q", 1, bad)


def test_proof_of_work_check():
    t = Transcript()
    t.absorb("x", b"state")
    passing = [n for n in range(8192) if t.check_pow(n, 10)]
    assert 0 < len(passing) < 24  # about 1 in 1024 passes
    assert t.check_pow(12345, 0)
    assert not t.check_pow(-1, 0) and not t.check_pow(1 << 64, 0)  # a nonce is a u64
    other = Transcript()
    other.absorb("x", b"other state")
    assert [n for n in range(8192) if other.check_pow(n, 10)] != passing  # the work is bound to the state


# -------------------------------------------------------------------------------------------------- Merkle

@pytest.mark.parametrize("length", [0, 1, 54, 55, 63, 64, 65, 127, 128, 129, 200])
def test_parallel_blake2s_matches_hashlib(length):
    rows = np.random.default_rng(length).integers(0, 256, (7, length), dtype=np.uint8)
    for prefix in (b"\x00", b"\x01"):
        digests = hash_rows(prefix, rows)
        assert [bytes(d) for d in digests] == [hashlib.blake2s(prefix + r.tobytes()).digest() for r in rows]


@pytest.mark.parametrize("width", [1, 2, 8, 16, 216, 511, 512, 600])
@pytest.mark.parametrize("layout", ["rows", "transposed", "strided"])
def test_row_hashing_matches_hashlib_at_every_width(width, layout):
    """Every input layout (contiguous rows: the word kernel; an LDE's transposed view: the lane kernel, 300 rows
    leaving a short last group of lanes; anything else: copied a chunk at a time) gives hashlib's digests."""
    lde = np.random.default_rng(width).integers(0, P, (width, 300), dtype=np.uint64)
    rows = {"rows": np.ascontiguousarray(lde.T), "transposed": lde.T, "strided": lde.T[::3]}[layout]
    for prefix in (b"\x00", b"\x01"):
        digests = hash_rows(prefix, rows)
        assert [bytes(d) for d in digests] == [hashlib.blake2s(prefix + r.tobytes()).digest() for r in rows]
    assert [bytes(d) for d in row_hashing.hash_leaves(BLAKE2S, rows)] == [BLAKE2S.hash_row(r.tolist()) for r in rows]


def test_tree_matches_the_verifier_hashes():
    rows = np.random.default_rng(3).integers(0, P, (8, 3), dtype=np.uint64)
    tree = MerkleTree(rows)
    level = [hash_row(r.astype("<u8").tobytes()) for r in rows]
    while len(level) > 1:
        level = [hash_children(level[i], level[i + 1]) for i in range(0, len(level), 2)]
    assert tree.root == level[0]
    assert MerkleTree(np.ascontiguousarray(rows.T).T).root == tree.root  # a transposed view commits alike


def _opening(tree, indices):
    rows, siblings = tree.open(indices)
    digests = {i: hash_row(r.astype("<u8").tobytes()) for i, r in zip(sorted(set(indices)), rows)}
    return digests, siblings


def test_batched_openings_round_trip():
    rng = np.random.default_rng(4)
    depth = 9
    tree = MerkleTree(rng.integers(0, P, (1 << depth, 4), dtype=np.uint64))
    for count in (1, 2, 5, 40, 1 << depth):
        indices = rng.integers(0, 1 << depth, count).tolist()
        digests, siblings = _opening(tree, indices)
        assert root_from_openings(digests, siblings, depth) == tree.root
        if siblings:
            with pytest.raises(MerkleError, match="too few"):
                root_from_openings(digests, siblings[:-1], depth)
            wrong = [bytes(32)] + siblings[1:]
            assert root_from_openings(digests, wrong, depth) != tree.root
        with pytest.raises(MerkleError, match="too many"):
            root_from_openings(digests, siblings + [bytes(32)], depth)
        index = next(iter(digests))
        forged = {**digests, index: hash_row(b"forged")}
        assert root_from_openings(forged, siblings, depth) != tree.root


def test_bad_openings():
    with pytest.raises(MerkleError):
        root_from_openings({}, [], 3)
    with pytest.raises(MerkleError, match="out of range"):
        root_from_openings({8: bytes(32)}, [bytes(32)] * 3, 3)
    with pytest.raises(ValueError):
        MerkleTree(np.zeros((6, 2), dtype=np.uint64))


def test_leaf_and_node_hashes_are_domain_separated():
    left, right = hashlib.blake2s(b"l").digest(), hashlib.blake2s(b"r").digest()
    assert hash_row(left + right) != hash_children(left, right)
    assert hash_row(b"") != hash_children(b"", b"")
    # a two-leaf tree's root cannot be presented as a one-level "leaf" of the concatenated children
    tree = MerkleTree(np.array([[1, 2, 3, 4], [5, 6, 7, 8]], dtype=np.uint64))
    node_as_leaf = {0: hash_row(tree.levels[0][0].tobytes() + tree.levels[0][1].tobytes())}
    assert root_from_openings(node_as_leaf, [], 0) != tree.root
