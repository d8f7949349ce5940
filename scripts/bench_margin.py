"""The margin AIR beside the plain one: trace, prove and verify a random round of solvent users at a preset.

    python scripts/bench_margin.py --users 4096 --assets 22 --kinds 3
    python scripts/bench_margin.py --users 4096 --assets 22 --plain
    python scripts/bench_margin.py --users 65536 --assets 22 --kinds 3 --shard-leaves 16384

Users hold random free equity and collateral of every kind in every asset (below 2^40 base units) and owe one
liquid asset, as much as their haircut collateral covers (Binance's 10-band tiers for every kind, scale 16). It prints the
AIR's width, trace length and interaction count, the time of each step and the proof's size and security; with
--shard-leaves, the round is proven as a sharded round is (one proof per subtree, one after another, each verified
against its shard statement) and the totals are summed.
"""
import argparse
import time

import numpy as np

from circuits.field import P
from circuits.margin import MarginAir, MarginStatement, Policy
from circuits.margin.policy import MAX_RATIO, haircut_value
from circuits.solvency import SolvencyAir, Statement
from prover.engine.prover import prove
from prover.exchange.margin_trace import MarginWitness, build_margin_trace
from prover.exchange.solvency_trace import Witness, build_main_trace, exact_totals
from prover.exchange.tree import leaf_digests, tree_levels
from verifier.formats.public import Shard
from verifier.solvency.round import proof_files
from verifier.stark.params import load_preset
from verifier.stark.verify import verify

USD = 10**16
TIERS = tuple(((t + 1) * 10_000 * USD, 100 - 10 * t) for t in range(10))  # Binance's BTC loan tiers
PRICES = (6_510_022_000_000, 362_056_000_000, 61_023_000_000, 1_797)


def margin_round(users: int, assets: int, kinds: int, rng):
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
    totals = exact_totals(slots)
    statement = MarginStatement("bench", tuple((f"A{j}", 8) for j in range(assets)), users,
                                tuple(int(x) for x in levels[-1][0]),
                                tuple(sum(totals[j * width + k] for k in range(width) if k != 1) for j in range(assets)),
                                tuple(totals[j * width + 1] for j in range(assets)),
                                tuple(tuple(totals[j * width + 2:(j + 1) * width]) for j in range(assets)), policy)
    return MarginAir, statement, idc, slots, levels


def plain_round(users: int, assets: int, rng):
    idc = rng.integers(0, P, (users, 4), dtype=np.uint64)
    balances = rng.integers(0, 1 << 40, (users, assets), dtype=np.uint64)
    levels = tree_levels(leaf_digests(idc, balances))
    statement = Statement("bench", tuple((f"A{i}", 8) for i in range(assets)), users,
                          tuple(int(x) for x in levels[-1][0]), exact_totals(balances))
    return SolvencyAir, statement, idc, balances, levels


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=4096, help="leaves, a power of two (default 4096)")
    parser.add_argument("--assets", type=int, default=22, help="assets (default 22)")
    parser.add_argument("--kinds", type=int, default=3, help="collateral kinds, 1 to 3 (default 3)")
    parser.add_argument("--plain", action="store_true", help="the plain policy instead, for comparison")
    parser.add_argument("--preset", default="standard", help="parameter preset (default standard)")
    parser.add_argument("--shard-leaves", type=int, help="prove in shards of this many leaves")
    args = parser.parse_args()
    params = load_preset(args.preset)
    rng = np.random.default_rng(1)
    kind, statement, idc, values, levels = (plain_round(args.users, args.assets, rng) if args.plain
                                            else margin_round(args.users, args.assets, args.kinds, rng))
    size = args.shard_leaves or args.users
    shards = [] if size >= args.users else [
        Shard(tuple(int(x) for x in levels[size.bit_length() - 1][i]), exact_totals(values[i * size:(i + 1) * size]))
        for i in range(args.users // size)]
    label = "plain" if args.plain else f"margin, {args.kinds} kinds"
    total = {"trace": 0.0, "prove": 0.0, "verify": 0.0, "bytes": 0}
    for i, (_, part) in enumerate(proof_files(statement, shards)):
        rows = slice(i * size, (i + 1) * size)
        subtree = [level[i * len(level) // max(len(shards), 1):(i + 1) * len(level) // max(len(shards), 1)]
                   for level in levels[:size.bit_length()]]
        air = kind(part, params.zk_rows)
        started = time.perf_counter()
        trace = (build_main_trace(air, Witness(idc[rows], values[rows]), subtree) if args.plain
                 else build_margin_trace(air, MarginWitness(idc[rows], values[rows]), subtree))
        traced = time.perf_counter()
        proof = prove(air, trace, params)
        del trace
        proved = time.perf_counter()
        verified = verify(kind(part, params.zk_rows), proof, params, min_security=0)
        checked = time.perf_counter()
        print(f"{size} leaves x {args.assets} assets ({label}{f', shard {i}' if shards else ''}): width "
              f"{air.main_width}, {air.trace_length} rows, {len(air.interactions())} interactions; trace "
              f"{traced - started:.2f} s, prove {proved - traced:.2f} s, verify {checked - proved:.3f} s; proof "
              f"{len(proof)} B, {verified.security_bits} bits", flush=True)
        for key, value in (("trace", traced - started), ("prove", proved - traced), ("verify", checked - proved),
                           ("bytes", len(proof))):
            total[key] += value
    if shards:
        print(f"{args.users} leaves in {len(shards)} shards ({label}): trace {total['trace']:.1f} s, prove "
              f"{total['prove']:.1f} s, verify {total['verify']:.2f} s, proofs {total['bytes']} B")


if __name__ == "__main__":
    main()
