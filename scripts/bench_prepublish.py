"""What `por prove`'s check before publishing (verify_round on the staged round) costs against the whole proof.

    python scripts/bench_prepublish.py [--dask] [--smoke]

Rounds of 22 assets: 1,000 users at the standard preset (the demo's), 4,096 users in 4 test-preset shards, and
16,384 users in 4 standard shards (with --dask, also 4,096 users in 4 test-preset shards on 2 local workers);
--smoke: one round of 8 users in 2 test-preset shards, to check the script runs.
"""
import argparse
import tempfile
import time
from pathlib import Path

from prover.exchange import staging
from prover.exchange.generate import generate_users, write_users_csv
from prover.exchange.round import prove_round

ROUNDS = [("demo", 1000, "standard", {}),
          ("test shards", 4096, "test", {"shard_leaves": 1024, "allow_small_shards": True}),
          ("standard shards", 16384, "standard", {"shard_leaves": 4096})]
DASK = ("test shards on Dask", 4096, "test", {"shard_leaves": 1024, "allow_small_shards": True, "workers": 2})
SMOKE = [("smoke", 8, "test", {"shard_leaves": 8, "allow_small_shards": True, "min_leaves": 16})]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dask", action="store_true", help="also a round proven on 2 local Dask workers")
    parser.add_argument("--smoke", action="store_true", help="only a tiny round (checks the script runs)")
    args = parser.parse_args()
    rounds = SMOKE if args.smoke else ROUNDS + ([DASK] if args.dask else [])
    spent = []
    verify_round = staging.verify_round

    def timed(*args, **kwargs):
        started = time.perf_counter()
        try:
            return verify_round(*args, **kwargs)
        finally:
            spent.append(time.perf_counter() - started)

    staging.verify_round = timed
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        for k, (name, users, preset, options) in enumerate(rounds):
            write_users_csv(generate_users(users, 22, seed=1), tmp / f"{k}.csv")
            started = time.perf_counter()
            result = prove_round(tmp / f"{k}.csv", "bench", tmp / str(k), preset, tmp / "secret", progress=False,
                                 **options)
            total = time.perf_counter() - started
            print(f"{name}: {users} users, {preset}, {result.shards or 1} proof(s): prove {total:.2f} s, "
                  f"check before publishing {spent[-1]:.3f} s ({100 * spent[-1] / total:.1f}%)", flush=True)


if __name__ == "__main__":
    main()
