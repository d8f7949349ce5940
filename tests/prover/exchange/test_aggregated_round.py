"""A sharded round proven as one proof (`por prove --aggregate`, prover/exchange/aggregation.py) and checked by
`por-verify proof` against the pinned key of its configuration: the pinned test key is recomputed here, the round
publishes one proof.bin and no shard totals, users' inclusion proofs verify against its root, and every forged
public.json, key or proof is rejected."""
import json
import shutil

import pytest
from click.testing import CliRunner

from prover.cli import main as por
from prover.exchange.round import prove_round
from verifier.cli import main as por_verify
from verifier.errors import CheckFailed, InputError
from verifier.formats.aggregation import pinned_keys
from verifier.formats.public import load_public
from verifier.solvency.round import verify_round

USERS = "id,BTC:8,ETH:9\n" + "\n".join(f"u{i},{i}.5,{i * 3}" for i in range(7)) + "\n"  # 8 leaves: 2 shards of 4


def run(command, *args):
    return CliRunner().invoke(command, [str(a) for a in args])


@pytest.fixture(scope="module")
def kept(tmp_path_factory):
    """A round proven with --keep-shard-proofs (the library call)."""
    tmp = tmp_path_factory.mktemp("aggregated")
    (tmp / "users.csv").write_text(USERS)
    result = prove_round(tmp / "users.csv", "2026-12", tmp / "round", "test", tmp / "secret", progress=False,
                         shard_leaves=4, aggregate=True, keep_shard_proofs=True)
    return tmp, result


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """The same users through the command line, as an exchange publishes it."""
    tmp = tmp_path_factory.mktemp("aggregated-cli")
    (tmp / "users.csv").write_text(USERS)
    result = run(por, "prove", tmp / "users.csv", "--round", "2026-12", "--out", tmp / "round", "--preset", "test",
                 "--secret-file", tmp / "secret", "--shard-leaves", "4", "--aggregate")
    assert result.exit_code == 0, result.output
    return tmp / "round"


def test_the_round_is_one_proof_without_shard_totals(published):
    assert sorted(p.name for p in published.iterdir()) == ["inclusion.sqlite", "proof.bin", "public.json"]
    document = json.loads((published / "public.json").read_text())
    assert "shards" not in document and document["aggregation"]["shards"] == 2
    result = run(por_verify, "proof", published, "--min-security", "0")
    assert result.exit_code == 0, result.output
    assert "aggregated into this one proof" in result.output and "VALID" in result.output


def test_the_pinned_test_key_is_the_one_a_round_computes(kept, published):
    """Two rounds of other users, one pinned beforehand (params/recursion/keys.json): one key per configuration."""
    public = load_public(published / "public.json")
    s = public.statement
    configuration = public.aggregation.configuration(public.policy, s.leaves, s.assets, public.params)
    assert pinned_keys()[configuration] == public.aggregation.key == bytes.fromhex(
        kept[1].public["aggregation"]["key"])


def test_kept_intermediate_proofs_are_outside_the_statement(kept):
    tmp, result = kept
    layers = sorted(p.name for p in (result.out_dir / "layers").iterdir())
    assert layers == ["level-1-0000.bin", "shard-0000.bin", "shard-0001.bin"]
    verify_round(result.out_dir, min_security=0)


def test_inclusion_proofs_verify_against_the_aggregated_root(published, tmp_path):
    out = tmp_path / "u3.json"
    assert run(por, "inclusion", published, "--user-id", "u3", "--out", out).exit_code == 0
    result = run(por_verify, "inclusion", out, "--public", published / "public.json")
    assert result.exit_code == 0, result.output


def _copy(published, tmp_path):
    copy = tmp_path / "round"
    shutil.copytree(published, copy)
    return copy, json.loads((copy / "public.json").read_text())


def _write(copy, document):
    (copy / "public.json").write_text(json.dumps(document))


@pytest.mark.parametrize("forge", ["total", "shard count", "key", "rows"])
def test_a_forged_public_json_is_rejected(published, tmp_path, forge):
    copy, document = _copy(published, tmp_path)
    if forge == "total":
        document["assets"][0]["total"] = "22.50000001"
        expected = CheckFailed
    elif forge == "shard count":  # another configuration: no key is pinned for it
        document["aggregation"]["shards"], document["aggregation"]["rows"] = 4, [4076, 4076]
        expected = InputError
    elif forge == "key":
        document["aggregation"]["key"] = "00" * 32
        expected = CheckFailed
    else:
        document["aggregation"]["rows"] = [4076 + 8]
        expected = InputError
    _write(copy, document)
    with pytest.raises(expected):
        verify_round(copy, min_security=0)


def test_a_flipped_proof_byte_and_a_foreign_key_are_rejected(published, tmp_path):
    copy, document = _copy(published, tmp_path)
    proof = bytearray((copy / "proof.bin").read_bytes())
    proof[len(proof) // 3] ^= 1
    (copy / "proof.bin").write_bytes(bytes(proof))
    with pytest.raises(CheckFailed):
        verify_round(copy, min_security=0)
    public = load_public(published / "public.json")
    s = public.statement
    configuration = public.aggregation.configuration(public.policy, s.leaves, s.assets, public.params)
    with pytest.raises(CheckFailed, match="not the key pinned"):
        verify_round(published, min_security=0, keys={configuration: bytes(32)})


def test_shard_proofs_beside_an_aggregated_round_are_refused(published, tmp_path):
    copy, _ = _copy(published, tmp_path)
    (copy / "proofs").mkdir()
    with pytest.raises(CheckFailed, match="aggregated"):
        verify_round(copy, min_security=0)
