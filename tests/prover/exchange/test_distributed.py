"""Shards proven as Dask tasks: a 256-user round in 8 shards on a 2-worker LocalCluster verifies and, with the
test seed fixing the leaf order and padding, publishes the same public.json as the single-process path."""
import json

import pytest

from prover.exchange.distributed import default_workers
from prover.exchange.generate import generate_users, write_users_csv
from prover.exchange.leaf_order import TEST_SEED_VARIABLE, new_seed
from prover.exchange.round import prove_round
from verifier.solvency.round import verify_round

USERS, SHARD_LEAVES, SHARDS = 256, 32, 8


@pytest.fixture(scope="module")
def rounds(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("distributed")
    write_users_csv(generate_users(USERS, 3, seed=5), tmp / "users.csv")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(TEST_SEED_VARIABLE, "ci")
        made = {name: prove_round(tmp / "users.csv", "2026-11", tmp / name, "test", tmp / "secret", progress=False,
                                  shard_leaves=SHARD_LEAVES, allow_small_shards=True, **options)
                for name, options in (("single", {}), ("dask", {"workers": 2, "processes": False}))}
    return made


def test_a_round_proven_on_dask_verifies(rounds):
    result = rounds["dask"]
    assert result.shards == SHARDS and result.users == USERS
    verified = verify_round(result.out_dir, min_security=0)
    assert verified.shards == SHARDS and verified.proof_size == result.proof_size


def test_with_the_test_seed_dask_and_the_single_process_path_publish_the_same_round(rounds):
    single, dask = (json.loads((rounds[name].out_dir / "public.json").read_text()) for name in ("single", "dask"))
    assert dask == single
    assert dask["root"] == rounds["single"].public["root"] and len(dask["shards"]) == SHARDS


def test_the_seed_is_fresh_unless_the_test_variable_is_set(monkeypatch):
    monkeypatch.delenv(TEST_SEED_VARIABLE, raising=False)
    (first, test1), (second, test2) = new_seed(), new_seed()
    assert first != second and not test1 and not test2
    monkeypatch.setenv(TEST_SEED_VARIABLE, "x")
    assert new_seed() == new_seed() and new_seed()[1]


def test_default_workers_fit_memory_and_cores():
    assert 1 <= default_workers(1 << 16) <= 64
    assert default_workers(1 << 40) == 1  # a shard larger than memory still gets one worker


def test_an_existing_cluster_is_used_through_its_scheduler_address(tmp_path):
    from distributed import LocalCluster

    (tmp_path / "users.csv").write_text("id,BTC\nalice,1\nbob,2\ncarol,3\n")
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=":0") as cluster:
        result = prove_round(tmp_path / "users.csv", "r", tmp_path / "round", "test", tmp_path / "secret",
                             progress=False, shard_leaves=2, allow_small_shards=True,
                             scheduler=cluster.scheduler_address)
    assert result.shards == 2 and verify_round(result.out_dir, min_security=0).shards == 2


@pytest.mark.parametrize("args, needle", [
    (["--workers", "2", "--scheduler", "tcp://127.0.0.1:1"], "not both"),
    (["--workers", "0"], "--workers '0'"),
    (["--workers", "many"], "--workers 'many'"),
])
def test_worker_options_are_checked(tmp_path, args, needle):
    from click.testing import CliRunner

    from prover.cli import main as por

    (tmp_path / "users.csv").write_text("id,BTC\nalice,1\n")
    result = CliRunner().invoke(por, ["prove", str(tmp_path / "users.csv"), "--round", "r", "--out",
                                      str(tmp_path / "round"), "--preset", "test", *args])
    assert result.exit_code == 2 and needle in result.stderr, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["users.csv"]


def test_local_worker_processes_share_the_memory_budget(monkeypatch):
    """Proofs side by side on one machine would each see the same free memory: each worker gets its share."""
    import os

    from prover.engine import commitment
    from prover.exchange.distributed import dask_client

    monkeypatch.setattr(commitment, "MEMORY_BYTES", 3000)
    with dask_client(workers=2) as client:
        budgets = client.run(lambda: os.environ.get("POR_MEMORY_BYTES"))
    assert sorted(budgets.values()) == ["1500", "1500"]
