"""`por prove --split K` (SPEC §1, issue 9): a user's balances spread over several leaves, exactly; their inclusion
proof carries every leaf, each is checked, and the sum is what the user reads. A piece altered, dropped or
duplicated is rejected."""
import copy
import os

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


def test_a_dropped_piece_is_rejected_unless_the_stated_total_is_lowered_too(split_round):
    """Dropping a leaf changes the sum the user reads: the stated total must match the remaining leaves, so the
    user then sees a lower balance than their account (what they check it against)."""
    _, public, proofs = split_round
    proof = copy.deepcopy(pieces_of(proofs))
    proof["entries"].pop()
    with pytest.raises(CheckFailed, match="not the sum"):
        verify_inclusion(proof, public.root, public)


def test_a_duplicated_piece_is_an_input_error(split_round):
    _, public, proofs = split_round
    proof = copy.deepcopy(pieces_of(proofs))
    proof["entries"].append(copy.deepcopy(proof["entries"][0]))
    with pytest.raises(InputError, match="entries"):
        verify_inclusion(proof, public.root, public)


def test_another_users_piece_is_rejected(split_round):
    """Borrowing bob's leaf (with the total raised to match) fails: it commits bob's id, not carol's."""
    _, public, proofs = split_round
    proof = copy.deepcopy(proofs["carol"])
    borrowed = proofs["bob"]["entries"][0]
    proof["entries"].append(copy.deepcopy(borrowed))
    for symbol, decimals in (("BTC", 8), ("USDT", 6)):
        total = parse_amount(proof["balances"][symbol], decimals) + parse_amount(borrowed["balances"][symbol], decimals)
        proof["balances"][symbol] = format_amount(total, decimals)
    with pytest.raises(CheckFailed, match="one tree|lead to root"):
        verify_inclusion(proof, public.root, public)
