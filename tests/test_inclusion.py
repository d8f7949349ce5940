"""Inclusion proofs: every user's proof verifies; a swapped leaf, an omitted user and malformed JSON do not."""
import copy

import pytest

from prover.exchange.inclusion import export_inclusion
from prover.exchange.inclusion_store import StoreError
from prover.exchange.round import prove_round
from verifier.solvency.round import (
    CheckFailed,
    RoundInputError,
    load_public,
    verify_inclusion,
)

USERS_CSV = "id,BTC,ETH,USDT:6\nalice,0.5,1.25,100\nbob,0.00000001,,2.5\ncarol,,3,\ndave,1,0,0.000001\nerin,2,,7\n"
USER_IDS = ["alice", "bob", "carol", "dave", "erin"]


@pytest.fixture(scope="module")
def rounds(tmp_path_factory):
    """The full round, and the same round with carol left out."""
    tmp = tmp_path_factory.mktemp("inclusion")
    without_carol = "".join(line + "\n" for line in USERS_CSV.splitlines() if not line.startswith("carol"))
    made = {}
    for name, text in (("full", USERS_CSV), ("without-carol", without_carol)):
        (tmp / f"{name}.csv").write_text(text)
        made[name] = prove_round(tmp / f"{name}.csv", "2026-11", tmp / name, "test", tmp / "secret", progress=False)
    return made


@pytest.fixture(scope="module")
def public(rounds):
    return load_public(rounds["full"].out_dir / "public.json")[0]


@pytest.fixture(scope="module")
def proofs(rounds):
    return {user_id: export_inclusion(rounds["full"].out_dir, user_id) for user_id in USER_IDS}


def test_an_inclusion_proof_has_the_spec_fields_and_every_asset_including_zeros(proofs, rounds):
    proof = proofs["carol"]
    assert proof["format"] == "por-inclusion/1" and proof["round"] == "2026-11" and proof["user_id"] == "carol"
    assert proof["root"] == rounds["full"].public["root"]
    assert proof["balances"] == {"BTC": "0", "ETH": "3", "USDT": "0"}
    assert proof["decimals"] == {"BTC": 8, "ETH": 8, "USDT": 6}
    assert len(proof["nonce"]) == 64 and len(proof["siblings"]) == 3 and 0 <= proof["index"] < 8


def test_reissuing_a_proof_gives_the_same_proof(proofs, rounds):
    assert export_inclusion(rounds["full"].out_dir, "dave") == proofs["dave"]


@pytest.mark.parametrize("user_id", USER_IDS)
def test_every_users_inclusion_proof_verifies(proofs, public, rounds, user_id):
    assert verify_inclusion(proofs[user_id], public=public).user_id == user_id
    assert verify_inclusion(proofs[user_id], root=rounds["full"].public["root"]).index == proofs[user_id]["index"]
    verify_inclusion(proofs[user_id])


def tampered(proof: dict, change) -> dict:
    proof = copy.deepcopy(proof)
    change(proof)
    return proof


def other_index(p):
    p["index"] ^= 1


def other_sibling(p):
    p["siblings"][1] = p["siblings"][0]


@pytest.mark.parametrize("change", [
    lambda p: p["balances"].update(BTC="0.50000001"),
    lambda p: p["balances"].update(ETH="1.25000000", USDT="100.000001"),
    other_index,
    other_sibling,
    lambda p: p.update(nonce="00" * 32),
    lambda p: p.update(user_id="mallory"),
], ids=["balance", "two-balances", "index", "sibling", "nonce", "user-id"])
def test_a_swapped_or_altered_leaf_is_rejected(proofs, public, change):
    with pytest.raises(CheckFailed, match="does not lead to root"):
        verify_inclusion(tampered(proofs["alice"], change), public=public)


def test_another_users_balances_are_rejected(proofs, public):
    with pytest.raises(CheckFailed):
        verify_inclusion(tampered(proofs["alice"], lambda p: p.update(balances=proofs["erin"]["balances"])),
                         public=public)


def test_a_user_left_out_of_the_tree_fails_the_inclusion_check(rounds, proofs):
    without = rounds["without-carol"].out_dir
    with pytest.raises(StoreError, match="'carol' is not in round"):
        export_inclusion(without, "carol")
    statement = load_public(without / "public.json")[0]
    with pytest.raises(CheckFailed):
        verify_inclusion(proofs["carol"], public=statement)
    with pytest.raises(CheckFailed):
        verify_inclusion(proofs["carol"], root=rounds["without-carol"].public["root"])


def test_a_proof_for_another_root_is_rejected(proofs, rounds):
    other_root = rounds["without-carol"].public["root"]
    with pytest.raises(CheckFailed, match="another root"):
        verify_inclusion(proofs["alice"], root=other_root)
    with pytest.raises(CheckFailed, match="another root"):
        verify_inclusion(tampered(proofs["alice"], lambda p: p.update(root=other_root)),
                         public=load_public(rounds["full"].out_dir / "public.json")[0])


@pytest.mark.parametrize("change, message", [
    (lambda p: p["balances"].pop("USDT") and p["decimals"].pop("USDT"), "USDT"),
    (lambda p: p["decimals"].update(USDT=8), "decimals"),
    (lambda p: p.update(round="2026-10"), "round"),
    (lambda p: p.update(siblings=p["siblings"][:2], index=p["index"] % 4), "siblings"),
])
def test_a_proof_that_does_not_fit_the_rounds_public_json_is_rejected(proofs, public, change, message):
    with pytest.raises(CheckFailed, match=message):
        verify_inclusion(tampered(proofs["alice"], change), public=public)


@pytest.mark.parametrize("change, field", [
    (lambda p: p.update(format="por-inclusion/2"), "format"),
    (lambda p: p.pop("nonce"), "nonce"),
    (lambda p: p.update(extra=True), "extra"),
    (lambda p: p.update(nonce=p["nonce"][:-2]), "nonce"),
    (lambda p: p.update(nonce=p["nonce"].upper()), "nonce"),
    (lambda p: p.update(root="zz" * 32), "root"),
    (lambda p: p["siblings"].__setitem__(0, "00" * 31), "siblings[0]"),
    (lambda p: p.update(siblings=[]), "siblings"),
    (lambda p: p.update(index=8), "index"),
    (lambda p: p.update(index=-1), "index"),
    (lambda p: p.update(index=1.0), "index"),
    (lambda p: p.update(user_id=""), "user_id"),
    (lambda p: p["balances"].update(BTC=0.5), "balances.BTC"),
    (lambda p: p["balances"].update(BTC="-0.5"), "balances.BTC"),
    (lambda p: p["balances"].update(BTC="0.123456789"), "balances.BTC"),
    (lambda p: p["decimals"].update(BTC=19), "decimals.BTC"),
    (lambda p: p.update(decimals={"ETH": 8, "BTC": 8, "USDT": 6}), "decimals"),
    (lambda p: p.update(balances={}), "balances"),
])
def test_malformed_inclusion_json_is_an_input_error_naming_the_field(proofs, change, field):
    with pytest.raises(RoundInputError) as error:
        verify_inclusion(tampered(proofs["alice"], change), name="alice.json")
    assert "alice.json" in str(error.value) and field in str(error.value)


def test_a_balance_of_2_to_the_63_base_units_is_rejected(proofs):
    with pytest.raises(CheckFailed, match="2\\^63"):
        verify_inclusion(tampered(proofs["alice"], lambda p: p["balances"].update(BTC="92233720368.54775808")))
