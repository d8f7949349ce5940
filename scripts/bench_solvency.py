"""Benchmark a liabilities round end to end: prove, verify (in process and through the CLI), inclusion proofs.

    python scripts/bench_solvency.py --users 1024 --assets 22 [--preset standard]
    python scripts/bench_solvency.py --users 4096 16384 65536 --chart solvency.png   # a sweep, one process each
    python scripts/bench_solvency.py --users 131072 --shard-leaves 65536             # a sharded round (2 proofs)

The baseline, measured in the same run, is the plain (not zero-knowledge) work of the same round: hashing the
leaves and the Merkle tree natively. Peak memory is the process's ru_maxrss, so each size runs in its own process.
"""
import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from prover.exchange.generate import generate_users, write_users_csv
from prover.exchange.inclusion import export_inclusion
from prover.exchange.round import DEFAULT_SHARD_LEAVES, prove_round
from prover.exchange.tree import leaf_digests, tree_levels
from verifier.formats.inclusion import inclusion_json
from verifier.solvency.inclusion import verify_inclusion
from verifier.solvency.round import load_public, verify_round
from verifier.stark.params import PRESETS

INCLUSION_CHECKS = 100


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, nargs="+", required=True)
    parser.add_argument("--assets", type=int, default=22)
    parser.add_argument("--preset", default="standard", choices=PRESETS)
    parser.add_argument("--shard-leaves", type=int, default=DEFAULT_SHARD_LEAVES,
                        help="leaves per proof; larger rounds are sharded")
    parser.add_argument("--json", action="store_true", help="print one JSON object (used by sweeps)")
    parser.add_argument("--chart", help="with several --users: write a PNG of prove time and memory against users")
    args = parser.parse_args()
    if len(args.users) > 1:
        sweep(args)
    else:
        measure(args.users[0], args.assets, args.preset, args.json, args.shard_leaves)


def sweep(args) -> None:
    rows = []
    for users in args.users:
        out = subprocess.run([sys.executable, __file__, "--users", str(users), "--assets", str(args.assets),
                              "--preset", args.preset, "--shard-leaves", str(args.shard_leaves), "--json"],
                             check=True, capture_output=True, text=True)
        rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
        r = rows[-1]
        print(f"{r['users']:>8} users  prove {r['prove_s']:7.2f} s ({r['prove_s'] / r['native_tree_s']:6.0f}x the native "
              f"tree)  peak {r['peak_mb']:6.0f} MB  proof {r['proof_bytes'] / 1024:6.1f} KiB  "
              f"verify {r['verify_s']:.3f} s  inclusion {r['inclusion_bytes']} B / {r['inclusion_ms']:.2f} ms",
              flush=True)
    if args.chart:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        users = [r["users"] for r in rows]
        fig, left = plt.subplots(figsize=(7, 4))
        left.plot(users, [r["prove_s"] for r in rows], "o-", color="tab:blue", label="prove (s)")
        left.set_xscale("log", base=2)
        left.set_xlabel(f"users ({args.assets} assets, {args.preset} preset)")
        left.set_ylabel("prove time (s)", color="tab:blue")
        right = left.twinx()
        right.plot(users, [r["peak_mb"] / 1024 for r in rows], "s--", color="tab:red", label="peak memory (GB)")
        right.set_ylabel("peak memory (GB)", color="tab:red")
        left.set_title("Liabilities round: prove time and peak memory")
        fig.tight_layout()
        fig.savefig(args.chart, dpi=120)
        print(f"chart written to {args.chart}")


def native_tree_seconds(table, repeats: int = 3) -> float:
    """The baseline: the same leaves and tree hashed natively (random idc stand in for the id commitments), the
    best of `repeats` runs (one run after a large process exits measured up to 1.4x its best: a ratio to it
    would flatter the prover)."""
    leaves = 1 << max(1, (len(table.ids) - 1).bit_length())
    idc = np.random.default_rng(0).integers(0, 1 << 63, (leaves, 4), dtype=np.uint64)
    balances = np.zeros((leaves, table.balances.shape[1]), dtype=np.uint64)
    balances[: len(table.ids)] = table.balances
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        tree_levels(leaf_digests(idc, balances))
        best = min(best, time.perf_counter() - started)
    return best


def measure(users: int, assets: int, preset: str, as_json: bool, shard_leaves: int = DEFAULT_SHARD_LEAVES) -> None:
    min_security = 0 if preset == "test" else 100

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        table = generate_users(users, assets, seed=1)
        native_tree_seconds(table, repeats=1)  # compile outside the measurement
        native = native_tree_seconds(table)
        write_users_csv(table, tmp / "users.csv")
        started = time.perf_counter()
        result = prove_round(tmp / "users.csv", "bench", tmp / "round", preset, tmp / "secret", progress=False,
                             shard_leaves=shard_leaves)
        prove_seconds = time.perf_counter() - started
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

        started = time.perf_counter()
        verify_round(tmp / "round", min_security=min_security)
        verify_seconds = time.perf_counter() - started
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", "from verifier.cli import main; main()", "proof", str(tmp / "round"),
                        "--min-security", str(min_security)],
                       check=True, capture_output=True)
        cli_seconds = time.perf_counter() - started

        proof = export_inclusion(tmp / "round", table.ids[len(table.ids) // 2])
        public = load_public(tmp / "round" / "public.json")
        started = time.perf_counter()
        for _ in range(INCLUSION_CHECKS):
            verify_inclusion(proof, public.root, public)
        inclusion_ms = (time.perf_counter() - started) / INCLUSION_CHECKS * 1000

    inclusion_bytes = len(inclusion_json(proof))
    if as_json:
        print(json.dumps({"users": users, "assets": assets, "preset": preset, "leaves": result.public["leaves"],
                          "shards": result.shards, "security_bits": result.security_bits, "prove_s": prove_seconds, "native_tree_s": native,
                          "peak_mb": peak_mb, "proof_bytes": result.proof_size, "verify_s": verify_seconds,
                          "cli_verify_s": cli_seconds, "inclusion_bytes": inclusion_bytes,
                          "inclusion_ms": inclusion_ms}))
        return
    shards = f", {result.shards} shards of {shard_leaves} leaves" if result.shards else ""
    print(f"users {users} x {assets} assets, {result.public['leaves']} leaves{shards}, preset {preset} "
          f"({result.security_bits} bits)")
    print(f"prove (users file -> verified round dir)  {prove_seconds:8.2f} s")
    print(f"baseline: native leaves + tree hashing    {native:8.3f} s  (prove is {prove_seconds / native:.0f}x)")
    print(f"peak memory (ru_maxrss)                  {peak_mb:8.0f} MB")
    print(f"proof size{' (all shards)' if result.shards else '             '}                 "
          f"{result.proof_size:8d} bytes")
    print(f"verify_round (in process)                {verify_seconds:8.3f} s")
    print(f"por-verify proof (CLI, incl. start-up)   {cli_seconds:8.3f} s")
    print(f"inclusion proof size (JSON)              {inclusion_bytes:8d} bytes")
    print(f"inclusion verify (mean of {INCLUSION_CHECKS})           {inclusion_ms:8.2f} ms")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
