"""Staging is strict (SPEC §6: "a resumed round holding a file the prover did not write"): `--resume` goes on only
from the files the interrupted run wrote, by name and recorded SHA-256, refusing anything else (exit 2, the file
named, nothing published, the staging directory left as it is); and `por prove` verifies the round it is about to
publish as `por-verify proof` does, so a round that fails is never published (exit 1), plain or margin, sharded
(here and on Dask) or not."""
import json
import os

import pytest

from prover.cli import main as por
from prover.exchange import round as plain_round
from prover.exchange.staging import MANIFEST, security_floor
from tests.prover.exchange.test_cli_round import one_line_error, run
from tests.prover.exchange.test_resume import USERS_CSV, cli, killed, prove  # noqa: F401 (killed: a fixture)
from verifier.cli import main as por_verify
from verifier.errors import CheckFailed, InputError
from verifier.stark.verify import MIN_SECURITY

KEPT = ["shard-0000.bin", "shard-0001.bin"]


def staged(tmp):
    """Every entry of the staging directory with its bytes (None for a folder), to show it was left as it was."""
    root = tmp / "round.partial"
    return {path.relative_to(root).as_posix(): None if path.is_dir() else path.read_bytes()
            for path in sorted(root.rglob("*"))}


def refused_intact(tmp, name, *needles):
    """`--resume` exits 2 with one line naming `name` (and each needle); nothing is published or changed."""
    before = staged(tmp)
    one_line_error(cli(tmp, "--resume"), 2, str(tmp / "round.partial" / name), "nothing was published", *needles)
    assert not (tmp / "round").exists()
    assert staged(tmp) == before


def test_the_manifest_records_each_finished_proof_by_digest(killed):
    files = json.loads((killed / "round.partial" / MANIFEST).read_text())["files"]
    assert sorted(files) == [f"proofs/{name}" for name in KEPT]
    assert all(len(digest) == 64 for digest in files.values())


def test_a_stray_file_in_proofs_is_refused_naming_it(killed):
    (killed / "round.partial/proofs/shard-0003.bin").write_bytes(b"not a proof")
    refused_intact(killed, "proofs/shard-0003.bin", "not a file this run wrote")
    with pytest.raises(InputError, match="shard-0003.bin: not a file this run wrote"):
        prove(killed, resume=True)


@pytest.mark.parametrize("name", ["index.html", "proofs/notes.txt", "proofs/extra", "public.json"])
def test_any_other_stray_entry_is_refused(killed, name):
    path = killed / "round.partial" / name
    if name == "proofs/extra":
        path.mkdir()
    else:
        path.write_text("{}")
    refused_intact(killed, name, "not a file this run wrote")


def test_a_symlink_in_place_of_a_kept_proof_is_refused(killed):
    proof = killed / "round.partial/proofs/shard-0001.bin"
    (killed / "elsewhere.bin").write_bytes(proof.read_bytes())
    proof.unlink()
    proof.symlink_to(killed / "elsewhere.bin")  # the same bytes, but not the file this run wrote
    refused_intact(killed, "proofs/shard-0001.bin", "not a file this run wrote")


def test_a_kept_shard_proof_changed_in_one_byte_is_refused(killed):
    proof = killed / "round.partial/proofs/shard-0001.bin"
    data = bytearray(proof.read_bytes())
    data[len(data) // 2] ^= 1
    proof.write_bytes(bytes(data))
    refused_intact(killed, "proofs/shard-0001.bin", "changed since this run wrote it")


def test_a_staging_directory_of_the_former_format_is_refused(killed):
    manifest = killed / "round.partial" / MANIFEST
    manifest.write_text(manifest.read_text().replace("por-staging/2", "por-staging/1"))
    one_line_error(cli(killed, "--resume"), 2, "is not a por-staging/2 manifest")
    assert not (killed / "round").exists()


def test_a_resumed_round_of_its_own_files_publishes_and_verifies(killed):
    """Including the temporary file of a write a kill cut short, which is the run's own and dropped."""
    kept = {name: (killed / "round.partial/proofs" / name).read_bytes() for name in KEPT}
    (killed / "round.partial/.shard-0002.bin.k1ll3d_x.tmp").write_bytes(b"half a proof")
    result = cli(killed, "--resume")
    assert result.exit_code == 0, result.output
    assert "2 proofs kept from the interrupted run" in result.stdout
    assert sorted(os.listdir(killed)) == ["round", "secret", "users.csv"]
    assert sorted(os.listdir(killed / "round")) == ["inclusion.sqlite", "proofs", "public.json"]
    assert sorted(os.listdir(killed / "round/proofs")) == [f"shard-{i:04d}.bin" for i in range(4)]
    assert all((killed / "round/proofs" / name).read_bytes() == data for name, data in kept.items())
    verified = run(por_verify, "proof", killed / "round", "--min-security", "0")
    assert verified.exit_code == 0, verified.output


def test_a_run_killed_after_writing_public_json_resumes(killed, monkeypatch):
    """Killed between the round's files: public.json is recorded and rewritten; all four proofs are kept."""
    def killed_writing(path, *args):
        raise RuntimeError("killed")

    monkeypatch.setattr(plain_round, "write_store", killed_writing)
    with pytest.raises(RuntimeError, match="killed"):
        prove(killed, resume=True)
    monkeypatch.undo()
    assert (killed / "round.partial/public.json").is_file()
    assert not (killed / "round.partial/inclusion.sqlite").exists()
    assert prove(killed, resume=True).resumed == 4
    assert run(por_verify, "proof", killed / "round", "--min-security", "0").exit_code == 0


def corrupted(real):
    """A prover that returns its proof with one byte flipped (a bug after its own check)."""
    def wrapper(*args, **kwargs):
        proof, bits = real(*args, **kwargs)
        flipped = bytearray(proof)
        flipped[len(flipped) // 2] ^= 1
        return bytes(flipped), bits
    return wrapper


def never_published(tmp, result):
    one_line_error(result, 1, "failed: the round does not verify, so it was not published")
    assert not (tmp / "round").exists()
    assert (tmp / "round.partial").is_dir()  # kept for inspection


@pytest.mark.parametrize("options", [(), ("--shard-leaves", "2", "--allow-small-shards")], ids=["single", "sharded"])
def test_a_plain_round_whose_proof_fails_is_never_published(tmp_path, monkeypatch, options):
    (tmp_path / "users.csv").write_text(USERS_CSV)
    monkeypatch.setattr(plain_round, "prove_shard", corrupted(plain_round.prove_shard))
    result = run(por, "prove", tmp_path / "users.csv", "--round", "2026-11", "--out", tmp_path / "round",
                 "--preset", "test", "--secret-file", tmp_path / "secret", *options)
    never_published(tmp_path, result)


def test_a_round_proven_on_dask_whose_proof_fails_is_never_published(tmp_path, monkeypatch):
    (tmp_path / "users.csv").write_text(USERS_CSV)
    monkeypatch.setattr(plain_round, "prove_shard", corrupted(plain_round.prove_shard))
    with pytest.raises(CheckFailed, match="shard-0000.bin does not prove shard 0 of 4"):
        prove(tmp_path, workers=2, processes=False)  # threads, so that the patched prover is the one that runs
    assert not (tmp_path / "round").exists()


def margin_files(tmp):
    (tmp / "users.csv").write_text(USERS_CSV)
    (tmp / "assets.csv").write_text('symbol,decimals,price,equity_tiers_ratio\nBTC,8,1,"[0-1000000000000:100]"\n'
                                    'ETH,8,1,"[0-1000000000000:100]"\n')


def prove_margin(tmp, *options):
    return run(por, "prove", tmp / "users.csv", "--round", "2026-11", "--out", tmp / "round", "--preset", "test",
               "--secret-file", tmp / "secret", "--assets", tmp / "assets.csv", "--policy", "margin",
               "--pledge-equity", "equity", *options)


@pytest.mark.parametrize("options", [(), ("--shard-leaves", "2", "--allow-small-shards")], ids=["single", "sharded"])
def test_a_margin_round_publishes_only_once_verified(tmp_path, monkeypatch, options):
    margin_files(tmp_path)
    good = tmp_path / "good"
    good.mkdir()
    margin_files(good)
    result = prove_margin(good, *options)
    assert result.exit_code == 0, result.output
    assert run(por_verify, "proof", good / "round", "--min-security", "0").exit_code == 0

    monkeypatch.setattr(plain_round, "prove_shard", corrupted(plain_round.prove_shard))  # margin proofs too
    never_published(tmp_path, prove_margin(tmp_path, *options))


def test_a_stray_file_appearing_while_proving_is_refused_before_publishing(tmp_path, monkeypatch):
    (tmp_path / "users.csv").write_text(USERS_CSV)
    real = plain_round.prove_shard

    def prove_and_drop(*args, **kwargs):
        (tmp_path / "round.partial/planted.html").write_bytes(b"x")
        return real(*args, **kwargs)

    monkeypatch.setattr(plain_round, "prove_shard", prove_and_drop)
    with pytest.raises(InputError, match="planted.html: not a file this run wrote"):
        prove(tmp_path)
    assert not (tmp_path / "round").exists()


def test_the_floor_is_the_presets():
    assert security_floor("test") == 0
    assert security_floor("standard") == security_floor("compact") == MIN_SECURITY


def test_a_failing_round_is_a_failed_check_from_the_library(tmp_path, monkeypatch):
    (tmp_path / "users.csv").write_text(USERS_CSV)
    monkeypatch.setattr(plain_round, "prove_shard", corrupted(plain_round.prove_shard))
    with pytest.raises(CheckFailed, match="proof.bin does not prove public.json"):
        plain_round.prove_round(tmp_path / "users.csv", "2026-11", tmp_path / "round", "test", tmp_path / "secret",
                                progress=False)
    assert not (tmp_path / "round").exists()
