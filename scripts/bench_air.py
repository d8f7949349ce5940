"""The liabilities AIR alone, for any asset count: trace, prove and verify a random round at the standard preset.

    python scripts/bench_air.py --users 1024 --assets 200
    python scripts/bench_air.py --users 16384 --assets 22

bench_solvency.py proves from a users file, and the synthetic users generator stops at 22 assets; this builds the
witness directly (random id commitments, balances below 2^40) and hashes the tree once, as a round does. It prints
the AIR's width and trace length, the time of each step and the proof's size and security.
"""
import argparse
import time

import numpy as np
from stage_memory import StageMemory

from circuits.field import P
from circuits.solvency import SolvencyAir, Statement
from prover.engine.prover import prove
from prover.exchange.solvency_trace import Witness, build_main_trace, exact_totals
from prover.exchange.tree import leaf_digests, tree_levels
from verifier.stark.params import load_preset
from verifier.stark.verify import verify


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=1024, help="leaves, a power of two (default 1024)")
    parser.add_argument("--assets", type=int, default=200, help="assets (default 200)")
    parser.add_argument("--preset", default="standard", help="parameter preset (default standard)")
    args = parser.parse_args()
    params = load_preset(args.preset)
    rng = np.random.default_rng(1)
    idc = rng.integers(0, P, (args.users, 4), dtype=np.uint64)
    balances = rng.integers(0, 1 << 40, (args.users, args.assets), dtype=np.uint64)
    levels = tree_levels(leaf_digests(idc, balances))
    statement = Statement("bench", tuple((f"A{i}", 8) for i in range(args.assets)), args.users,
                          tuple(int(x) for x in levels[-1][0]), exact_totals(balances))
    air = SolvencyAir(statement, params.zk_rows)
    memory = StageMemory()
    memory("main trace")
    started = time.perf_counter()
    trace = [build_main_trace(air, Witness(idc, balances), levels)]
    traced = time.perf_counter()
    proof = prove(air, trace.pop(), params, progress=memory)  # not kept here: prove frees it once copied
    proved = time.perf_counter()
    memory("verify")
    verified = verify(SolvencyAir(statement, params.zk_rows), proof, params, min_security=0)
    checked = time.perf_counter()
    memory.stop()
    print(f"{args.users} leaves x {args.assets} assets: width {air.main_width}, {air.trace_length} rows, "
          f"{len(air.interactions())} interactions; trace {traced - started:.2f} s, prove {proved - traced:.2f} s, "
          f"verify {checked - proved:.3f} s; proof {len(proof)} B, {verified.security_bits} bits; "
          f"peak {memory.peak / 2**30:.2f} GiB")
    print(memory.report())


if __name__ == "__main__":
    main()
