"""Resumable rounds: a stopped `por prove` keeps every finished shard proof in OUT.partial, and `--resume` proves
only what is missing, for the same users file, secret, round, preset and shard size, and nothing else."""
import os

import pytest
from click.testing import CliRunner

from prover.cli import main as por
from prover.exchange import shard_tasks
from prover.exchange.inclusion import export_inclusion
from prover.exchange.round import InputError, RoundInterrupted, prove_round
from verifier.formats.public import load_public
from verifier.solvency.inclusion import verify_inclusion
from verifier.solvency.round import verify_round

USERS_CSV = "id,BTC,ETH\nalice,0.5,1\nbob,1,\ncarol,,3\ndave,2,2\nerin,0.1,\nfrank,,0.2\ngrace,7,7\n"
SHARDS = 4


def stop_at_shard(monkeypatch, k, error=RuntimeError("killed")):
    """The engine's prove raises when it starts the proof of shard k (0-based): shards before it are finished."""
    real, calls = shard_tasks.prove, []

    def prove(*args, **kwargs):
        if len(calls) == k:
            raise error
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(shard_tasks, "prove", prove)


def prove(tmp, resume=False, users="users.csv", **options):
    return prove_round(tmp / users, "2026-11", tmp / "round", "test", tmp / "secret", progress=False,
                       shard_leaves=2, allow_small_shards=True, resume=resume, **options)


def cli(tmp, *extra, users="users.csv"):
    return CliRunner().invoke(por, ["prove", str(tmp / users), "--round", "2026-11", "--out", str(tmp / "round"),
                                    "--preset", "test", "--secret-file", str(tmp / "secret"), "--shard-leaves", "2",
                                    "--allow-small-shards", *extra])


@pytest.fixture
def killed(tmp_path, monkeypatch):
    """A run killed while proving shard 2 of 4: two shard proofs are finished."""
    (tmp_path / "users.csv").write_text(USERS_CSV)
    stop_at_shard(monkeypatch, 2)
    with pytest.raises(RuntimeError, match="killed"):
        prove(tmp_path)
    monkeypatch.undo()
    staging = tmp_path / "round.partial"
    assert not (tmp_path / "round").exists()
    assert sorted(os.listdir(staging / "proofs")) == ["shard-0000.bin", "shard-0001.bin"]
    return tmp_path


def test_a_killed_run_resumes_proving_only_what_is_missing_and_completes(killed):
    kept = {name: (killed / "round.partial/proofs" / name).read_bytes() for name in ("shard-0000.bin", "shard-0001.bin")}
    result = prove(killed, resume=True)
    assert result.resumed == 2 and result.shards == SHARDS
    assert sorted(os.listdir(killed)) == ["round", "secret", "users.csv"]
    assert sorted(os.listdir(killed / "round")) == ["inclusion.sqlite", "proofs", "public.json"]
    for name, data in kept.items():
        assert (killed / "round/proofs" / name).read_bytes() == data
    assert verify_round(killed / "round", min_security=0).shards == SHARDS
    public = load_public(killed / "round/public.json")
    for user_id in ("alice", "bob", "carol", "dave", "erin", "frank", "grace"):
        verify_inclusion(export_inclusion(killed / "round", user_id), public.root, public)


def test_a_killed_run_resumes_on_dask(killed):
    result = prove(killed, resume=True, workers=2, processes=False)
    assert result.resumed == 2 and verify_round(killed / "round", min_security=0).shards == SHARDS


def test_resume_through_the_command_line(killed):
    result = cli(killed, "--resume")
    assert result.exit_code == 0, result.output
    assert "2 proofs kept from the interrupted run" in result.stdout
    assert verify_round(killed / "round", min_security=0).shards == SHARDS


def test_a_changed_users_file_is_refused_and_the_staging_directory_kept(killed):
    (killed / "users.csv").write_text(USERS_CSV.replace("grace,7,7", "grace,7,8"))
    with pytest.raises(InputError, match="users file differs"):
        prove(killed, resume=True)
    result = cli(killed, "--resume")
    assert result.exit_code == 2 and "users file differs" in result.stderr and "nothing was resumed" in result.stderr
    assert sorted(os.listdir(killed / "round.partial/proofs")) == ["shard-0000.bin", "shard-0001.bin"]
    assert not (killed / "round").exists()


def test_another_secret_or_shard_size_is_refused(killed):
    with pytest.raises(InputError, match="shard size differs"):
        prove_round(killed / "users.csv", "2026-11", killed / "round", "test", killed / "secret",
                    progress=False, shard_leaves=4, allow_small_shards=True, resume=True)
    with pytest.raises(InputError, match="preset differs"):
        prove_round(killed / "users.csv", "2026-11", killed / "round", "standard", killed / "secret",
                    progress=False, shard_leaves=2, allow_small_shards=True, resume=True)
    (killed / "secret").write_text(os.urandom(32).hex() + "\n")
    with pytest.raises(InputError, match="master secret differs"):
        prove(killed, resume=True)


def test_a_fresh_run_does_not_mix_with_an_interrupted_one(killed):
    with pytest.raises(InputError, match="--resume"):
        prove(killed)
    assert cli(killed).exit_code == 2


def test_resume_without_an_interrupted_run_is_refused(tmp_path):
    (tmp_path / "users.csv").write_text(USERS_CSV)
    with pytest.raises(InputError, match="no interrupted run"):
        prove(tmp_path, resume=True)


def test_ctrl_c_stops_cleanly_keeping_the_finished_proofs(tmp_path, monkeypatch):
    (tmp_path / "users.csv").write_text(USERS_CSV)
    stop_at_shard(monkeypatch, 1, KeyboardInterrupt())
    with pytest.raises(RoundInterrupted, match="keeps 1 of 4 finished proofs"):
        prove(tmp_path)
    monkeypatch.undo()
    stop_at_shard(monkeypatch, 0, KeyboardInterrupt())
    result = cli(tmp_path, "--resume")
    assert result.exit_code == 130
    assert "interrupted" in result.stderr and "--resume" in result.stderr and "Traceback" not in result.stderr
    assert sorted(os.listdir(tmp_path / "round.partial/proofs")) == ["shard-0000.bin"]
