"""Liabilities are only ever a verified round (SPEC §5, §6): `por-verify reserves --liabilities`, `por report` and
`por history` verify the round's proof, its security floor and its root binding before reading any total; a
public.json alone or one its proof does not prove gives no verdict, and every output names the proof's SHA-256."""
import functools
import hashlib
import json
import shutil

import pytest
from click.testing import CliRunner
from round_fixtures import TEST_FLOOR, prove_totals

from prover.cli import main as por
from prover.exchange import round as round_module
from prover.exchange import shard_tasks, staging
from prover.reserves.generate import generate_reserves
from verifier.cli import main as por_verify
from verifier.errors import CheckFailed, InputError
from verifier.reserves.liabilities import verified_liabilities
from verifier.solvency.round import verify_round
from verifier.stark.params import StarkParams, load_preset
from verifier.stark.verify import verify

ASSETS = [("BTC", 8, "2"), ("ETH", 8, "3")]
FLOOR = ["--min-security", str(TEST_FLOOR)]


def run(command, *args):
    return CliRunner().invoke(command, [str(a) for a in args])


def sha256(*paths) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.read_bytes())
    return digest.hexdigest()


@pytest.fixture(scope="module")
def plain(tmp_path_factory):
    """A one-proof round and a reserves file covering it at 105%."""
    tmp = tmp_path_factory.mktemp("plain")
    result = prove_totals(tmp / "round", "2024-06", ASSETS)
    (tmp / "reserves.csv").write_text(generate_reserves(result.public, {}, seed=1))
    return tmp


@pytest.fixture(scope="module")
def sharded(tmp_path_factory):
    """A round of 4 leaves proven as 2 shards of 2, and a reserves file covering it."""
    tmp = tmp_path_factory.mktemp("sharded")
    result = prove_totals(tmp / "round", "2024-06", ASSETS, holders=3, shard_leaves=2, allow_small_shards=True)
    assert result.shards == 2
    (tmp / "reserves.csv").write_text(generate_reserves(result.public, {}, seed=1))
    return tmp


def tampered_copy(source, destination, change):
    """A copy of the round at `source` whose public.json `change` edits (its proof files untouched)."""
    shutil.copytree(source, destination)
    path = destination / "public.json"
    public = json.loads(path.read_text())
    change(public)
    path.write_text(json.dumps(public, indent=2))
    return destination


def halve_btc(public):
    assert public["assets"][0] == {"symbol": "BTC", "decimals": 8, "total": "2"}
    public["assets"][0]["total"] = "1"


def test_a_verified_round_gives_the_verdict_and_names_its_proof(plain):
    digest = sha256(plain / "round" / "proof.bin")
    for liabilities in (plain / "round", plain / "round" / "public.json"):
        result = run(por_verify, "reserves", plain / "reserves.csv", "--liabilities", liabilities, "--jobs", 1, *FLOOR)
        assert result.exit_code == 0, result.output
        assert result.output.startswith("FULLY BACKED")
        assert f"Liabilities proof: verified, 24 bits of conjectured security; SHA-256 of proof.bin: {digest}" \
            in result.output
    as_json = run(por_verify, "reserves", plain / "reserves.csv", "--liabilities", plain / "round", "--json",
                  "--jobs", 1, *FLOOR)
    proof = json.loads(as_json.stdout)["liabilities_proof"]
    assert proof == {"verified": True, "sha256": digest, "files": [{"file": "proof.bin", "sha256": digest}],
                     "security_bits": 24, "min_security": TEST_FLOOR, "zero_knowledge": True}
    assert verified_liabilities(plain / "round", TEST_FLOOR).proof.sha256 == digest


def test_a_halved_total_is_invalid_and_gives_no_verdict(plain, tmp_path):
    forged = tampered_copy(plain / "round", tmp_path / "forged", halve_btc)
    result = run(por_verify, "reserves", plain / "reserves.csv", "--liabilities", forged, "--jobs", 1, *FLOOR)
    assert result.exit_code == 1
    assert result.stdout == ""  # no verdict, no table
    assert result.stderr.splitlines() == [f"INVALID: liabilities of {forged} not verified: proof.bin does not "
                                          "prove public.json: constraints do not hold at the out-of-domain point"]
    with pytest.raises(CheckFailed, match="proof.bin does not prove public.json"):
        verified_liabilities(forged / "public.json", TEST_FLOOR)


def test_a_root_bound_to_another_round_is_invalid(plain, tmp_path):
    """The root binding is checked too: public.json's root must bind its tree root to its header."""
    def rebind(public):
        public["root"] = public["root"][:-1] + ("1" if public["root"][-1] == "0" else "0")

    forged = tampered_copy(plain / "round", tmp_path / "forged", rebind)
    result = run(por_verify, "reserves", plain / "reserves.csv", "--liabilities", forged, "--jobs", 1, *FLOOR)
    assert result.exit_code == 1 and result.stdout == ""
    assert "public.json's root is not its tree root bound to its round" in result.stderr


def test_public_json_alone_exits_2(plain, tmp_path):
    alone = tmp_path / "alone"
    alone.mkdir()
    shutil.copy(plain / "round" / "public.json", alone)
    for liabilities in (alone, alone / "public.json"):
        result = run(por_verify, "reserves", plain / "reserves.csv", "--liabilities", liabilities, "--jobs", 1,
                     *FLOOR)
        assert result.exit_code == 2 and result.stdout == ""
        assert result.stderr.splitlines() == [f"error: liabilities of {alone} not verified: {alone / 'proof.bin'}: "
                                              "cannot read: No such file or directory"]
    other = tmp_path / "totals.json"
    other.write_text("{}")
    for path, message in ((other, "expected a round directory, or the public.json beside its proof files"),
                          (tmp_path / "absent", "no such round directory or public.json")):
        result = run(por_verify, "reserves", plain / "reserves.csv", "--liabilities", path, "--jobs", 1)
        assert result.exit_code == 2 and message in result.stderr


def test_the_test_preset_is_below_the_floor_unless_lowered(plain):
    base = ["reserves", plain / "reserves.csv", "--liabilities", plain / "round", "--jobs", 1]
    for floor in ([], ["--min-security", 25]):
        refused = run(por_verify, *base, *floor)
        assert refused.exit_code == 1 and refused.stdout == ""
        assert refused.stderr.strip().endswith(f"proof gives 24 bits of security, below the minimum "
                                               f"{floor[1] if floor else 100}")
    accepted = run(por_verify, *base, "--min-security", 24)
    assert accepted.exit_code == 0, accepted.output
    assert accepted.output.splitlines()[2] == ("WARNING: The liabilities proof has 24 bits of conjectured security, "
                                               "below the usual 100 (accepted because --min-security was lowered "
                                               "to 24).")
    with pytest.raises(CheckFailed, match="below the minimum 100"):
        verified_liabilities(plain / "round")  # the library's default is the command line's


def test_a_round_without_zero_knowledge_needs_the_escape(tmp_path, monkeypatch):
    no_zk = StarkParams(**{**load_preset("test").to_json(), "name": "test-no-zk", "zero_knowledge": False})
    monkeypatch.setattr(round_module, "load_preset", lambda _: no_zk)
    monkeypatch.setattr(shard_tasks, "verify", functools.partial(verify, allow_no_zero_knowledge=True))
    monkeypatch.setattr(staging, "verify_round", functools.partial(verify_round, allow_no_zero_knowledge=True))
    result = prove_totals(tmp_path / "round", "2024-06", ASSETS)
    (tmp_path / "reserves.csv").write_text(generate_reserves(result.public, {}, seed=1))
    base = ["reserves", tmp_path / "reserves.csv", "--liabilities", tmp_path / "round", "--jobs", 1, *FLOOR]
    refused = run(por_verify, *base)
    assert refused.exit_code == 1 and refused.stdout == "" and "without zero knowledge" in refused.stderr
    allowed = run(por_verify, *base, "--allow-no-zero-knowledge")
    assert allowed.exit_code == 0, allowed.output
    assert "WARNING: The liabilities proof was made without zero knowledge" in allowed.output


def test_a_sharded_round_is_verified_and_named_by_every_shard(sharded, tmp_path):
    files = [sharded / "round" / "proofs" / f"shard-{i:04d}.bin" for i in range(2)]
    result = run(por, "report", sharded / "round", "--reserves", sharded / "reserves.csv", "--out", tmp_path / "out",
                 "--jobs", 1, *FLOOR)
    assert result.exit_code == 0, result.output
    proof = json.loads((tmp_path / "out" / "report.json").read_text())["liabilities_proof"]
    assert proof["sha256"] == sha256(*files)
    assert proof["files"] == [{"file": f"proofs/shard-{i:04d}.bin", "sha256": sha256(f)} for i, f in enumerate(files)]
    markdown = (tmp_path / "out" / "report.md").read_text()
    assert (f"SHA-256 of proofs/shard-0000.bin .. proofs/shard-0001.bin (2 files, in order): {sha256(*files)}"
            in markdown)
    assert f"  - `proofs/shard-0001.bin`: SHA-256 `{sha256(files[1])}`" in markdown

    def halve_round_and_shard(public):
        """Shard totals that still add up: only the holder's shard proof can catch it."""
        halve_btc(public)
        holder = next(shard for shard in public["shards"] if shard["totals"][0] == "2")
        holder["totals"][0] = "1"

    for change, message in ((halve_btc, "BTC: the shard totals sum to 2, the round total is 1"),
                            (halve_round_and_shard, ".bin does not prove shard")):
        forged = tampered_copy(sharded / "round", tmp_path / f"forged-{change.__name__}", change)
        refused = run(por_verify, "reserves", sharded / "reserves.csv", "--liabilities", forged, "--jobs", 1, *FLOOR)
        assert refused.exit_code == 1 and refused.stdout == "" and message in refused.stderr


def test_por_report_names_the_proof_and_refuses_a_tampered_round(plain, tmp_path):
    digest = sha256(plain / "round" / "proof.bin")
    base = ["report", "--reserves", plain / "reserves.csv", "--jobs", 1]
    made = run(por, *base[:1], plain / "round", *base[1:], "--out", tmp_path / "out", *FLOOR)
    assert made.exit_code == 0, made.output
    assert json.loads((tmp_path / "out" / "report.json").read_text())["liabilities_proof"]["sha256"] == digest
    assert (f"- Liabilities proof: **verified, 24 bits of conjectured security; SHA-256 of proof.bin: {digest}**"
            in (tmp_path / "out" / "report.md").read_text())

    forged = tampered_copy(plain / "round", tmp_path / "forged", halve_btc)
    refused = run(por, *base[:1], forged, *base[1:], "--out", tmp_path / "forged-out", *FLOOR)
    assert refused.exit_code == 1 and refused.stdout == ""
    assert refused.stderr.startswith(f"INVALID: liabilities of {forged} not verified: proof.bin does not prove")
    assert not (tmp_path / "forged-out").exists()
    (forged / "proof.bin").unlink()
    missing = run(por, *base[:1], forged, *base[1:], "--out", tmp_path / "missing-out", *FLOOR)
    assert missing.exit_code == 2 and "proof.bin: cannot read" in missing.stderr
    assert not (tmp_path / "missing-out").exists()
    below_floor = run(por, *base[:1], plain / "round", *base[1:], "--out", tmp_path / "weak-out")
    assert below_floor.exit_code == 1 and "below the minimum 100" in below_floor.stderr
    assert not (tmp_path / "weak-out").exists()


def test_por_history_refuses_a_tampered_round(plain, tmp_path):
    good = shutil.copytree(plain / "round", tmp_path / "2024-06")
    assert run(por, "report", good, "--reserves", plain / "reserves.csv", "--out", good, "--jobs", 1,
               *FLOOR).exit_code == 0
    series = run(por, "history", good, "--out", tmp_path / "series", *FLOOR)
    assert series.exit_code == 0, series.output
    saved = json.loads((tmp_path / "series" / "history.json").read_text())
    assert saved["rounds"][0]["liabilities_proof"]["sha256"] == sha256(good / "proof.bin")

    forged = tampered_copy(good, tmp_path / "forged", halve_btc)  # report.json still says BTC 2
    refused = run(por, "history", good, forged, "--out", tmp_path / "refused", *FLOOR)
    assert refused.exit_code == 1 and not (tmp_path / "refused").exists()
    assert refused.stderr.startswith(f"INVALID: liabilities of {forged} not verified: proof.bin does not prove")
    assert run(por, "history", good, "--out", tmp_path / "weak").exit_code == 1  # below the default floor

    report = json.loads((good / "report.json").read_text())
    report["liabilities_proof"]["sha256"] = "00" * 32
    (good / "report.json").write_text(json.dumps(report))
    other_proof = run(por, "history", good, "--out", tmp_path / "other", *FLOOR)
    assert other_proof.exit_code == 1
    assert "report.json: field 'liabilities_proof.sha256' '" + "00" * 32 + "' is not the round's proof" \
        in other_proof.stderr


def test_malformed_round_files_exit_2(plain, tmp_path):
    broken = tampered_copy(plain / "round", tmp_path / "broken", lambda public: public.update(format="por-public/2"))
    with pytest.raises(InputError, match="'format'"):
        verified_liabilities(broken, TEST_FLOOR)
    result = run(por_verify, "reserves", plain / "reserves.csv", "--liabilities", broken, "--jobs", 1, *FLOOR)
    assert result.exit_code == 2 and result.stdout == "" and "Traceback" not in result.output
