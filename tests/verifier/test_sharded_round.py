"""Sharded rounds: a tree above `shard_leaves` is proven as S subtree proofs that the verifier recombines.

One round of 7 users (8 leaves) in 4 shards of 2 leaves is proved once and copied by the tests that tamper with it.
"""
import json
import os
import shutil

import pytest
from click.testing import CliRunner

from circuits.tree_hash import (
    digest_from_hex,
    digest_to_hex,
    node_digest,
    round_header,
    round_root,
)
from prover.cli import main as por
from prover.exchange.inclusion import export_inclusion
from prover.exchange.inclusion_store import read_user
from prover.exchange.round import InputError, prove_round
from prover.exchange.users import read_users
from verifier.cli import main as por_verify
from verifier.errors import InputError as MalformedInput
from verifier.formats.amounts import format_amount, parse_amount
from verifier.solvency.inclusion import verify_inclusion
from verifier.solvency.round import (
    CheckFailed,
    load_public,
    verify_round,
)

USERS_CSV = ("id,BTC,ETH,USDT:6\nalice,0.5,1.25,100\nbob,0.00000001,,2.5\ncarol,,3,\ndave,1,0,0.000001\nerin,2,,7\n"
             "frank,,,1\ngrace,3,0.5,0.25\n")
SHARD_LEAVES, SHARDS = 2, 4


def run(command, *args):
    return CliRunner().invoke(command, [str(a) for a in args])


@pytest.fixture(scope="module")
def sharded(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("sharded")
    (tmp / "users.csv").write_text(USERS_CSV)
    result = prove_round(tmp / "users.csv", "2026-11", tmp / "round", "test", tmp / "secret", progress=False,
                         shard_leaves=SHARD_LEAVES, allow_small_shards=True)
    return result, tmp


@pytest.fixture
def round_copy(sharded, tmp_path):
    return shutil.copytree(sharded[0].out_dir, tmp_path / "round")


def edit_public(round_dir, change):
    path = round_dir / "public.json"
    public = json.loads(path.read_text())
    change(public)
    path.write_text(json.dumps(public))


def shard_file(round_dir, i):
    return round_dir / "proofs" / f"shard-{i:04d}.bin"


def rejected(round_dir, *needles):
    """`por-verify proof` exits 1 with one line naming what failed."""
    result = run(por_verify, "proof", round_dir, "--min-security", "0")
    assert result.exit_code == 1, (result.stdout, result.stderr)
    message = result.stderr.strip()
    assert len(message.splitlines()) == 1 and message.startswith("INVALID: "), message
    for needle in needles:
        assert needle in message, message


def raise_shard_root(public, i):
    """Alter shard i's root by one bit (the low bit of its first element: still canonical)."""
    raw = bytearray(bytes.fromhex(public["shards"][i]["root"]))
    raw[0] ^= 1
    public["shards"][i]["root"] = raw.hex()


def recompute_round_root(public):
    """A forger's public.json: the tree root recomputed from the shard roots, and the published root from it."""
    level = [digest_from_hex(shard["root"]) for shard in public["shards"]]
    while len(level) > 1:
        level = [node_digest(level[k], level[k + 1]) for k in range(0, len(level), 2)]
    public["tree_root"] = digest_to_hex(level[0])
    assets = [(a["symbol"], a["decimals"]) for a in public["assets"]]
    header = round_header(public["round"], public["policy"], public["leaves"], assets)
    public["root"] = digest_to_hex(round_root(level[0], header))


# -- a sharded round: files, public.json, verification, inclusion ----------------------------------------------------

def test_a_sharded_round_writes_one_proof_per_shard_and_lists_the_shards(sharded):
    result, _ = sharded
    assert sorted(os.listdir(result.out_dir)) == ["inclusion.sqlite", "proofs", "public.json"]
    assert sorted(os.listdir(result.out_dir / "proofs")) == [f"shard-{i:04d}.bin" for i in range(SHARDS)]
    assert result.shards == SHARDS
    assert result.proof_size == sum(shard_file(result.out_dir, i).stat().st_size for i in range(SHARDS))
    public = json.loads((result.out_dir / "public.json").read_text())
    assert public == result.public and public["leaves"] == 8 and len(public["shards"]) == SHARDS
    assert [a["total"] for a in public["assets"]] == ["6.50000001", "4.75", "110.750001"]


def test_shard_totals_are_the_exact_sums_of_the_balances_at_the_shards_leaves(sharded):
    result, tmp = sharded
    table = read_users(tmp / "users.csv")
    expected = [[0] * 3 for _ in range(SHARDS)]
    for user_id in table.ids:
        record = read_user(result.out_dir / "inclusion.sqlite", user_id)
        [entry] = record.entries
        for j, units in enumerate(entry.balances):
            expected[entry.index // SHARD_LEAVES][j] += units
    decimals = [8, 8, 6]
    assert [shard["totals"] for shard in result.public["shards"]] == [
        [format_amount(units, d) for units, d in zip(row, decimals)] for row in expected]


def test_a_sharded_round_verifies_in_process_and_through_the_command_line(sharded):
    result, _ = sharded
    verified = verify_round(result.out_dir, root=result.public["root"],
                            totals={"BTC": "6.50000001", "ETH": "4.75", "USDT": "110.750001"}, min_security=0)
    assert verified.shards == SHARDS and verified.security_bits == 24 and verified.proof_size == result.proof_size
    printed = run(por_verify, "proof", result.out_dir, "--min-security", "0")
    assert printed.exit_code == 0, printed.stderr
    assert "shards     4 shards of 2 leaves" in printed.stdout and "VALID" in printed.stdout


def test_every_users_inclusion_proof_verifies_against_the_sharded_rounds_public_json(sharded):
    result, tmp = sharded
    public = load_public(result.out_dir / "public.json")
    for user_id in read_users(tmp / "users.csv").ids:
        proof = export_inclusion(result.out_dir, user_id)
        assert len(proof["entries"][0]["siblings"]) == 3  # the whole tree's path: shards are its bottom levels
        assert verify_inclusion(proof, public.root, public).user_id == user_id


def test_a_round_that_fits_one_shard_keeps_the_single_proof_layout(tmp_path):
    (tmp_path / "users.csv").write_text(USERS_CSV)
    result = prove_round(tmp_path / "users.csv", "r", tmp_path / "round", "test", tmp_path / "secret",
                         progress=False, shard_leaves=8)
    assert sorted(os.listdir(result.out_dir)) == ["inclusion.sqlite", "proof.bin", "public.json"]
    assert "shards" not in result.public and result.shards == 0
    assert verify_round(result.out_dir, min_security=0).shards == 0


@pytest.mark.parametrize("shard_leaves", [0, 1, 3, 6])
def test_shard_leaves_must_be_a_power_of_two_of_at_least_two(tmp_path, shard_leaves):
    (tmp_path / "users.csv").write_text(USERS_CSV)
    with pytest.raises(InputError, match="power of two"):
        prove_round(tmp_path / "users.csv", "r", tmp_path / "round", "test", tmp_path / "secret", progress=False,
                    shard_leaves=shard_leaves)
    result = run(por, "prove", tmp_path / "users.csv", "--round", "r", "--out", tmp_path / "round",
                 "--preset", "test", "--secret-file", tmp_path / "secret", "--shard-leaves", shard_leaves,
                 "--allow-small-shards")
    assert result.exit_code == 2 and "power of two" in result.stderr
    assert sorted(os.listdir(tmp_path)) == ["users.csv"]


def test_shards_below_the_privacy_minimum_are_refused_without_the_flag(tmp_path):
    """Per-shard totals are published: 2-leaf shards would publish one or two users' exact balances."""
    (tmp_path / "users.csv").write_text(USERS_CSV)
    with pytest.raises(InputError, match="--allow-small-shards"):
        prove_round(tmp_path / "users.csv", "r", tmp_path / "round", "test", tmp_path / "secret", progress=False,
                    shard_leaves=SHARD_LEAVES)
    args = ["prove", tmp_path / "users.csv", "--round", "r", "--out", tmp_path / "round", "--preset", "test",
            "--secret-file", tmp_path / "secret", "--shard-leaves", SHARD_LEAVES]
    refused = run(por, *args)
    assert refused.exit_code == 2 and "4096" in refused.stderr and "--allow-small-shards" in refused.stderr
    assert sorted(os.listdir(tmp_path)) == ["users.csv"]
    accepted = run(por, *args, "--allow-small-shards")
    assert accepted.exit_code == 0, accepted.output
    assert "4 shards of 2 leaves" in accepted.stdout
    assert verify_round(tmp_path / "round", min_security=0).shards == SHARDS


# -- shard proof files: swapped, missing, extra --------------------------------------------------------------------

def test_two_swapped_shard_proofs_are_rejected(round_copy):
    first, second = shard_file(round_copy, 0), shard_file(round_copy, 1)
    data = first.read_bytes()
    first.write_bytes(second.read_bytes())
    second.write_bytes(data)
    rejected(round_copy, "proofs/shard-0000.bin does not prove shard 0 of 4")


def test_shards_swapped_in_public_json_and_on_disk_with_a_recomputed_root_are_rejected(round_copy):
    """The index bound into each shard's round name stops a reordering even when the round root is made to fit."""
    def swap(public):
        public["shards"][0], public["shards"][1] = public["shards"][1], public["shards"][0]
        recompute_round_root(public)

    edit_public(round_copy, swap)
    first, second = shard_file(round_copy, 0), shard_file(round_copy, 1)
    data = first.read_bytes()
    first.write_bytes(second.read_bytes())
    second.write_bytes(data)
    rejected(round_copy, "proofs/shard-0000.bin does not prove")


def test_a_missing_shard_proof_is_rejected(round_copy):
    shard_file(round_copy, 2).unlink()
    with pytest.raises(CheckFailed, match="proofs/shard-0002.bin is missing"):
        verify_round(round_copy, min_security=0)
    rejected(round_copy, "shard-0002.bin is missing")


@pytest.mark.parametrize("name", ["shard-0004.bin", "shard-2.bin", "notes.txt"])
def test_an_extra_file_among_the_shard_proofs_is_rejected(round_copy, name):
    shutil.copy(shard_file(round_copy, 0), round_copy / "proofs" / name)
    with pytest.raises(CheckFailed, match=f"proofs/{name} is not one of the 4 shard proofs"):
        verify_round(round_copy, min_security=0)


def test_a_whole_round_proof_bin_beside_shard_proofs_is_rejected(round_copy):
    shutil.copy(shard_file(round_copy, 0), round_copy / "proof.bin")
    with pytest.raises(CheckFailed, match="proof.bin is present"):
        verify_round(round_copy, min_security=0)


# -- shard totals and roots -----------------------------------------------------------------------------------------

def test_moving_one_base_unit_between_shard_totals_is_rejected_by_the_shard_proofs(round_copy):
    """The round totals still add up, so only the shard proofs can catch it."""
    public = json.loads((round_copy / "public.json").read_text())
    # A shard with some BTC loses one satoshi; the first other shard gains it.
    poorer = next(i for i, s in enumerate(public["shards"]) if s["totals"][0] != "0")
    richer = 0 if poorer else 1

    def move(p):
        for i, delta in ((richer, 1), (poorer, -1)):
            p["shards"][i]["totals"][0] = format_amount(parse_amount(p["shards"][i]["totals"][0], 8) + delta, 8)

    edit_public(round_copy, move)
    shards = json.loads((round_copy / "public.json").read_text())["shards"]
    assert sum(parse_amount(s["totals"][0], 8) for s in shards) == 650000001
    rejected(round_copy, f"proofs/shard-{min(poorer, richer):04d}.bin does not prove shard {min(poorer, richer)}")


def test_a_shard_total_that_breaks_the_sum_is_rejected(round_copy):
    edit_public(round_copy, lambda p: p["shards"][3]["totals"].__setitem__(1, "100"))
    with pytest.raises(CheckFailed, match="ETH: the shard totals sum to"):
        verify_round(round_copy, min_security=0)


def test_a_round_total_off_by_one_base_unit_is_rejected(round_copy):
    edit_public(round_copy, lambda p: p["assets"][2].update(total="110.750002"))
    rejected(round_copy, "USDT: the shard totals sum to 110.750001, the round total is 110.750002")


def test_an_altered_shard_root_is_rejected_by_the_recombination(round_copy):
    edit_public(round_copy, lambda p: raise_shard_root(p, 1))
    rejected(round_copy, "4 shard roots do not hash up to the tree root")


def test_an_altered_shard_root_with_a_matching_round_root_is_rejected_by_its_proof(round_copy):
    def alter(public):
        raise_shard_root(public, 1)
        recompute_round_root(public)

    edit_public(round_copy, alter)
    rejected(round_copy, "proofs/shard-0001.bin does not prove shard 1 of 4")


# -- malformed shards: input errors (exit 2) naming the field -------------------------------------------------------

@pytest.mark.parametrize("change, field", [
    (lambda p: p.update(shards={}), "shards"),
    (lambda p: p.update(shards=[]), "shards"),
    (lambda p: p.update(shards=p["shards"][:1]), "shards"),  # one shard: not a sharded round
    (lambda p: p.update(shards=p["shards"][:3]), "shards"),  # 8 leaves do not split into 3 shards
    (lambda p: p.update(shards=p["shards"] * 2), "shards"),  # 8 shards of 1 leaf
    (lambda p: p["shards"].__setitem__(0, "root"), "shards[0]"),
    (lambda p: p["shards"][0].pop("root"), "shards[0]"),
    (lambda p: p["shards"][0].update(extra=1), "shards[0]"),
    (lambda p: p["shards"][0].update(root=p["shards"][0]["root"][:-1]), "shards[0].root"),
    (lambda p: p["shards"][0].update(root="ff" * 32), "shards[0].root"),
    (lambda p: p["shards"][1].update(totals="1"), "shards[1].totals"),
    (lambda p: p["shards"][1]["totals"].pop(), "shards[1].totals"),
    (lambda p: p["shards"][1]["totals"].append("0"), "shards[1].totals"),
    (lambda p: p["shards"][1]["totals"].__setitem__(0, "-1"), "shards[1].totals[0]"),
    (lambda p: p["shards"][1]["totals"].__setitem__(2, "0.0000001"), "shards[1].totals[2]"),  # USDT has 6 decimals
    (lambda p: p["shards"][1]["totals"].__setitem__(0, 1), "shards[1].totals[0]"),
    (lambda p: p["shards"][1]["totals"].__setitem__(0, "1e3"), "shards[1].totals[0]"),
    (lambda p: p["shards"][1]["totals"].__setitem__(0, "1" + "0" * 30), "2^63"),  # above L * 2^63 base units
])
def test_malformed_shards_are_input_errors_naming_the_field(round_copy, change, field):
    edit_public(round_copy, change)
    with pytest.raises(MalformedInput) as error:
        load_public(round_copy / "public.json")
    assert "public.json" in str(error.value) and field in str(error.value)
    result = run(por_verify, "proof", round_copy, "--min-security", "0")
    assert result.exit_code == 2 and len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr and result.stderr.startswith("error: ")
