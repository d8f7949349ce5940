"""Inclusion proofs (SPEC §1 item 4, §3, §6): every user's proof verifies against the bare published root and
against public.json; a re-scaled, re-ordered, re-labelled, swapped or altered proof, an omitted user and
malformed JSON do not, in either mode."""
import copy

import pytest
from page_fixtures import build_round

from circuits.tree_hash import (
    digest_from_hex,
    digest_to_hex,
    id_commitment,
    leaf_digest,
    path_root,
    round_header,
    round_root,
)
from prover.exchange.inclusion import export_inclusion
from prover.exchange.inclusion_store import StoreError
from prover.exchange.round import prove_round
from verifier.errors import CheckFailed, InputError
from verifier.formats.amounts import format_amount, parse_amount
from verifier.formats.public import load_public
from verifier.solvency.inclusion import verify_inclusion

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
    return load_public(rounds["full"].out_dir / "public.json")


@pytest.fixture(scope="module")
def proofs(rounds):
    return {user_id: export_inclusion(rounds["full"].out_dir, user_id) for user_id in USER_IDS}


def both_modes(public):
    """(published root, public.json or None): the bare published root, then the round's public.json."""
    return [(public.root, None), (public.root, public)]


def test_an_inclusion_proof_has_the_spec_fields_and_every_asset_including_zeros(proofs, rounds):
    proof = proofs["carol"]
    assert proof["format"] == "por-inclusion/2" and proof["round"] == "2026-11" and proof["user_id"] == "carol"
    assert proof["root"] == rounds["full"].public["root"] and proof["policy"] == "plain" and proof["leaves"] == 8
    assert proof["assets"] == [{"symbol": "BTC", "decimals": 8}, {"symbol": "ETH", "decimals": 8},
                               {"symbol": "USDT", "decimals": 6}]
    assert proof["balances"] == {"BTC": "0", "ETH": "3", "USDT": "0"}
    [entry] = proof["entries"]
    assert entry["balances"] == proof["balances"]
    assert len(entry["nonce"]) == 64 and len(entry["siblings"]) == 3 and 0 <= entry["index"] < 8


def test_reissuing_a_proof_gives_the_same_proof(proofs, rounds):
    assert export_inclusion(rounds["full"].out_dir, "dave") == proofs["dave"]


@pytest.mark.parametrize("user_id", USER_IDS)
def test_every_users_inclusion_proof_verifies_in_both_modes(proofs, public, user_id):
    for root, pub in both_modes(public):
        assert verify_inclusion(proofs[user_id], root, pub).user_id == user_id


def tampered(proof: dict, change) -> dict:
    proof = copy.deepcopy(proof)
    change(proof)
    return proof


def rescaled(p):
    """0.5 BTC at 8 decimals shown as 50000 BTC at 3 decimals: the same base units, other decimals."""
    p["assets"][0]["decimals"] = 3
    p["balances"]["BTC"] = p["entries"][0]["balances"]["BTC"] = "50000"


def swapped(p):
    """BTC and ETH values swapped, with the asset list re-ordered to match."""
    p["assets"][0], p["assets"][1] = p["assets"][1], p["assets"][0]
    for balances in (p["balances"], p["entries"][0]["balances"]):
        btc, eth, usdt = balances["BTC"], balances["ETH"], balances["USDT"]
        balances.clear()
        balances.update(ETH=btc, BTC=eth, USDT=usdt)


def relabelled(p):
    """USDT renamed USDC (same decimals, same units)."""
    p["assets"][2]["symbol"] = "USDC"
    for balances in (p["balances"], p["entries"][0]["balances"]):
        balances["USDC"] = balances.pop("USDT")


def entry(p):
    return p["entries"][0]


@pytest.mark.parametrize("change", [
    rescaled, swapped, relabelled,
    lambda p: p.update(round="2026-10"),
    lambda p: p.update(leaves=16) or entry(p)["siblings"].append(entry(p)["siblings"][0]),
    lambda p: p["balances"].update(BTC="0.50000001") or entry(p)["balances"].update(BTC="0.50000001"),
    lambda p: entry(p).update(index=entry(p)["index"] ^ 1),
    lambda p: entry(p)["siblings"].__setitem__(1, entry(p)["siblings"][0]),
    lambda p: entry(p).update(nonce="00" * 32),
    lambda p: p.update(user_id="mallory"),
], ids=["rescaled", "swapped", "relabelled", "round", "leaves", "balance", "index", "sibling", "nonce", "user-id"])
def test_a_rescaled_reordered_relabelled_or_altered_proof_is_rejected_in_both_modes(proofs, public, change):
    for root, pub in both_modes(public):
        with pytest.raises(CheckFailed):
            verify_inclusion(tampered(proofs["alice"], change), root, pub)


def test_the_bare_root_alone_catches_a_rescaling_whose_file_is_self_consistent(proofs, public):
    """A forger who also rewrites the file's own root to what the re-scaled header gives is caught by the published
    root: the file's root is whatever the exchange writes, only the published one counts."""
    forged = tampered(proofs["alice"], rescaled)
    with pytest.raises(CheckFailed, match="lead to root"):
        verify_inclusion(forged, public.root)
    e = forged["entries"][0]
    assets = [(a["symbol"], a["decimals"]) for a in forged["assets"]]
    units = [parse_amount(e["balances"][symbol], decimals) for symbol, decimals in assets]
    leaf = leaf_digest(id_commitment(forged["user_id"], bytes.fromhex(e["nonce"]), 0, 1), units)
    tree_root = path_root(leaf, e["index"], [digest_from_hex(s) for s in e["siblings"]])
    forged["root"] = digest_to_hex(round_root(tree_root, round_header(forged["round"], "plain", 8, assets)))
    verify_inclusion(forged, digest_from_hex(forged["root"]))  # self-consistent: it verifies against its own root
    with pytest.raises(CheckFailed, match="another root"):
        verify_inclusion(forged, public.root)


def test_the_stated_total_must_be_the_sum_of_the_entries(proofs, public):
    forged = tampered(proofs["alice"], lambda p: p["balances"].update(BTC="5"))
    with pytest.raises(CheckFailed, match="not the sum"):
        verify_inclusion(forged, public.root)


def test_another_users_balances_are_rejected(proofs, public):
    forged = tampered(proofs["alice"], lambda p: p.update(balances=proofs["erin"]["balances"])
                      or entry(p).update(balances=proofs["erin"]["balances"]))
    with pytest.raises(CheckFailed):
        verify_inclusion(forged, public.root)


def test_a_user_left_out_of_the_tree_fails_the_inclusion_check(rounds, proofs):
    without = rounds["without-carol"].out_dir
    with pytest.raises(StoreError, match="'carol' is not in round"):
        export_inclusion(without, "carol")
    other = load_public(without / "public.json")
    for root, pub in both_modes(other):
        with pytest.raises(CheckFailed):
            verify_inclusion(proofs["carol"], root, pub)


def test_a_proof_for_another_root_is_rejected(proofs, rounds, public):
    other_root = digest_from_hex(rounds["without-carol"].public["root"])
    with pytest.raises(CheckFailed, match="another root"):
        verify_inclusion(proofs["alice"], other_root)
    with pytest.raises(CheckFailed, match="another root"):
        verify_inclusion(tampered(proofs["alice"], lambda p: p.update(root=rounds["without-carol"].public["root"])),
                         public.root, public)


@pytest.mark.parametrize("change, message", [
    (lambda p: p.update(round="2026-10"), "round"),
    (lambda p: p.update(policy="margin"), "policy"),
    (lambda p: p["assets"][2].update(decimals=8), "assets"),
])
def test_a_proof_that_does_not_fit_the_rounds_public_json_is_rejected(proofs, public, change, message):
    with pytest.raises((CheckFailed, InputError), match=message):
        verify_inclusion(tampered(proofs["alice"], change), public.root, public)


@pytest.mark.parametrize("change, field", [
    (lambda p: p.update(format="por-inclusion/1"), "format"),
    (lambda p: entry(p).pop("nonce"), "nonce"),
    (lambda p: p.update(extra=True), "extra"),
    (lambda p: entry(p).update(nonce=entry(p)["nonce"][:-2]), "nonce"),
    (lambda p: entry(p).update(nonce=entry(p)["nonce"].upper()), "nonce"),
    (lambda p: p.update(root="zz" * 32), "root"),
    (lambda p: entry(p)["siblings"].__setitem__(0, "00" * 31), "siblings[0]"),
    (lambda p: entry(p).update(siblings=[]), "siblings"),
    (lambda p: entry(p).update(index=8), "index"),
    (lambda p: entry(p).update(index=-1), "index"),
    (lambda p: entry(p).update(index=1.0), "index"),
    (lambda p: p.update(entries=[]), "entries"),
    (lambda p: p.update(entries=[entry(p), entry(p)]), "entries"),
    (lambda p: p.update(entries=[entry(p)] * 1025), "entries"),  # more leaves than any user is given
    (lambda p: p.update(user_id=""), "user_id"),
    (lambda p: p["balances"].update(BTC=0.5), "balances.BTC"),
    (lambda p: entry(p)["balances"].update(BTC="-0.5"), "balances.BTC"),
    (lambda p: entry(p)["balances"].update(BTC="0.123456789"), "balances.BTC"),
    (lambda p: entry(p)["balances"].update(BTC="00.5"), "balances.BTC"),
    (lambda p: entry(p)["balances"].update(BTC="0.50"), "balances.BTC"),
    (lambda p: p["assets"][0].update(decimals=19), "decimals"),
    (lambda p: p["assets"][1].update(symbol="btc"), "assets"),
    (lambda p: p.update(balances={"ETH": "1.25", "BTC": "0.5", "USDT": "100"}), "balances"),
    (lambda p: p.update(balances={}), "balances"),
])
def test_malformed_inclusion_json_is_an_input_error_naming_the_field(proofs, public, change, field):
    with pytest.raises(InputError) as error:
        verify_inclusion(tampered(proofs["alice"], change), public.root, name="alice.json")
    assert "alice.json" in str(error.value) and field in str(error.value)


def test_a_balance_of_2_to_the_63_base_units_is_rejected(proofs, public):
    big = "92233720368.54775808"
    forged = tampered(proofs["alice"], lambda p: p["balances"].update(BTC=big) or entry(p)["balances"].update(BTC=big))
    with pytest.raises(CheckFailed, match="2\\^63"):
        verify_inclusion(forged, public.root)


def test_a_split_users_leaves_are_bound_to_their_number():
    """A forger's tree (tests/page_fixtures.py) in which dora's two leaves were committed as two of three, the third
    never placed: her proof, honest-looking and summing right, is rejected, and so is either leaf alone; bob's
    honest three-leaf proof of the same tree verifies, and fails with a leaf left out (total lowered to match)."""
    public, proofs = build_round()
    root = digest_from_hex(public["root"])
    assert verify_inclusion(proofs["bob"], root).balances == (150000000, 1, 1250500001)
    with pytest.raises(CheckFailed, match="one tree"):
        verify_inclusion(proofs["dora"], root)
    for k in range(2):
        leaf = proofs["dora"]["entries"][k]
        one = tampered(proofs["dora"], lambda p: p.update(entries=[leaf], balances=leaf["balances"]))
        with pytest.raises(CheckFailed, match="lead to root"):
            verify_inclusion(one, root)
    fewer = tampered(proofs["bob"], lambda p: p["entries"].pop())
    fewer["balances"] = {symbol: format_amount(sum(parse_amount(e["balances"][symbol], decimals)
                                                   for e in fewer["entries"]), decimals)
                         for symbol, decimals in ((a["symbol"], a["decimals"]) for a in fewer["assets"])}
    with pytest.raises(CheckFailed, match="one tree"):
        verify_inclusion(fewer, root)


def test_the_retired_format_is_refused_saying_why(proofs, public):
    """por-inclusion/1 (one leaf, the tree root unbound to the round and to a user's leaf count) is not verified with
    a warning: a cheating exchange would hand out that form to escape both bindings."""
    old = {"format": "por-inclusion/1", "round": "2026-11", "root": "00" * 32, "user_id": "alice", "nonce": "00" * 32,
           "balances": {"BTC": "0.5"}, "decimals": {"BTC": 8}, "index": 0, "siblings": []}
    with pytest.raises(InputError, match="alice.json: format por-inclusion/1 is refused: it binds neither the round "
                                         "nor how many leaves a user has"):
        verify_inclusion(old, public.root, name="alice.json")
