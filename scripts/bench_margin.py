"""A margin round beside a plain round of the same users and assets, in one run: time, peak memory, proof bytes
and the ratios margin / plain (issue 23's target: at most 3x the time and 2x the peak).

    python scripts/bench_margin.py --log-users 12 14 --assets 22 --kinds 3 [--repeats 3]
    python scripts/bench_margin.py --log-users 12 --baseline ../before --repeats 3   # A/B against other checkouts
    python scripts/bench_margin.py --log-users 16 --only margin --shard-leaves 16384  # a sharded margin round

Every round runs in a fresh process (peak memory is its ru_maxrss: numpy and numba allocate outside tracemalloc),
after one tiny round of each (numba compiles a checkout's kernels on its first run), plain and margin alternating,
so both see the same machine load on average; with --baseline the other checkouts'
rounds (each its own PYTHONPATH, this script's round builders) alternate with this one's. It prints every run, then
per checkout and size the median of each figure and the ratios margin / plain of the medians.

The rounds: users hold random free equity and collateral of every kind in every asset (below 2^40 base units) and
owe one liquid asset, as much as their haircut collateral covers (Binance's 10-band tiers for every kind, scale
16); the plain round gives the same users random balances of the same assets.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]
USD = 10**16
TIERS = tuple(((t + 1) * 10_000 * USD, 100 - 10 * t) for t in range(10))  # Binance's BTC loan tiers
PRICES = (6_510_022_000_000, 362_056_000_000, 61_023_000_000, 1_797)
FIGURES = ("prove_s", "peak_mb", "proof_bytes")


def margin_round(users: int, assets: int, kinds: int, rng):
    import numpy as np

    from circuits.field import P
    from circuits.margin import MarginAir, MarginStatement, Policy
    from circuits.margin.policy import MAX_RATIO, haircut_value
    from prover.exchange.margin_trace import MarginWitness, build_margin_trace
    from prover.exchange.solvency_trace import exact_totals
    from prover.exchange.tree import leaf_digests, tree_levels

    policy = Policy(16, tuple(PRICES[j % 4] for j in range(assets)), ("loan", "margin", "portfolio")[:kinds],
                    tuple((TIERS,) * kinds for _ in range(assets)))
    width = 2 + kinds
    slots = rng.integers(0, 1 << 40, (users, assets * width), dtype=np.uint64)
    slots[:, 1::width] = 0
    for i in range(users):
        cover = sum(haircut_value(policy.prices[j], TIERS, int(slots[i, j * width + 2 + q]))
                    for j in range(assets) for q in range(kinds))
        owes = i % assets if i % assets % 4 != 3 else 0  # not the cheap coin: its debt would pass 2^62 units
        slots[i, owes * width + 1] = cover // (MAX_RATIO * policy.prices[owes])
    idc = rng.integers(0, P, (users, 4), dtype=np.uint64)
    levels = tree_levels(leaf_digests(idc, slots))
    statement = MarginStatement.of_slot_totals("bench", tuple((f"A{j}", 8) for j in range(assets)), users,
                                               tuple(int(x) for x in levels[-1][0]), exact_totals(slots), policy)
    return MarginAir, statement, lambda air, rows, values, tree: build_margin_trace(
        air, MarginWitness(idc[rows], values), tree), slots, levels


def plain_round(users: int, assets: int, rng):
    import numpy as np

    from circuits.field import P
    from circuits.solvency import SolvencyAir, Statement
    from prover.exchange.solvency_trace import Witness, build_main_trace, exact_totals
    from prover.exchange.tree import leaf_digests, tree_levels

    idc = rng.integers(0, P, (users, 4), dtype=np.uint64)
    balances = rng.integers(0, 1 << 40, (users, assets), dtype=np.uint64)
    levels = tree_levels(leaf_digests(idc, balances))
    statement = Statement("bench", tuple((f"A{i}", 8) for i in range(assets)), users,
                          tuple(int(x) for x in levels[-1][0]), exact_totals(balances))
    return SolvencyAir, statement, lambda air, rows, values, tree: build_main_trace(
        air, Witness(idc[rows], values), tree), balances, levels


def one_round(policy: str, users: int, assets: int, kinds: int, preset: str, shard_leaves: int | None,
              stages: bool = False) -> dict:
    """Prove (and verify) one round in this process; its figures, summed over shards (with `stages`, the time and
    peak of each prover stage of the last proof)."""
    import numpy as np
    from stage_memory import StageMemory

    from prover.engine.prover import prove
    from prover.exchange.solvency_trace import exact_totals
    from verifier.formats.public import Shard
    from verifier.solvency.round import proof_files
    from verifier.stark.params import load_preset
    from verifier.stark.verify import verify

    params = load_preset(preset)
    rng = np.random.default_rng(1)
    kind, statement, trace_of, values, levels = (plain_round(users, assets, rng) if policy == "plain"
                                                 else margin_round(users, assets, kinds, rng))
    size = shard_leaves or users
    shards = [] if size >= users else [
        Shard(tuple(int(x) for x in levels[size.bit_length() - 1][i]), exact_totals(values[i * size:(i + 1) * size]))
        for i in range(users // size)]
    total = {"trace_s": 0.0, "prove_s": 0.0, "verify_s": 0.0, "proof_bytes": 0, "bits": 10**9}
    for i, (_, part) in enumerate(proof_files(statement, shards)):
        rows = slice(i * size, (i + 1) * size)
        count = max(len(shards), 1)
        subtree = [level[i * len(level) // count:(i + 1) * len(level) // count] for level in levels[:size.bit_length()]]
        air = kind(part, params.zk_rows)
        started = time.perf_counter()
        trace = trace_of(air, rows, values[rows], subtree)
        traced = time.perf_counter()
        memory = StageMemory() if stages else None
        proof = prove(air, trace, params, progress=memory)
        if memory:
            memory.stop()
            total["stages"] = memory.report()
        del trace
        proved = time.perf_counter()
        verified = verify(kind(part, params.zk_rows), proof, params, min_security=0)
        for key, value in (("trace_s", traced - started), ("prove_s", proved - started),
                           ("verify_s", time.perf_counter() - proved), ("proof_bytes", len(proof))):
            total[key] += value
        total["bits"] = min(total["bits"], verified.security_bits)
        total.update(width=air.main_width, rows=air.trace_length, interactions=len(air.interactions()))
    total["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return total


def run(checkout: Path, policy: str, args, log_users: int) -> dict:
    """One round in a fresh process importing `checkout`'s packages."""
    env = dict(os.environ, PYTHONPATH=str(checkout))
    command = [sys.executable, str(Path(__file__).resolve()), "--child", policy, "--log-users", str(log_users),
               "--assets", str(args.assets), "--kinds", str(args.kinds), "--preset", args.preset]
    if args.shard_leaves:
        command += ["--shard-leaves", str(args.shard_leaves)]
    if args.stages:
        command.append("--stages")
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"{policy} round in {checkout} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def show(label: str, r: dict) -> str:
    return (f"{label:<24} width {r['width']:4}, 2^{r['rows'].bit_length() - 1} rows, {r['interactions']:4} "
            f"interactions: trace {r['trace_s']:7.2f} s, prove {r['prove_s']:7.2f} s (with trace), verify "
            f"{r['verify_s']:6.3f} s, peak {r['peak_mb'] / 1024:5.2f} GiB, proof {int(r['proof_bytes']):8} B, "
            f"{r['bits']} bits")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--log-users", type=int, nargs="+", default=[12, 14], help="log2 of the users (12 14)")
    parser.add_argument("--assets", type=int, default=22)
    parser.add_argument("--kinds", type=int, default=3, help="collateral kinds, 1 to 3 (default 3)")
    parser.add_argument("--preset", default="standard")
    parser.add_argument("--repeats", type=int, default=1, help="alternated runs of each round (medians reported)")
    parser.add_argument("--baseline", type=Path, nargs="+", default=[],
                        help="other checkouts whose rounds alternate with this one's (named by their directories)")
    parser.add_argument("--only", choices=("plain", "margin"), help="one policy only (no ratios)")
    parser.add_argument("--shard-leaves", type=int, help="prove in shards of this many leaves")
    parser.add_argument("--stages", action="store_true", help="print each run's prover stages (time, peak RSS)")
    parser.add_argument("--smoke", action="store_true", help="a tiny run (4 users, 2 assets, 1 kind, test preset)")
    parser.add_argument("--child", choices=("plain", "margin"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.smoke:
        args.log_users, args.assets, args.kinds, args.preset, args.stages = [2], 2, 1, "test", True
    if args.child:
        print(json.dumps(one_round(args.child, 1 << args.log_users[0], args.assets, args.kinds, args.preset,
                                   args.shard_leaves, args.stages)))
        return
    checkouts = {path.resolve().name: path.resolve() for path in args.baseline} | {"this": HERE}
    policies = (args.only,) if args.only else ("plain", "margin")
    for checkout in checkouts.values() if not args.smoke else ():  # numba caches kernels per source path
        for policy in policies:
            run(checkout, policy, args, 2)
    for log_users in args.log_users:
        runs = {(name, policy): [] for name in checkouts for policy in policies}
        for repeat in range(args.repeats):
            for name, checkout in checkouts.items():
                for policy in policies:
                    r = run(checkout, policy, args, log_users)
                    runs[name, policy].append(r)
                    print(show(f"2^{log_users} {name} {policy} #{repeat + 1}", r), flush=True)
                    if "stages" in r:
                        print(r["stages"], flush=True)
        for name in checkouts:
            medians = {}
            for policy in policies:
                rs = runs[name, policy]
                medians[policy] = dict(rs[0], **{k: statistics.median(r[k] for r in rs) for k in FIGURES})
                print(show(f"2^{log_users} {name} {policy} median", medians[policy]))
            if len(policies) == 2:
                m, p = medians["margin"], medians["plain"]
                print(f"2^{log_users} x {args.assets} assets, {args.kinds} kinds ({name}): margin / plain: time "
                      f"{m['prove_s'] / p['prove_s']:.2f}x, peak {m['peak_mb'] / p['peak_mb']:.2f}x, proof "
                      f"{m['proof_bytes'] / p['proof_bytes']:.2f}x", flush=True)


if __name__ == "__main__":
    main()
