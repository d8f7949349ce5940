"""`por prove --split K` (SPEC §1, issue 9): a user's balances spread over several leaves, exactly; their inclusion
proof carries every leaf, in order, each committing to its position (k, K) among the user's K leaves, and the sum
is what the user reads. A piece altered, dropped, repeated, reordered or borrowed is rejected, whatever total the
proof states."""
import copy
import os
import sqlite3

import numpy as np
import pytest

from prover.exchange.inclusion import export_inclusion
from prover.exchange.leaf_order import TEST_SEED_VARIABLE
from prover.exchange.pieces import split_balances
from prover.exchange.round import prove_round
from verifier.errors import CheckFailed, InputError
from verifier.formats.amounts import format_amount, parse_amount
from verifier.formats.public import load_public
from verifier.solvency.inclusion import verify_inclusion

USERS_CSV = "id,BTC,USDT:6\nalice,1.5,100.000001\nbob,0.00000003,0\ncarol,0,7\n"


@pytest.fixture(scope="module")
def split_round(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("split")
    (tmp / "users.csv").write_text(USERS_CSV)
    os.environ[TEST_SEED_VARIABLE] = "split"  # a fixed leaf order and split, so the cases below are the same each run
    try:
        result = prove_round(tmp / "users.csv", "2026-11", tmp / "round", "test", tmp / "secret", progress=False,
                             split=5)
    finally:
        del os.environ[TEST_SEED_VARIABLE]
    public = load_public(result.out_dir / "public.json")
    return result, public, {user: export_inclusion(result.out_dir, user) for user in ("alice", "bob", "carol")}


def test_split_pieces_are_exact_non_negative_and_add_up_to_each_balance():
    rng = np.random.default_rng(7)
    balances = rng.integers(0, 2**63, (500, 4), dtype=np.uint64)
    balances[:3] = [[0] * 4, [1] * 4, [2**63 - 1] * 4]
    pieces = split_balances(balances, 6, b"\x01" * 32)
    sums = np.zeros_like(balances)
    np.add.at(sums, pieces.owner, pieces.balances)
    assert (sums == balances).all() and (pieces.balances <= balances[pieces.owner]).all()
    counts = np.bincount(pieces.owner)
    assert counts.min() >= 1 and counts.max() <= 6 and len(set(counts.tolist())) > 1  # 1..K leaves, varying
    assert (split_balances(balances, 1, b"\x01" * 32).balances == balances).all()


def test_a_split_round_keeps_its_totals_and_every_user_verifies_with_their_sum(split_round):
    result, public, proofs = split_round
    assert [a["total"] for a in result.public["assets"]] == ["1.50000003", "107.000001"]
    assert sum(len(p["entries"]) for p in proofs.values()) > 3  # someone got more than one leaf
    for user, proof in proofs.items():
        checked = verify_inclusion(proof, public.root, public)
        assert checked.user_id == user
    assert proofs["alice"]["balances"] == {"BTC": "1.5", "USDT": "100.000001"}


def pieces_of(proofs) -> dict:
    """A user with several leaves."""
    proof = max(proofs.values(), key=lambda p: len(p["entries"]))
    assert len(proof["entries"]) >= 2
    return proof


def test_an_altered_piece_is_rejected(split_round):
    _, public, proofs = split_round
    proof = copy.deepcopy(pieces_of(proofs))
    entry = proof["entries"][1]
    entry["balances"]["USDT"] = "1000"
    with pytest.raises(CheckFailed):
        verify_inclusion(proof, public.root, public)


def with_total(proof: dict) -> dict:
    """The stated total recomputed from the entries, as a forger would, so only the leaves can give it away."""
    for symbol, decimals in (("BTC", 8), ("USDT", 6)):
        total = sum(parse_amount(e["balances"][symbol], decimals) for e in proof["entries"])
        proof["balances"][symbol] = format_amount(total, decimals)
    return proof


def dropped(proof, _):
    proof["entries"].pop()


def dropped_first(proof, _):
    proof["entries"].pop(0)


def reordered(proof, _):
    proof["entries"][0], proof["entries"][1] = proof["entries"][1], proof["entries"][0]


def reversed_(proof, _):
    proof["entries"].reverse()


def borrowed_in_place(proof, proofs):
    """The user's last leaf swapped for another user's (the leaf count K unchanged)."""
    other = next(p for p in proofs.values() if p["user_id"] != proof["user_id"])
    proof["entries"][-1] = copy.deepcopy(other["entries"][0])


@pytest.mark.parametrize("forge", [dropped, dropped_first, reordered, reversed_, borrowed_in_place])
def test_a_leaf_missing_reordered_or_borrowed_is_rejected_even_with_the_total_made_to_match(split_round, forge):
    """Each leaf commits to its position (k, K) among the user's K leaves: entry k is checked as leaf k of
    len(entries), so whatever total is stated, a proof short of a leaf, or with leaves out of order or another
    user's, reaches no root (the unbound format let a dropped leaf through with the total lowered)."""
    _, public, proofs = split_round
    proof = copy.deepcopy(pieces_of(proofs))
    forge(proof, proofs)
    for root, pub in ((public.root, None), (public.root, public)):
        with pytest.raises(CheckFailed, match="one tree|lead to root"):
            verify_inclusion(with_total(copy.deepcopy(proof)), root, pub)


def test_a_repeated_piece_is_refused(split_round):
    """Appended, or in place of another leaf (K unchanged), with the total made to match: two entries name one
    leaf, which the codec refuses before any hashing (and the position binding would refuse too)."""
    _, public, proofs = split_round
    for change in (lambda p: p["entries"].append(copy.deepcopy(p["entries"][0])),
                   lambda p: p["entries"].__setitem__(-1, copy.deepcopy(p["entries"][0]))):
        proof = copy.deepcopy(pieces_of(proofs))
        change(proof)
        with pytest.raises(InputError, match="entries.*name a leaf twice"):
            verify_inclusion(with_total(proof), public.root, public)


def test_the_exported_entries_are_the_users_leaves_in_position_order(split_round):
    """The exporter lists leaf k as entry k, for every user; each honest split proof verifies (above)."""
    result, _, proofs = split_round
    store = sqlite3.connect(result.out_dir / "inclusion.sqlite")
    for user, proof in proofs.items():
        rows = store.execute("SELECT piece, leaf FROM users WHERE user_id = ? ORDER BY piece", (user,)).fetchall()
        assert rows == [(k, e["index"]) for k, e in enumerate(proof["entries"])]
    store.close()


def test_another_users_piece_is_rejected(split_round):
    """Borrowing bob's leaf (with the total raised to match) fails: it commits bob's id, not carol's."""
    _, public, proofs = split_round
    proof = copy.deepcopy(proofs["carol"])
    proof["entries"].append(copy.deepcopy(proofs["bob"]["entries"][0]))
    with pytest.raises(CheckFailed, match="one tree|lead to root"):
        verify_inclusion(with_total(proof), public.root, public)
