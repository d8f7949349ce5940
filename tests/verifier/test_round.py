"""prove_round and verify_round: a round's files, its atomicity, and every SPEC §6 rejection of a round."""
import json
import os
import shutil

import numpy as np
import pytest

from circuits.tree_hash import digest_from_hex, id_commitment
from prover.exchange import round as round_module
from prover.exchange import shard_tasks
from prover.exchange.id_commitments import commit_user_ids
from prover.exchange.inclusion_store import read_user
from prover.exchange.round import InputError, prove_round
from prover.exchange.users import read_users
from verifier.errors import InputError as MalformedInput
from verifier.formats.amounts import parse_amount
from verifier.solvency.round import CheckFailed, load_public, verify_round

USERS_CSV = ("id,BTC,ETH,USDT:6\nalice,0.5,1.25,100\nbob,0.00000001,,2.5\ncarol,,3,\ndave,1,0,0.000001\nerin,2,,7\n"
             "frank,,,1\n")
OTHER_USERS_CSV = "id,BTC,ETH,USDT:6\nalice,0.5,1.25,100\nbob,0.00000002,,2.5\n"


def prove(tmp, name: str, csv_text: str = USERS_CSV):
    users = tmp / f"{name}-users.csv"
    users.write_text(csv_text)
    return prove_round(users, name, tmp / name, "test", tmp / "master.secret", progress=False)


@pytest.fixture(scope="module")
def rounds(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("rounds")
    return {"base": prove(tmp, "2026-11"), "renamed": prove(tmp, "2026-12"),
            "other": prove(tmp, "2026-11-other", OTHER_USERS_CSV), "tmp": tmp}


@pytest.fixture
def round_copy(rounds, tmp_path):
    """A private copy of the base round, for tests that tamper with it."""
    return shutil.copytree(rounds["base"].out_dir, tmp_path / "round")


def edit_public(round_dir, change):
    path = round_dir / "public.json"
    public = json.loads(path.read_text())
    change(public)
    path.write_text(json.dumps(public))


def test_id_commitments_match_hash_id_for_every_encoding_length():
    ids = ["a", "user-0001", "é", "日本語", "x" * 256, "user-0002"]
    nonces = [bytes([i]) * 32 for i in range(len(ids))]
    positions, counts = [0, 0, 1, 2, 0, 63], [1, 2, 2, 3, 1, 64]
    batched = commit_user_ids(ids, nonces, positions, counts)
    assert [tuple(int(x) for x in row) for row in batched] == [id_commitment(*leaf) for leaf in
                                                               zip(ids, nonces, positions, counts)]


def test_round_directory_holds_exactly_the_public_files_and_the_store(rounds):
    result = rounds["base"]
    assert sorted(os.listdir(result.out_dir)) == ["inclusion.sqlite", "proof.bin", "public.json"]
    public = json.loads((result.out_dir / "public.json").read_text())
    assert public == result.public
    assert public["format"] == "por-public/1" and public["round"] == "2026-11" and public["leaves"] == 8
    assert public["assets"] == [{"symbol": "BTC", "decimals": 8, "total": "3.50000001"},
                                {"symbol": "ETH", "decimals": 8, "total": "4.25"},
                                {"symbol": "USDT", "decimals": 6, "total": "110.500001"}]
    assert public["params"]["name"] == "test" and public["security_bits"] == result.security_bits == 24
    assert (result.out_dir / "proof.bin").stat().st_size == result.proof_size
    assert not [p for p in os.listdir(rounds["tmp"]) if ".tmp-" in p]


def test_users_sit_at_distinct_leaves_with_their_exact_balances(rounds):
    store = rounds["base"].out_dir / "inclusion.sqlite"
    table = read_users(rounds["tmp"] / "2026-11-users.csv")
    records = [read_user(store, user_id) for user_id in table.ids]
    assert all(len(r.entries) == 1 for r in records)  # no --split: one leaf per user
    indices = {r.entries[0].index for r in records}
    assert len(indices) == 6 and all(0 <= i < 8 for i in indices)
    assert np.array_equal(np.array([r.balances for r in records], dtype=np.uint64), table.balances)


def test_a_valid_round_verifies_against_its_published_root_and_totals(rounds):
    result = rounds["base"]
    totals = {"BTC": "3.50000001", "ETH": "4.25", "USDT": "110.500001"}
    verified = verify_round(result.out_dir, root=result.public["root"], totals=totals, min_security=0)
    assert verified.security_bits == 24 and verified.statement.totals == (350000001, 425000000, 110500001)


def test_the_nonces_derive_from_the_master_secret_and_the_round(rounds):
    base, renamed = (read_user(rounds[k].out_dir / "inclusion.sqlite", "alice") for k in ("base", "renamed"))
    assert base.entries[0].nonce != renamed.entries[0].nonce and len(base.entries[0].nonce) == 32


def test_an_existing_out_dir_is_refused(rounds):
    with pytest.raises(InputError, match="already exists"):
        prove(rounds["tmp"], "2026-11")


def test_a_failure_mid_prove_leaves_no_round_only_the_staging_directory(tmp_path, monkeypatch):
    def failing_prove(*args, **kwargs):
        raise RuntimeError("prover crashed")

    monkeypatch.setattr(shard_tasks, "prove", failing_prove)
    with pytest.raises(RuntimeError, match="prover crashed"):
        prove(tmp_path, "crashed")
    assert sorted(os.listdir(tmp_path)) == ["crashed-users.csv", "crashed.partial", "master.secret"]
    assert os.listdir(tmp_path / "crashed.partial") == ["manifest.json"]  # for --resume; no proof was finished


def test_a_failure_while_writing_leaves_no_round_and_the_proof_for_resume(tmp_path, monkeypatch):
    def failing_store(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(round_module, "write_store", failing_store)
    with pytest.raises(OSError, match="disk full"):
        prove(tmp_path, "crashed")
    assert sorted(os.listdir(tmp_path)) == ["crashed-users.csv", "crashed.partial", "master.secret"]
    assert "proof.bin" in os.listdir(tmp_path / "crashed.partial")
    monkeypatch.undo()
    result = prove_round(tmp_path / "crashed-users.csv", "crashed", tmp_path / "crashed", "test",
                         tmp_path / "master.secret", progress=False, resume=True)
    assert result.resumed == 1 and verify_round(result.out_dir, min_security=0).shards == 0
    assert sorted(os.listdir(tmp_path)) == ["crashed", "crashed-users.csv", "master.secret"]


# -- SPEC §6: totals that differ by one base unit, a root that differs in one bit ----------------------------------

def test_total_off_by_one_base_unit_in_public_json_is_rejected(round_copy):
    edit_public(round_copy, lambda p: p["assets"][2].update(total="110.500002"))
    with pytest.raises(CheckFailed, match="does not prove"):
        verify_round(round_copy, min_security=0)


def test_published_totals_off_by_one_base_unit_are_rejected(rounds):
    with pytest.raises(CheckFailed, match="BTC total differs"):
        verify_round(rounds["base"].out_dir, totals={"BTC": "3.50000002", "ETH": "4.25", "USDT": "110.500001"},
                     min_security=0)


@pytest.mark.parametrize("totals, message", [
    ({"BTC": "3.50000001", "ETH": "4.25"}, "lacks USDT"),
    ({"BTC": "3.50000001", "ETH": "4.25", "USDT": "110.500001", "SOL": "0"}, "names SOL"),
])
def test_published_totals_must_name_exactly_the_rounds_assets(rounds, totals, message):
    with pytest.raises(CheckFailed, match=message):
        verify_round(rounds["base"].out_dir, totals=totals, min_security=0)


@pytest.mark.parametrize("btc", ["-1", "3.500000011", "03.50000001", "3.500000010", "3.5e0", " 3.50000001"])
def test_malformed_or_non_canonical_published_totals_are_input_errors(rounds, btc):
    """One canonical form (SPEC §3): a total is never echoed back in a form other than the round's own."""
    with pytest.raises(MalformedInput, match="--totals: BTC"):
        verify_round(rounds["base"].out_dir, totals={"BTC": btc, "ETH": "4.25", "USDT": "110.500001"}, min_security=0)


def flip_bit(hex_digest: str, bit: int = 0) -> str:
    raw = bytearray(bytes.fromhex(hex_digest))
    raw[bit // 8] ^= 1 << (bit % 8)
    return raw.hex()


def test_root_off_by_one_bit_in_public_json_is_rejected(round_copy):
    edit_public(round_copy, lambda p: p.update(root=flip_bit(p["root"])))
    with pytest.raises(CheckFailed, match="not its tree root bound"):
        verify_round(round_copy, min_security=0)


def test_tree_root_off_by_one_bit_in_public_json_is_rejected(round_copy):
    edit_public(round_copy, lambda p: p.update(tree_root=flip_bit(p["tree_root"])))
    with pytest.raises(CheckFailed):
        verify_round(round_copy, min_security=0)


@pytest.mark.parametrize("change", [
    lambda p: p.update(round="2026-12"),
    lambda p: p["assets"][2].update(decimals=8, total="1.10500001"),
    lambda p: p.update(assets=[p["assets"][1], p["assets"][0], p["assets"][2]]),
    lambda p: p["assets"][2].update(symbol="USDC"),
], ids=["round", "decimals", "order", "symbol"])
def test_a_renamed_rescaled_or_reordered_public_json_does_not_reach_its_root(round_copy, change):
    """The published root binds the round name and asset list: changing them in public.json breaks the binding
    (and the proof's statement), whatever the totals say."""
    edit_public(round_copy, change)
    with pytest.raises(CheckFailed):
        verify_round(round_copy, min_security=0)


def test_published_root_off_by_one_bit_is_rejected(rounds):
    with pytest.raises(CheckFailed, match="root differs"):
        verify_round(rounds["base"].out_dir, root=flip_bit(rounds["base"].public["root"], 255), min_security=0)


# -- SPEC §6: a proof checked against other public inputs; a flipped, truncated or extended proof -------------------

@pytest.mark.parametrize("other", ["renamed", "other"])
def test_a_proof_is_rejected_against_another_rounds_public_json(rounds, round_copy, other):
    shutil.copy(rounds[other].out_dir / "public.json", round_copy / "public.json")
    with pytest.raises(CheckFailed):
        verify_round(round_copy, min_security=0)


@pytest.mark.parametrize("tamper", [
    lambda b: b[: len(b) // 2],
    lambda b: b[:-1],
    lambda b: b + b"\0",
    lambda b: b[:1000] + bytes([b[1000] ^ 1]) + b[1001:],
    lambda b: b"",
], ids=["half", "one-byte-short", "one-byte-long", "bit-flipped", "empty"])
def test_a_damaged_proof_is_rejected(round_copy, tamper):
    path = round_copy / "proof.bin"
    path.write_bytes(tamper(path.read_bytes()))
    with pytest.raises(CheckFailed):
        verify_round(round_copy, min_security=0)


# -- SPEC §6: a parameter set below the minimum security ------------------------------------------------------------

def test_a_proof_below_the_minimum_security_is_rejected_naming_the_bits(rounds):
    with pytest.raises(CheckFailed, match="24 bits of security, below the minimum 100"):
        verify_round(rounds["base"].out_dir)


def test_an_overstated_security_claim_is_rejected(round_copy):
    edit_public(round_copy, lambda p: p.update(security_bits=128))
    with pytest.raises(CheckFailed, match="claims 128 bits"):
        verify_round(round_copy, min_security=0)


def test_weaker_params_in_public_json_than_in_the_proof_are_rejected(round_copy):
    edit_public(round_copy, lambda p: p["params"].update(num_queries=4))
    with pytest.raises(CheckFailed, match="num_queries"):
        verify_round(round_copy, min_security=0)


# -- malformed public.json: every field checked, errors name the file and field -------------------------------------

@pytest.mark.parametrize("change, field", [
    (lambda p: p.update(format="por-public/2"), "format"),
    (lambda p: p.pop("leaves"), "leaves"),
    (lambda p: p.update(extra=1), "extra"),
    (lambda p: p.update(round=""), "round"),
    (lambda p: p.update(round=7), "round"),
    (lambda p: p.update(assets=[]), "assets"),
    (lambda p: p["assets"][0].update(decimals=19), "assets[0].decimals"),
    (lambda p: p["assets"][0].update(decimals=True), "assets[0].decimals"),
    (lambda p: p["assets"][0].update(total="3.500000011"), "assets[0].total"),
    (lambda p: p["assets"][0].update(total="-3.5"), "assets[0].total"),
    (lambda p: p["assets"][0].update(total=3.5), "assets[0].total"),
    (lambda p: p["assets"][1].update(symbol="BTC"), "assets"),
    (lambda p: p["assets"][1].update(symbol="btc"), "assets"),
    (lambda p: p["assets"][0].update(total="03.50000001"), "assets[0].total"),
    (lambda p: p["assets"][0].update(total="3.500000010"), "assets[0].total"),
    (lambda p: p.update(policy="margin"), "policy"),
    (lambda p: p.update(tree_root="ff" * 32), "tree_root"),
    (lambda p: p.update(floored=[]), "floored"),
    (lambda p: p.update(floored=[{"symbol": "SOL", "amounts": 1, "dropped": "0.1"}]), "floored[0].symbol"),
    (lambda p: p.update(floored=[{"symbol": "BTC", "amounts": 0, "dropped": "0.1"}]), "floored[0].amounts"),
    (lambda p: p.update(floored=[{"symbol": "BTC", "amounts": 1, "dropped": "0.10"}]), "floored[0].dropped"),
    (lambda p: p["assets"][1].update(symbol="E TH"), "assets[1].symbol"),
    (lambda p: p.update(root=p["root"][:-2]), "root"),
    (lambda p: p.update(root="ff" * 32), "root"),
    (lambda p: p.update(leaves=6), "leaves"),
    (lambda p: p.update(leaves="8"), "leaves"),
    (lambda p: p["params"].update(num_queries=0), "params"),
    (lambda p: p["params"].update(extra=0), "params"),
    (lambda p: p.update(security_bits=-1), "security_bits"),
])
def test_malformed_public_json_is_an_input_error_naming_the_field(round_copy, change, field):
    edit_public(round_copy, change)
    with pytest.raises(MalformedInput) as error:
        load_public(round_copy / "public.json")
    assert "public.json" in str(error.value) and field in str(error.value)


@pytest.mark.parametrize("text", ["", "[]", "{", '{"format": "por-public/1", "format": "x"}', '{"leaves": NaN}',
                                  '{"leaves": -0}', "[" * 5000 + "]" * 5000, "\ufeff{}"])
def test_public_json_that_is_not_one_strict_json_object_is_refused(round_copy, text):
    (round_copy / "public.json").write_text(text)
    with pytest.raises(MalformedInput, match="public.json"):
        verify_round(round_copy, min_security=0)


def test_a_missing_round_directory_or_proof_is_an_input_error(round_copy, tmp_path):
    with pytest.raises(MalformedInput, match="not a directory"):
        verify_round(tmp_path / "absent")
    (round_copy / "proof.bin").unlink()
    with pytest.raises(MalformedInput, match="proof.bin"):
        verify_round(round_copy, min_security=0)


def test_totals_in_public_json_are_exact_sums_of_the_users_file(rounds):
    public = load_public(rounds["base"].out_dir / "public.json")
    table = read_users(rounds["tmp"] / "2026-11-users.csv")
    assert list(public.statement.totals) == table.totals()
    assert public.root == digest_from_hex(rounds["base"].public["root"])
    assert public.statement.root == digest_from_hex(rounds["base"].public["tree_root"])
    assert parse_amount(rounds["base"].public["assets"][2]["total"], 6) == 110500001
