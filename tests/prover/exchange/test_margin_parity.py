"""The margin policy with the plain round's features (issue 23): --resume after a kill (a stray file refused),
Dask workers (the same public.json as in process), and --split (every leaf solvent, the inclusion proof summing
a user's leaves to their balances)."""
import json
import os

import numpy as np
import pytest

from prover.exchange import shard_tasks
from prover.exchange.inclusion import export_inclusion
from prover.exchange.inclusion_store import read_round
from prover.exchange.inputs import read_asset_list, read_users
from prover.exchange.inputs.margin_assets import read_margin_policy
from prover.exchange.margin_round import prove_margin_round, solvent
from prover.exchange.round import InputError, UsersSource
from tests.paths import VECTORS
from verifier.formats.public import load_public
from verifier.solvency.inclusion import verify_inclusion
from verifier.solvency.round import verify_round

USERS, ASSETS = VECTORS / "binance_sample_users.csv", VECTORS / "binance_cex_assets_info.csv"
pytestmark = pytest.mark.skipif(not USERS.exists(), reason="shared vectors not found")
USER = "0" * 63 + "c"  # a user the policy accepts


def prove(tmp, out="round", **options):
    return prove_margin_round(USERS, "2026-11", tmp / out, "test", tmp / "secret", progress=False,
                              source=UsersSource(ASSETS), exclude_refused=True, allow_small_shards=True,
                              **{"shard_leaves": 32, **options})


@pytest.fixture
def killed(tmp_path, monkeypatch):
    """A margin run of 4 shards killed while proving shard 2: two shard proofs are finished."""
    real, calls = shard_tasks.prove, []

    def prove_until_killed(*args, **kwargs):
        if len(calls) == 2:
            raise RuntimeError("killed")
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(shard_tasks, "prove", prove_until_killed)
    with pytest.raises(RuntimeError, match="killed"):
        prove(tmp_path)
    monkeypatch.undo()
    assert sorted(os.listdir(tmp_path / "round.partial/proofs")) == ["shard-0000.bin", "shard-0001.bin"]
    return tmp_path


def test_a_killed_margin_round_resumes_and_verifies(killed):
    result = prove(killed, resume=True)
    assert result.resumed == 2 and result.shards == 4
    assert verify_round(killed / "round", min_security=0).shards == 4
    public = load_public(killed / "round/public.json")
    verify_inclusion(export_inclusion(killed / "round", USER), public.root, public)


def test_a_resumed_margin_round_refuses_a_stray_file(killed):
    (killed / "round.partial/proofs/shard-0003.bin").write_bytes(b"not ours")
    with pytest.raises(InputError, match="not a file this run wrote"):
        prove(killed, resume=True)
    assert not (killed / "round").exists()


def test_a_margin_round_on_two_dask_workers_equals_the_in_process_one(tmp_path, monkeypatch):
    monkeypatch.setenv("POR_TEST_SEED", "margin-dask")
    here = prove(tmp_path, "a")
    there = prove(tmp_path, "b", workers=2, processes=False)
    assert verify_round(tmp_path / "b", min_security=0).shards == 4
    a, b = (json.loads((tmp_path / d / "public.json").read_text()) for d in "ab")
    assert a == b and here.shards == there.shards == 4


def test_a_split_margin_user_has_solvent_leaves_and_an_inclusion_proof_summing_them(tmp_path, monkeypatch):
    monkeypatch.setenv("POR_TEST_SEED", "margin-split")
    prove(tmp_path, "whole")
    prove(tmp_path, "split", split=4)
    split = tmp_path / "split"
    verify_round(split, min_security=0)
    stored = read_round(split / "inclusion.sqlite")
    table = read_users(USERS, assets=read_asset_list(ASSETS), margin=True)
    policy = read_margin_policy(ASSETS, list(table.assets))
    leaves = np.array([e.balances for entries in stored.entries for e in entries], dtype=np.uint64)
    assert solvent(leaves, policy).all()  # each leaf satisfies the margin rule on its own
    several = [u for u, entries in zip(stored.user_ids, stored.entries) if len(entries) > 1]
    assert several
    public = load_public(split / "public.json")
    for user in several[:3] + [USER]:
        proof = export_inclusion(split, user)
        verify_inclusion(proof, public.root, public)
        whole = export_inclusion(tmp_path / "whole", user)
        assert proof["balances"] == whole["balances"] and len(proof["entries"]) >= 1
    assert len(export_inclusion(split, several[0])["entries"]) > 1
