"""BLAKE2s against Poseidon2 (StarkParams.hash), measured side by side in one run: row hashing and proving.

    python scripts/bench_commitment_hash.py [--log-rows 16] [--width 100] [--toy-log-rows 14] [--users 1024]

Row hashing: the leaves of 2^log_rows rows x width columns, as the prover commits them (a transposed view of a
(width, rows) LDE), then a Merkle tree over those leaves; best of 3. Proving: the 16-column toy AIR
(tests/toy_airs.py) of 2^toy_log_rows rows at the standard preset, and a liabilities round of `users` users
(2 assets, test preset) end to end; each with either hash. Ratios are Poseidon2's time over BLAKE2s's.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from prover.engine import threads
from prover.engine.merkle_tree import MerkleTree
from prover.engine.prover import prove
from prover.engine.row_hashing import hash_leaves
from prover.exchange.round import prove_round
from verifier.stark.commitment import BLAKE2S, POSEIDON2
from verifier.stark.params import load_preset, with_hash

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from toy_airs import WideRecurrenceAir, wide_recurrence_output  # noqa: E402  (the engine's test AIRs)
from timing import best_of

SCHEMES = (BLAKE2S, POSEIDON2)


def _row(what: str, seconds: dict) -> str:
    b, p = seconds["blake2s"], seconds["poseidon2"]
    return f"{what:<46} {b:>9.3f} {p:>10.3f} {p / b:>7.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--log-rows", type=int, default=16)
    parser.add_argument("--width", type=int, default=100)
    parser.add_argument("--toy-log-rows", type=int, default=14)
    parser.add_argument("--users", type=int, default=1024)
    args = parser.parse_args()
    n = 1 << args.log_rows
    lde = np.random.default_rng(0).integers(0, 2**63, size=(args.width, n), dtype=np.uint64)
    for scheme in SCHEMES:  # load the kernels from the cache
        MerkleTree(lde.T[:4], scheme=scheme)
    print(f"{threads.workers()} threads; seconds (best of 3 for hashing, one run for proving)")
    print(f"{'':<46} {'blake2s':>9} {'poseidon2':>10} {'ratio':>7}")
    leaves = {s.name: best_of(lambda s=s: hash_leaves(s, lde.T)) for s in SCHEMES}
    print(_row(f"leaves, 2^{args.log_rows} rows x {args.width} columns", leaves))
    digests = {s.name: hash_leaves(s, lde.T) for s in SCHEMES}
    tree = {s.name: best_of(lambda s=s: MerkleTree(leaves=digests[s.name], scheme=s)) for s in SCHEMES}
    print(_row(f"Merkle tree over 2^{args.log_rows} leaf digests", tree))

    rows = 1 << args.toy_log_rows
    standard = load_preset("standard")
    toy = {}
    for scheme in SCHEMES:
        params = with_hash(standard, scheme.name)
        air = WideRecurrenceAir(rows - params.zk_rows, wide_recurrence_output(rows - params.zk_rows), params.zk_rows)
        trace = air.build_main_trace()
        started = time.perf_counter()
        prove(air, trace, params)
        toy[scheme.name] = time.perf_counter() - started
    print(_row(f"prove toy AIR, 2^{args.toy_log_rows} rows x 16, standard", toy))

    rounds = {}
    with tempfile.TemporaryDirectory() as tmp:
        users = Path(tmp) / "users.csv"
        users.write_text("id,BTC,ETH\n" + "".join(f"u{i},{i % 7}.5,{i % 3}\n" for i in range(args.users)))
        for scheme in SCHEMES:
            started = time.perf_counter()
            prove_round(users, "bench", Path(tmp) / scheme.name, "test", Path(tmp) / "secret", progress=False,
                        hash_name=scheme.name)
            rounds[scheme.name] = time.perf_counter() - started
    print(_row(f"prove_round, {args.users} users x 2 assets, test", rounds))


if __name__ == "__main__":
    main()
